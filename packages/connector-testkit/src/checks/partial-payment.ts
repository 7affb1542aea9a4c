import { ErrorCodes, type Payment } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectNothingLanded, expectOneLanded, expectSynced } from '../assertions.js';
import type { Harness } from '../harness.js';
import type { CheckDefinition } from './types.js';

/** A seeded payment that pays a little less than half of its invoice's total. */
function partialPayment(harness: Harness<unknown>): Payment {
  const { payment } = harness.generate();
  const partial: Payment = {
    ...payment,
    amountCents: payment.amountCents - 1_001,
    invoice: { ...payment.invoice, amountCents: payment.amountCents * 2 },
  };
  harness.seed(partial);
  return partial;
}

/** Synced where the connector declares partialPayments, else refused with that reason before any call. */
export const partialPaymentCheck: CheckDefinition = {
  async run(harness) {
    const payment = partialPayment(harness);
    const billId = payment.invoice.erpId ?? '';
    await harness.withRuntime(async (runtime) => {
      expectSynced(await harness.exportOne(runtime, payment), 'a partial payment (partialPayments declared)');
    });
    const landed = expectOneLanded(harness.landedForBill(billId), 'a partial payment');
    expect(
      { amountCents: landed.amountCents, applications: landed.applications },
      'the partial amount is what was paid and applied to the bill',
    ).toEqual({ amountCents: payment.amountCents, applications: [{ billId, amountCents: payment.amountCents }] });
  },
  async refusal(harness) {
    const payment = partialPayment(harness);
    await harness.withRuntime(async (runtime) => {
      const before = harness.requests();
      const outcome = await harness.exportOne(runtime, payment);
      expect(outcome, 'a partial payment without partialPayments is refused with that reason').toMatchObject({
        kind: 'rejected',
        code: ErrorCodes.PARTIAL_PAYMENT_UNSUPPORTED,
      });
      if (outcome.kind === 'rejected') expect(outcome.message, 'the refusal says why').toMatch(/\S/);
      expect(harness.requests(), 'refused before any call to the ERP').toBe(before);
    });
    expectNothingLanded(harness.landedForBill(payment.invoice.erpId ?? ''), 'a refused partial payment');
  },
};
