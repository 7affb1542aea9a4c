import type { Outcome, Payment } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectSynced } from '../assertions.js';
import type { Harness } from '../harness.js';
import type { CheckDefinition } from './types.js';

/** A date neither generated date uses, so a lookup that ignores the date shows. */
const OTHER_DATE = '2025-04-22';

/**
 * Payment A lands; then payments that share A's vendor, bank account and check number but are not A are looked
 * up (the connector's `find`, as the engine does after a lost answer): none may come back `synced`. A lookup that
 * matches on the natural key alone settles B against A's record, and B's bill is never paid while the ledger
 * says it was (issue 11, item 1). A's own lookup must still find A, so a lookup that finds nothing cannot pass.
 */
export const lookupIsThisPaymentCheck: CheckDefinition = {
  async run(harness) {
    const { payment } = harness.seeded();
    const first: Payment = { ...payment, checkNumber: payment.checkNumber ?? harness.freshCheckNumber() };
    await harness.withRuntime(async (runtime) => {
      const firstId = expectSynced(await harness.exportOne(runtime, first), 'payment A');
      const foundA = await runtime.settle(harness.item(first));
      expect(foundA, "looking payment A itself up finds A (the lookup is not blind)").toMatchObject({ kind: 'synced', erpId: firstId });

      for (const { what, second } of impostors(harness, first)) {
        const found = await runtime.settle(harness.item(second));
        expect(
          shown(found),
          `${what}, sharing A's vendor, bank account and check number, was never created: its lookup must not settle it against A (${firstId})`,
        ).not.toBe(`synced:${firstId}`);
        expect(shown(found), `${what} was never created: its lookup found nothing to settle it as synced`).not.toMatch(/^synced:/);
      }
    });
  },
};

/** Payments that are not A but share its vendor, bank account and check number; their bills are seeded. */
function impostors(harness: Harness<unknown>, first: Payment): { what: string; second: Payment }[] {
  const shared = { vendor: first.vendor, bankId: first.bankId, checkNumber: first.checkNumber } as const;

  // Another bill of A's vendor, for another amount.
  const other = harness.generate().payment;
  const otherBill: Payment = { ...other, ...shared };
  harness.seed(otherBill, { vendor: false, bank: false });

  // A's bill, for a different amount.
  const lessCents = first.amountCents - 45;
  const otherAmount: Payment = { ...first, id: harness.generate().payment.id, amountCents: lessCents };

  // A's bill and amount, on another date.
  const otherDate: Payment = { ...first, id: harness.generate().payment.id, fundedOn: OTHER_DATE, paidOn: OTHER_DATE };

  return [
    { what: 'payment B (another bill of the same vendor, another amount)', second: otherBill },
    { what: "payment C (A's bill, another amount)", second: otherAmount },
    { what: "payment D (A's bill and amount, another date)", second: otherDate },
  ];
}

function shown(outcome: Outcome | null): string {
  if (outcome === null) return 'not found';
  return outcome.kind === 'synced' ? `synced:${outcome.erpId}` : outcome.kind;
}
