import { ErrorCodes } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectErpAnswer } from '../assertions.js';
import { billsNumbered, exportRecord, makeRequisition } from '../entity-fixtures.js';
import type { CheckDefinition } from './types.js';

/**
 * A requisition whose vendor ERP id the ERP does not know (the hub thinks it is synced; the ERP lost or never had
 * it): `rejected` LL_ERP_REJECTED with the ERP's own code and text, and no bill lands.
 */
export const requisitionUnknownVendorCheck: CheckDefinition = {
  async run(harness) {
    const { n } = harness.generate();
    const requisition = makeRequisition(harness.options.fixtures, n);
    const what = 'a requisition billed by a vendor the ERP does not know';
    await harness.withRuntime(async (runtime) => {
      const outcome = await exportRecord(runtime, 'requisition', requisition);
      expect(outcome, `${what}: expected rejected`).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_REJECTED });
      expectErpAnswer(outcome, what);
    });
    expect(
      billsNumbered(harness, requisition.number).map((bill) => bill.erpId),
      `${what}: a refused requisition leaves no bill in the sandbox`,
    ).toEqual([]);
  },
};
