import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWireBill } from '../src/qbo-bill-loader.js';
import { QBO_SANDBOX_APP, type QboSandbox } from '../src/sandbox/index.js';
import { startSandbox } from './support.js';

/**
 * The sandbox's `POST /bill`, `POST /vendor` and their queries, spoken to with plain fetch and hand-written JSON
 * (no connector code): the answer shapes and rules the connector's bill and vendor tests rely on.
 */

let sandbox: QboSandbox;
let token = '';

beforeAll(async () => {
  sandbox = await startSandbox({ seed: { vendors: [{ id: '601', name: 'Sub One' }] } });
  const basic = Buffer.from(`${QBO_SANDBOX_APP.clientId}:${QBO_SANDBOX_APP.clientSecret}`).toString('base64');
  const response = await fetch(sandbox.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(QBO_SANDBOX_APP.refreshToken)}`,
  });
  token = ((await response.json()) as { access_token: string }).access_token;
});
afterAll(() => sandbox.close());

async function call(method: 'GET' | 'POST', resource: string, body?: unknown, params: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(`${sandbox.url}/v3/company/${sandbox.realmId}/${resource}`);
  for (const [name, value] of Object.entries({ minorversion: '75', ...params })) url.searchParams.set(name, value);
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const bill = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  VendorRef: { value: '601' },
  TxnDate: '2025-04-30',
  DocNumber: 'PA-1',
  Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 1234.5, Description: 'Concrete', AccountBasedExpenseLineDetail: { AccountRef: { value: '60' } } }],
  ...overrides,
});
const faultCode = (json: Record<string, unknown>): unknown => ((json['Fault'] as { Error: { code: string }[] } | undefined)?.Error ?? [])[0]?.code;

describe('QuickBooks sandbox: Bill and Vendor on the wire', () => {
  it('POST /bill answers {"Bill":{Id, TotalAmt, Balance, Line…}}; a repeated requestid replays it; the bill reads back by query', async () => {
    const first = await call('POST', 'bill', bill(), { requestid: 'wire-bill-1' });
    expect(first.status).toBe(200);
    const created = first.json['Bill'] as Record<string, unknown>;
    expect(created).toMatchObject({ DocNumber: 'PA-1', TxnDate: '2025-04-30', TotalAmt: 1234.5, Balance: 1234.5, VendorRef: { value: '601', name: 'Sub One' } });
    expect(String(created['Id'])).toMatch(/^\d+$/);
    const replay = await call('POST', 'bill', bill(), { requestid: 'wire-bill-1' });
    expect((replay.json['Bill'] as { Id: string }).Id).toBe(created['Id']);
    expect(sandbox.bills!().filter((b) => b.number === 'PA-1')).toHaveLength(1);
    const query = await call('GET', 'query', undefined, { query: "select * from Bill where DocNumber = 'PA-1' and VendorRef = '601'" });
    expect(((query.json['QueryResponse'] as { Bill: { Id: string }[] }).Bill ?? []).map((row) => row.Id)).toEqual([created['Id']]);
  });

  it('refuses what QuickBooks refuses: duplicate bill number (6140), unknown vendor or account (2500), no account (6000), a long DocNumber (2050), no lines (2020)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [bill(), '6140'],
      [bill({ DocNumber: 'PA-2', VendorRef: { value: '999' } }), '2500'],
      [bill({ DocNumber: 'PA-3', Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 1, AccountBasedExpenseLineDetail: { AccountRef: { value: '999' } } }] }), '2500'],
      [bill({ DocNumber: 'PA-4', Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 1, AccountBasedExpenseLineDetail: {} }] }), '6000'],
      [bill({ DocNumber: 'X'.repeat(22) }), '2050'],
      [bill({ DocNumber: 'PA-5', Line: [] }), '2020'],
    ];
    const before = sandbox.bills!().length;
    for (const [body, code] of cases) {
      const answer = await call('POST', 'bill', body);
      expect(answer.status).toBe(400);
      expect(faultCode(answer.json)).toBe(code);
    }
    expect(sandbox.bills!()).toHaveLength(before);
  });

  it('POST /vendor answers {"Vendor":{Id, DisplayName, Active…}}; a DisplayName in use (any case) is 6240; queries read active vendors unless filtering on Active', async () => {
    const created = await call('POST', 'vendor', { DisplayName: 'Ridge & Sons', PrimaryEmailAddr: { Address: 'ap@ridge.example' }, TaxIdentifier: '123456789', Active: false });
    expect(created.json['Vendor']).toMatchObject({ DisplayName: 'Ridge & Sons', Active: false, TaxIdentifier: 'XXXXXX6789' });
    const duplicate = await call('POST', 'vendor', { DisplayName: 'RIDGE & SONS' });
    expect(faultCode(duplicate.json)).toBe('6240');
    const id = (created.json['Vendor'] as { Id: string }).Id;
    const active = await call('GET', 'query', undefined, { query: `select * from Vendor where Id = '${id}'` });
    expect(active.json['QueryResponse']).toEqual({});
    const both = await call('GET', 'query', undefined, { query: `select * from Vendor where Id = '${id}' and Active in (true, false)` });
    expect(((both.json['QueryResponse'] as { Vendor: { Id: string }[] }).Vendor ?? []).map((row) => row.Id)).toEqual([id]);
  });

  it('the client sends line amounts as JSON numbers with the exact digits, and no TotalAmt', () => {
    const body = toWireBill({ VendorRef: { value: '1' }, TotalAmt: '9.99', Line: [{ Amount: '100.10' }, { Amount: '0.05' }] });
    expect(JSON.stringify(body)).toBe('{"VendorRef":{"value":"1"},"Line":[{"Amount":100.1},{"Amount":0.05}]}');
    expect(() => toWireBill({ Line: [{ Amount: '1.005' }] })).toThrow(RangeError);
    expect(() => toWireBill({ Line: [] })).toThrow(RangeError);
  });
});
