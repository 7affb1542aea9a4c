import type { Outcome } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectOneLanded, expectSynced } from '../assertions.js';
import type { CheckDefinition } from './types.js';

/** Throttle answers in a row: more than one, so a lane that gives up after the first pause shows. */
const THROTTLED_ANSWERS = 2;

/**
 * The sandbox answers with its ERP's own throttle response: the connector reports `retryable` (throttled),
 * the engine retries, the export ends synced and posts exactly once.
 *
 * The throttle answers go to the ERP's own endpoint, not to a token endpoint: one payment is exported first in
 * the same runtime, so an OAuth client already holds its access token when the sandbox starts throttling. (A
 * token helper that retries a throttled refresh by itself would otherwise absorb both answers, and a client
 * that takes the ERP's 429 for a final refusal would pass.)
 */
export const throttlingCheck: CheckDefinition = {
  async run(harness) {
    const warmUp = harness.seeded();
    const { payment, ids } = harness.seeded();
    const attempts: Outcome[] = [];
    const hooks = { afterAttempt: async (_item: unknown, outcome: Outcome) => void attempts.push(outcome) };
    const outcome = await harness.withRuntime(
      async (runtime) => {
        expectSynced(await harness.exportOne(runtime, warmUp.payment), 'the warm-up export before throttling (it fetches any token)');
        attempts.length = 0;
        harness.sandbox.resetStats();
        harness.sandbox.setFaults({ throttleNext: THROTTLED_ANSWERS });
        try {
          return await harness.exportOne(runtime, payment);
        } finally {
          harness.sandbox.setFaults({ throttleNext: 0 });
        }
      },
      { hooks },
    );
    expectSynced(outcome, 'an export through throttle answers');
    expect(harness.sandbox.stats().throttled, "the sandbox answered with its ERP's throttle response").toBeGreaterThanOrEqual(1);
    expect(
      attempts.map((attempt) => (attempt.kind === 'retryable' ? `retryable:${attempt.reason}` : attempt.kind)),
      'the throttled attempt was reported as retryable (throttled), then retried',
    ).toContain('retryable:throttled');
    expectOneLanded(harness.landedForBill(ids.billId), 'an export through throttle answers');
  },
  async lacks(harness) {
    const { payment } = harness.seeded();
    await harness.withRuntime(async (runtime) => {
      harness.sandbox.resetStats();
      harness.sandbox.setFaults({ throttleNext: THROTTLED_ANSWERS });
      try {
        expectSynced(await harness.exportOne(runtime, payment), 'an export with throttleNext set');
      } finally {
        harness.sandbox.setFaults({ throttleNext: 0 });
      }
    });
    expect(
      harness.sandbox.stats().throttled,
      'skipped as not applicable, so the sandbox must have no throttle response to give',
    ).toBe(0);
  },
};
