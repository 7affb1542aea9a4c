import { expect } from 'vitest';
import { expectOneLanded, expectSynced } from '../assertions.js';
import type { CheckDefinition } from './types.js';
import { payloadHolds } from './payload.js';

/**
 * A payment lands with every field the seed table maps: vendor, bank account, check number, amount, date,
 * and one application to its bill for the full amount.
 */
export const exportCheck: CheckDefinition = {
  async run(harness) {
    const { payment, ids } = harness.seeded();
    const dateField = harness.options.fixtures.exportDate ?? 'fundedOn';
    await harness.withRuntime(async (runtime) => {
      const mapped = runtime.mapPayment(payment, payment.id);
      expect(mapped, 'the export mapping maps the generated payment').toMatchObject({ ok: true });
      const mapsCheckNumber = mapped.ok && payloadHolds(mapped.value, payment.checkNumber ?? '');

      const erpId = expectSynced(await harness.exportOne(runtime, payment), 'export');
      const landed = expectOneLanded(harness.landedForBill(ids.billId), 'export');
      expect(landed.erpId, "the synced outcome carries the ERP's id of the landed payment").toBe(erpId);
      expect(
        {
          vendorId: landed.vendorId,
          bankAccountId: landed.bankAccountId,
          amountCents: landed.amountCents,
          date: landed.date,
          applications: landed.applications,
        },
        'the landed payment, field by field',
      ).toEqual({
        vendorId: ids.vendorId,
        bankAccountId: ids.bankAccountId,
        amountCents: payment.amountCents,
        date: payment[dateField],
        applications: [{ billId: ids.billId, amountCents: payment.amountCents }],
      });
      if (mapsCheckNumber) expect(landed.checkNumber, 'the check number, as the mapping maps it').toBe(payment.checkNumber);
    });
  },
};
