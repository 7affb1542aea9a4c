/**
 * Fuzzed Direct API answers to the invoice and vendor calls: the real Vista client (AP invoice loader, vendor
 * loader, vendor extractor), over real sockets, against a loopback server answering with generated bodies,
 * statuses and deliveries. Every call ends in a typed outcome or a LedgerlinkError in bounded time, and a blank or
 * malformed APTrans / Vendor never settles a requisition or a vendor.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type HubVendor, type LoadItem, type Requisition } from '@ledgerlink/core';
import { vistaConnector, type VistaConfig } from '../src/index.js';
import { checkFind, checkLoad, checkPages, fuzzRuns, fuzzTimeout, jsonAnswer, oddId, oddMoney, startFuzzServer, type FuzzServer } from '@ledgerlink/connector-testkit/fuzz';

const REQUISITION: Requisition = {
  id: 'req-1',
  number: 'SUB-1001',
  billingDate: '2025-04-30',
  vendor: { id: 'hub-v1', name: 'Vendor 1', erpId: 'V1' },
  project: { id: 'hub-p1', number: 'P-7' },
  commitment: { id: 'sc-1' },
  totalCents: 100_005,
  retainageCents: 0,
  lines: [{ id: 'l1', description: 'Footings', amountCents: 100_005, retainageCents: 0 }],
};
const INVOICE = { Vendor: 'V1', APRef: 'SUB-1001', InvDate: '2025-04-30', InvTotal: '1000.05', Lines: [{ LineType: 7, GrossAmt: '1000.05', Retainage: '0.00' }] };
const VENDOR: HubVendor = { id: 'hv-1', name: 'Ortiz Drywall', code: '40100', isActive: true };
const VENDOR_PAYLOAD = { Vendor: '40100', Name: 'Ortiz Drywall', ActiveYN: 'Y' };

const ours = <T,>(value: T): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: oddId });
const problem = fc.record({ field: fc.oneof(fc.constantFrom('APRef', 'Vendor', 'InvTotal'), oddId), message: fc.oneof(fc.string({ maxLength: 30 }), oddId) }, { requiredKeys: [] });
const record = fc.record(
  {
    KeyID: fc.oneof(fc.constantFrom('8001', 8001), oddId),
    APTrans: fc.oneof({ weight: 2, arbitrary: fc.constantFrom('8001', 8001) }, { weight: 3, arbitrary: oddId }),
    Vendor: fc.oneof(ours('V1'), ours('40100'), fc.constant(40100)),
    APRef: ours('SUB-1001'),
    InvDate: ours('2025-04-30'),
    InvTotal: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1000.05', 1000.05) }, { weight: 2, arbitrary: oddMoney }),
    Name: ours('Ortiz Drywall'),
    ActiveYN: fc.oneof(fc.constantFrom('Y', 'N'), oddId),
    LastUpdated: fc.oneof(fc.constantFrom('2025-05-06T10:00:00Z', ''), oddId),
  },
  { requiredKeys: [] },
);
const page = fc.record(
  { data: fc.oneof({ weight: 5, arbitrary: fc.array(record, { maxLength: 3 }) }, { weight: 1, arbitrary: oddId }), continuationToken: fc.oneof(fc.constantFrom(null, '', 'next'), oddId) },
  { requiredKeys: [] },
);
const errorBody = fc.record({ statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), oddId), message: fc.oneof(fc.string({ maxLength: 40 }), oddId), errors: fc.oneof(fc.array(problem, { maxLength: 3 }), oddId) }, { requiredKeys: [] });
const script = fc.record({
  create: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: fc.record({ actionId: ours('act-1'), status: fc.oneof(fc.constantFrom('Queued'), oddId) }, { requiredKeys: [] }) }, { weight: 2, arbitrary: errorBody }), [202, 200, 400, 429, 500]), { maxLength: 1 }),
  action: fc.array(
    jsonAnswer(
      fc.oneof(
        { weight: 3, arbitrary: fc.record({ actionId: ours('act-1'), status: fc.oneof(fc.constantFrom('Queued', 'Processing', 'Successful', 'Failed'), oddId), errors: fc.oneof(fc.array(problem, { maxLength: 2 }), oddId) }, { requiredKeys: [] }) },
        { weight: 1, arbitrary: errorBody },
      ),
      [200, 404],
    ),
    { maxLength: 1 },
  ),
  search: fc.array(jsonAnswer(fc.oneof({ weight: 4, arbitrary: page }, { weight: 1, arbitrary: errorBody }), [200, 400]), { maxLength: 4 }),
});
const cursor = fc.oneof(fc.constant(undefined), fc.constantFrom('', '{}', '{"since":"2025-01-01T00:00:00Z"}', '{"token":"t"}', 'null', '[]', '{'), fc.string({ maxLength: 12 }));

let server: FuzzServer;
let client: ConnectorClient;
const signal = new AbortController().signal;

beforeAll(async () => {
  server = await startFuzzServer((request) => {
    const url = request.url ?? '';
    if (url.endsWith('/actions/create')) return 'create';
    if (url.includes('/actions/')) return 'action';
    return 'search';
  });
  const config: VistaConfig = { baseUrl: server.url, subscriberUid: '123456', applicationKey: 'k', module: 'ap', apiVersion: '1', paymentObject: 'paymenthistories', apCompany: 1, pageSize: 2 };
  client = vistaConnector.createClient({ config, http: createFetchHttpClient({ timeoutMs: 500 }), lane: { throttled() {} }, logger: silentLogger, now: () => new Date() });
});
afterAll(() => server.close());

describe('Vista invoices and vendors under fuzzed answers', () => {
  it('ends every invoice and vendor export, lookup and vendor import in a typed outcome or a LedgerlinkError, never on a blank id', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(script, cursor, async (answers, start) => {
        run += 1;
        const invoice: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: `req-1.r${run}`, record: REQUISITION, payload: INVOICE };
        const vendor: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hv-1', idempotencyKey: `hv-1.r${run}`, record: VENDOR, payload: VENDOR_PAYLOAD };
        server.script(answers);
        await checkLoad('invoice load', () => client.requisitions!.exporter!.load([invoice], { signal }), 1);
        server.script(answers);
        await checkFind('invoice find', () => client.requisitions!.exporter!.find(invoice, { signal }));
        server.script(answers);
        await checkLoad('vendor load', () => client.vendors!.exporter!.load([vendor], { signal }), 1);
        server.script(answers);
        await checkFind('vendor find', () => client.vendors!.exporter!.find(vendor, { signal }));
        server.script(answers);
        await checkPages('vendor pages', client.vendors!.importer!.pages(start === undefined ? { signal } : { signal, cursor: start }));
      }),
      { numRuns: fuzzRuns(100) },
    );
  }, fuzzTimeout(100, 100));

  it('never settles an invoice the cache shows with a blank APTrans', async () => {
    const blank = { KeyID: '8001', APTrans: ' ', Vendor: 'V1', APRef: 'SUB-1001', InvDate: '2025-04-30', InvTotal: '1000.05' };
    server.script({ search: [{ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [blank], continuationToken: null }), delivery: 'normal' }] });
    const invoice: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: 'req-1.blank', record: REQUISITION, payload: INVOICE };
    expect(await client.requisitions!.exporter!.find(invoice, { signal })).toMatchObject({ kind: 'retryable', code: 'LL_ERP_PROTOCOL', committed: 'unknown' });
  });
});
