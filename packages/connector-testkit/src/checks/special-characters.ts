import { loadMappingFile, supports, type Connector, type Payment, type SandboxPayment } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectOneLanded, expectSynced } from '../assertions.js';
import type { Harness } from '../harness.js';
import { importAll } from './import.js';
import { payloadContains, payloadHolds, stringsIn } from './payload.js';
import type { CheckDefinition } from './types.js';

/** XML and HTML metacharacters, quotes, non-ASCII letters and an emoji with a variation selector. */
export const SPECIAL_VENDOR_NAME = `Smith & Sons <"Ünïcode"> 'Bau' 🏗️`;
export const SPECIAL_NOTES = `Paid & settled <ok> "quoted" 'single' — Zürich 🚧`;

/** What an escaped, double-escaped or wrongly decoded value leaves behind. */
const MANGLED = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);|\uFFFD|Ã|â€/i;

/** A seeded payment to the vendor with the special name, carrying the special notes. */
function specialPayment(harness: Harness<unknown>): Payment {
  const { payment } = harness.generate();
  const special: Payment = { ...payment, vendor: { ...payment.vendor, name: SPECIAL_VENDOR_NAME }, notes: SPECIAL_NOTES };
  harness.seed(special);
  return special;
}

/** Every string the ERP stored for the payment is free of escape residue, and the special values are whole. */
function expectStoredUnchanged(landed: SandboxPayment): void {
  for (const value of stringsIn(landed.fields)) {
    expect(value, 'a stored field holds no escaped or wrongly decoded text').not.toMatch(MANGLED);
    if (value.includes('Sons')) expect(value, 'the vendor name is stored whole').toContain(SPECIAL_VENDOR_NAME);
    if (value.includes('settled')) expect(value, 'the notes are stored whole').toContain(SPECIAL_NOTES);
  }
}

/** Whether the connector's import mapping produces PaymentIssued.notes. */
async function importMapsNotes(connector: Connector): Promise<boolean> {
  const document = await loadMappingFile(connector.mapping.path);
  const tree = document.entities.payment?.import as { fields?: Record<string, unknown> } | undefined;
  return tree?.fields?.notes !== undefined && tree.fields.notes !== null;
}

/** Imports a payment with the special notes made in the ERP; where the import maps notes they come back exactly. */
async function expectImportUnchanged(harness: Harness<unknown>): Promise<void> {
  if (!supports(harness.connector.capabilities, 'payment', 'import')) return;
  const { ids, payment } = harness.seeded();
  const erpId = harness.sandbox.addPayment({
    vendorId: ids.vendorId,
    bankAccountId: ids.bankAccountId,
    billId: ids.billId,
    amountCents: payment.amountCents,
    date: '2025-04-07',
    method: 'check',
    checkNumber: harness.freshCheckNumber(),
    notes: SPECIAL_NOTES,
    final: true,
  });
  const { records, errors } = await harness.withRuntime(importAll);
  expect(errors, 'every imported record maps (page.errors is empty)').toEqual([]);
  const record = records.find((candidate) => candidate.erpPaymentId === erpId);
  expect(record, `the payment with special notes (${erpId}) is imported`).toBeDefined();
  if (await importMapsNotes(harness.connector)) {
    expect(record?.notes, 'imported notes, character for character').toBe(SPECIAL_NOTES);
  } else if (record?.notes !== undefined) {
    expect(record.notes, 'imported notes, character for character').toBe(SPECIAL_NOTES);
  }
}

/** Vendor names and notes with `& < > " '`, non-ASCII and emoji survive export and import unchanged. */
export const specialCharactersCheck: CheckDefinition = {
  async run(harness) {
    const payment = specialPayment(harness);
    await harness.withRuntime(async (runtime) => {
      const mapped = runtime.mapPayment(payment, payment.id);
      expect(mapped, 'the export mapping maps the payment').toMatchObject({ ok: true });
      const payload = mapped.ok ? mapped.value : {};
      expect(
        payloadContains(payload, SPECIAL_NOTES),
        'the export mapping carries Notes; if this ERP has no place for them, skip special-characters with a written reason',
      ).toBe(true);

      expectSynced(await harness.exportOne(runtime, payment), 'a payment with special characters');
      const landed = expectOneLanded(harness.landedForBill(payment.invoice.erpId ?? ''), 'a payment with special characters');
      expect(landed.memo, "the sandbox reports the stored memo (SandboxPayment.memo)").toBeDefined();
      if (payloadHolds(payload, SPECIAL_NOTES)) expect(landed.memo, 'the memo, character for character').toBe(SPECIAL_NOTES);
      else expect(landed.memo, 'the memo keeps the notes, character for character').toContain(SPECIAL_NOTES);
      expectStoredUnchanged(landed);
    });
    await expectImportUnchanged(harness);
  },
  async lacks(harness) {
    const payment = specialPayment(harness);
    await harness.withRuntime(async (runtime) => {
      const mapped = runtime.mapPayment(payment, payment.id);
      expect(
        mapped.ok && payloadContains(mapped.value, SPECIAL_NOTES),
        'skipped as not applicable, so the export mapping must not carry Notes',
      ).toBe(false);
      expectSynced(await harness.exportOne(runtime, payment), 'a payment to a vendor with special characters');
      const landed = expectOneLanded(harness.landedForBill(payment.invoice.erpId ?? ''), 'a payment with special characters');
      expect(landed.memo, 'skipped as not applicable, so the sandbox stores no memo').toBeUndefined();
      expectStoredUnchanged(landed);
    });
    await expectImportUnchanged(harness);
  },
};
