import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createFetchHttpClient,
  type ConnectorClient,
  type HubVendor,
  LedgerlinkError,
  type LoadItem,
  type Outcome,
  type Requisition,
} from '@ledgerlink/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qboConnector, QboConfig } from '../src/index.js';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH } from '../src/sandbox/index.js';
import { recordingLogger } from './support.js';

/**
 * Whatever QuickBooks answers to `POST /bill`, `POST /vendor` and the Bill and Vendor queries, the client never
 * crashes, hangs or throws anything but a LedgerlinkError, and a blank or malformed Id never settles a
 * requisition or a vendor, nor reaches the vendor import.
 */

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 200);
const CALL_LIMIT_MS = 2_000;

let answer = { status: 200, body: '{}' };
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const current = request.url?.startsWith(QBO_SANDBOX_TOKEN_PATH) === true
        ? { status: 200, body: JSON.stringify({ token_type: 'bearer', access_token: 'fuzz-access', expires_in: 3600, refresh_token: 'fuzz-refresh', x_refresh_token_expires_in: 8_726_400 }) }
        : answer;
      response.writeHead(current.status, { 'content-type': 'application/json' });
      response.end(current.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const qbo: () => ConnectorClient = () =>
  qboConnector.createClient({
    config: QboConfig.parse({
      baseUrl: base,
      tokenUrl: `${base}${QBO_SANDBOX_TOKEN_PATH}`,
      realmId: QBO_SANDBOX_APP.realmId,
      clientId: QBO_SANDBOX_APP.clientId,
      clientSecret: QBO_SANDBOX_APP.clientSecret,
      refreshToken: QBO_SANDBOX_APP.refreshToken,
      importPageSize: 3,
    }),
    http: createFetchHttpClient({ timeoutMs: CALL_LIMIT_MS }),
    lane: { throttled: () => {} },
    logger: recordingLogger([]),
    now: () => new Date(),
  });

const anyValue = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.boolean());
const id = fc.oneof(fc.integer({ min: 1, max: 99_999 }).map(String), fc.constantFrom('', ' ', ' 12', '1e3', '-1', '7.5'), anyValue);
const amount = fc.oneof(fc.constantFrom(10000.1, 10000.10, 0.1), fc.double(), fc.string({ maxLength: 6 }), fc.constant(null));
const row = fc.oneof(
  fc.record(
    {
      Id: id,
      DocNumber: fc.oneof(fc.constant('PA-1'), anyValue),
      TxnDate: fc.oneof(fc.constant('2025-04-30'), anyValue),
      TotalAmt: amount,
      VendorRef: fc.oneof(fc.record({ value: fc.oneof(fc.constant('601'), anyValue) }), anyValue),
      DisplayName: fc.oneof(fc.constant('Ridge'), anyValue),
      Active: anyValue,
      MetaData: fc.oneof(fc.record({ LastUpdatedTime: fc.constantFrom('2025-05-02T10:00:00-08:00', '', 'x') }), anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);
const faultError = fc.record(
  { Message: fc.oneof(fc.string({ maxLength: 10 }), anyValue), Detail: fc.oneof(fc.string({ maxLength: 12 }), anyValue), code: fc.oneof(fc.constantFrom('610', '2500', '6000', '6140', '6240', '2020'), anyValue), element: fc.oneof(fc.constantFrom('VendorRef', 'Line.AccountBasedExpenseLineDetail.AccountRef', 'DocNumber', 'DisplayName', ''), anyValue) },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.record({ Bill: row, Vendor: row }, { requiredKeys: [] }),
  fc.record({ Fault: fc.oneof(fc.record({ Error: fc.oneof(fc.array(faultError, { maxLength: 3 }), anyValue) }, { requiredKeys: [] }), anyValue) }),
  fc.record({ QueryResponse: fc.oneof(fc.record({ Bill: fc.oneof(fc.array(row, { maxLength: 3 }), anyValue), Vendor: fc.oneof(fc.array(row, { maxLength: 4 }), anyValue) }, { requiredKeys: [] }), anyValue) }),
  fc.jsonValue(),
);
const generated = fc.record({
  status: fc.oneof(fc.constantFrom(200, 200, 200, 400, 429, 500), fc.integer({ min: 200, max: 599 })),
  body: fc.oneof(body.map((value) => JSON.stringify(value)), fc.string({ maxLength: 30 }), fc.constant('')),
});

const requisition: Requisition = {
  id: 'req-1',
  number: 'PA-1',
  billingDate: '2025-04-30',
  vendor: { id: 'hv-1', name: 'Ridge', erpId: '601' },
  project: { id: 'p-1', number: 'P-1' },
  commitment: { id: 'sc-1' },
  totalCents: 1_000_010,
  retainageCents: 0,
  lines: [{ id: 'l-1', description: '', amountCents: 1_000_010, retainageCents: 0, costCodeOriginId: '60' }],
};
const billItem: LoadItem<Record<string, unknown>, Requisition> = {
  id: 'req-1',
  idempotencyKey: 'req-1.r1',
  record: requisition,
  payload: {
    VendorRef: { value: '601' },
    TxnDate: '2025-04-30',
    DocNumber: 'PA-1',
    Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: '10000.10', AccountBasedExpenseLineDetail: { AccountRef: { value: '60' } } }],
  },
};
const vendor: HubVendor = { id: 'hv-1', name: 'Ridge', isActive: true };
const vendorItem: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hv-1', idempotencyKey: 'hv-1.r1', record: vendor, payload: { DisplayName: 'Ridge', Active: true } };
const signal = new AbortController().signal;

async function typed(what: string, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in time`)), CALL_LIMIT_MS * 3);
  });
  try {
    await Promise.race([work(), limit]);
  } catch (error) {
    if (!(error instanceof LedgerlinkError)) throw new Error(`${what} threw an untyped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

function settledOnlyByAnId(outcome: Outcome | null | undefined): void {
  if (outcome?.kind === 'synced') expect(outcome.erpId, 'a synced record names a well-formed QuickBooks Id').toMatch(/^\d{1,20}$/);
}

describe('QuickBooks Online bill and vendor answers, fuzzed', () => {
  it('bill load/find, vendor load/find/import: typed outcomes or LedgerlinkErrors only; a blank Id never settles', async () => {
    const client = qbo();
    await fc.assert(
      fc.asyncProperty(generated, fc.constantFrom('bill-load', 'bill-find', 'vendor-load', 'vendor-find', 'vendor-import'), async (next, operation) => {
        answer = next;
        switch (operation) {
          case 'bill-load':
            return typed(operation, async () => settledOnlyByAnId((await client.requisitions!.exporter!.load([billItem], { signal }))[0]));
          case 'bill-find':
            return typed(operation, async () => settledOnlyByAnId(await client.requisitions!.exporter!.find(billItem, { signal })));
          case 'vendor-load':
            return typed(operation, async () => settledOnlyByAnId((await client.vendors!.exporter!.load([vendorItem], { signal }))[0]));
          case 'vendor-find':
            return typed(operation, async () => settledOnlyByAnId(await client.vendors!.exporter!.find(vendorItem, { signal })));
          case 'vendor-import':
            return typed(operation, async () => {
              let pages = 0;
              for await (const page of client.vendors!.importer!.pages({ signal })) {
                for (const record of page.records) expect(String(record['Id'])).toMatch(/^\d{1,20}$/);
                if (++pages >= 3) break;
              }
            });
        }
      }),
      {
        numRuns: RUNS,
        examples: [
          [{ status: 200, body: '{"Bill":{"Id":" "}}' }, 'bill-load'],
          [{ status: 200, body: '{"Vendor":{"Id":"1e3"}}' }, 'vendor-load'],
          [{ status: 200, body: '{"QueryResponse":{"Bill":[{"Id":"","DocNumber":"PA-1","VendorRef":{"value":"601"},"TotalAmt":10000.1,"TxnDate":"2025-04-30"}]}}' }, 'bill-find'],
          [{ status: 200, body: '{"QueryResponse":{"Vendor":[{"Id":" 7","DisplayName":"Ridge"}]}}' }, 'vendor-find'],
        ],
      },
    );
  }, 120_000);
});
