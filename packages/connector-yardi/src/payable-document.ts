import { buildXml } from './yardi-xml.js';

/**
 * The payable document `ImportPayable_Login` takes as its `PayableDoc` string. Yardi's XSD for it is licensed and
 * not public [U]: this is the document this project defines (README, "The payable document"), under the
 * `YsiTran` root of the check document, from the fields a Voyager payable has (payee, property, invoice number
 * and dates, amount, notes) and Job Cost's detail fields (job, category, contract and its line, retention) [I].
 * Element order is fixed here; fields a mapping override adds follow the known ones.
 */
export const PAYABLE_ELEMENTS = ['PropertyId', 'PayeeId', 'InvoiceNumber', 'InvoiceDate', 'DueDate', 'Amount', 'Retention', 'Notes'] as const;
export const PAYABLE_DETAIL_ELEMENTS = ['PropertyId', 'JobId', 'CategoryId', 'ContractId', 'ContractDetailId', 'Amount', 'Retention', 'Notes'] as const;

/** The vendor document `ImportVendors_Login` takes as its `XmlDoc` string: this project's definition too [U]. */
export const VENDOR_ELEMENTS = ['VendorId', 'Name', 'Address1', 'City', 'State', 'ZipCode', 'Email', 'Phone', 'TaxId', 'Inactive'] as const;

function ordered(record: Record<string, unknown>, known: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of known) if (record[name] !== undefined && record[name] !== null) out[name] = record[name];
  for (const [name, value] of Object.entries(record)) {
    if (!(name in out) && name !== 'Details' && value !== undefined && value !== null) out[name] = value;
  }
  return out;
}

/** Writes the mapped payload as a `PayableDoc` string; throws `XmlValueError` for a value XML cannot carry. */
export function buildPayableDocument(payload: Record<string, unknown>): string {
  const details = Array.isArray(payload['Details']) ? (payload['Details'] as Record<string, unknown>[]) : [];
  const payable = ordered(payload, PAYABLE_ELEMENTS);
  payable['Details'] = { Detail: details.map((detail) => ordered(detail, PAYABLE_DETAIL_ELEMENTS)) };
  return buildXml({ YsiTran: { Payables: { Payable: payable } } }, false);
}

/** Writes the mapped payload as the vendor `XmlDoc` string; throws `XmlValueError` for a value XML cannot carry. */
export function buildVendorDocument(payload: Record<string, unknown>): string {
  return buildXml({ YsiTran: { Vendors: { Vendor: ordered(payload, VENDOR_ELEMENTS) } } }, false);
}
