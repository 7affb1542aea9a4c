/**
 * The agent's own reading of money on its wire (independent of the connector's): Sage stores amounts as
 * decimals with two places; the agent protocol carries them as strings like "1234.50".
 */

const AMOUNT = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "1234.5" -> 123450; anything that is not a plain non-negative amount with at most two decimals -> undefined. */
export function centsOf(text: string): number | undefined {
  const match = AMOUNT.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** 123450 -> "1234.50". */
export function amountText(cents: number): string {
  const whole = Math.trunc(cents / 100);
  const rest = String(Math.abs(cents) % 100).padStart(2, '0');
  return `${cents < 0 && whole === 0 ? '-' : ''}${whole}.${rest}`;
}
