import {
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  Outcomes,
  parseCents,
  type ClientContext,
  type ConnectorClient,
  type ExtractPage,
  type HttpRequest,
  type HttpResponse,
  type LoadItem,
  type Outcome,
} from '@ledgerlink/core';
import { erpAnswerOf, outcomeOf, readJson } from './answers.js';
import type { ExampleConfig } from './config.js';

/** The Example ERP client: speaks its JSON REST API through the lane's HttpClient only. */
export function createExampleClient({ config, http }: ClientContext<ExampleConfig>): ConnectorClient {
  const call = (method: HttpRequest['method'], path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> =>
    http({
      method,
      url: `${config.baseUrl.replace(/\/$/, '')}${path}`,
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const post = async (path: string, what: string, item: LoadItem<Record<string, unknown>, unknown>): Promise<Outcome> => {
    try {
      // The ledger's key per item and revision: a retry replays, an edited record posts anew.
      return outcomeOf(await call('POST', path, item.payload, { 'idempotency-key': item.idempotencyKey }), what);
    } catch (error) {
      if (error instanceof HttpTransportError && error.reason !== 'cancelled') {
        return Outcomes.transport(`Example ERP: ${error.message}`, { reason: error.reason, committed: error.committed });
      }
      throw error;
    }
  };

  const list = async (
    query: Record<string, string>,
    collection: 'payments' | 'bills' | 'vendors' = 'payments',
  ): Promise<{ data: Record<string, unknown>[]; cursor: string; hasMore: boolean }> => {
    const response = await call('GET', `/v1/${collection}?${new URLSearchParams(query).toString()}`);
    const page = response.status === 200 ? readJson<{ data?: unknown; cursor?: unknown; hasMore?: unknown }>(response.body) : undefined;
    if (page === undefined || !Array.isArray(page.data) || typeof page.cursor !== 'string') throw failure(response, `listing ${collection}`);
    return { data: page.data as Record<string, unknown>[], cursor: page.cursor, hasMore: page.hasMore === true };
  };

  return {
    async check() {
      const response = await call('GET', '/v1/company');
      if (response.status !== 200) throw failure(response, 'checking the connection');
    },
    payments: {
      exporter: {
        load: (batch) => Promise.all(batch.map((item) => post('/v1/payments', 'payment', item))),
        // By natural key (the same check number on the same bank account, to the same vendor), then by everything
        // else that makes the payment this one: another payment may share the key (issue 11, item 1).
        async find(item) {
          const { bankAccountId, checkNumber, vendorId } = item.payload as Record<string, string | undefined>;
          if (bankAccountId === undefined || checkNumber === undefined || vendorId === undefined) return null;
          const { data } = await list({ bankAccountId, checkNumber, vendorId });
          const found = data.find((record) => isThisPayment(record, item.payload as Record<string, unknown>))?.id;
          return typeof found === 'string' && found.trim() !== '' ? Outcomes.synced(found, { replayed: true }) : null;
        },
      },
      importer: {
        async *pages({ cursor }): AsyncIterable<ExtractPage> {
          let after = cursor ?? '0';
          for (;;) {
            // POSTED is the Example ERP's final state: drafts are not imported.
            const page = await list({ status: 'POSTED', after, limit: String(config.pageSize) });
            yield { records: page.data, cursor: page.cursor };
            if (!page.hasMore) return;
            after = page.cursor;
          }
        },
      },
    },
    requisitions: {
      // A requisition is an AP bill: POST /v1/bills.
      exporter: {
        load: (batch) => Promise.all(batch.map((item) => post('/v1/bills', 'bill', item))),
        // By natural key: the vendor's bill with this number (the ERP keeps numbers unique per vendor).
        async find(item) {
          const { vendorId, number } = item.payload as Record<string, string | undefined>;
          if (vendorId === undefined || number === undefined) return null;
          return syncedIfFound((await list({ vendorId, number }, 'bills')).data);
        },
      },
    },
    vendors: {
      exporter: {
        load: (batch) => Promise.all(batch.map((item) => post('/v1/vendors', 'vendor', item))),
        // By natural key: the vendor code where one is sent, else the name.
        async find(item) {
          const { code, name } = item.payload as Record<string, string | undefined>;
          const query: Record<string, string> | undefined = code !== undefined ? { code } : name !== undefined ? { name } : undefined;
          return query === undefined ? null : syncedIfFound((await list(query, 'vendors')).data);
        },
      },
      importer: {
        async *pages({ cursor }): AsyncIterable<ExtractPage> {
          let after = cursor ?? '0';
          for (;;) {
            const page = await list({ after, limit: String(config.pageSize) }, 'vendors');
            yield { records: page.data, cursor: page.cursor };
            if (!page.hasMore) return;
            after = page.cursor;
          }
        },
      },
    },
    async close() {},
  };
}

/** `synced` with the first listed record's id; null when the list is empty (or names no usable id). */
function syncedIfFound(data: Record<string, unknown>[]): Outcome | null {
  const found = data[0]?.id;
  return typeof found === 'string' && found.trim() !== '' ? Outcomes.synced(found, { replayed: true }) : null;
}

/** A failed read or connection check, as a coded error that keeps the ERP's own answer. */
function failure(response: HttpResponse, doing: string): LedgerlinkError {
  const erp = erpAnswerOf(response);
  const [code, disposition] =
    response.status === 401
      ? ([ErrorCodes.ERP_AUTH, 'fatal'] as const)
      : response.status === 429
        ? ([ErrorCodes.ERP_THROTTLED, 'retryable'] as const)
        : response.status >= 500
          ? ([ErrorCodes.ERP_SERVER_ERROR, 'retryable'] as const)
          : ([ErrorCodes.ERP_PROTOCOL, 'fatal'] as const);
  const next = code === ErrorCodes.ERP_AUTH ? ' Check the connection apiKey.' : '';
  return new LedgerlinkError(code, `Example ERP answered HTTP ${response.status} while ${doing}: ${erp.message}${next}`, {
    disposition,
    details: { erp },
  });
}

/** The same amount, date and applications (bill and amount, order-free): the stored payment is the one sent. */
function isThisPayment(stored: Record<string, unknown>, sent: Record<string, unknown>): boolean {
  return (
    sameCents(stored.amount, sent.amount) &&
    stored.date === sent.date &&
    applicationsKey(stored.applications) !== undefined &&
    applicationsKey(stored.applications) === applicationsKey(sent.applications)
  );
}

function sameCents(a: unknown, b: unknown): boolean {
  const left = centsOf(a);
  return left !== undefined && left === centsOf(b);
}

function centsOf(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseCents(String(value));
  } catch {
    return undefined;
  }
}

function applicationsKey(applications: unknown): string | undefined {
  if (!Array.isArray(applications)) return undefined;
  const keys = applications.map((application: unknown) => {
    const { billId, amount } = (application ?? {}) as Record<string, unknown>;
    return `${String(billId)}=${String(centsOf(amount))}`;
  });
  return keys.sort().join(',');
}
