import { describe, expect, it } from 'vitest';
import { compileMapping, loadMappingFile, parseMapping } from '../src/mapping/index.js';
import type { MappingResult } from '../src/mapping/types.js';
import { fixture, importMapping } from './fixtures/mapping/records.js';

function importer(fields: string) {
  return compileMapping(parseMapping(importMapping(fields), 'test.yaml'), 'payment', 'import');
}

function value(result: MappingResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a mapped record, got errors: ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errors(result: MappingResult) {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

const erpPayment = {
  Id: '145',
  TotalAmt: 100.3,
  TxnDate: '2025-02-03',
  PayType: 'Check',
  DocNumber: 5521,
  VendorRef: { value: '56' },
  Line: [{ Amount: 100.3, LinkedTxn: [{ TxnId: '130', TxnType: 'Bill' }] }],
};

describe('import: the README mapping end to end', () => {
  const map = compileMapping(loadMappingFile(fixture('qbo.mapping.yaml')), 'payment', 'import');

  it('maps an ERP record into a canonical PaymentIssued', () => {
    expect(value(map(erpPayment))).toEqual({
      erpPaymentId: '145',
      amountCents: 10_030,
      paidOn: '2025-02-03',
      method: 'check',
      checkNumber: '5521',
      erpInvoiceId: '130',
      vendorErpId: '56',
      erpStatus: 'Paid',
    });
  });

  it('names the record by the ERP id it maps into erpPaymentId', () => {
    expect(errors(map({ ...erpPayment, PayType: 'Cash' }))).toEqual([
      {
        recordId: '145',
        field: 'method',
        source: 'PayType',
        message: 'no mapping for "Cash" (mapped: Check, CreditCard); add it to the map or give a default',
      },
    ]);
    expect(errors(map({ ...erpPayment, PayType: 'Cash' }, { recordId: 'page-3/7' }))[0]!.recordId).toBe('page-3/7');
  });

  it('checks the result against PaymentIssued: which field of which record, from which source', () => {
    expect(errors(map({ ...erpPayment, TotalAmt: '0.00' }))).toEqual([
      { recordId: '145', field: 'amountCents', source: 'TotalAmt', message: 'amount must be greater than zero' },
    ]);
    expect(errors(map({ ...erpPayment, TotalAmt: -12.5 }))).toEqual([
      { recordId: '145', field: 'amountCents', source: 'TotalAmt', message: 'amount must be greater than zero' },
    ]);
    const { TotalAmt: _unused, ...noAmount } = erpPayment;
    expect(errors(map(noAmount))).toEqual([
      { recordId: '145', field: 'amountCents', source: 'TotalAmt', message: 'payment issued requires it, but TotalAmt is missing' },
    ]);
    expect(errors(map({ ...erpPayment, VendorRef: { value: ' ' } }))).toEqual([
      { recordId: '145', field: 'vendorErpId', source: 'VendorRef.value', message: 'must not be empty' },
    ]);
  });

  it('reads a list element by index in a path', () => {
    expect(value(map({ ...erpPayment, Line: [] }))).not.toHaveProperty('erpInvoiceId');
  });
});

describe('import operators', () => {
  it('money: a decimal string or a JSON number becomes exact cents', () => {
    const map = importer(`amountCents: { from: Amount, format: money }`);
    const amount = (raw: unknown) => value(map({ Id: '1', Amount: raw, TxnDate: '2025-01-01' })).amountCents;
    expect(amount('123.45')).toBe(12_345);
    expect(amount(100.3)).toBe(10_030);
    expect(amount('0.10')).toBe(10);
    expect(amount(0.1)).toBe(10);
    expect(amount('99999999.99')).toBe(9_999_999_999);
    expect(amount('12.340')).toBe(1234);
    expect(amount(' 7 ')).toBe(700);
  });

  it('money: more than two decimals, text and lists are refused with the reason', () => {
    const map = importer(`amountCents: { from: Amount, format: money }`);
    const failure = (raw: unknown) => errors(map({ Id: '9', Amount: raw, TxnDate: '2025-01-01' }));
    expect(failure('12.345')).toEqual([
      { recordId: '9', field: 'amountCents', source: 'Amount', message: '"12.345" has more than two decimal places' },
    ]);
    expect(failure('1,234.00')[0]!.message).toBe('"1,234.00" is not a decimal amount');
    expect(failure(['1'])[0]!.message).toBe('expected a decimal amount, got a list');
    expect(failure(1e21)[0]!.message).toBe('1e+21 is not a plain decimal amount');
  });

  it('date: a pattern read back to ISO, and iso-datetime', () => {
    const map = importer(`
      paidOn: { from: Date, format: { date: MM/DD/YYYY } }
      notes: { from: Created, format: { date: iso-datetime } }`);
    expect(value(map({ Id: '1', TotalAmt: '1.00', Date: '01/31/2025', Created: '2025-01-31T10:00:00Z' }))).toMatchObject({
      paidOn: '2025-01-31',
      notes: '2025-01-31',
    });
    expect(errors(map({ Id: '1', TotalAmt: '1.00', Date: '2025-01-31' }))).toEqual([
      { recordId: '1', field: 'paidOn', source: 'Date', message: 'expected a date as MM/DD/YYYY, got "2025-01-31"' },
    ]);
    expect(errors(map({ Id: '1', TotalAmt: '1.00', Date: '02/30/2025' }))).toEqual([
      { recordId: '1', field: 'paidOn', source: 'Date', message: '"02/30/2025" is not a calendar date' },
    ]);
  });

  it('map with and without a default onto the method enum', () => {
    const strict = importer(`method: { from: Kind, map: { Check: check, EFT: ach } }`);
    const lenient = importer(`method: { from: Kind, map: { EFT: ach }, default: check }`);
    const record = (kind: string) => ({ Id: '3', TotalAmt: '5.00', TxnDate: '2025-01-01', Kind: kind });
    expect(value(strict(record('EFT'))).method).toBe('ach');
    expect(errors(strict(record('Wire')))).toEqual([
      { recordId: '3', field: 'method', source: 'Kind', message: 'no mapping for "Wire" (mapped: Check, EFT); add it to the map or give a default' },
    ]);
    expect(value(lenient(record('Wire'))).method).toBe('check');
    expect(value(lenient(record('EFT'))).method).toBe('ach');
  });

  it('map keys match numbers and booleans as text', () => {
    const map = importer(`method: { from: Kind, map: { "1": check, "true": ach } }`);
    expect(value(map({ Id: '3', TotalAmt: '5.00', TxnDate: '2025-01-01', Kind: 1 })).method).toBe('check');
    expect(value(map({ Id: '3', TotalAmt: '5.00', TxnDate: '2025-01-01', Kind: true })).method).toBe('ach');
  });

  it('lookup, string and integer formats, const, when and template on import', () => {
    const map = importer(`
      bankId: { from: Account.Id, lookup: erpAccounts }
      checkNumber: { from: DocNumber, format: string }
      amountCents: { from: AmountInCents, format: integer }
      erpStatus: { from: State }
      notes: { template: "imported from {{Source.Name}}", when: { path: Source.Name, exists: true } }`);
    const record = { Id: '3', AmountInCents: '500', TxnDate: '2025-01-01', Account: { Id: 'A-1' }, DocNumber: 77, State: 'Approved' };
    expect(value(map(record))).toMatchObject({ bankId: 'A-1' });
    expect(value(map(record))).not.toHaveProperty('notes');
    expect(value(map({ ...record, Source: { Name: 'QBO' } }, { lookups: { erpAccounts: { 'A-1': 'BANK-1' } } }))).toEqual({
      erpPaymentId: '3',
      amountCents: 500,
      paidOn: '2025-01-01',
      method: 'check',
      bankId: 'BANK-1',
      checkNumber: '77',
      erpStatus: 'Approved',
      notes: 'imported from QBO',
    });
  });

  it('refuses an integer format on something that is not one', () => {
    const map = importer(`amountCents: { from: Cents, format: integer }`);
    expect(errors(map({ Id: '3', Cents: '12.5', TxnDate: '2025-01-01' }))).toEqual([
      { recordId: '3', field: 'amountCents', source: 'Cents', message: 'expected an integer, got "12.5"' },
    ]);
    expect(value(map({ Id: '3', Cents: 1250, TxnDate: '2025-01-01' })).amountCents).toBe(1250);
  });
});
