import { ErrorCodes, type ConnectorRuntime, type PaymentIssued, type RecordError } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectErrorCode, thrownBy } from '../assertions.js';
import type { Harness } from '../harness.js';
import type { CheckDefinition } from './types.js';

/** A run that pages on and on is a broken cursor, not a big ERP: the sandbox holds a few dozen payments. */
const MAX_PAGES = 1_000;

/** Reads every page of an import from the start. */
export async function importAll(runtime: ConnectorRuntime): Promise<{ records: PaymentIssued[]; errors: RecordError[] }> {
  const records: PaymentIssued[] = [];
  const errors: RecordError[] = [];
  let pages = 0;
  for await (const page of runtime.importPayments()) {
    records.push(...page.records);
    errors.push(...page.errors);
    pages += 1;
    if (pages > MAX_PAGES) throw new Error(`import did not end after ${MAX_PAGES} pages: does the cursor move?`);
  }
  return { records, errors };
}

/** Adds a payment to the ERP directly, as an accountant would, for payment `n`'s vendor, bank and bill. */
function addErpPayment(harness: Harness<unknown>, final: boolean, date: string) {
  const { payment, ids } = harness.seeded();
  const input = {
    vendorId: ids.vendorId,
    bankAccountId: ids.bankAccountId,
    billId: ids.billId,
    amountCents: payment.amountCents,
    date,
    method: 'check' as const,
    checkNumber: harness.freshCheckNumber(),
    final,
  };
  return { ...input, erpId: harness.sandbox.addPayment(input) };
}

/** Import returns the final payments and only those, mapped back to the canonical PaymentIssued. */
export const importCheck: CheckDefinition = {
  async run(harness) {
    const finals = [addErpPayment(harness, true, '2025-04-02'), addErpPayment(harness, true, '2025-04-03')];
    const draft = addErpPayment(harness, false, '2025-04-04');
    const { records, errors } = await harness.withRuntime(importAll);

    expect(errors, 'every imported record maps (page.errors is empty)').toEqual([]);
    const ours = new Set([...finals, draft].map((payment) => payment.erpId));
    expect(
      records.filter((record) => ours.has(record.erpPaymentId)).map((record) => record.erpPaymentId).sort(),
      'exactly the final payments come back, the non-final one does not',
    ).toEqual(finals.map((payment) => payment.erpId).sort());
    const stored = new Map(harness.sandbox.payments().map((payment) => [payment.erpId, payment]));
    for (const record of records) {
      expect(stored.get(record.erpPaymentId)?.final, `imported ${record.erpPaymentId} is final in the ERP`).toBe(true);
    }

    for (const expected of finals) {
      const record = records.find((candidate) => candidate.erpPaymentId === expected.erpId) as PaymentIssued;
      expect(
        { amountCents: record.amountCents, paidOn: record.paidOn, method: record.method, checkNumber: record.checkNumber },
        `imported ${expected.erpId}, mapped back`,
      ).toEqual({ amountCents: expected.amountCents, paidOn: expected.date, method: expected.method, checkNumber: expected.checkNumber });
      expect(record.erpStatus, `imported ${expected.erpId} keeps the ERP's status`).toMatch(/\S/);
      const optional = { erpInvoiceId: expected.billId, vendorErpId: expected.vendorId, bankId: expected.bankAccountId };
      for (const [field, value] of Object.entries(optional)) {
        const actual = record[field as keyof typeof optional];
        if (actual !== undefined) expect(actual, `imported ${expected.erpId}: ${field}`).toBe(value);
      }
    }
  },
  async refusal(harness) {
    await harness.withRuntime(async (runtime) => {
      const before = harness.requests();
      const error = await thrownBy(() => importAll(runtime), 'import without the capability');
      expectErrorCode(error, ErrorCodes.CAPABILITY_MISSING, 'import without payment import declared');
      expect(harness.requests(), 'refused before any call to the ERP').toBe(before);
    });
  },
};
