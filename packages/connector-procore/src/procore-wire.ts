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

/**
 * A Procore object id: a JSON integer (safe) or a string of digits, kept as text. Anything else (blank, `" "`,
 * `"12a"`, `1.5`, `-3`, an integer beyond 2^53 that JSON already rounded) is no id at all.
 */
export function procoreId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  if (typeof value === 'string' && /^\d{1,30}$/.test(value.trim())) return value.trim();
  return undefined;
}
