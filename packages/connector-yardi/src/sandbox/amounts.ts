/**
 * Amounts as the sandbox reads and writes them: decimal text, turned into integer cents digit by digit. More
 * than two decimals, a sign or an exponent is refused, never rounded.
 */
const DECIMAL = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

export function centsOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = DECIMAL.exec(text.trim());
  if (match === null) return undefined;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Integer cents as Yardi writes an amount: `123.45`. */
export function decimalOf(cents: number): string {
  const digits = String(cents).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** A date the interface accepts (`YYYY-MM-DD`, optionally with a time, or `MM/DD/YYYY`) as ISO, if it exists. */
export function isoDateOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+)?$/.exec(value);
  const us = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
  const date = iso !== null ? `${iso[1]}-${iso[2]}-${iso[3]}` : us !== null ? `${us[3]}-${us[1]}-${us[2]}` : undefined;
  if (date === undefined) return undefined;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date) ? date : undefined;
}
