import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { readAmount, wireAmount } from '../src/sandbox/money.js';
import { accessToken, COMMITMENT, COMPANY, PAYMENT, REQUISITION, startCompany, VENDOR } from './sandbox-wire.js';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 150);
// Over HTTP each run costs a few milliseconds; the bench's 20,000 runs get the time they need.

/** Values that break careless readers: blanks, floats, huge numbers, wrong types. */
const nasty = fc.oneof(
  fc.constantFrom('', ' ', '\t', '1e3', '10.555', '-1', '0', '1.0', '1250.00', '99999999999999999999', '1,000.00', 'NaN', '2026-02-30', 'check', 'ach', 'success', 'failed', 'contract_payment', 'vendor', 'line_item'),
  fc.constantFrom(1e308, 2 ** 53 + 1, -3, 1.5, 0, COMPANY, PAYMENT, REQUISITION, null, true, false),
  fc.constantFrom([], {}, [null], { message: 1 }),
  fc.string({ maxLength: 10 }),
  fc.integer(),
);
const value = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const item = (keys: string[]) => fc.oneof({ weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length }) }, { weight: 1, arbitrary: value });
const list = (keys: string[]) => fc.oneof({ weight: 4, arbitrary: fc.array(item(keys), { maxLength: 4 }) }, { weight: 1, arbitrary: value });

/** Each write endpoint with bodies shaped like its documented one, filled with hostile values. */
const writes: { method: string; path: string; body: fc.Arbitrary<unknown> }[] = [
  { method: 'PATCH', path: `/rest/v1.0/companies/${COMPANY}/external_data/sync`, body: fc.record({ updates: list(['item_type', 'item_id', 'origin_id', 'origin_data']) }) },
  {
    method: 'PATCH',
    path: `/rest/v1.0/companies/${COMPANY}/invoice_payments/sync`,
    body: fc.record({ updates: list(['origin_id', 'amount', 'date', 'payment_method', 'requisition_id', 'commitment_id', 'check_number', 'notes', 'status', 'invoice_number']) }),
  },
  { method: 'PATCH', path: `/rest/v1.0/companies/${COMPANY}/erp_request_details/DETAIL`, body: fc.record({ erp_request_detail: item(['status', 'messages']) }) },
  {
    method: 'PATCH',
    path: `/rest/v1.0/companies/${COMPANY}/erp/staged_records/sync`,
    body: fc.record({ staged_records: list(['item_type', 'origin_id', 'origin_code', 'origin_data', 'status', 'data', 'parent_id', 'parent_origin_id']) }),
  },
  { method: 'POST', path: '/rest/v1.0/webhooks/hooks', body: fc.record({ company_id: fc.oneof(fc.constant(COMPANY), value), hook: item(['api_version', 'namespace', 'destination_url', 'destination_headers']) }) },
  { method: 'POST', path: `/rest/v1.0/companies/${COMPANY}/erp_connections`, body: fc.record({ erp_connection: item(['name', 'metadata']) }) },
  { method: 'POST', path: '/_sandbox/seed', body: fc.dictionary(fc.constantFrom('companies', 'projects', 'vendors', 'commitments', 'requisitions', 'contractPayments', 'invoicePayments'), list(['id', 'companyId', 'name', 'projectNumber', 'projectId', 'vendorId', 'commitmentId', 'requisitionId', 'invoiceNumber', 'totalCents', 'amountCents', 'paymentMethod', 'bankId', 'originId', 'date'])) },
  { method: 'POST', path: `/_sandbox/contract_payments/${PAYMENT}/export`, body: item(['checkNumber', 'bankId']) },
  { method: 'POST', path: '/_sandbox/requisitions/export', body: item(['ids']) },
  {
    method: 'PATCH',
    path: `/rest/v1.0/companies/${COMPANY}/vendors/sync`,
    body: fc.record({ updates: list(['origin_id', 'name', 'abbreviated_name', 'origin_code', 'address', 'city', 'state_code', 'zip', 'country_code', 'email_address', 'business_phone', 'is_active']) }),
  },
  { method: 'POST', path: `/_sandbox/vendors/${VENDOR}/link`, body: item(['originId']) },
  { method: 'POST', path: `/_sandbox/requisitions/${REQUISITION}/reset`, body: item(['resetOverride']) },
  {
    method: 'POST',
    path: '/_sandbox/seed',
    body: fc.record({ requisitions: fc.array(fc.record({ commitmentId: fc.oneof(fc.constant(COMMITMENT), value), invoiceNumber: value, totalCents: value, lines: list(['id', 'amountCents', 'retainageCents', 'costCodeOriginId', 'description']) }, { requiredKeys: [] }), { maxLength: 2 }) }),
  },
];

let sandbox: ProcoreSandbox;
let token: string;
let detailId: number;
beforeAll(async () => {
  sandbox = await startCompany();
  token = await accessToken(sandbox);
  detailId = sandbox.fundPayment(PAYMENT).detail?.id as number;
});
afterAll(() => sandbox.close());

describe('the sandbox under hostile bodies', () => {
  it('answers every write with a 2xx or a 4xx that says what is wrong, never a 500, and a blank origin_id never links', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: writes.length - 1 }).chain((n) => fc.tuple(fc.constant(n), (writes[n] as { body: fc.Arbitrary<unknown> }).body)), async ([n, body]) => {
        const write = writes[n] as { method: string; path: string };
        const response = await fetch(`${sandbox.url}${write.path.replace('DETAIL', String(detailId))}`, {
          method: write.method,
          headers: { authorization: `Bearer ${token}`, 'procore-company-id': String(COMPANY), 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        expect(response.status, text).toBeLessThan(500);
        if (response.status >= 400) expect(text.length).toBeGreaterThan(10);
        expect(() => JSON.parse(text) as unknown).not.toThrow();
        const linked = sandbox.externalData('contract_payment', PAYMENT)?.origin_id;
        expect(linked === undefined || linked === null || linked.trim() !== '').toBe(true);
        for (const issued of sandbox.paymentsIssued(COMPANY)) expect(issued.origin_id === null || issued.origin_id.trim() !== '').toBe(true);
        for (const vendor of sandbox.erpTool(COMPANY).vendors) expect(vendor.originId === null || vendor.originId.trim() !== '').toBe(true);
        expect(sandbox.vendor(VENDOR).name.trim()).not.toBe('');
      }),
      { numRuns: RUNS },
    );
  }, Math.max(20_000, RUNS * 25));

  it('reads money as exact cents or not at all', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 13), max: 10 ** 13 }), (cents) => {
        expect(readAmount(wireAmount(cents))).toBe(cents);
      }),
      { numRuns: RUNS * 10 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^-?\d{0,16}(\.\d{0,4})?$/), fc.double(), fc.jsonValue()), (raw) => {
        const cents = readAmount(raw);
        expect(cents === undefined || Number.isSafeInteger(cents)).toBe(true);
        if (typeof raw !== 'string') expect(cents).toBeUndefined();
      }),
      { numRuns: RUNS * 10 },
    );
  }, Math.max(20_000, RUNS * 5));
});
