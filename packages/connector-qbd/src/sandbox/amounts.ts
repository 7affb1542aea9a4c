/** QuickBooks amounts as the sandbox reads and writes them: decimal strings, kept as integer cents. */

/** "123.45" -> 12345; undefined when it is not an amount QuickBooks takes (digits, at most two decimals). */
export function centsOf(value: string): number | undefined {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (match === null) return undefined;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 12345 -> "123.45". */
export function amountOf(cents: number): string {
  const whole = Math.floor(cents / 100);
  return `${whole}.${String(cents % 100).padStart(2, '0')}`;
}
