import type { Outcome } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectSynced } from '../assertions.js';
import { exportRecord, makeHubVendor, vendorsNamed } from '../entity-fixtures.js';
import type { CheckDefinition } from './types.js';

/** The ERP creates the vendor and the answer is lost: the retry does not create a second vendor. */
export const vendorCommitThenDropCheck: CheckDefinition = {
  async run(harness) {
    const { n } = harness.generate();
    const vendor = makeHubVendor(harness.options.fixtures, n);
    const attempts: Outcome[] = [];
    const hooks = { afterAttempt: async (_item: unknown, outcome: Outcome) => void attempts.push(outcome) };
    const outcome = await harness.withRuntime(async (runtime) => {
      harness.sandbox.resetStats();
      harness.sandbox.setFaults({ commitThenDrop: 1 });
      try {
        return await exportRecord(runtime, 'vendor', vendor, hooks);
      } finally {
        harness.sandbox.setFaults({ commitThenDrop: 0 });
      }
    });
    const erpId = expectSynced(outcome, 'a vendor export whose first answer was lost after the commit');
    expect(harness.sandbox.stats().requests, 'the connection was dropped, so a second call settled the vendor').toBeGreaterThanOrEqual(2);
    expect(
      attempts.map((attempt) => (attempt.kind === 'retryable' ? `retryable:committed-${attempt.committed}` : attempt.kind)),
      "the lost answer was reported as retryable with committed: 'unknown'",
    ).toContain('retryable:committed-unknown');
    const landed = vendorsNamed(harness, vendor.name);
    expect(landed, 'after commit, drop and retry: exactly one vendor with the name').toHaveLength(1);
    expect(landed[0]?.erpId, 'the outcome names the vendor the ERP created first').toBe(erpId);
  },
};
