/**
 * Vista's money columns as the sandbox reads and writes them: decimal strings with at most two places,
 * turned into integer cents digit by digit (no binary float on the way).
 */
const DECIMAL = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

export function toCents(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DECIMAL.exec(value.trim());
  if (match === null) return undefined;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function fromCents(cents: number): string {
  const digits = String(cents).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
