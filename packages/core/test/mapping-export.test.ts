import { describe, expect, it } from 'vitest';
import { compileMapping, loadMappingFile, parseMapping } from '../src/mapping/index.js';
import type { ApplyContext, MappingResult } from '../src/mapping/types.js';
import { exportMapping, fixture, payment } from './fixtures/mapping/records.js';

function exporter(fields: string, options?: { validate?: boolean }) {
  return compileMapping(parseMapping(exportMapping(fields), 'test.yaml'), 'payment', 'export', options);
}

function value(result: MappingResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a mapped record, got errors: ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errors(result: MappingResult) {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

describe('export: the README mapping end to end', () => {
  const doc = loadMappingFile(fixture('qbo.mapping.yaml'));
  const map = compileMapping(doc, 'payment', 'export');
  const context: ApplyContext = { lookups: { bankAccounts: { 'BANK-1': '35' } } };

  it('builds the ERP payload, nested objects and lists included, in field order', () => {
    const result = value(map(payment(), context));
    expect(result).toEqual({
      VendorRef: { value: 'VEND-9' },
      PayType: 'Check',
      CheckPayment: { BankAccountRef: { value: '35' } },
      TotalAmt: '123.45',
      TxnDate: '2025-01-31',
      DocNumber: '1001',
      PrivateNote: 'Procore payment P-17 for invoice PA-2001',
      Line: [{ Amount: '123.45', LinkedTxn: [{ TxnId: 'BILL-77', TxnType: 'Bill' }] }],
    });
    expect(Object.keys(result)).toEqual(['VendorRef', 'PayType', 'CheckPayment', 'TotalAmt', 'TxnDate', 'DocNumber', 'PrivateNote', 'Line']);
  });

  it('leaves out a field whose source is absent', () => {
    const { checkNumber: _unused, ...withoutCheck } = payment();
    expect(value(map(withoutCheck, context))).not.toHaveProperty('DocNumber');
  });

  it('reports every problem of a record at once, each naming record, target and source', () => {
    const bad = payment({ bankId: 'BANK-9', vendor: { id: 'V-1', name: 'Acme' }, invoice: { id: 'I-1', number: 'PA-1', amountCents: 100 } });
    expect(errors(map(bad, context))).toEqual([
      { recordId: 'P-17', field: 'VendorRef.value', source: 'vendor.erpId', message: 'required, but vendor.erpId is missing' },
      {
        recordId: 'P-17',
        field: 'CheckPayment.BankAccountRef.value',
        source: 'bankId',
        message: `"BANK-9" is not in lookup table 'bankAccounts'; add it to the table or give a default`,
      },
      { recordId: 'P-17', field: 'Line.0.LinkedTxn.0.TxnId', source: 'bill.erpId', message: 'required, but bill.erpId is missing' },
    ]);
  });

  it('checks the record against the canonical Payment first: which field of which record', () => {
    expect(errors(map(payment({ amountCents: 0 }), context))).toEqual([
      { recordId: 'P-17', field: 'amountCents', message: 'amount must be greater than zero' },
    ]);
    expect(errors(map(payment({ id: 'P-18', fundedOn: '2025-02-30', vendor: { id: 'V-1', name: ' ' } }), context))).toEqual([
      { recordId: 'P-18', field: 'fundedOn', message: 'not a calendar date' },
      { recordId: 'P-18', field: 'vendor.name', message: 'must not be empty' },
    ]);
  });

  it('refuses something that is not a record', () => {
    expect(errors(map([payment()]))).toEqual([{ field: '(record)', message: 'expected a record (a JSON object), got a list' }]);
    expect(errors(map('P-17'))).toEqual([{ field: '(record)', message: 'expected a record (a JSON object), got "P-17"' }]);
  });

  it('names the record by context.recordId when given', () => {
    expect(errors(map(payment({ amountCents: -5 }), { recordId: 'ledger-42' }))[0]).toMatchObject({ recordId: 'ledger-42', field: 'amountCents' });
  });
});

describe('export operators', () => {
  it('from: nested paths and an absent optional source', () => {
    const map = exporter(`
      Vendor: { from: vendor.name }
      Code: { from: vendor.code }
      Project: { from: project.name }`);
    expect(value(map(payment()))).toEqual({ Vendor: 'Acme Concrete', Code: 'ACME', Project: 'Riverside Clinic' });
    expect(value(map(payment({ project: { id: 'PR-1', number: '1' }, vendor: { id: 'V', name: 'N' } })))).toEqual({ Vendor: 'N' });
  });

  it('const: strings, numbers and booleans as written', () => {
    const map = exporter(`
      Type: { const: Bill }
      Count: { const: 3 }
      Printed: { const: false }
      Quoted: { const: "007" }`);
    expect(value(map(payment()))).toEqual({ Type: 'Bill', Count: 3, Printed: false, Quoted: '007' });
  });

  it('template: fills placeholders, and a missing one is an error naming it', () => {
    const map = exporter(`Memo: { template: "{{ id }}: {{paymentNumber}} / {{amountCents}}" }`);
    expect(value(map(payment({ paymentNumber: 'PN-3' })))).toEqual({ Memo: 'P-17: PN-3 / 12345' });
    expect(errors(map(payment()))).toEqual([
      { recordId: 'P-17', field: 'Memo', source: 'paymentNumber', message: 'template placeholder {{paymentNumber}} is missing' },
    ]);
  });

  it('when: equals, notEquals, in, exists', () => {
    const map = exporter(`
      CheckNo: { from: checkNumber, when: { path: method, equals: check } }
      NotAch: { const: yes, when: { path: method, notEquals: ach } }
      Final: { const: yes, when: { path: status, in: [paid, funding_complete] } }
      HasNotes: { const: yes, when: { path: notes, exists: true } }
      NoNotes: { const: yes, when: { path: notes, exists: false } }`);
    expect(value(map(payment()))).toEqual({ CheckNo: '1001', NotAch: 'yes', Final: 'yes', NoNotes: 'yes' });
    expect(value(map(payment({ method: 'ach', status: 'pending', notes: 'n' })))).toEqual({ HasNotes: 'yes' });
  });

  it('when: a false condition skips the field, required included', () => {
    const map = exporter(`CheckNo: { from: checkNumber, required: true, when: { path: method, equals: check } }`);
    const { checkNumber: _unused, ...ach } = payment({ method: 'ach' });
    expect(value(map(ach))).toEqual({});
    const { checkNumber: _also, ...check } = payment();
    expect(errors(map(check))).toEqual([{ recordId: 'P-17', field: 'CheckNo', source: 'checkNumber', message: 'required, but checkNumber is missing' }]);
  });

  it('map: translates values; an unmapped value is an error', () => {
    const map = exporter(`
      PAYMENTMETHOD: { from: method, map: { ach: EFT, check: Printed Check } }
      Class: { from: vendor.code, map: { ACME: subcontractor } }`);
    expect(value(map(payment()))).toEqual({ PAYMENTMETHOD: 'Printed Check', Class: 'subcontractor' });
    expect(value(map(payment({ method: 'ach', vendor: { id: 'V', name: 'N' } })))).toEqual({ PAYMENTMETHOD: 'EFT' });
    expect(errors(map(payment({ vendor: { id: 'V', name: 'N', code: 'BOLT' } })))).toEqual([
      {
        recordId: 'P-17',
        field: 'Class',
        source: 'vendor.code',
        message: 'no mapping for "BOLT" (mapped: ACME); add it to the map or give a default',
      },
    ]);
  });

  it('map with a default: the default answers a miss', () => {
    const map = exporter(`Class: { from: vendor.code, map: { ACME: subcontractor }, default: supplier }`);
    expect(value(map(payment({ vendor: { id: 'V', name: 'N', code: 'BOLT' } })))).toEqual({ Class: 'supplier' });
    expect(value(map(payment()))).toEqual({ Class: 'subcontractor' });
  });

  it('lookup: a table present, a key missing, a default, and no table at all', () => {
    const map = exporter(`
      Bank: { from: bankId, lookup: bankAccounts }
      Project: { from: project.number, lookup: projects, default: UNASSIGNED }`);
    const lookups = { bankAccounts: { 'BANK-1': 'BA1143' }, projects: { '24-101': 'PRJ-A' } };
    expect(value(map(payment(), { lookups }))).toEqual({ Bank: 'BA1143', Project: 'PRJ-A' });
    expect(value(map(payment({ project: { id: 'P', number: '9' } }), { lookups }))).toEqual({ Bank: 'BA1143', Project: 'UNASSIGNED' });
    expect(errors(map(payment({ bankId: 'BANK-2' }), { lookups }))).toEqual([
      { recordId: 'P-17', field: 'Bank', source: 'bankId', message: `"BANK-2" is not in lookup table 'bankAccounts'; add it to the table or give a default` },
    ]);
    // No table of that name for this customer: the value passes through unchanged.
    expect(value(map(payment(), { lookups: { other: {} } }))).toEqual({ Bank: 'BANK-1', Project: '24-101' });
    expect(value(map(payment()))).toEqual({ Bank: 'BANK-1', Project: '24-101' });
  });

  it('lookup: a key is found only as the table\'s own entry, never through the prototype', () => {
    const map = exporter(`Bank: { from: bankId, lookup: bankAccounts }`);
    expect(errors(map(payment({ bankId: 'toString' }), { lookups: { bankAccounts: {} } }))[0]!.message).toContain('"toString" is not in lookup table');
  });

  it('format money: exact decimal strings from integer cents, with a scale', () => {
    const map = exporter(`
      Amount: { from: amountCents, format: money }
      Amount4: { from: amountCents, format: { money: { scale: 4 } } }
      Whole: { from: invoice.amountCents, format: { money: { scale: 0 } } }`);
    expect(value(map(payment({ amountCents: 1, invoice: { id: 'I', number: 'N', amountCents: 12_300 } })))).toEqual({
      Amount: '0.01',
      Amount4: '0.0100',
      Whole: '123',
    });
    expect(value(map(payment({ amountCents: 9_999_999_999, invoice: { id: 'I', number: 'N', amountCents: 100 } })))).toMatchObject({
      Amount: '99999999.99',
    });
    expect(errors(map(payment({ invoice: { id: 'I', number: 'N', amountCents: 12_345 } })))).toEqual([
      {
        recordId: 'P-17',
        field: 'Whole',
        source: 'invoice.amountCents',
        message: 'amount 123.45 cannot be written with 0 decimal places without rounding',
      },
    ]);
  });

  it('format money: refuses a value that is not integer cents (validation off)', () => {
    const map = exporter(`Amount: { from: amountCents, format: money }`, { validate: false });
    expect(errors(map({ ...payment(), amountCents: 12.5 }))).toEqual([
      { recordId: 'P-17', field: 'Amount', source: 'amountCents', message: 'expected an amount in integer cents, got 12.5' },
    ]);
    expect(errors(map({ ...payment(), amountCents: '123.45' }))[0]!.message).toBe('expected an amount in integer cents, got "123.45"');
  });

  it('format money: 10 + 20 cents is exactly 0.30', () => {
    const map = exporter(`Amount: { from: amountCents, format: money }`);
    expect(value(map(payment({ amountCents: 10 + 20 })))).toEqual({ Amount: '0.30' });
  });

  it('format date: patterns with any separators', () => {
    const map = exporter(`
      Us: { from: fundedOn, format: { date: MM/DD/YYYY } }
      Eu: { from: fundedOn, format: { date: DD.MM.YYYY } }
      Iso: { from: fundedOn, format: { date: YYYY-MM-DD } }
      Compact: { from: paidOn, format: { date: YYYYMMDD } }`);
    expect(value(map(payment({ fundedOn: '2025-03-09', paidOn: '2025-12-31' })))).toEqual({
      Us: '03/09/2025',
      Eu: '09.03.2025',
      Iso: '2025-03-09',
      Compact: '20251231',
    });
  });

  it('format date: refuses a value that is not an ISO date (validation off)', () => {
    const map = exporter(`Date: { from: fundedOn, format: { date: MM/DD/YYYY } }`, { validate: false });
    expect(errors(map({ ...payment(), fundedOn: '1/31/2025' }))).toEqual([
      { recordId: 'P-17', field: 'Date', source: 'fundedOn', message: 'expected a date as YYYY-MM-DD, got "1/31/2025"' },
    ]);
  });

  it('format string and integer', () => {
    const map = exporter(`
      Cents: { from: amountCents, format: string }
      CheckNo: { from: checkNumber, format: integer }`);
    expect(value(map(payment()))).toEqual({ Cents: '12345', CheckNo: 1001 });
    expect(errors(map(payment({ checkNumber: '10A' })))).toEqual([
      { recordId: 'P-17', field: 'CheckNo', source: 'checkNumber', message: 'expected an integer, got "10A"' },
    ]);
  });

  it('required: a missing or an empty result is an error naming the field', () => {
    const map = exporter(`
      Notes: { from: notes, required: true }
      Code: { from: vendor.code, map: { ACME: "", BOLT: bolt }, required: true }`);
    expect(errors(map(payment()))).toEqual([
      { recordId: 'P-17', field: 'Notes', source: 'notes', message: 'required, but notes is missing' },
      { recordId: 'P-17', field: 'Code', source: 'vendor.code', message: 'required, but the value is empty or blank' },
    ]);
    expect(value(map(payment({ notes: 'ok', vendor: { id: 'V', name: 'N', code: 'BOLT' } })))).toEqual({ Notes: 'ok', Code: 'bolt' });
  });

  it('required: a blank result (spaces only) is empty too, so a blank value never reaches the ERP', () => {
    const map = exporter(`
      Memo: { from: notes, required: true }`);
    expect(errors(map(payment({ notes: '   ' })))).toEqual([
      { recordId: 'P-17', field: 'Memo', source: 'notes', message: 'required, but the value is empty or blank' },
    ]);
  });
});

describe('export groups', () => {
  const group = `
    Line:
      each: invoice
      as: bill
      fields:
        Amount: { from: amountCents, format: money }
        Bill: { from: bill.erpId, required: true }
        Number: { template: "{{bill.number}} of {{id}}" }
        LinkedTxn.0.TxnType: { const: Bill }`;

  it('each over a single object gives a list of one, the item and the root both readable', () => {
    expect(value(exporter(group)(payment()))).toEqual({
      Line: [{ Amount: '123.45', Bill: 'BILL-77', Number: 'PA-2001 of P-17', LinkedTxn: [{ TxnType: 'Bill' }] }],
    });
  });

  it('each over a list gives one element per item, errors naming the element', () => {
    // The canonical Payment has no list yet; with the schema check off, a list where it has one object
    // exercises the list path the next entities (invoice lines) need.
    const map = exporter(group, { validate: false });
    const invoices = [
      { id: 'I-1', number: 'PA-1', amountCents: 100, erpId: 'B-1' },
      { id: 'I-2', number: 'PA-2', amountCents: 200 },
      { id: 'I-3', number: 'PA-3', amountCents: 300, erpId: 'B-3' },
    ];
    expect(errors(map({ ...payment(), invoice: invoices }))).toEqual([
      { recordId: 'P-17', field: 'Line.1.Bill', source: 'bill.erpId', message: 'required, but bill.erpId is missing' },
    ]);
    invoices[1]!.erpId = 'B-2';
    expect((value(map({ ...payment(), invoice: invoices })).Line as unknown[]).map((line) => (line as { Bill: string }).Bill)).toEqual([
      'B-1',
      'B-2',
      'B-3',
    ]);
    expect(value(map({ ...payment(), invoice: [] }))).toEqual({ Line: [] });
  });

  it('a group with when and required', () => {
    const map = exporter(`
      Line:
        each: invoice
        as: bill
        required: true
        when: { path: method, equals: check }
        fields:
          Bill: { from: bill.erpId }`, { validate: false });
    expect(value(map(payment({ method: 'ach' })))).toEqual({});
    expect(errors(map({ ...payment(), invoice: undefined }))).toEqual([
      { recordId: 'P-17', field: 'Line', source: 'invoice', message: 'required, but invoice is missing' },
    ]);
    expect(errors(map({ ...payment(), invoice: 'I-1' }))).toEqual([
      { recordId: 'P-17', field: 'Line', source: 'invoice', message: 'expected a list or an object to repeat over, got "I-1"' },
    ]);
  });
});
