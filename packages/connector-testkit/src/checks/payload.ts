/** Every string inside a mapped payload or a stored ERP record, however deep. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** True when some string of the payload is exactly `text`: the mapping carries that field as it is. */
export function payloadHolds(payload: unknown, text: string): boolean {
  return text !== '' && stringsIn(payload).includes(text);
}

/** True when some string of the payload contains `text` (a template may wrap it). */
export function payloadContains(payload: unknown, text: string): boolean {
  return text !== '' && stringsIn(payload).some((value) => value.includes(text));
}
