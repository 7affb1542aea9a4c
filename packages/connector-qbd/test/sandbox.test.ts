import { describe, expect, it } from 'vitest';
import { CompanyFile } from '../src/sandbox/company-file.js';
import { QuickBooks } from '../src/sandbox/quickbooks.js';

const faults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };

function quickbooks() {
  const company = new CompanyFile();
  company.seed({ vendors: [{ id: 'V-1', name: 'Vendor' }], bankAccounts: [{ id: 'B-1' }], bills: [{ id: 'T-1', vendorId: 'V-1', number: 'INV', amountCents: 10_000 }] });
  return { company, qb: new QuickBooks(company, { ...faults }, 0) };
}

const message = (add: string, onError = 'stopOnError') =>
  `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="${onError}">` +
  `<BillPaymentCheckAddRq requestID="1"><BillPaymentCheckAdd>${add}</BillPaymentCheckAdd></BillPaymentCheckAddRq>` +
  '<CompanyQueryRq requestID="2"/></QBXMLMsgsRq></QBXML>';

describe("the sandbox's QuickBooks (the other reading of the qbXML schema)", () => {
  it('fails the whole message with the parse-error HRESULT when elements are out of schema order', async () => {
    const { company, qb } = quickbooks();
    const outOfOrder = message('<TxnDate>2025-03-14</TxnDate><PayeeEntityRef><ListID>V-1</ListID></PayeeEntityRef><BankAccountRef><ListID>B-1</ListID></BankAccountRef><AppliedToTxnAdd><TxnID>T-1</TxnID><PaymentAmount>10.00</PaymentAmount></AppliedToTxnAdd>');
    expect(await qb.processMessage(outOfOrder)).toEqual({ kind: 'hresult', hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' });
    expect(qb.lastParseProblem).toMatch(/PayeeEntityRef comes after TxnDate/);
    expect(company.checks).toHaveLength(0);
  });

  it('saves a check number twice without a word (RefNumber is not unique) and stops after an error with 3231', async () => {
    const { company, qb } = quickbooks();
    const add = (amount: string) =>
      message(`<PayeeEntityRef><ListID>V-1</ListID></PayeeEntityRef><TxnDate>2025-03-14</TxnDate><BankAccountRef><ListID>B-1</ListID></BankAccountRef><RefNumber>5</RefNumber><AppliedToTxnAdd><TxnID>T-1</TxnID><PaymentAmount>${amount}</PaymentAmount></AppliedToTxnAdd>`);
    const first = await qb.processMessage(add('40.00'));
    const second = await qb.processMessage(add('40.00'));
    expect(first).toMatchObject({ kind: 'response', committed: true });
    expect(second).toMatchObject({ kind: 'response', committed: true });
    expect(company.checks.map((check) => check.refNumber)).toEqual(['5', '5']);
    const over = await qb.processMessage(add('40.00'));
    expect(over.kind === 'response' && over.xml).toMatch(/statusCode="3210"[^>]*You cannot pay more than the amount due/);
    expect(over.kind === 'response' && over.xml).toMatch(/<CompanyQueryRs requestID="2" statusCode="3231"/);
    expect(qb.stats()).toMatchObject({ requests: 5, maxConcurrent: 1 });
  });
});

describe('the sandbox refuses what the qbXML schema refuses, as a whole message (HRESULT 0x80040400)', () => {
  const good = '<TxnID>T-1</TxnID><PaymentAmount>10.50</PaymentAmount>';
  const add = (inner: { head?: string; choice?: string; tail?: string; line?: string }) =>
    '<PayeeEntityRef><ListID>V-1</ListID></PayeeEntityRef>' +
    `${inner.head ?? '<TxnDate>2025-03-14</TxnDate>'}<BankAccountRef><ListID>B-1</ListID></BankAccountRef>` +
    `${inner.choice ?? '<RefNumber>1001</RefNumber>'}${inner.tail ?? ''}<AppliedToTxnAdd>${inner.line ?? good}</AppliedToTxnAdd>`;
  /** The bad add travels with a good one and a query: QuickBooks fails all three, saves nothing. */
  const messageWith = (bad: string) =>
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="continueOnError">' +
    `<BillPaymentCheckAddRq requestID="1"><BillPaymentCheckAdd>${add({})}</BillPaymentCheckAdd></BillPaymentCheckAddRq>` +
    `<BillPaymentCheckAddRq requestID="2"><BillPaymentCheckAdd>${bad}</BillPaymentCheckAdd></BillPaymentCheckAddRq>` +
    '<CompanyQueryRq requestID="3"/></QBXMLMsgsRq></QBXML>';

  it.each([
    ['neither IsToBePrinted nor RefNumber (an ACH add)', add({ choice: '' }), /one of IsToBePrinted, RefNumber/],
    ['both IsToBePrinted and RefNumber', add({ choice: '<IsToBePrinted>false</IsToBePrinted><RefNumber>1</RefNumber>' }), /RefNumber may not repeat or combine/],
    ['an amount with one decimal (10.5)', add({ line: '<TxnID>T-1</TxnID><PaymentAmount>10.5</PaymentAmount>' }), /"10\.5" is not an amount/],
    ['an amount with three decimals (10.555)', add({ line: '<TxnID>T-1</TxnID><PaymentAmount>10.555</PaymentAmount>' }), /"10\.555" is not an amount/],
    ['a date that does not exist (2025-02-30)', add({ head: '<TxnDate>2025-02-30</TxnDate>' }), /"2025-02-30" is not a date/],
    ['a 12-character RefNumber', add({ choice: '<RefNumber>123456789012</RefNumber>' }), /longer than 11/],
    ['a malformed ExternalGUID', add({ tail: '<ExternalGUID>{not-a-guid}</ExternalGUID>' }), /is not a GUID/],
    ['IsToBePrinted that is not a boolean', add({ choice: '<IsToBePrinted>no</IsToBePrinted>' }), /is not true or false/],
  ])('%s', async (_what, bad, why) => {
    const { company, qb } = quickbooks();
    expect(await qb.processMessage(messageWith(bad))).toEqual({ kind: 'hresult', hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' });
    expect(qb.lastParseProblem).toMatch(why);
    expect(company.checks).toHaveLength(0);
  });

  it('saves an add with IsToBePrinted false and no RefNumber (ACH): no check number, not to be printed', async () => {
    const { company, qb } = quickbooks();
    const result = await qb.processMessage(messageWith(add({ choice: '<IsToBePrinted>false</IsToBePrinted>', line: '<TxnID>T-1</TxnID><PaymentAmount>20.00</PaymentAmount>' })));
    expect(result).toMatchObject({ kind: 'response', committed: true });
    expect(company.checks.map((check) => [check.refNumber, check.isToBePrinted])).toEqual([
      ['1001', false],
      [undefined, false],
    ]);
  });

  it('refuses a message newer than its qbXML version, and takes 12.0 as QuickBooks 2013 does', async () => {
    const company = new CompanyFile();
    company.seed({ vendors: [{ id: 'V-1', name: 'Vendor' }], bankAccounts: [{ id: 'B-1' }], bills: [{ id: 'T-1', vendorId: 'V-1', number: 'INV', amountCents: 10_000 }] });
    const qb2013 = new QuickBooks(company, { ...faults }, 0, 12);
    expect(await qb2013.processMessage(messageWith(add({})))).toMatchObject({ kind: 'hresult', hresult: '0x80040400' });
    expect(qb2013.lastParseProblem).toMatch(/newer than this QuickBooks \(12\.0\)/);
    expect(await qb2013.processMessage(messageWith(add({})).replace('version="13.0"', 'version="12.0"'))).toMatchObject({ kind: 'response', committed: true });
  });
});

describe('the sandbox QuickBooks across Web Connector sessions', () => {
  const query = (attributes: string, content = '') =>
    `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"><BillPaymentCheckQueryRq requestID="q" ${attributes}>${content}</BillPaymentCheckQueryRq></QBXMLMsgsRq></QBXML>`;

  it('ends its iterators with the session', async () => {
    const { company, qb } = quickbooks();
    company.seed({ bills: [{ id: 'T-2', vendorId: 'V-1', number: 'INV-2', amountCents: 10_000 }] });
    for (const bill of ['T-1', 'T-2']) company.addPayment({ vendorId: 'V-1', bankAccountId: 'B-1', billId: bill, amountCents: 100, date: '2025-03-01', method: 'check', checkNumber: bill, final: true });
    const first = await qb.processMessage(query('iterator="Start"', '<MaxReturned>1</MaxReturned>'));
    const iteratorId = first.kind === 'response' ? /iteratorID="([^"]+)"/.exec(first.xml)?.[1] : undefined;
    expect(first.kind === 'response' && first.xml).toMatch(/iteratorRemainingCount="1"/);
    qb.endSession();
    const next = await qb.processMessage(query(`iterator="Continue" iteratorID="${iteratorId}"`, '<MaxReturned>1</MaxReturned>'));
    expect(next.kind === 'response' && next.xml).toMatch(/statusCode="3000"[^>]*iteratorID/);
  });

  it('gives checks made in QuickBooks no ExternalGUID (only an SDK application sets one)', () => {
    const { company } = quickbooks();
    company.addPayment({ vendorId: 'V-1', bankAccountId: 'B-1', billId: 'T-1', amountCents: 100, date: '2025-03-01', method: 'check', checkNumber: '77', final: true });
    expect(company.payments()[0]?.fields).not.toHaveProperty('ExternalGUID');
  });
});
