/**
 * The sandbox's own exact amounts: a `DecimalValue` arrives as a JSON number or a string and is read digit by
 * digit into cents; cents go out as a JSON number whose shortest printing is the exact decimal.
 */

/** Cents from a wire amount, or undefined when it is not an amount with at most two decimals. */
export function centsOf(value: unknown): number | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined) return undefined;
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > 2 && /[1-9]/.test(fraction.slice(2))) return undefined;
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return undefined;
  return sign === '-' ? -cents : cents;
}

/** The decimal text of an amount in cents (`12345` -> `"123.45"`). */
export function decimalOf(cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${cents < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** An amount as Acumatica answers it: a JSON number. */
export function wireAmount(cents: number): number {
  return Number(decimalOf(cents));
}
