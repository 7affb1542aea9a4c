/**
 * `PUT …/Check`: the sandbox's reading of Acumatica's rules for a new AP check, answered as Acumatica does: the
 * saved record (200), or the sent record echoed back with an `error` on each offending field (422).
 */
import { BILL_STATUS, STATUS, type Application, type Company, type StoredCheck } from './company.js';
import { centsOf, decimalOf } from './money.js';

export interface PutOptions {
  /** Where a Payment Ref. must be unique ([U] in the reference: a per-deployment setting). */
  uniquePaymentRef: 'cashAccount' | 'off';
}

export type PutResult =
  | { kind: 'saved'; check: StoredCheck; inserted: boolean }
  | { kind: 'answer'; status: number; body: unknown };

type Wire = Record<string, unknown>;

const DISPLAY: Record<string, string> = {
  Type: 'Type',
  Vendor: 'Vendor',
  CashAccount: 'Cash Account',
  PaymentMethod: 'Payment Method',
  PaymentRef: 'Payment Ref.',
  ApplicationDate: 'Application Date',
  PaymentAmount: 'Payment Amount',
  DocType: 'Document Type',
  ReferenceNbr: 'Reference Nbr.',
  AmountPaid: 'Amount Paid',
};
const notFound = (field: string): string => `'${DISPLAY[field] ?? field}' cannot be found in the system.`;
const empty = (field: string): string => `'${DISPLAY[field] ?? field}' cannot be empty.`;

function isObject(value: unknown): value is Wire {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueOf(entity: Wire, field: string): unknown {
  const wrapped = entity[field];
  return isObject(wrapped) ? wrapped.value : undefined;
}

function textOf(entity: Wire, field: string): string | undefined {
  const value = valueOf(entity, field);
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  return typeof value === 'number' ? String(value) : undefined;
}

export function putCheck(company: Company, body: unknown, headers: { ifNoneMatch?: string; ifMatch?: string }, options: PutOptions): PutResult {
  if (!isObject(body)) return { kind: 'answer', status: 400, body: { message: 'The request is invalid.', exceptionMessage: 'The request body is not a JSON entity.' } };
  const existing = company.findCheck({
    ...(typeof body.id === 'string' ? { id: body.id } : {}),
    ...(textOf(body, 'Type') === undefined ? {} : { type: textOf(body, 'Type') }),
    ...(textOf(body, 'ReferenceNbr') === undefined ? {} : { referenceNbr: textOf(body, 'ReferenceNbr') }),
  });
  if (existing !== undefined && headers.ifNoneMatch === '*') {
    return { kind: 'answer', status: 412, body: { message: 'The record already exists.' } };
  }
  if (existing === undefined && headers.ifMatch === '*') {
    return { kind: 'answer', status: 412, body: { message: 'The record does not exist.' } };
  }
  if (existing !== undefined) return updateCheck(company, existing, body);
  return insertCheck(company, body, options);
}

/** Only the header flags of a check on balance can change; a released check is read-only. */
function updateCheck(company: Company, check: StoredCheck, body: Wire): PutResult {
  if (check.status === STATUS.closed || check.status === STATUS.open || check.status === STATUS.voided) {
    return { kind: 'answer', status: 422, body: { ...body, error: 'The document cannot be changed because it has been released.' } };
  }
  const hold = valueOf(body, 'Hold');
  if (typeof hold === 'boolean') {
    check.hold = hold;
    check.status = hold ? STATUS.onHold : STATUS.balanced;
  }
  const description = valueOf(body, 'Description');
  if (typeof description === 'string') check.description = description;
  check.lastModified = company.timestamp();
  return { kind: 'saved', check, inserted: false };
}

function insertCheck(company: Company, body: Wire, options: PutOptions): PutResult {
  const errors = new Map<string, string>();
  const rowErrors = new Map<number, Map<string, string>>();
  const rowError = (index: number, field: string, message: string): void => {
    const row = rowErrors.get(index) ?? new Map<string, string>();
    row.set(field, message);
    rowErrors.set(index, row);
  };

  const type = textOf(body, 'Type') ?? 'Payment';
  if (type !== 'Payment') errors.set('Type', notFound('Type'));
  const vendor = textOf(body, 'Vendor');
  if (vendor === undefined) errors.set('Vendor', empty('Vendor'));
  else if (!company.vendors.has(vendor)) errors.set('Vendor', notFound('Vendor'));
  const cashAccount = textOf(body, 'CashAccount');
  if (cashAccount === undefined) errors.set('CashAccount', empty('CashAccount'));
  else if (!company.cashAccounts.has(cashAccount)) errors.set('CashAccount', notFound('CashAccount'));
  const paymentMethod = textOf(body, 'PaymentMethod');
  if (paymentMethod === undefined) errors.set('PaymentMethod', empty('PaymentMethod'));
  else if (!company.paymentMethods.has(paymentMethod)) errors.set('PaymentMethod', notFound('PaymentMethod'));
  const paymentRef = textOf(body, 'PaymentRef');
  if (paymentRef === undefined) errors.set('PaymentRef', empty('PaymentRef'));
  else if (
    options.uniquePaymentRef === 'cashAccount' &&
    cashAccount !== undefined &&
    company.paymentRefUsed(cashAccount, paymentRef)
  ) {
    errors.set('PaymentRef', `The '${paymentRef}' payment reference number is already used by another document of the '${cashAccount}' cash account.`);
  }
  const date = applicationDate(valueOf(body, 'ApplicationDate')) ?? company.timestamp().slice(0, 10);
  if (valueOf(body, 'ApplicationDate') !== undefined && applicationDate(valueOf(body, 'ApplicationDate')) === undefined) {
    errors.set('ApplicationDate', `'${DISPLAY.ApplicationDate}' is not a valid date.`);
  }
  const amount = centsOf(valueOf(body, 'PaymentAmount'));
  if (amount === undefined || amount <= 0) errors.set('PaymentAmount', `'${DISPLAY.PaymentAmount}' must be greater than 0.`);

  const rows = Array.isArray(body.Details) ? body.Details.filter(isObject) : [];
  const applications: Application[] = [];
  const pending = new Map<string, number>();
  rows.forEach((row, index) => {
    const docType = textOf(row, 'DocType') ?? 'Bill';
    if (docType !== 'Bill') rowError(index, 'DocType', notFound('DocType'));
    const reference = textOf(row, 'ReferenceNbr');
    // The selector offers open (released) bills of the check's vendor only: another vendor's bill, one not yet
    // released, or a paid one is not found.
    const bill = reference === undefined ? undefined : company.bills.get(reference);
    const open = bill !== undefined && bill.vendor === vendor && bill.status === BILL_STATUS.open && bill.balanceCents > 0;
    if (reference === undefined) rowError(index, 'ReferenceNbr', empty('ReferenceNbr'));
    else if (!open) rowError(index, 'ReferenceNbr', notFound('ReferenceNbr'));
    const paid = centsOf(valueOf(row, 'AmountPaid'));
    if (paid === undefined || paid <= 0) rowError(index, 'AmountPaid', `'${DISPLAY.AmountPaid}' must be greater than 0.`);
    else if (bill !== undefined && open) {
      const left = bill.balanceCents - (pending.get(bill.referenceNbr) ?? 0);
      if (paid > left) rowError(index, 'AmountPaid', `The amount paid cannot be greater than the balance of the document (${decimalOf(left)}).`);
      pending.set(bill.referenceNbr, (pending.get(bill.referenceNbr) ?? 0) + paid);
    }
    if (reference !== undefined && paid !== undefined) applications.push({ docType, referenceNbr: reference, amountCents: paid, released: false });
  });
  const applied = applications.reduce((sum, application) => sum + application.amountCents, 0);
  if (amount !== undefined && applied > amount && !errors.has('PaymentAmount')) {
    errors.set('PaymentAmount', 'The total amount of the applications exceeds the payment amount.');
  }

  if (errors.size > 0 || rowErrors.size > 0) return { kind: 'answer', status: 422, body: refusal(body, rows, errors, rowErrors) };

  for (const application of applications) {
    const bill = company.bills.get(application.referenceNbr) as NonNullable<ReturnType<typeof company.bills.get>>;
    bill.balanceCents -= application.amountCents;
  }
  const hold = valueOf(body, 'Hold') === true;
  const description = valueOf(body, 'Description');
  const check = company.newCheck({
    type,
    vendor: vendor as string,
    paymentMethod: paymentMethod as string,
    cashAccount: cashAccount as string,
    applicationDate: date,
    ...(paymentRef === undefined ? {} : { paymentRef }),
    amountCents: amount as number,
    ...(typeof description === 'string' ? { description } : {}),
    hold,
    status: hold ? STATUS.onHold : STATUS.balanced,
    applications,
  });
  return { kind: 'saved', check, inserted: true };
}

/** The sent record with each offending field's `error`, and the entity's own summary. */
function refusal(body: Wire, rows: Wire[], errors: Map<string, string>, rowErrors: Map<number, Map<string, string>>): Wire {
  const echo: Wire = { ...body };
  for (const [field, message] of errors) echo[field] = { ...(isObject(body[field]) ? body[field] : {}), error: message };
  if (rows.length > 0) {
    echo.Details = rows.map((row, index) => {
      const copy: Wire = { ...row };
      for (const [field, message] of rowErrors.get(index) ?? []) copy[field] = { ...(isObject(row[field]) ? row[field] : {}), error: message };
      return copy;
    });
  }
  echo.error = "Inserting 'Checks and Payments' record raised at least one error. Please review the errors.";
  return echo;
}

function applicationDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!match) return undefined;
  const day = match[1] as string;
  return new Date(`${day}T00:00:00Z`).toISOString().startsWith(day) ? day : undefined;
}
