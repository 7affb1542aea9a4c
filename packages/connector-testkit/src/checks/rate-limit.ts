import { maxInWindow, type Payment, type RateLimit } from '@ledgerlink/core';
import { expect } from 'vitest';
import { errorShape, expectOneLanded, expectSynced, thrownBy } from '../assertions.js';
import type { CheckDefinition } from './types.js';

/**
 * A customer's limit below the declared one: at most 4 calls per 300 ms and 2 at once, stretched where the
 * connector declares a slower rate, so that no window of the declared length lets more calls through than
 * the declared limit does.
 */
export function loweredLimit(declared: RateLimit): RateLimit {
  const requests = Math.min(4, declared.requests);
  const concurrency = Math.min(2, declared.concurrency);
  // How many of our windows may fit into one declared window without exceeding its count.
  const windows = Math.floor(declared.requests / requests);
  const intervalMs = Math.max(300, Math.ceil(declared.intervalMs / windows));
  return { requests, intervalMs, concurrency };
}

/**
 * The sliding window the arrivals are counted in: a quarter shorter than the interval, because the sandbox
 * stamps an arrival when its event loop gets to it, which can squeeze two arrivals closer than they were sent.
 * A lane that bursts at window edges or ignores its limit still puts well over `requests` in it.
 */
export function countingWindowMs(limit: RateLimit): number {
  return Math.max(1, Math.floor(limit.intervalMs * 0.75));
}

/**
 * The declared limit is sane; raising it without `allowAboveDeclared` is refused; and over a burst the lane
 * never exceeds the (lowered) rate or concurrency, as the sandbox counts them.
 */
export const rateLimitCheck: CheckDefinition = {
  async run(harness) {
    const declared = harness.connector.capabilities.rateLimit;
    for (const key of ['requests', 'intervalMs', 'concurrency'] as const) {
      expect(Number.isInteger(declared[key]) && declared[key] > 0, `the declared rateLimit.${key} is a positive integer`).toBe(true);
    }

    const raised = { requests: declared.requests * 2, concurrency: declared.concurrency * 2 };
    const before = harness.requests();
    const error = await thrownBy(() => harness.withRuntime((runtime) => runtime.check(), { rateLimit: raised }), 'a limit above the declared one');
    const refusal = errorShape(error);
    expect(refusal.code, 'a limit above the declared one is refused with a stable code').toMatch(/^LL_/);
    expect(refusal.message, 'the refusal says how to allow it').toMatch(/allowAboveDeclared/);
    expect(harness.requests(), 'refused before any call to the ERP').toBe(before);
    await harness.withRuntime(async (runtime) => {
      expect(runtime.rateLimit, 'with allowAboveDeclared the raised limit is the lane limit').toMatchObject(raised);
    }, { rateLimit: { ...raised, allowAboveDeclared: true } });

    const limit = loweredLimit(declared);
    const payments: Payment[] = [];
    for (let i = 0; i < limit.requests * 4; i++) payments.push(harness.seeded().payment);
    const outcomes = await harness.withRuntime(
      async (runtime) => {
        expect(runtime.rateLimit, 'the lowered customer limit is the lane limit').toMatchObject(limit);
        harness.sandbox.resetStats();
        // Where the connector batches, one call per payment keeps it one request per payment: a burst of requests.
        if (harness.connector.capabilities.maxBatch === 1) return harness.exportMany(runtime, payments);
        return Promise.all(payments.map((payment) => harness.exportOne(runtime, payment)));
      },
      { rateLimit: limit },
    );

    const stats = harness.sandbox.stats();
    expect(stats.requests, 'the burst reached the sandbox').toBeGreaterThanOrEqual(payments.length);
    expect(stats.maxConcurrent, `never more than ${limit.concurrency} calls at once`).toBeLessThanOrEqual(limit.concurrency);
    const windowMs = countingWindowMs(limit);
    expect(maxInWindow(stats.arrivals, windowMs), `never more than ${limit.requests} calls within ${windowMs} ms`).toBeLessThanOrEqual(
      limit.requests,
    );
    outcomes.forEach((outcome, index) => {
      const payment = payments[index] as Payment;
      expectSynced(outcome, `burst payment ${payment.id}`);
      expectOneLanded(harness.landedForBill(payment.invoice.erpId ?? ''), `burst payment ${payment.id}`);
    });
  },
};
