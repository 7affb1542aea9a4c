/**
 * `PUT …/Bill` and `PUT …/Vendor`: the sandbox's reading of Acumatica's rules for a new AP bill (Bills and
 * Adjustments, AP301000) and a new vendor (Vendors, AP303000), answered as Acumatica answers a `PUT`: the saved
 * record (200), 412 for an `If-None-Match: *` that meets an existing key, or the sent record echoed back with an
 * `error` on each offending field (422). Written from the Default endpoint's `Bill`, `BillDetail` and `Vendor`
 * entities (erp-reference.md §4), not from the connector's client.
 */
import { BILL_STATUS, type BillLine, type Company, type StoredVendor, type Bill } from './company.js';
import { centsOf } from './money.js';

export type EntityPutResult<T> = { kind: 'saved'; record: T } | { kind: 'answer'; status: number; body: unknown };

/** What a deployment sets in AP Preferences (AP101000) that changes what a bill may be. */
export interface BillRules {
  /** "Raise an error on duplicate vendor reference number": on by default here ([U] per deployment). */
  uniqueVendorRef: boolean;
}

type Wire = Record<string, unknown>;

const DISPLAY: Record<string, string> = {
  Type: 'Type',
  Vendor: 'Vendor',
  VendorRef: 'Vendor Ref.',
  Date: 'Date',
  DueDate: 'Due Date',
  Amount: 'Amount',
  CostCode: 'Cost Code',
  VendorID: 'Vendor ID',
  VendorName: 'Vendor Name',
  Status: 'Status',
};
const notFound = (field: string): string => `'${DISPLAY[field] ?? field}' cannot be found in the system.`;
const empty = (field: string): string => `'${DISPLAY[field] ?? field}' cannot be empty.`;
const tooLong = (field: string, max: number): string => `'${DISPLAY[field] ?? field}' cannot be longer than ${max} characters.`;

/** Column sizes of the AP tables behind the fields ([I]: APInvoice.InvoiceNbr, BAccount.AcctCD/AcctName). */
export const LIMITS = { VendorRef: 40, VendorID: 30, VendorName: 255, Description: 256 } as const;

/** Vendor statuses the Vendors form offers. */
export const VENDOR_STATUSES = new Set(['Active', 'On Hold', 'Hold Payments', 'Inactive', 'One-Time']);

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

/** `YYYY-MM-DD` from a date value (`2025-05-02` or `2025-05-02T00:00:00+00:00`), undefined when not a date. */
export function wireDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value.trim());
  if (!match) return undefined;
  const day = match[1] as string;
  return new Date(`${day}T00:00:00Z`).toISOString().startsWith(day) ? day : undefined;
}

export function putBill(company: Company, body: unknown, headers: { ifNoneMatch?: string }, rules: BillRules): EntityPutResult<Bill> {
  if (!isObject(body)) return { kind: 'answer', status: 400, body: { message: 'The request is invalid.', exceptionMessage: 'The request body is not a JSON entity.' } };
  const referenceNbr = textOf(body, 'ReferenceNbr');
  const existing = referenceNbr === undefined ? undefined : company.bills.get(referenceNbr);
  if (existing !== undefined && headers.ifNoneMatch === '*') return { kind: 'answer', status: 412, body: { message: 'The record already exists.' } };
  if (existing !== undefined) return { kind: 'answer', status: 422, body: { ...body, error: 'The document cannot be changed through this connector\u2019s sandbox.' } };

  const errors = new Map<string, string>();
  const rowErrors = new Map<number, Map<string, string>>();
  const rowError = (index: number, field: string, message: string): void => {
    const row = rowErrors.get(index) ?? new Map<string, string>();
    row.set(field, message);
    rowErrors.set(index, row);
  };

  const type = textOf(body, 'Type') ?? 'Bill';
  if (type !== 'Bill') errors.set('Type', notFound('Type'));
  const vendorId = textOf(body, 'Vendor');
  const vendor = vendorId === undefined ? undefined : company.vendors.get(vendorId);
  if (vendorId === undefined) errors.set('Vendor', empty('Vendor'));
  else if (vendor === undefined) errors.set('Vendor', notFound('Vendor'));
  else if (vendor.status === 'Inactive') errors.set('Vendor', `The vendor status is 'Inactive'.`);
  const vendorRef = textOf(body, 'VendorRef');
  if (vendorRef === undefined) errors.set('VendorRef', empty('VendorRef'));
  else if (vendorRef.length > LIMITS.VendorRef) errors.set('VendorRef', tooLong('VendorRef', LIMITS.VendorRef));
  else if (rules.uniqueVendorRef && vendorId !== undefined) {
    const twin = company.billWithVendorRef(vendorId, vendorRef);
    if (twin !== undefined) errors.set('VendorRef', `The document ${twin.referenceNbr} with the same vendor reference number already exists.`);
  }
  const date = wireDate(valueOf(body, 'Date')) ?? company.timestamp().slice(0, 10);
  if (valueOf(body, 'Date') !== undefined && wireDate(valueOf(body, 'Date')) === undefined) errors.set('Date', `'${DISPLAY.Date}' is not a valid date.`);
  const dueDate = wireDate(valueOf(body, 'DueDate'));
  if (valueOf(body, 'DueDate') !== undefined && dueDate === undefined) errors.set('DueDate', `'${DISPLAY.DueDate}' is not a valid date.`);

  const rows = Array.isArray(body.Details) ? body.Details.filter(isObject) : [];
  const lines: BillLine[] = [];
  rows.forEach((row, index) => {
    const amount = centsOf(valueOf(row, 'Amount'));
    if (amount === undefined || amount < 0) rowError(index, 'Amount', `'${DISPLAY.Amount}' must be greater than or equal to 0.`);
    const costCode = textOf(row, 'CostCode');
    if (costCode !== undefined && company.costCodes.size > 0 && !company.costCodes.has(costCode)) rowError(index, 'CostCode', notFound('CostCode'));
    const line: BillLine = { amountCents: amount ?? 0 };
    const optional: [keyof BillLine, string][] = [
      ['description', 'TransactionDescription'],
      ['branch', 'Branch'],
      ['account', 'Account'],
      ['subaccount', 'Subaccount'],
      ['inventoryId', 'InventoryID'],
      ['project', 'Project'],
      ['projectTask', 'ProjectTask'],
      ['costCode', 'CostCode'],
    ];
    for (const [key, field] of optional) {
      const text = textOf(row, field);
      if (text !== undefined) (line as unknown as Record<string, unknown>)[key] = text;
    }
    lines.push(line);
  });
  const total = lines.reduce((sum, line) => sum + line.amountCents, 0);
  // The header Amount is the document total: Acumatica computes it from the lines; a sent one must agree.
  const sentTotal = valueOf(body, 'Amount');
  if (sentTotal !== undefined && centsOf(sentTotal) !== total && rowErrors.size === 0) {
    errors.set('Amount', 'The document is out of balance.');
  }
  if (rows.length > 0 && total <= 0 && rowErrors.size === 0) errors.set('Amount', `'${DISPLAY.Amount}' must be greater than 0.`);
  if (rows.length === 0) errors.set('Amount', `'${DISPLAY.Amount}' must be greater than 0.`);

  if (errors.size > 0 || rowErrors.size > 0) {
    return { kind: 'answer', status: 422, body: refusal(body, rows, errors, rowErrors, "Inserting 'Bills and Adjustments' record raised at least one error. Please review the errors.") };
  }
  const hold = valueOf(body, 'Hold') === true;
  const description = textOf(body, 'Description');
  const project = textOf(body, 'Project');
  const bill = company.newBill({
    vendor: vendorId as string,
    vendorRef: vendorRef as string,
    amountCents: total,
    balanceCents: total,
    ...(project === undefined ? {} : { projectNumber: project }),
    status: hold ? BILL_STATUS.onHold : BILL_STATUS.balanced,
    hold,
    date,
    ...(dueDate === undefined ? {} : { dueDate }),
    ...(description === undefined ? {} : { description }),
    lines,
    created: true,
  });
  return { kind: 'saved', record: bill };
}

export function putVendor(company: Company, body: unknown, headers: { ifNoneMatch?: string }, options: { autoNumbering: boolean }): EntityPutResult<StoredVendor> {
  if (!isObject(body)) return { kind: 'answer', status: 400, body: { message: 'The request is invalid.', exceptionMessage: 'The request body is not a JSON entity.' } };
  const sentId = textOf(body, 'VendorID');
  const existing = sentId === undefined ? undefined : company.vendors.get(sentId);
  if (existing !== undefined && headers.ifNoneMatch === '*') return { kind: 'answer', status: 412, body: { message: 'The record already exists.' } };
  const errors = new Map<string, string>();
  if (sentId === undefined && !options.autoNumbering) errors.set('VendorID', empty('VendorID'));
  if (sentId !== undefined && sentId.length > LIMITS.VendorID) errors.set('VendorID', tooLong('VendorID', LIMITS.VendorID));
  const name = textOf(body, 'VendorName');
  if (name === undefined && existing === undefined) errors.set('VendorName', empty('VendorName'));
  else if (name !== undefined && name.length > LIMITS.VendorName) errors.set('VendorName', tooLong('VendorName', LIMITS.VendorName));
  const status = textOf(body, 'Status');
  if (status !== undefined && !VENDOR_STATUSES.has(status)) errors.set('Status', notFound('Status'));
  if (errors.size > 0) {
    return { kind: 'answer', status: 422, body: refusal(body, [], errors, new Map(), "Inserting 'Vendors' record raised at least one error. Please review the errors.") };
  }
  const contact = isObject(body.MainContact) ? body.MainContact : {};
  const address = isObject(contact.Address) ? contact.Address : {};
  const addressParts = {
    ...(textOf(address, 'AddressLine1') === undefined ? {} : { addressLine1: textOf(address, 'AddressLine1') }),
    ...(textOf(address, 'City') === undefined ? {} : { city: textOf(address, 'City') }),
    ...(textOf(address, 'State') === undefined ? {} : { state: textOf(address, 'State') }),
    ...(textOf(address, 'PostalCode') === undefined ? {} : { postalCode: textOf(address, 'PostalCode') }),
    ...(textOf(address, 'Country') === undefined ? {} : { country: textOf(address, 'Country') }),
  };
  const fields = {
    name: name ?? existing?.name ?? '',
    status: status ?? existing?.status ?? 'Active',
    ...(textOf(contact, 'Email') === undefined ? {} : { email: textOf(contact, 'Email') as string }),
    ...(textOf(contact, 'Phone1') === undefined ? {} : { phone: textOf(contact, 'Phone1') as string }),
    ...(Object.keys(addressParts).length === 0 ? {} : { address: addressParts as NonNullable<StoredVendor['address']> }),
    ...(textOf(body, 'TaxRegistrationID') === undefined ? {} : { taxRegistrationId: textOf(body, 'TaxRegistrationID') as string }),
  };
  if (existing !== undefined) {
    Object.assign(existing, fields, { lastModified: company.timestamp() });
    return { kind: 'saved', record: existing };
  }
  return { kind: 'saved', record: company.putVendor({ id: sentId ?? company.nextVendorId(), ...fields, created: true }) };
}

/** The sent record with each offending field's `error`, and the entity's own summary. */
function refusal(body: Wire, rows: Wire[], errors: Map<string, string>, rowErrors: Map<number, Map<string, string>>, summary: string): Wire {
  const echo: Wire = { ...body };
  for (const [field, message] of errors) echo[field] = { ...(isObject(body[field]) ? body[field] : {}), error: message };
  if (rows.length > 0) {
    echo.Details = rows.map((row, index) => {
      const copy: Wire = { ...row };
      for (const [field, message] of rowErrors.get(index) ?? []) copy[field] = { ...(isObject(row[field]) ? row[field] : {}), error: message };
      return copy;
    });
  }
  echo.error = summary;
  return echo;
}
