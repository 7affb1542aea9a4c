import { createHash } from 'node:crypto';
import { parseCents } from '@ledgerlink/core';

/** QuickBooks' cap on `requestid` for a single-entity call (Intuit's basic field definitions). */
export const REQUEST_ID_MAX = 50;

/** QuickBooks' cap on a transaction's `DocNumber` ("Ref No."). */
export const DOC_NUMBER_MAX = 21;

const PLAIN_KEY = /^[A-Za-z0-9._:-]+$/;

/**
 * The `requestid` for a load item: its idempotency key (`<ledger item id>.r<revision>`) as it is when it fits
 * QuickBooks' 50 characters of URL-safe text, otherwise `ll-` and the first 32 hex digits of its SHA-256. Both
 * are deterministic, so a retried attempt replays and an edited revision does not.
 */
export function requestIdFor(idempotencyKey: string): string {
  if (idempotencyKey.length <= REQUEST_ID_MAX && PLAIN_KEY.test(idempotencyKey)) return idempotencyKey;
  return `ll-${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * A string literal for a QuickBooks query: single-quoted, with backslash escaping the quote and the backslash
 * itself (Intuit: "use backslash to escape special characters").
 */
export function queryLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The mapping writes amounts as exact decimal strings ("123.45"); QuickBooks takes them as JSON numbers. A
 * two-decimal amount below 10^13 has at most 15 significant digits, which a double holds exactly and prints back
 * as the same digits, so the JSON text carries the exact decimal. The round trip is checked, never assumed.
 */
export function wireAmount(value: unknown, field: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') throw new RangeError(`${field} is not an amount`);
  const cents = parseCents(value);
  const number = Number(typeof value === 'string' ? value.trim() : value);
  if (!Number.isFinite(number) || parseCents(number) !== cents) {
    throw new RangeError(`${field} ${String(value)} cannot be sent as an exact JSON number`);
  }
  return number;
}

/**
 * The BillPayment body as QuickBooks takes it: the mapped payload with `TotalAmt` and each `Line[].Amount` turned
 * from exact decimal strings into JSON numbers. Nothing else is changed.
 */
export function toWireBillPayment(payload: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...payload, TotalAmt: wireAmount(payload['TotalAmt'], 'TotalAmt') };
  const lines = payload['Line'];
  if (Array.isArray(lines)) {
    body['Line'] = lines.map((line: unknown, index) => {
      const record = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>;
      return { ...record, Amount: wireAmount(record['Amount'], `Line[${index}].Amount`) };
    });
  }
  return body;
}

/** A BillPayment as QuickBooks returns it, as far as the connector reads it. */
export interface WireBillPayment {
  Id: string;
  SyncToken?: string;
  DocNumber?: string;
  TxnDate?: string;
  PayType?: string;
  TotalAmt?: number;
  PrivateNote?: string;
  VendorRef?: { value?: string; name?: string };
  CheckPayment?: { BankAccountRef?: { value?: string }; PrintStatus?: string };
  Line?: { Amount?: number; LinkedTxn?: { TxnId?: string; TxnType?: string }[] }[];
  MetaData?: { CreateTime?: string; LastUpdatedTime?: string };
  [field: string]: unknown;
}

/** Reads a property whatever its first letter's case: 401 answers spell the envelope `fault.error[].message`. */
export function property(record: unknown, name: string): unknown {
  if (typeof record !== 'object' || record === null || name === '') return undefined;
  const object = record as Record<string, unknown>;
  if (Object.hasOwn(object, name)) return object[name];
  const first = name.charAt(0);
  const swapped = (first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase()) + name.slice(1);
  return Object.hasOwn(object, swapped) ? object[swapped] : undefined;
}

/** Parses a JSON body, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** QuickBooks entity Ids are whole numbers written as text: anything else (blank, `1e3`, ` 7`) settles nothing. */
export function isQboId(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value);
}
