import { centsOf } from './amounts.js';
import type { FaultError } from './answers.js';

/** What the rules need to know about the company. */
export interface CompanyView {
  hasVendor(id: string): boolean;
  hasAccount(id: string): boolean;
  bill(id: string): { id: string; vendorId: string; balanceCents: number } | undefined;
  /** The Id of the bill payment that already uses this DocNumber on this account, if any. */
  docNumberUser(docNumber: string, accountId: string): string | undefined;
}

export interface RuleOptions {
  /** Name the request element in Faults (QuickBooks often leaves it out). */
  faultElements: boolean;
  /** The company's duplicate check number preference. */
  duplicateDocNumberCheck: boolean;
  /** `include=allowduplicatedocnum` on the request. */
  allowDuplicateDocNumber: boolean;
}

/** A bill payment that passed every rule, in the sandbox's terms. */
export interface AcceptedBillPayment {
  vendorId: string;
  accountId: string;
  payType: 'Check' | 'CreditCard';
  printStatus: string;
  amountCents: number;
  applications: { billId: string; amountCents: number }[];
  txnDate?: string;
  docNumber?: string;
  note?: string;
}

export type RuleResult = { ok: true; payment: AcceptedBillPayment } | { ok: false; errors: FaultError[] };

const OBJECT_NOT_FOUND =
  "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.";
const BUSINESS = 'A business validation error has occurred while processing your request';
const INVALID = 'Request has invalid or unsupported property';
const LENGTH = 'String length is either shorter or longer than supported by specification';
const DOC_NUMBER_MAX = 21;
const PRIVATE_NOTE_MAX = 4000;

function at(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `YYYY-MM-DD` naming a day that exists (`Date.parse` alone takes 2025-02-30 as March 2). */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `POST /billpayment`: QuickBooks' rules, in the order it reports them; the first broken one answers. */
export function checkBillPayment(body: unknown, company: CompanyView, options: RuleOptions): RuleResult {
  const fail = (code: string, Message: string, Detail: string, element?: string): RuleResult => ({
    ok: false,
    errors: [{ Message, Detail, code, ...(element !== undefined && options.faultElements ? { element } : {}) }],
  });
  const missing = (name: string): RuleResult =>
    fail('2020', 'Required param missing, need to supply the required value for the API', `Required parameter ${name} is missing in the request`, name);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('2010', INVALID, 'The request body is not a BillPayment object');

  const vendorId = text(at(at(body, 'VendorRef'), 'value'));
  if (vendorId === undefined) return missing('VendorRef');
  const payType = at(body, 'PayType');
  if (payType === undefined) return missing('PayType');
  if (payType !== 'Check' && payType !== 'CreditCard') return fail('2010', INVALID, 'Property Name:PayType specified is unsupported or invalid', 'PayType');
  if (at(body, 'TotalAmt') === undefined) return missing('TotalAmt');
  const totalCents = centsOf(at(body, 'TotalAmt'));
  if (totalCents === undefined) return fail('2010', INVALID, 'TotalAmt is not a valid amount', 'TotalAmt');
  const lines = at(body, 'Line');
  if (!Array.isArray(lines) || lines.length === 0) return missing('Line');

  const applications: { billId: string; amountCents: number }[] = [];
  for (const line of lines) {
    const amountCents = centsOf(at(line, 'Amount'));
    const linked = at(line, 'LinkedTxn');
    const first: unknown = Array.isArray(linked) ? linked[0] : undefined;
    const billId = text(at(first, 'TxnId'));
    if (amountCents === undefined) return fail('2010', INVALID, 'Line.Amount is not a valid amount', 'Line.Amount');
    if (billId === undefined || at(first, 'TxnType') !== 'Bill') return missing('Line.LinkedTxn');
    applications.push({ billId, amountCents });
  }

  if (!company.hasVendor(vendorId)) return fail('610', 'Object Not Found', OBJECT_NOT_FOUND, 'VendorRef');

  const accountPath = payType === 'Check' ? ['CheckPayment', 'BankAccountRef'] : ['CreditCardPayment', 'CCAccountRef'];
  const [holder = '', reference = ''] = accountPath;
  const accountId = text(at(at(at(body, holder), reference), 'value'));
  if (accountId === undefined) {
    return fail('6000', BUSINESS, 'Business Validation Error: You must select an account for this transaction.', accountPath.join('.'));
  }
  if (!company.hasAccount(accountId)) {
    return options.faultElements
      ? fail('2500', 'Invalid Reference Id', `Invalid Reference Id : Accounts element id ${accountId} not found`, accountPath.join('.'))
      : fail('610', 'Object Not Found', OBJECT_NOT_FOUND);
  }

  const owed = new Map<string, number>();
  for (const application of applications) {
    const bill = company.bill(application.billId);
    if (bill === undefined) {
      return options.faultElements
        ? fail('610', 'Object Not Found', `Object Not Found : Bill ${application.billId} was not found`, 'LinkedTxn')
        : fail('610', 'Object Not Found', OBJECT_NOT_FOUND);
    }
    if (bill.vendorId !== vendorId) return fail('6000', BUSINESS, `Business Validation Error: Bill ${bill.id} belongs to a different vendor.`, 'LinkedTxn');
    if (application.amountCents <= 0) return fail('6000', BUSINESS, 'Business Validation Error: The payment amount must be greater than zero.', 'Line.Amount');
    const total = (owed.get(bill.id) ?? 0) + application.amountCents;
    owed.set(bill.id, total);
    if (total > bill.balanceCents) {
      return fail('6000', BUSINESS, `Business Validation Error: The amount paid is more than the open balance of bill ${bill.id}.`, 'LinkedTxn');
    }
  }
  if (applications.reduce((sum, application) => sum + application.amountCents, 0) !== totalCents) {
    return fail('6000', BUSINESS, 'Business Validation Error: The TotalAmt must equal the sum of the line amounts.', 'TotalAmt');
  }

  const txnDate = at(body, 'TxnDate');
  if (txnDate !== undefined && (typeof txnDate !== 'string' || !isCalendarDate(txnDate))) {
    return fail('2010', INVALID, 'Property Name:TxnDate specified is unsupported or invalid', 'TxnDate');
  }
  const docNumber = at(body, 'DocNumber');
  if (docNumber !== undefined && (typeof docNumber !== 'string' || docNumber.length > DOC_NUMBER_MAX)) {
    return fail('2050', LENGTH, `String length specified does not match the supported length. Min:0 Max:${DOC_NUMBER_MAX} supplied length:${String(docNumber).length}`, 'DocNumber');
  }
  const note = at(body, 'PrivateNote');
  if (note !== undefined && (typeof note !== 'string' || note.length > PRIVATE_NOTE_MAX)) {
    return fail('2050', LENGTH, `String length specified does not match the supported length. Min:0 Max:${PRIVATE_NOTE_MAX}`, 'PrivateNote');
  }
  if (typeof docNumber === 'string' && docNumber !== '' && options.duplicateDocNumberCheck && !options.allowDuplicateDocNumber) {
    const user = company.docNumberUser(docNumber, accountId);
    if (user !== undefined) {
      return fail(
        '6140',
        'Duplicate Document Number Error',
        `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=BillPayment with TxnId=${user}`,
        'DocNumber',
      );
    }
  }

  return {
    ok: true,
    payment: {
      vendorId,
      accountId,
      payType,
      printStatus: text(at(at(body, 'CheckPayment'), 'PrintStatus')) ?? 'NotSet',
      amountCents: totalCents,
      applications,
      ...(typeof txnDate === 'string' ? { txnDate } : {}),
      ...(typeof docNumber === 'string' && docNumber !== '' ? { docNumber } : {}),
      ...(typeof note === 'string' ? { note } : {}),
    },
  };
}
