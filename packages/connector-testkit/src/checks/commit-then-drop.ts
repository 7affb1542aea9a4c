import type { Outcome } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectOneLanded, expectSynced } from '../assertions.js';
import type { CheckDefinition } from './types.js';

/**
 * The ERP commits the payment and the answer is lost (the sandbox destroys the connection after committing):
 * the lost answer is `retryable` with `committed: 'unknown'`, and the next attempt does not post a second
 * payment: the ERP replays it (native idempotency key) or the connector finds it (lookup by natural key).
 */
export const commitThenDropCheck: CheckDefinition = {
  async run(harness) {
    const { payment, ids } = harness.seeded();
    const attempts: Outcome[] = [];
    const hooks = { afterAttempt: async (_item: unknown, outcome: Outcome) => void attempts.push(outcome) };
    const outcome = await harness.withRuntime(
      async (runtime) => {
        harness.sandbox.resetStats();
        harness.sandbox.setFaults({ commitThenDrop: 1 });
        try {
          return await harness.exportOne(runtime, payment);
        } finally {
          harness.sandbox.setFaults({ commitThenDrop: 0 });
        }
      },
      { hooks },
    );

    const erpId = expectSynced(outcome, 'an export whose first answer was lost after the commit');
    expect(harness.sandbox.stats().requests, 'the connection was dropped, so a second call settled the payment').toBeGreaterThanOrEqual(2);
    expect(
      attempts.map((attempt) => (attempt.kind === 'retryable' ? `retryable:committed-${attempt.committed}` : attempt.kind)),
      "the lost answer was reported as retryable with committed: 'unknown'",
    ).toContain('retryable:committed-unknown');
    const landed = expectOneLanded(harness.landedForBill(ids.billId), 'after commit, drop and retry: no second payment');
    expect(landed.erpId, 'the outcome names the payment the ERP committed first').toBe(erpId);
    const sameCheck = harness.sandbox
      .payments()
      .filter((candidate) => candidate.bankAccountId === ids.bankAccountId && candidate.checkNumber === payment.checkNumber);
    expect(sameCheck.length, 'at most one payment with that check number on that bank account').toBeLessThanOrEqual(1);
  },
};
