import { ErrorCodes } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectNothingLanded } from '../assertions.js';
import type { CheckBody } from './types.js';

/** Without payment export declared, the engine refuses an export cleanly: LL_CAPABILITY_MISSING, no call made. */
export const exportRefusal: CheckBody = async (harness) => {
  const { payment, ids } = harness.seeded();
  await harness.withRuntime(async (runtime) => {
    const before = harness.requests();
    const outcome = await harness.exportOne(runtime, payment);
    expect(outcome, 'an export without payment export declared').toMatchObject({
      kind: 'rejected',
      code: ErrorCodes.CAPABILITY_MISSING,
    });
    expect(harness.requests(), 'refused before any call to the ERP').toBe(before);
  });
  expectNothingLanded(harness.landedForBill(ids.billId), 'a refused export');
};
