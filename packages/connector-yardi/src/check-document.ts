import { buildXml } from './yardi-xml.js';

/**
 * The check document `ImportCheck_Login` takes as its `CheckDoc` string. Yardi's XSD for it is licensed and
 * not public [U]: this is the document this project defines from the seed table's ten fields plus the payable
 * it pays (README, "The check document"), under the `YsiTran` root Yardi's resident-side documents use.
 * Element order is fixed here, whatever order the mapping produced; fields a customer's mapping override adds
 * follow the known ones.
 */
export const CHECK_ELEMENTS = [
  'PropertyId',
  'PayeeId',
  'BankId',
  'CheckNumber',
  'PaymentDate',
  'AmountPaid',
  'PaymentMethod',
  'PaymentNumber',
  'Notes',
] as const;

/** One detail line: the payable (invoice) the check pays, and how much of it. */
export const DETAIL_ELEMENTS = ['PayableId', 'InvoiceNumber', 'AmountPaid'] as const;

/** Puts the known names first, in their order, then the rest as they came. */
function ordered(record: Record<string, unknown>, known: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of known) if (record[name] !== undefined && record[name] !== null) out[name] = record[name];
  for (const [name, value] of Object.entries(record)) {
    if (!(name in out) && name !== 'Details' && value !== undefined && value !== null) out[name] = value;
  }
  return out;
}

/**
 * Writes the mapped payload (`PropertyId`, `PayeeId`, …, `Details: [{ PayableId, InvoiceNumber, AmountPaid }]`)
 * as a `CheckDoc` string. XMLBuilder escapes every value; the string is escaped once more when it goes into the
 * SOAP body. Throws `XmlValueError` for a value XML cannot carry.
 */
export function buildCheckDocument(payload: Record<string, unknown>): string {
  const details = Array.isArray(payload['Details']) ? (payload['Details'] as Record<string, unknown>[]) : [];
  const check: Record<string, unknown> = ordered(payload, CHECK_ELEMENTS);
  check['Details'] = { Detail: details.map((detail) => ordered(detail, DETAIL_ELEMENTS)) };
  // No XML declaration: the document travels as a string, its encoding is the envelope's.
  return buildXml({ YsiTran: { Checks: { Check: check } } }, false);
}
