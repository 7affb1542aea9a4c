/**
 * Fuzzed answers to the bill and vendor calls: the real client (bill exporter with its ReleaseBill polling,
 * vendor exporter, vendor importer), over real sockets, against a loopback server answering with generated
 * bodies, statuses and deliveries. Every call ends in a typed outcome or a LedgerlinkError in bounded time, and a
 * blank or malformed ReferenceNbr / VendorID never settles a requisition or a vendor.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type HubVendor, type LoadItem, type Requisition } from '@ledgerlink/core';
import { isSameBill } from '../src/bill-exporter.js';
import { AcumaticaConfig } from '../src/config.js';
import { acumaticaConnector } from '../src/index.js';
import { checkFind, checkLoad, checkPages, delivery, fuzzRuns, fuzzTimeout, jsonAnswer, junkBody, oddId, oddMoney, startFuzzServer, statusOf, type FuzzAnswer, type FuzzServer } from '@ledgerlink/connector-testkit/fuzz';

const REQUISITION: Requisition = {
  id: 'req-1',
  number: 'SUB-1001',
  billingDate: '2025-04-30',
  vendor: { id: 'hub-v1', name: 'Keller', erpId: 'V000101' },
  project: { id: 'hub-p1', number: 'P-7' },
  commitment: { id: 'sc-1' },
  totalCents: 12_345,
  retainageCents: 0,
  lines: [{ id: 'l1', description: 'Footings', amountCents: 12_345, retainageCents: 0 }],
};
const BILL_PAYLOAD = {
  Type: { value: 'Bill' },
  Vendor: { value: 'V000101' },
  VendorRef: { value: 'SUB-1001' },
  Date: { value: '2025-04-30' },
  Hold: { value: false },
  Details: [{ Amount: { value: '123.45' } }],
};
const VENDOR: HubVendor = { id: 'hv-1', name: 'Ortiz Drywall', isActive: true };
const VENDOR_PAYLOAD = { VendorName: { value: 'Ortiz Drywall' }, Status: { value: 'Active' } };

function wrapped(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: value.map((inner) => ({ value: inner })) }, { weight: 1, arbitrary: fc.record({ value, error: fc.string({ maxLength: 20 }) }) }, { weight: 1, arbitrary: oddId });
}
const ours = (value: unknown): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: oddId });

const bill = fc.record(
  {
    id: oddId,
    ReferenceNbr: wrapped(fc.oneof(fc.constantFrom('B000001'), oddId)),
    Type: wrapped(fc.oneof(fc.constantFrom('Bill'), oddId)),
    Status: wrapped(fc.oneof(fc.constantFrom('Balanced', 'Open', 'On Hold', 'Closed'), oddId)),
    Hold: wrapped(fc.oneof(fc.boolean(), oddId)),
    Vendor: wrapped(ours('V000101')),
    VendorRef: wrapped(ours('SUB-1001')),
    Amount: wrapped(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(123.45, '123.45') }, { weight: 1, arbitrary: oddMoney })),
    Date: wrapped(fc.oneof(fc.constantFrom('2025-04-30T00:00:00+00:00', '2025-04-30', 'x'), oddId)),
    error: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);
const vendor = fc.record(
  {
    id: oddId,
    VendorID: wrapped(fc.oneof(fc.constantFrom('V0000001'), oddId)),
    VendorName: wrapped(ours('Ortiz Drywall')),
    Status: wrapped(fc.oneof(fc.constantFrom('Active', 'Inactive'), oddId)),
    LastModifiedDateTime: wrapped(fc.oneof(fc.constantFrom('2025-05-02T10:00:00+00:00', 'not a date'), oddId)),
    MainContact: fc.oneof(fc.record({ Email: wrapped(oddId) }, { requiredKeys: [] }), oddId),
    error: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);
const errorBody = fc.record({ message: fc.oneof(fc.string({ maxLength: 30 }), oddId), exceptionMessage: oddId, exceptionType: fc.oneof(fc.constantFrom('PX.Data.PXException', 'System.Exception'), oddId) }, { requiredKeys: [] });
const SIGNED_IN: FuzzAnswer = { status: 204, headers: { 'set-cookie': '.ASPXAUTH=abc; path=/; HttpOnly' }, body: '', delivery: 'normal' };
const releaseAnswer: fc.Arbitrary<FuzzAnswer> = fc.record({
  status: statusOf([204, 202, 422, 500, 404]),
  headers: fc.record({ location: fc.oneof(fc.constantFrom('/entity/Default/24.200.001/Bill/ReleaseBill/status/1', ''), fc.string({ maxLength: 20 })) }, { requiredKeys: [] }),
  body: fc.oneof(fc.constant(''), errorBody.map((body) => JSON.stringify(body)), junkBody),
  delivery,
});

const script = fc.record({
  put: fc.array(jsonAnswer(fc.oneof(bill, vendor, errorBody), [200, 422, 412, 500]), { maxLength: 1 }),
  find: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: fc.array(fc.oneof(bill, vendor), { maxLength: 2 }) }, { weight: 1, arbitrary: errorBody }), [200]), { maxLength: 2 }),
  list: fc.array(jsonAnswer(fc.oneof(fc.array(vendor, { maxLength: 3 }), errorBody), [200]), { maxLength: 3 }),
  release: fc.array(releaseAnswer, { maxLength: 3 }),
});
const cursor = fc.oneof(fc.constant(undefined), fc.constantFrom('', '{}', '{"since":"2025-05-02T10:00:00+00:00","skip":2}', '{"skip":-1}', 'null', '[]', '{'), fc.string({ maxLength: 12 }));

let server: FuzzServer;
let client: ConnectorClient;
const signal = new AbortController().signal;

beforeAll(async () => {
  server = await startFuzzServer((request) => {
    const url = decodeURIComponent(request.url ?? '');
    if (url.endsWith('/entity/auth/login')) return 'login';
    if (url.endsWith('/entity/auth/logout')) return 'logout';
    if (request.method === 'PUT') return 'put';
    if (url.includes('ReleaseBill')) return 'release';
    if (url.includes('$filter=Vendor') || url.includes('VendorName eq')) return 'find';
    return 'list';
  });
  const config = AcumaticaConfig.parse({ baseUrl: server.url, username: 'ledgerlink', password: 'secret-fuzz', tenant: 'Company', releasePollIntervalMs: 1, releaseTimeoutMs: 40, pageSize: 2 });
  client = acumaticaConnector.createClient({ config, http: createFetchHttpClient({ timeoutMs: 500 }), lane: { throttled() {} }, logger: silentLogger, now: () => new Date() });
});
afterAll(() => server.close());

describe('Acumatica bills and vendors under fuzzed answers', () => {
  it('ends every bill and vendor export, lookup and vendor import in a typed outcome or a LedgerlinkError, never on a blank id', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(script, cursor, async (answers, start) => {
        run += 1;
        const play = (names: (keyof typeof answers)[]): void =>
          server.script({ login: [SIGNED_IN, SIGNED_IN, SIGNED_IN], ...Object.fromEntries(names.map((name) => [name, answers[name]])) });
        const billItem: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: `req-1.r${run}`, record: REQUISITION, payload: BILL_PAYLOAD };
        const vendorItem: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hv-1', idempotencyKey: `hv-1.r${run}`, record: VENDOR, payload: VENDOR_PAYLOAD };
        play(['put', 'find', 'release']);
        await checkLoad('bill load', () => client.requisitions!.exporter!.load([billItem], { signal }), 1);
        play(['find', 'release']);
        await checkFind('bill find', () => client.requisitions!.exporter!.find(billItem, { signal }));
        play(['put', 'find']);
        await checkLoad('vendor load', () => client.vendors!.exporter!.load([vendorItem], { signal }), 1);
        play(['find']);
        await checkFind('vendor find', () => client.vendors!.exporter!.find(vendorItem, { signal }));
        play(['list']);
        await checkPages('vendor pages', client.vendors!.importer!.pages(start === undefined ? { signal } : { signal, cursor: start }));
      }),
      { numRuns: fuzzRuns(80) },
    );
  }, fuzzTimeout(80, 120));

  it('never links a requisition or a vendor to a blank id', async () => {
    const blankBill = { ReferenceNbr: { value: ' ' }, Type: { value: 'Bill' }, Status: { value: 'Open' }, Vendor: { value: 'V000101' }, VendorRef: { value: 'SUB-1001' }, Amount: { value: 123.45 }, Date: { value: '2025-04-30T00:00:00+00:00' } };
    server.script({ login: [SIGNED_IN], find: [{ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify([blankBill]), delivery: 'normal' }] });
    const billItem: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: 'req-1.blank', record: REQUISITION, payload: BILL_PAYLOAD };
    expect(await client.requisitions!.exporter!.find(billItem, { signal })).toMatchObject({ kind: 'retryable', code: 'LL_ERP_PROTOCOL' });
    server.script({ login: [SIGNED_IN], put: [{ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ VendorID: { value: '' } }), delivery: 'normal' }] });
    const vendorItem: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hv-1', idempotencyKey: 'hv-1.blank', record: VENDOR, payload: VENDOR_PAYLOAD };
    expect(await client.vendors!.exporter!.load([vendorItem], { signal })).toMatchObject([{ kind: 'retryable', committed: 'unknown' }]);
  });

  it('isSameBill reads any value without throwing', () => {
    const key = { vendor: 'V000101', vendorRef: 'SUB-1001', totalCents: 12_345, date: '2025-04-30' };
    fc.assert(
      fc.property(fc.oneof(bill, fc.jsonValue({ maxDepth: 3 })), (value) => {
        expect(typeof isSameBill(value, key)).toBe('boolean');
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });
});
