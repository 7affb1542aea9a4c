import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  HttpTransportError,
  LedgerlinkError,
  ErrorCodes,
  Outcomes,
  defineConnector,
  parseRetryAfter,
  type CapabilitiesInput,
  type ClientContext,
  type Connector,
  type ConnectorClient,
  type ExtractPage,
  type HttpResponse,
  type LoadItem,
  type Outcome,
} from '../../src/index.js';
import type { FakePayment } from './fake-erp.js';

/**
 * A minimal connector for the engine's tests, speaking the fake ERP's JSON (see fake-erp.ts). Its client
 * lets transport errors escape on purpose: turning them into outcomes is the engine's job under test.
 */
export const TestErpConfig = z.object({
  baseUrl: z.url(),
  apiKey: z.string().min(1),
  realmId: z.string().min(1),
});
export type TestErpConfig = z.infer<typeof TestErpConfig>;

export const TEST_ERP_MAPPING = fileURLToPath(new URL('./test-erp-mapping.yaml', import.meta.url));

export const TEST_CAPABILITIES: CapabilitiesInput = {
  entities: { payment: ['export', 'import'] },
  partialPayments: false,
  maxBatch: 2,
  rateLimit: { requests: 50, intervalMs: 1000, concurrency: 4 },
  idempotency: 'lookup',
};

export interface TestConnectorOptions {
  capabilities?: Partial<CapabilitiesInput>;
  /** Sees every ClientContext the runtime hands over. */
  onCreate?: (context: ClientContext<TestErpConfig>) => void;
}

export function testConnector(options: TestConnectorOptions = {}): Connector<TestErpConfig> {
  const capabilities = { ...TEST_CAPABILITIES, ...options.capabilities };
  return defineConnector<TestErpConfig>({
    manifest: { id: 'test-erp', displayName: 'Test ERP', version: '1.0.0', contractVersion: 'v1', coreRange: '^0.1.0' },
    capabilities,
    configSchema: TestErpConfig,
    mapping: { path: TEST_ERP_MAPPING },
    createClient(context) {
      options.onCreate?.(context);
      return createTestClient(context, capabilities.idempotency === 'native');
    },
  });
}

/** With `nativeKeys` the client sends each item's idempotency key, and the fake ERP replays a repeated one. */
function createTestClient({ config, http }: ClientContext<TestErpConfig>, nativeKeys: boolean): ConnectorClient {
  const headers = { 'content-type': 'application/json', 'x-api-key': config.apiKey };
  const json = <T>(response: HttpResponse): T => JSON.parse(response.body) as T;

  const throttleOrServer = (response: HttpResponse): Outcome | undefined => {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    const erp = { code: String(response.status), message: response.body, httpStatus: response.status };
    if (response.status === 429) return Outcomes.throttled('Test ERP throttled the call', { ...(retryAfterMs === undefined ? {} : { retryAfterMs }), erp });
    if (response.status >= 500) return Outcomes.serverError(`Test ERP failed with HTTP ${response.status}`, { erp });
    return undefined;
  };

  return {
    async check() {
      const response = await http({ method: 'GET', url: `${config.baseUrl}/ping`, headers });
      if (response.status !== 200) throw new LedgerlinkError(ErrorCodes.ERP_AUTH, `Test ERP refused the API key (HTTP ${response.status})`);
    },
    payments: {
      exporter: {
        async load(batch: LoadItem[]): Promise<Outcome[]> {
          const response = await http({
            method: 'POST',
            url: `${config.baseUrl}/payments`,
            headers,
            body: JSON.stringify({
              items: batch.map((item) => (nativeKeys ? { ...item.payload, idempotencyKey: item.idempotencyKey } : item.payload)),
            }),
          });
          const failed = throttleOrServer(response);
          if (failed !== undefined) return batch.map(() => failed);
          const { results } = json<{ results: ({ id: string } | { error: { code: string; message: string; field?: string } })[] }>(response);
          return results.map((result) => {
            if ('id' in result) return Outcomes.synced(result.id);
            const erp = { code: result.error.code, message: result.error.message };
            if (result.error.field === 'checkNo') return Outcomes.needsEdit(['checkNumber'], 'Test ERP refused the check number', erp);
            return Outcomes.rejected('Test ERP refused the payment', erp);
          });
        },
        async find(item: LoadItem): Promise<Outcome | null> {
          const reference = String(item.payload['reference']);
          const response = await http({ method: 'GET', url: `${config.baseUrl}/payments?reference=${encodeURIComponent(reference)}`, headers });
          const failed = throttleOrServer(response);
          if (failed !== undefined) return failed;
          const [found] = json<{ payments: FakePayment[] }>(response).payments;
          return found === undefined ? null : Outcomes.synced(found.id);
        },
      },
      importer: {
        async *pages(context): AsyncIterable<ExtractPage> {
          let after = context.cursor ?? '0';
          for (;;) {
            const response = await http({ method: 'GET', url: `${config.baseUrl}/payments/final?after=${after}`, headers });
            if (response.status !== 200) {
              throw new HttpTransportError(`Test ERP answered HTTP ${response.status} to an import`, { committed: 'no', reason: 'network' });
            }
            const page = json<{ payments: FakePayment[]; next: string | null; last: string }>(response);
            yield { records: page.payments as unknown as Record<string, unknown>[], cursor: page.last };
            if (page.next === null) return;
            after = page.next;
          }
        },
      },
    },
    async close() {},
  };
}
