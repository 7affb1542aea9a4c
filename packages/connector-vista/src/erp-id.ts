/**
 * The ids Vista hands back (`KeyID`, `actionId`) before one may link a payment: a blank or padded id, or one
 * carrying control characters, would settle a payment on nothing (issue 10), so it is refused here.
 */
export function soundId(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  if (typeof value !== 'string' || value.length > 255) return undefined;
  return value.trim() !== '' && value.trim() === value && !/\p{Cc}/u.test(value) ? value : undefined;
}
