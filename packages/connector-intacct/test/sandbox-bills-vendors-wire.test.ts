import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { loginRequest, parseAnswer, post, startSandbox } from './support/intacct-fixtures.js';

/**
 * The sandbox's `create APBILL`, `create VENDOR` and their queries, spoken to with hand-written request documents
 * (no connector code): the answer shapes and the rules the connector's bill and vendor tests rely on.
 */

function at(value: unknown, ...names: string[]): unknown {
  let current = value;
  for (const name of names) current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[name] : undefined;
  return current;
}
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const firstResult = (answer: unknown): unknown => list(at(answer, 'response', 'operation', 'result'))[0];
const firstError = (result: unknown): unknown => list(at(result, 'errormessage', 'error'))[0];

const bill = (controlId: string, fields: { vendor: string; number?: string; account?: string; amount?: string; retained?: string; due?: string | null }) => ({
  '@_controlid': controlId,
  create: {
    APBILL: {
      WHENCREATED: '04/30/2025',
      VENDORID: fields.vendor,
      ...(fields.number === undefined ? {} : { RECORDID: fields.number }),
      ...(fields.due === null ? {} : { WHENDUE: fields.due ?? '05/30/2025' }),
      APBILLITEMS: {
        APBILLITEM: [
          {
            ACCOUNTNO: fields.account ?? '5000',
            TRX_AMOUNT: fields.amount ?? '1234.50',
            ENTRYDESCRIPTION: 'Concrete',
            ...(fields.retained === undefined ? {} : { TRX_AMOUNTRETAINED: fields.retained }),
          },
        ],
      },
    },
  },
});

async function send(sandbox: IntacctSandbox, fn: Record<string, unknown>): Promise<unknown> {
  return firstResult(parseAnswer((await post(sandbox.url, loginRequest([fn]))).body));
}

describe('Intacct sandbox: APBILL and VENDOR on the wire', () => {
  let sandbox: IntacctSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: { vendors: [{ id: 'SUB-1', name: 'Sub One' }] } });
  });
  afterAll(() => sandbox.close());

  it('create APBILL answers <apbill><RECORDNO>; the bill reads back by query and is payable', async () => {
    const result = await send(sandbox, bill('b1', { vendor: 'SUB-1', number: 'PA-1', retained: '61.73' }));
    expect(at(result, 'status')).toBe('success');
    const recordNo = String(at(result, 'data', 'apbill', 'RECORDNO'));
    expect(recordNo).toMatch(/^\d+$/);
    const query = await send(sandbox, {
      '@_controlid': 'q1',
      query: {
        select: { field: ['RECORDNO', 'RECORDID', 'VENDORID', 'TRX_TOTALENTERED', 'TRX_TOTALDUE', 'TRX_TOTALRETAINED', 'WHENCREATED', 'STATE'] },
        object: 'APBILL',
        filter: { equalto: { field: 'RECORDID', value: 'PA-1' } },
      },
    });
    expect(at(query, 'data', 'APBILL')).toEqual({
      RECORDNO: recordNo,
      RECORDID: 'PA-1',
      VENDORID: 'SUB-1',
      TRX_TOTALENTERED: '1234.50',
      TRX_TOTALDUE: '1234.50',
      TRX_TOTALRETAINED: '61.73',
      WHENCREATED: '04/30/2025',
      STATE: 'Posted',
    });
    expect(sandbox.bills!().find((b) => b.erpId === recordNo)).toMatchObject({ amountCents: 123_450, retainageCents: 6_173, created: true });
    expect(sandbox.billOpenCents(recordNo)).toBe(123_450);
  });

  it('refuses a duplicate bill number for the vendor, an unknown or inactive vendor, an unknown GL account, a missing due date or term', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [bill('d1', { vendor: 'SUB-1', number: 'PA-1' }), 'BL01001980'],
      [bill('d2', { vendor: 'NOPE', number: 'PA-2' }), 'BL01001975'],
      [bill('d3', { vendor: 'SUB-1', number: 'PA-3', account: '9999' }), 'BL01001981'],
      [bill('d4', { vendor: 'SUB-1', number: 'PA-4', due: null }), 'BL01001979'],
      [bill('d5', { vendor: 'SUB-1', number: 'PA-5', amount: '1.234' }), 'BL01001979'],
      [bill('d6', { vendor: 'SUB-1', number: 'PA-6', retained: '2000.00' }), 'BL01001979'],
    ];
    const before = sandbox.bills!().length;
    for (const [fn, code] of cases) {
      const result = await send(sandbox, fn);
      expect(at(result, 'status')).toBe('failure');
      expect(at(firstError(result), 'errorno')).toBe(code);
      expect(at(firstError(result), 'description')).toBe('Could not create APBILL record!');
    }
    sandbox.addVendor!({ name: 'Gone Inc', active: false, code: 'GONE' });
    expect(at(firstError(await send(sandbox, bill('d7', { vendor: 'GONE', number: 'PA-7' }))), 'errorno')).toBe('BL01001975');
    expect(sandbox.bills!()).toHaveLength(before);
  });

  it('create VENDOR answers RECORDNO and VENDORID (numbered when left out); a duplicate VENDORID is refused; query reads the contact', async () => {
    const created = await send(sandbox, {
      '@_controlid': 'v1',
      create: { VENDOR: { VENDORID: 'RIDGE', NAME: 'Ridge & Sons', DISPLAYCONTACT: { PRINTAS: 'Ridge & Sons', EMAIL1: 'ap@ridge.example', MAILADDRESS: { CITY: 'Austin' } }, STATUS: 'active' } },
    });
    expect(at(created, 'data', 'vendor', 'VENDORID')).toBe('RIDGE');
    expect(String(at(created, 'data', 'vendor', 'RECORDNO'))).toMatch(/^\d+$/);
    const numbered = await send(sandbox, { '@_controlid': 'v2', create: { VENDOR: { NAME: 'No Code LLC', DISPLAYCONTACT: { PRINTAS: 'No Code LLC' } } } });
    expect(String(at(numbered, 'data', 'vendor', 'VENDORID'))).toMatch(/^V\d{4}$/);
    const duplicate = await send(sandbox, { '@_controlid': 'v3', create: { VENDOR: { VENDORID: 'RIDGE', NAME: 'Other', DISPLAYCONTACT: { PRINTAS: 'Other' } } } });
    expect(at(firstError(duplicate), 'errorno')).toBe('BL01001982');
    const query = await send(sandbox, {
      '@_controlid': 'q2',
      query: { select: { field: ['VENDORID', 'NAME', 'STATUS', 'DISPLAYCONTACT.EMAIL1', 'DISPLAYCONTACT.MAILADDRESS.CITY'] }, object: 'VENDOR', filter: { equalto: { field: 'VENDORID', value: 'RIDGE' } } },
    });
    expect(at(query, 'data', 'VENDOR')).toEqual({ VENDORID: 'RIDGE', NAME: 'Ridge & Sons', STATUS: 'active', 'DISPLAYCONTACT.EMAIL1': 'ap@ridge.example', 'DISPLAYCONTACT.MAILADDRESS.CITY': 'Austin' });
  });
});
