import { centsOf } from './amounts.js';
import type { FaultError } from './answers.js';

/**
 * QuickBooks' rules for `POST /bill` and `POST /vendor`, written from the Accounting API's entity reference (Bill:
 * VendorRef and Line required, AccountBasedExpenseLineDetail.AccountRef required per line, DocNumber at most 21;
 * Vendor: DisplayName unique across customers, vendors and employees, 6240 Duplicate Name Exists Error).
 */

/** What the bill and vendor rules need to know about the company. */
export interface BillCompanyView {
  hasVendor(id: string): boolean;
  hasExpenseAccount(id: string): boolean;
  /** The Id of a bill of this vendor that already has this DocNumber, if any. */
  billNumberUser(vendorId: string, docNumber: string): string | undefined;
  /** The Id of a vendor (or any name-list entity) with this DisplayName, compared as QuickBooks does (case-insensitive). */
  nameUser(displayName: string): string | undefined;
}

/** A bill that passed every rule, in the sandbox's terms. */
export interface AcceptedBill {
  vendorId: string;
  txnDate?: string;
  dueDate?: string;
  docNumber?: string;
  note?: string;
  lines: { amountCents: number; description?: string; accountId: string; customerId?: string }[];
}

/** A vendor that passed every rule: its name and the record to keep. */
export interface AcceptedVendor {
  displayName: string;
  record: Record<string, unknown>;
}

/** A rule check's result: the accepted value, or QuickBooks' Fault errors. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FaultError[] };

const OBJECT_NOT_FOUND =
  "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.";
const BUSINESS = 'A business validation error has occurred while processing your request';
const INVALID = 'Request has invalid or unsupported property';
const LENGTH = 'String length is either shorter or longer than supported by specification';
const DOC_NUMBER_MAX = 21;
const PRIVATE_NOTE_MAX = 4000;
const DESCRIPTION_MAX = 4000;
/** Intuit's Vendor entity: DisplayName max 500 characters, no colon, tab or newline. */
const DISPLAY_NAME_MAX = 500;

function at(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCMonth() === Number(match[2]) - 1 && date.getUTCDate() === Number(match[3]);
}

function fail<T>(code: string, message: string, detail: string, element: string | undefined, faultElements: boolean): Checked<T> {
  return { ok: false, errors: [{ Message: message, Detail: detail, code, ...(faultElements && element !== undefined ? { element } : {}) }] };
}

/** `POST /bill`: the checks QuickBooks makes before it commits a bill. */
export function checkBill(body: unknown, company: BillCompanyView, options: { faultElements: boolean; duplicateDocNumberCheck: boolean }): Checked<AcceptedBill> {
  const el = options.faultElements;
  const vendorId = text(at(at(body, 'VendorRef'), 'value'));
  if (vendorId === undefined) return fail('2020', 'Required param missing, need to supply the required value for the API', 'Required parameter VendorRef is missing in the request', 'VendorRef', el);
  const rawLines = at(body, 'Line');
  if (!Array.isArray(rawLines) || rawLines.length === 0) {
    return fail('2020', 'Required param missing, need to supply the required value for the API', 'Required parameter Line is missing in the request', 'Line', el);
  }
  const lines: AcceptedBill['lines'] = [];
  for (const [index, line] of rawLines.entries()) {
    if (at(line, 'DetailType') !== 'AccountBasedExpenseLineDetail') {
      return fail('2010', INVALID, `Property Name:DetailType specified is unsupported or invalid (Line ${index + 1})`, 'Line.DetailType', el);
    }
    const amountCents = centsOf(at(line, 'Amount'));
    if (amountCents === undefined) return fail('2010', INVALID, `Line.Amount is not a valid amount (Line ${index + 1})`, 'Line.Amount', el);
    const detail = at(line, 'AccountBasedExpenseLineDetail');
    const accountId = text(at(at(detail, 'AccountRef'), 'value'));
    if (accountId === undefined) return fail('6000', BUSINESS, 'Business Validation Error: You must select an account for this transaction.', 'Line.AccountBasedExpenseLineDetail.AccountRef', el);
    const description = at(line, 'Description');
    if (description !== undefined && (typeof description !== 'string' || description.length > DESCRIPTION_MAX)) {
      return fail('2050', LENGTH, `String length specified does not match the supported length. Min:0 Max:${DESCRIPTION_MAX}`, 'Line.Description', el);
    }
    const customerId = text(at(at(detail, 'CustomerRef'), 'value'));
    lines.push({
      amountCents,
      accountId,
      ...(typeof description === 'string' ? { description } : {}),
      ...(customerId === undefined ? {} : { customerId }),
    });
  }
  if (!company.hasVendor(vendorId)) {
    return el
      ? fail('2500', 'Invalid Reference Id', `Invalid Reference Id : Vendor assigned to this transaction has been deleted or does not exist: ${vendorId}`, 'VendorRef', el)
      : fail('610', 'Object Not Found', OBJECT_NOT_FOUND, undefined, el);
  }
  for (const line of lines) {
    if (!company.hasExpenseAccount(line.accountId)) {
      return el
        ? fail('2500', 'Invalid Reference Id', `Invalid Reference Id : Accounts element id ${line.accountId} not found`, 'Line.AccountBasedExpenseLineDetail.AccountRef', el)
        : fail('610', 'Object Not Found', OBJECT_NOT_FOUND, undefined, el);
    }
  }
  const txnDate = at(body, 'TxnDate');
  if (txnDate !== undefined && (typeof txnDate !== 'string' || !isCalendarDate(txnDate))) {
    return fail('2010', INVALID, 'Property Name:TxnDate specified is unsupported or invalid', 'TxnDate', el);
  }
  const dueDate = at(body, 'DueDate');
  if (dueDate !== undefined && (typeof dueDate !== 'string' || !isCalendarDate(dueDate))) {
    return fail('2010', INVALID, 'Property Name:DueDate specified is unsupported or invalid', 'DueDate', el);
  }
  const docNumber = at(body, 'DocNumber');
  if (docNumber !== undefined && (typeof docNumber !== 'string' || docNumber.length > DOC_NUMBER_MAX)) {
    return fail('2050', LENGTH, `String length specified does not match the supported length. Min:0 Max:${DOC_NUMBER_MAX} supplied length:${String(docNumber).length}`, 'DocNumber', el);
  }
  const note = at(body, 'PrivateNote');
  if (note !== undefined && (typeof note !== 'string' || note.length > PRIVATE_NOTE_MAX)) {
    return fail('2050', LENGTH, `String length specified does not match the supported length. Min:0 Max:${PRIVATE_NOTE_MAX}`, 'PrivateNote', el);
  }
  if (typeof docNumber === 'string' && docNumber !== '' && options.duplicateDocNumberCheck) {
    const user = company.billNumberUser(vendorId, docNumber);
    if (user !== undefined) {
      return fail(
        '6140',
        'Duplicate Document Number Error',
        `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=Bill with TxnId=${user}`,
        'DocNumber',
        el,
      );
    }
  }
  return {
    ok: true,
    value: {
      vendorId,
      lines,
      ...(typeof txnDate === 'string' ? { txnDate } : {}),
      ...(typeof dueDate === 'string' ? { dueDate } : {}),
      ...(typeof docNumber === 'string' && docNumber !== '' ? { docNumber } : {}),
      ...(typeof note === 'string' ? { note } : {}),
    },
  };
}

/** `POST /vendor`: DisplayName required, well-formed and unique; the rest is kept as sent. */
export function checkVendor(body: unknown, company: BillCompanyView, options: { faultElements: boolean }): Checked<AcceptedVendor> {
  const el = options.faultElements;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('2010', INVALID, 'The request body is not a Vendor object', undefined, el);
  const displayName = at(body, 'DisplayName') ?? at(body, 'CompanyName');
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    return fail('2020', 'Required param missing, need to supply the required value for the API', 'Required parameter DisplayName is missing in the request', 'DisplayName', el);
  }
  if (displayName.length > DISPLAY_NAME_MAX) {
    return fail('2050', LENGTH, `String length specified does not match the supported length. Min:0 Max:${DISPLAY_NAME_MAX} supplied length:${displayName.length}`, 'DisplayName', el);
  }
  if (/[:\t\n]/.test(displayName)) return fail('2010', INVALID, 'Property Name:DisplayName cannot contain a colon (:), tab or newline', 'DisplayName', el);
  const user = company.nameUser(displayName);
  if (user !== undefined) {
    return fail(
      '6240',
      'Duplicate Name Exists Error',
      `The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name. Id=${user}`,
      'DisplayName',
      el,
    );
  }
  const active = at(body, 'Active');
  if (active !== undefined && typeof active !== 'boolean') return fail('2010', INVALID, 'Property Name:Active specified is unsupported or invalid', 'Active', el);
  const record: Record<string, unknown> = { ...(body as Record<string, unknown>), DisplayName: displayName, Active: active ?? true };
  // QuickBooks never returns a tax id in full.
  const taxId = at(body, 'TaxIdentifier');
  if (typeof taxId === 'string' && taxId !== '') record.TaxIdentifier = `XXXXXX${taxId.slice(-4)}`;
  return { ok: true, value: { displayName, record } };
}
