import type { Outcome, Payment } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectNothingLanded, expectOneLanded, expectSynced } from '../assertions.js';
import type { Harness } from '../harness.js';
import type { CheckDefinition } from './types.js';

/** Asserts a needs-edit outcome that names `field` and keeps the ERP's own text. */
function expectNeedsEdit(outcome: Outcome, field: 'checkNumber' | 'bankId', what: string): void {
  expect(outcome, `${what}: expected needs-edit`).toMatchObject({ kind: 'needs-edit' });
  if (outcome.kind !== 'needs-edit') return;
  expect(outcome.fields, `${what}: the editable fields named`).toContain(field);
  expect(outcome.erp?.message, `${what}: the ERP's own message is kept (outcome.erp.message)`).toMatch(/\S/);
}

/** Payment B, with its own vendor and bill, on payment A's bank account and with A's check number. */
function sameCheckOnSameBank(harness: Harness<unknown>): { first: Payment; second: Payment } {
  const seeded = harness.seeded().payment;
  const first: Payment = { ...seeded, checkNumber: seeded.checkNumber ?? harness.freshCheckNumber() };
  const second: Payment = { ...harness.generate().payment, bankId: first.bankId, checkNumber: first.checkNumber };
  harness.seed(second, { bank: false });
  return { first, second };
}

/** A check number already used on that bank account: needs-edit naming it; the edited record then exports. */
export const duplicateCheckNumberCheck: CheckDefinition = {
  async run(harness) {
    const { first, second } = sameCheckOnSameBank(harness);
    await harness.withRuntime(async (runtime) => {
      expectSynced(await harness.exportOne(runtime, first), 'the first payment with the check number');
      const refused = await harness.exportOne(runtime, second);
      expectNeedsEdit(refused, 'checkNumber', 'the same check number on the same bank account');
      expectNothingLanded(harness.landedForBill(second.invoice.erpId ?? ''), 'the duplicate check number');

      const edited: Payment = { ...second, checkNumber: harness.freshCheckNumber() };
      expectSynced(await harness.exportOne(runtime, edited, 2), 'after the check number is edited');
      const landed = expectOneLanded(harness.landedForBill(edited.invoice.erpId ?? ''), 'after the edit');
      if (landed.checkNumber !== undefined) expect(landed.checkNumber, 'the edited check number').toBe(edited.checkNumber);
    });
  },
  async lacks(harness) {
    const { first, second } = sameCheckOnSameBank(harness);
    await harness.withRuntime(async (runtime) => {
      expectSynced(await harness.exportOne(runtime, first), 'the first payment with the check number');
      expectSynced(
        await harness.exportOne(runtime, second),
        'skipped as not applicable, so the ERP must accept the same check number twice on one bank account',
      );
    });
  },
};

/** An unknown bank account: needs-edit naming the bank ID; after the bank ID is edited the record exports. */
export const unknownBankCheck: CheckDefinition = {
  async run(harness) {
    const { payment, ids } = harness.generate();
    harness.seed(payment, { bank: false });
    await harness.withRuntime(async (runtime) => {
      expectNeedsEdit(await harness.exportOne(runtime, payment), 'bankId', 'an unknown bank account');
      expectNothingLanded(harness.landedForBill(ids.billId), 'the unknown bank account');

      const known = harness.generate();
      harness.sandbox.seed({ bankAccounts: [{ id: known.ids.bankAccountId, name: `Operating ${known.ids.bankAccountId}` }] });
      const edited: Payment = { ...payment, bankId: known.ids.bankAccountId };
      expectSynced(await harness.exportOne(runtime, edited, 2), 'after the bank ID is edited');
      const landed = expectOneLanded(harness.landedForBill(ids.billId), 'after the edit');
      expect(landed.bankAccountId, 'the edited bank account').toBe(known.ids.bankAccountId);
    });
  },
  async lacks(harness) {
    const { payment } = harness.generate();
    harness.seed(payment, { bank: false });
    await harness.withRuntime(async (runtime) => {
      expectSynced(
        await harness.exportOne(runtime, payment),
        'skipped as not applicable, so the ERP must accept a payment whose bank account it does not know',
      );
    });
  },
};
