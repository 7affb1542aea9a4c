import { parseCents } from '@ledgerlink/core';

/** Reads a JSON body; `undefined` when it is not JSON (a 429's text body, a proxy's HTML page). */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when `value` is an object, else undefined. */
export function property(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

/** Procore ids are JSON numbers (v1.x) or strings (webhooks v4); the model keeps them as text. */
export function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

/** A non-empty string, trimmed; anything else is absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Procore sends money as decimal strings (`"1.0"`, `"0.10"`, `"99999999.99"`). Parsed digit by digit into integer
 * cents by core's `parseCents`, never through a float; more than two significant decimals is refused, not rounded.
 */
export function amountCents(value: unknown, field: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new RangeError(`${field} is missing or not a decimal amount (got ${value === null ? 'null' : typeof value})`);
  }
  try {
    return parseCents(value);
  } catch (error) {
    throw new RangeError(`${field}: ${(error as Error).message}`);
  }
}

/** Zero when absent or null (tax, markups); otherwise exact cents. */
export function optionalCents(value: unknown, field: string): number | undefined {
  return value === undefined || value === null ? undefined : amountCents(value, field);
}

/** The `YYYY-MM-DD` part of a Procore date or date-time (`2025-05-02` or `2025-05-02T10:00:00Z`). */
export function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(value.trim());
  return match?.[1];
}

/** The URL of `rel="next"` in a `Link` header, when there is one. */
export function nextLink(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?([a-z]+)"?/i.exec(part.trim());
    if (match !== null && match[2]?.toLowerCase() === 'next') return match[1];
  }
  return undefined;
}
