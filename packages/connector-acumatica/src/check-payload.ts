/**
 * The mapped payload (mapping.yaml's export side) turned into the `Check` entity sent to Acumatica, and the
 * natural key read back out of it.
 */
import { parseCents } from '@ledgerlink/core';
import { DecimalText, detailRows, fieldText, fieldValue, isRecord, type WireEntity } from './acumatica-wire.js';

/** Decimal fields of the `Check` entity and of its `Details` rows. */
const DECIMAL_FIELDS = new Set(['PaymentAmount', 'AmountPaid']);

/**
 * A copy of the payload ready for the wire: wrappers the mapping left empty (an absent optional source) are
 * dropped, and amounts become exact decimal number tokens.
 */
export function checkEntity(payload: Record<string, unknown>): WireEntity {
  // Throws a RangeError for an amount that is not an exact decimal; the exporter rejects the record for it.
  return normalize(payload) as WireEntity;
}

function normalize(entity: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (Array.isArray(value)) {
      out[name] = value.filter(isRecord).map(normalize);
    } else if (isRecord(value)) {
      if (!('value' in value) || value.value === undefined || value.value === null) continue;
      const inner = value.value;
      out[name] = DECIMAL_FIELDS.has(name) && (typeof inner === 'string' || typeof inner === 'number')
        ? { ...value, value: new DecimalText(typeof inner === 'number' ? String(inner) : inner) }
        : value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** The natural key Acumatica offers for a check made by ledgerlink: Payment Ref + Vendor + Cash Account. */
export interface CheckNaturalKey {
  paymentRef: string;
  vendor: string;
  cashAccount: string;
  amountCents: number;
  /** The check's date as sent (`YYYY-MM-DD`), when the payload has one. */
  applicationDate?: string;
  /** Bill reference number -> amount paid, in cents. */
  applications: Map<string, number>;
}

/** Cents of an amount as sent or read; undefined when it is not an exact decimal in range. */
export function centsOf(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

/** The payload's natural key; undefined when a part is missing or an amount is not exact (see `checkEntity`). */
export function naturalKey(payload: Record<string, unknown>): CheckNaturalKey | undefined {
  const paymentRef = fieldText(payload, 'PaymentRef');
  const vendor = fieldText(payload, 'Vendor');
  const cashAccount = fieldText(payload, 'CashAccount');
  const amountCents = centsOf(fieldValue(payload, 'PaymentAmount'));
  if (paymentRef === undefined || vendor === undefined || cashAccount === undefined || amountCents === undefined) return undefined;
  const applications = new Map<string, number>();
  for (const row of detailRows(payload, 'Details')) {
    const bill = fieldText(row, 'ReferenceNbr');
    const paid = fieldValue(row, 'AmountPaid');
    if (bill === undefined || paid === undefined || paid === null) continue;
    const cents = centsOf(paid);
    if (cents === undefined) return undefined;
    applications.set(bill, cents);
  }
  const applicationDate = dateOf(fieldText(payload, 'ApplicationDate'));
  return { paymentRef, vendor, cashAccount, amountCents, applications, ...(applicationDate === undefined ? {} : { applicationDate }) };
}

/** The calendar date of a date or date-time as written (`2025-03-14T00:00:00+00:00` is the 14th), never shifted by a time zone. */
function dateOf(value: string | undefined): string | undefined {
  const match = value === undefined ? null : /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value.trim());
  return match?.[1];
}

/**
 * True when a check found by its natural key is the one this payload describes: same amount, and every bill
 * paid with the same amount, whether the application is still pending (`Details`) or released (`History`).
 * A check that merely shares the number (another payment) is not ours: the retry then meets Acumatica's own
 * duplicate refusal instead of being taken for a success.
 */
export function isSameCheck(found: unknown, key: CheckNaturalKey): boolean {
  const type = fieldText(found, 'Type');
  if (type !== undefined && type !== 'Payment') return false;
  if (fieldText(found, 'Status') === 'Voided') return false;
  // An amount Acumatica would not send (an exponent, three places, out of range) never matches.
  if (centsOf(fieldValue(found, 'PaymentAmount')) !== key.amountCents) return false;
  // Another check of the same vendor, cash account and number on another day is another payment (issue 11, item 1).
  if (key.applicationDate !== undefined && dateOf(fieldText(found, 'ApplicationDate')) !== key.applicationDate) return false;
  const applied = new Map<string, number>();
  for (const row of [...detailRows(found, 'Details'), ...detailRows(found, 'History')]) {
    const bill = fieldText(row, 'ReferenceNbr');
    const paid = centsOf(fieldValue(row, 'AmountPaid'));
    if (bill === undefined || paid === undefined) continue;
    applied.set(bill, (applied.get(bill) ?? 0) + paid);
  }
  for (const [bill, cents] of key.applications) if (applied.get(bill) !== cents) return false;
  // It pays exactly these bills: one that also pays another bill is another payment.
  return key.applications.size === 0 || applied.size === key.applications.size;
}
