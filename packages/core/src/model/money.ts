/**
 * Money is an integer count of cents in the model and an exact decimal string on the wire. Nothing here
 * goes through a binary float: strings are parsed digit by digit, and cents are printed digit by digit.
 */

/** The largest amount the model accepts: 99,999,999,999.99 in cents fits comfortably in a safe integer. */
export const MAX_CENTS = 9_999_999_999_999;

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Prints integer cents as a decimal string with exactly `scale` digits after the point (scale >= 2). */
export function formatCents(cents: number, scale = 2): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount ${String(cents)} is not an integer number of cents`);
  if (!Number.isInteger(scale) || scale < 0 || scale > 6) throw new RangeError(`scale ${scale} is not between 0 and 6`);
  const negative = cents < 0;
  const digits = String(Math.abs(cents)).padStart(3, '0');
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2);
  let out: string;
  if (scale >= 2) out = `${whole}.${fraction.padEnd(scale, "0")}`;
  else {
    if (fraction.slice(scale).replace(/0/g, '') !== '') {
      throw new RangeError(`amount ${whole}.${fraction} cannot be written with ${scale} decimal places without rounding`);
    }
    out = scale === 0 ? whole : `${whole}.${fraction.slice(0, scale)}`;
  }
  return negative ? `-${out}` : out;
}

/**
 * Parses an exact decimal (string, or a JSON number as an ERP sent it) into integer cents. Refuses more than
 * two significant decimal places instead of rounding: a rounded payment is a wrong payment.
 */
export function parseCents(value: string | number): number {
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`"${String(value)}" is not a decimal amount`);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > 2 && /[^0]/.test(fraction.slice(2))) {
    throw new RangeError(`"${String(value)}" has more than two decimal places`);
  }
  const cents = Number(whole) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(cents) || cents > MAX_CENTS) throw new RangeError(`"${String(value)}" is out of range`);
  // "-0.00" is zero: a negative zero would print as 0 yet fail Object.is and sort before 0.
  return sign && cents !== 0 ? -cents : cents;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite amount`);
  // JavaScript prints the shortest string that round-trips, so 100.3 prints as "100.3", never 100.29999…
  const text = String(value);
  if (/e/i.test(text)) throw new RangeError(`${text} is not a plain decimal amount`);
  return text;
}
