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
