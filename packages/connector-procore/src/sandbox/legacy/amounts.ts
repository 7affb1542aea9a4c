/**
 * Procore writes money as decimal strings with the trailing zeros dropped but one decimal kept: 1250 dollars is
 * "1250.0", ten cents "0.1". The sandbox reads and writes them digit by digit, like the ERP would store them.
 */
export function wireAmount(cents: number): string {
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2).replace(/0$/, '') || '0';
  return `${cents < 0 ? '-' : ''}${whole}.${fraction}`;
}

/** A decimal amount as a client sent it (string or JSON number), in cents; undefined when it is not one. */
export function readAmount(value: unknown): number | undefined {
  const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (raw === undefined) return undefined;
  const match = /^(-?)(\d{1,13})(?:\.(\d{1,2})0*)?$/.exec(raw);
  if (match === null) return undefined;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}
