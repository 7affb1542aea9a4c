/**
 * Fuzzed amounts: `parseCents` reads what ERPs send (strings and JSON numbers) and either returns integer cents
 * within the model's range or refuses with a RangeError naming the value, which callers turn into a typed outcome;
 * `formatCents` and `parseCents` agree on every amount the model holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCents, MAX_CENTS, parseCents } from '../src/model/money.js';

const runs = (defaultRuns: number): number => Number(process.env.LEDGERLINK_FUZZ_RUNS ?? defaultRuns);

const amountText = fc.oneof(
  fc.stringMatching(/^-?\d{0,16}(\.\d{0,4})?$/),
  fc.constantFrom('1e5', '1E-2', ' 12.00 ', '-0', '-0.00', '0.001', '.5', '5.', '+5', 'NaN', 'Infinity', '', '١٠٠', '99999999999.99', '100000000000.00'),
  fc.string({ maxLength: 24 }),
);

describe('money under fuzzed amounts', () => {
  it('returns integer cents within range, or refuses with a RangeError naming the value', () => {
    fc.assert(
      fc.property(fc.oneof(amountText, fc.double(), fc.integer()), (value) => {
        let cents: number;
        try {
          cents = parseCents(value);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          expect((error as Error).message).toContain(String(value).trim().slice(0, 10));
          return;
        }
        expect(Number.isSafeInteger(cents) && Math.abs(cents) <= MAX_CENTS).toBe(true);
        expect(Object.is(cents, -0)).toBe(false);
      }),
      { numRuns: runs(3000) },
    );
  });

  it('reads back every amount it writes, at every scale', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_CENTS, max: MAX_CENTS }), fc.integer({ min: 2, max: 6 }), (cents, scale) => {
        expect(parseCents(formatCents(cents, scale))).toBe(cents === 0 ? 0 : cents);
      }),
      { numRuns: runs(2000) },
    );
  });

  it('reads a negative zero as zero', () => {
    expect(Object.is(parseCents('-0.00'), 0)).toBe(true);
    expect(Object.is(parseCents(-0), 0)).toBe(true);
  });
});
