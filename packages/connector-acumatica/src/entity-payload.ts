/**
 * A mapped payload (mapping.yaml's export side) turned into a contract-based entity for the wire: wrappers the
 * mapping left empty (an absent optional source) are dropped, linked entities (`MainContact.Address`) are kept
 * as nested objects, and the named amount fields become exact decimal number tokens.
 */
import { parseCents } from '@ledgerlink/core';
import { DecimalText, isRecord, type WireEntity } from './acumatica-wire.js';

/** Throws a RangeError for an amount that is not an exact decimal; the exporters reject the record for it. */
export function wireEntity(payload: Record<string, unknown>, decimalFields: ReadonlySet<string>): WireEntity {
  return normalize(payload, decimalFields) as WireEntity;
}

function normalize(entity: Record<string, unknown>, decimalFields: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entity)) {
    if (Array.isArray(value)) {
      out[name] = value.filter(isRecord).map((row) => normalize(row, decimalFields));
    } else if (isRecord(value) && 'value' in value) {
      const inner = value.value;
      if (inner === undefined || inner === null) continue;
      out[name] =
        decimalFields.has(name) && (typeof inner === 'string' || typeof inner === 'number')
          ? { ...value, value: new DecimalText(typeof inner === 'number' ? String(inner) : inner) }
          : value;
    } else if (isRecord(value)) {
      const nested = normalize(value, decimalFields);
      if (Object.keys(nested).length > 0) out[name] = nested;
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** Cents of an amount as sent or read; undefined when it is not an exact decimal in range. */
export function amountCents(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

/** `YYYY-MM-DD` of a date Acumatica answers (`2025-05-02T00:00:00+00:00`) or a payload sends. */
export function dayOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value.trim());
  return match?.[1];
}
