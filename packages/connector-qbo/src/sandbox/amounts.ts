/**
 * Amounts as the sandbox reads them: QuickBooks sends decimals as JSON numbers. JavaScript prints a number with
 * the shortest digits that read back to it, so a two-decimal amount of up to 15 significant digits prints as
 * exactly the digits that were sent; those digits are turned into integer cents one by one, never by float
 * arithmetic. Anything else (three decimals, exponents, more digits) is refused rather than rounded.
 */
const PLAIN = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

export function centsOf(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const match = PLAIN.exec(String(value));
  if (match === null) return undefined;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Integer cents back to the JSON number QuickBooks would print (12345 -> 123.45). */
export function amountOf(cents: number): number {
  const digits = String(cents).padStart(3, '0');
  return Number(`${digits.slice(0, -2)}.${digits.slice(-2)}`);
}
