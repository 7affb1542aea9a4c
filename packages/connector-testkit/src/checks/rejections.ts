import { ErrorCodes } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectErpAnswer, expectNothingLanded, expectSynced } from '../assertions.js';
import type { SeedParts } from '../fixtures.js';
import type { CheckDefinition } from './types.js';

/**
 * A refusal no edit can fix: `rejected`, with LL_ERP_REJECTED and the ERP's own code and text as it said them.
 * `leftOut` is the part the ERP must not know.
 */
function rejectionCheck(leftOut: keyof SeedParts, what: string): CheckDefinition {
  return {
    async run(harness) {
      const { payment, ids } = harness.generate();
      harness.seed(payment, { [leftOut]: false });
      await harness.withRuntime(async (runtime) => {
        const outcome = await harness.exportOne(runtime, payment);
        expect(outcome, `${what}: expected rejected (no edit of check number or bank ID can fix it)`).toMatchObject({
          kind: 'rejected',
          code: ErrorCodes.ERP_REJECTED,
        });
        expectErpAnswer(outcome, what);
        expectNothingLanded(harness.landedForBill(ids.billId), what);
      });
    },
    async lacks(harness) {
      const { payment } = harness.generate();
      harness.seed(payment, { [leftOut]: false });
      await harness.withRuntime(async (runtime) => {
        expectSynced(await harness.exportOne(runtime, payment), `skipped as not applicable, so the ERP must accept ${what}`);
      });
    },
  };
}

/** The bill (invoice) the payment applies to is not in the ERP. */
export const unknownBillCheck = rejectionCheck('bill', 'a payment of a bill that is not in the ERP');

/** The vendor is not in the ERP (its bill is seeded under the unknown vendor's id). */
export const unknownVendorCheck = rejectionCheck('vendor', 'a payment to a vendor that is not in the ERP');
