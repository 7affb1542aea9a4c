import type { Outcome } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectSynced } from '../assertions.js';
import { billsOfVendor, exportRecord, makeRequisition, seedRequisitionVendor } from '../entity-fixtures.js';
import type { CheckDefinition } from './types.js';

/**
 * The ERP commits the bill and the answer is lost: the lost answer is `retryable` with `committed: 'unknown'`, and
 * the retry does not post a second bill (the ERP replays it, or the loader's `find` finds it by number and vendor).
 */
export const requisitionCommitThenDropCheck: CheckDefinition = {
  async run(harness) {
    const { n } = harness.generate();
    const requisition = makeRequisition(harness.options.fixtures, n);
    seedRequisitionVendor(harness, requisition);
    const attempts: Outcome[] = [];
    const hooks = { afterAttempt: async (_item: unknown, outcome: Outcome) => void attempts.push(outcome) };
    const outcome = await harness.withRuntime(async (runtime) => {
      harness.sandbox.resetStats();
      harness.sandbox.setFaults({ commitThenDrop: 1 });
      try {
        return await exportRecord(runtime, 'requisition', requisition, hooks);
      } finally {
        harness.sandbox.setFaults({ commitThenDrop: 0 });
      }
    });
    const erpId = expectSynced(outcome, 'a requisition export whose first answer was lost after the commit');
    expect(harness.sandbox.stats().requests, 'the connection was dropped, so a second call settled the bill').toBeGreaterThanOrEqual(2);
    expect(
      attempts.map((attempt) => (attempt.kind === 'retryable' ? `retryable:committed-${attempt.committed}` : attempt.kind)),
      "the lost answer was reported as retryable with committed: 'unknown'",
    ).toContain('retryable:committed-unknown');
    // The vendor is this requisition's alone: any second bill of it is a second post, whatever its number.
    const bills = billsOfVendor(harness, requisition.vendor.erpId ?? '');
    expect(bills.map((bill) => bill.number), 'after commit, drop and retry: exactly one bill for the vendor').toEqual([requisition.number]);
    expect(bills[0]?.erpId, 'the outcome names the bill the ERP committed first').toBe(erpId);
  },
};
