import { expect } from 'vitest';
import { expectSynced } from '../assertions.js';
import { billsNumbered, exportRecord, makeRequisition, seedRequisitionVendor } from '../entity-fixtures.js';
import { entityExportRefusal } from './entity-refusal.js';
import type { CheckDefinition } from './types.js';

/**
 * A requisition becomes exactly one AP bill in the ERP: its number, vendor, total and retainage (where the ERP keeps
 * retainage), its lines in order (where the ERP keeps lines), created through the API; the synced outcome carries
 * the bill's ERP id (what the requisition's payments then carry as `invoice.erpId`).
 */
export const requisitionExportCheck: CheckDefinition = {
  async run(harness) {
    const { n } = harness.generate();
    const requisition = makeRequisition(harness.options.fixtures, n);
    seedRequisitionVendor(harness, requisition);
    await harness.withRuntime(async (runtime) => {
      expect(runtime.mapRecord('requisition', requisition), 'the requisition export mapping maps the generated requisition').toMatchObject({ ok: true });
      const erpId = expectSynced(await exportRecord(runtime, 'requisition', requisition), 'requisition export');
      const bills = billsNumbered(harness, requisition.number);
      expect(bills, 'requisition export: exactly one bill with the invoice number').toHaveLength(1);
      const bill = bills[0]!;
      expect(bill.erpId, "the synced outcome carries the ERP's id of the landed bill").toBe(erpId);
      expect(
        { vendorId: bill.vendorId, amountCents: bill.amountCents, created: bill.created },
        'the landed bill: vendor, total (the sum of the lines), created through the API',
      ).toEqual({ vendorId: requisition.vendor.erpId, amountCents: requisition.totalCents, created: true });
      if (bill.retainageCents !== undefined) expect(bill.retainageCents, "the bill's retainage").toBe(requisition.retainageCents);
      if (bill.lines.length > 0) {
        expect(
          bill.lines.map((line) => line.amountCents),
          "the bill's lines: one per requisition line, in order, each with its amount",
        ).toEqual(requisition.lines.map((line) => line.amountCents));
      }
    });
  },
  refusal: entityExportRefusal('requisition'),
};
