import { describe, expect, it } from 'vitest';
import { buildRequestMessage, parseResponseMessage, type QbxmlRequest } from '../src/qbxml-wire.js';
import { CompanyFile } from '../src/sandbox/company-file.js';
import { QuickBooks } from '../src/sandbox/quickbooks.js';

const faults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };
const PARSE_ERROR = { kind: 'hresult', hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' };

function quickbooks() {
  const company = new CompanyFile();
  company.seed({ vendors: [{ id: 'V-1', name: 'Vendor One' }], bankAccounts: [{ id: 'B-1' }] });
  company.items.set('I-1', { listId: 'I-1', name: '03-300 Concrete' });
  company.customers.set('J-1', { listId: 'J-1', name: 'Acme:Tower' });
  return { company, qb: new QuickBooks(company, { ...faults }, 0) };
}

/** The message the connector writes (its builder), read by the sandbox's QuickBooks: both readings of the schema. */
async function run(qb: QuickBooks, ...requests: QbxmlRequest[]) {
  const result = await qb.processMessage(buildRequestMessage(requests));
  return result.kind === 'response' ? parseResponseMessage(result.xml) : result;
}

const bill = (content: Record<string, unknown>): QbxmlRequest => ({ name: 'BillAddRq', requestId: 'b', content: { BillAdd: content } });
const line = { ItemRef: { ListID: 'I-1' }, Desc: 'footings', Amount: '100.00', CustomerRef: { ListID: 'J-1' } };

describe("the sandbox's QuickBooks: bills", () => {
  it('saves a bill with its item lines, total and open balance; a check then pays it', async () => {
    const { company, qb } = quickbooks();
    const [added] = (await run(qb, bill({ VendorRef: { ListID: 'V-1' }, TxnDate: '2025-04-30', RefNumber: 'SUB-1', ItemLineAdd: [line, { ...line, Amount: '0.50' }] }))) as ReturnType<typeof parseResponseMessage>;
    expect(added).toMatchObject({ statusCode: '0', rets: [{ RefNumber: 'SUB-1', AmountDue: '100.50', OpenAmount: '100.50', IsPaid: 'false' }] });
    const txnId = added?.rets[0]?.TxnID as string;
    expect(company.billList()).toEqual([expect.objectContaining({ erpId: txnId, amountCents: 10_050, created: true, lines: [expect.objectContaining({ amountCents: 10_000, costCode: 'I-1' }), expect.objectContaining({ amountCents: 50 })] })]);
    const [paid] = (await run(qb, {
      name: 'BillPaymentCheckAddRq',
      requestId: 'p',
      content: { BillPaymentCheckAdd: { PayeeEntityRef: { ListID: 'V-1' }, TxnDate: '2025-05-01', BankAccountRef: { ListID: 'B-1' }, RefNumber: '7', AppliedToTxnAdd: { TxnID: txnId, PaymentAmount: '100.50' } } },
    })) as ReturnType<typeof parseResponseMessage>;
    expect(paid?.statusCode).toBe('0');
    const [query] = (await run(qb, { name: 'BillQueryRq', requestId: 'q', content: { RefNumber: 'sub-1' } })) as ReturnType<typeof parseResponseMessage>;
    expect(query?.rets).toEqual([expect.objectContaining({ TxnID: txnId, IsPaid: 'true', OpenAmount: '0.00' })]);
  });

  it("answers 3140 naming the list of an unknown vendor, item or job, and takes a vendor's bill number twice (a UI warning only)", async () => {
    const { company, qb } = quickbooks();
    const head = { VendorRef: { ListID: 'V-1' }, RefNumber: 'SUB-2' };
    const answers = (await run(
      qb,
      bill({ ...head, VendorRef: { ListID: 'V-9' }, ItemLineAdd: line }),
      bill({ ...head, ItemLineAdd: { ...line, ItemRef: { ListID: 'I-9' } } }),
      bill({ ...head, ItemLineAdd: { ...line, CustomerRef: { FullName: 'Nobody:Job' } } }),
      bill({ ...head, ItemLineAdd: line }),
      bill({ ...head, ItemLineAdd: line }),
    )) as ReturnType<typeof parseResponseMessage>;
    expect(answers.map((answer) => answer.statusCode)).toEqual(['3140', '3140', '3140', '0', '0']);
    expect(answers[0]?.statusMessage).toMatch(/QuickBooks Vendor "V-9" in the Bill/);
    expect(answers[1]?.statusMessage).toMatch(/QuickBooks Item "I-9"/);
    expect(answers[2]?.statusMessage).toMatch(/QuickBooks Customer:Job "Nobody:Job"/);
    expect(company.billList().filter((saved) => saved.number === 'SUB-2')).toHaveLength(2);
  });

  it.each([
    ['a bill number over 20 characters', { VendorRef: { ListID: 'V-1' }, RefNumber: 'X'.repeat(21), ItemLineAdd: line }, /RefNumber: "X+" is longer than 20/],
    ['an element out of order', { RefNumber: 'A', VendorRef: { ListID: 'V-1' }, ItemLineAdd: line }, /VendorRef comes after RefNumber/],
    ['an amount with one decimal', { VendorRef: { ListID: 'V-1' }, ItemLineAdd: { ...line, Amount: '1.5' } }, /"1\.5" is not an amount/],
    ['no VendorRef', { RefNumber: 'A', ItemLineAdd: line }, /required element VendorRef is missing/],
  ])('fails the whole message for %s', async (_name, content, problem) => {
    const { company, qb } = quickbooks();
    expect(await run(qb, bill({ VendorRef: { ListID: 'V-1' }, ItemLineAdd: line }), bill(content))).toEqual(PARSE_ERROR);
    expect(qb.lastParseProblem).toMatch(problem);
    expect(company.billList()).toHaveLength(0);
  });
});

describe("the sandbox's QuickBooks: vendors", () => {
  it('adds a vendor, refuses its name again in any case (3100), and lists active ones unless ActiveStatus says All', async () => {
    const { company, qb } = quickbooks();
    const add = (name: string, active = 'true'): QbxmlRequest => ({ name: 'VendorAddRq', requestId: name, content: { VendorAdd: { Name: name, IsActive: active, Phone: '512-555-0100' } } });
    const answers = (await run(qb, add('Steel Co'), add('STEEL CO'), add('Sleepy Sub', 'false'))) as ReturnType<typeof parseResponseMessage>;
    expect(answers.map((answer) => answer.statusCode)).toEqual(['0', '3100', '0']);
    expect(answers[1]?.statusMessage).toBe('The name "STEEL CO" of the list element is already in use.');
    expect(company.vendorList().filter((vendor) => vendor.created).map((vendor) => vendor.name)).toEqual(['Steel Co', 'Sleepy Sub']);
    const [active] = (await run(qb, { name: 'VendorQueryRq', requestId: 'q', content: {} })) as ReturnType<typeof parseResponseMessage>;
    expect(active?.rets.map((ret) => ret.Name)).toEqual(['Steel Co', 'Vendor One']);
    const [all] = (await run(qb, { name: 'VendorQueryRq', requestId: 'q', content: { ActiveStatus: 'All' } })) as ReturnType<typeof parseResponseMessage>;
    expect(all?.rets.map((ret) => ret.Name)).toEqual(['Sleepy Sub', 'Steel Co', 'Vendor One']);
    const [byName] = (await run(qb, { name: 'VendorQueryRq', requestId: 'q', content: { FullName: 'sleepy sub' } })) as ReturnType<typeof parseResponseMessage>;
    expect(byName?.rets.map((ret) => ret.IsActive)).toEqual(['false']);
  });

  it.each([
    ['a name over 41 characters', { name: 'VendorAddRq', requestId: 'a', content: { VendorAdd: { Name: 'N'.repeat(42) } } }, /Name: "N+" is longer than 41/],
    ['FullName with ActiveStatus', { name: 'VendorQueryRq', requestId: 'q', content: { FullName: 'x', ActiveStatus: 'All' } }, /mixes/],
    ['an ActiveStatus QuickBooks does not have', { name: 'VendorQueryRq', requestId: 'q', content: { ActiveStatus: 'Everything' } }, /not one of ActiveOnly/],
  ])('fails the whole message for %s', async (_name, request, problem) => {
    const { qb } = quickbooks();
    expect(await run(qb, request as QbxmlRequest)).toEqual(PARSE_ERROR);
    expect(qb.lastParseProblem).toMatch(problem);
  });
});
