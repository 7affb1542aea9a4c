/**
 * Procore writes money as decimal strings with one decimal kept and trailing zeros dropped, as in the events
 * dictionary's example (`"1.0"`, `"3.0"`): 1250 dollars is "1250.0", ten cents "0.1". Cents in, digits out: never a
 * float.
 */
export function wireAmount(cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2).replace(/0$/, '') || '0';
  return `${cents < 0 ? '-' : ''}${whole}.${fraction}`;
}

/**
 * A decimal amount string as a client sent it, in cents; undefined when it is not one. Only strings: a JSON number
 * would already have been through a float. Trailing zeros past the cents are accepted ("12.500"), other digits not.
 */
export function readAmount(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(-?)(\d{1,13})(?:\.(\d{1,2})0*)?$/.exec(value.trim());
  if (match === null) return undefined;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
}
