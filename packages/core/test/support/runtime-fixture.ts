import {
  createConnectorRuntime,
  type Connector,
  type ConnectorRuntime,
  type ExportHooks,
  type ExportItem,
  type Outcome,
  type RuntimeOptions,
} from '../../src/index.js';
import type { FakeErp } from './fake-erp.js';
import { LOOKUPS } from './payments.js';
import { testConnector, type TestErpConfig } from './test-connector.js';

/** Builds runtimes of the test connector against one fake ERP and closes them all afterwards. */
export function runtimeFixture(erp: () => FakeErp) {
  const open: ConnectorRuntime[] = [];
  return {
    config: (): TestErpConfig => ({ baseUrl: erp().url, apiKey: erp().apiKey, realmId: 'R-1' }),
    create(options: Partial<RuntimeOptions> & { connector?: Connector<TestErpConfig> } = {}): ConnectorRuntime {
      const { connector = testConnector(), ...rest } = options;
      const runtime = createConnectorRuntime(connector, {
        tenant: 'acme',
        config: { baseUrl: erp().url, apiKey: erp().apiKey, realmId: 'R-1' },
        lookups: LOOKUPS,
        // Tiny back-off keeps retries fast; Retry-After still wins where a test sets one.
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
        ...rest,
      });
      open.push(runtime);
      return runtime;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((runtime) => runtime.close()));
    },
  };
}

/** Hooks that write down every call, as `before <item>` and `after <item> <kind>[/<code>]`. */
export function recordingHooks(): ExportHooks & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    beforeAttempt(item: ExportItem) {
      log.push(`before ${item.id}`);
      return Promise.resolve();
    },
    afterAttempt(item: ExportItem, outcome: Outcome) {
      const code = 'code' in outcome ? `/${outcome.code}` : '';
      log.push(`after ${item.id} ${outcome.kind}${code}`);
      return Promise.resolve();
    },
  };
}
