import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../src/index.js';

const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt and takes the random share of it (full jitter)', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, top))).toEqual([99, 199, 399, 799]);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });

  it('never goes above maxDelayMs however many attempts failed', () => {
    expect(backoffDelay(5, policy, () => 0.999_999)).toBe(999);
    expect(backoffDelay(80, policy, () => 0.999_999)).toBe(999);
    expect(backoffDelay(2_000, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(15_000);
  });

  it('can be zero: full jitter spreads retries from no wait up to the ceiling', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(4, policy, () => 0)).toBe(0);
  });

  it('honours a Retry-After longer than the back-off, even above maxDelayMs', () => {
    expect(backoffDelay(1, { ...policy, retryAfterMs: 750 }, () => 0.5)).toBe(750);
    expect(backoffDelay(2, { ...policy, retryAfterMs: 60_000 }, () => 0.5)).toBe(60_000);
  });

  it('keeps the back-off when it is longer than Retry-After', () => {
    expect(backoffDelay(4, { ...policy, retryAfterMs: 10 }, () => 0.5)).toBe(400);
  });

  it('uses Math.random by default and stays within the ceiling', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(3, policy);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(400);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });
});
