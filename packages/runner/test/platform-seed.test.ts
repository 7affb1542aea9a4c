import { describe, expect, it } from 'vitest';
import { platformSeed } from '../src/demo/platform-seed.js';

/** The seed the demo and the runner bench fund payments from: hub and ERP sides that agree. */
describe('platformSeed', () => {
  it('gives each payment a vendor of its own by default, or goes round `vendors` subcontractors, the ERP bill on the same vendor', () => {
    for (const [vendors, expected] of [[undefined, 10], [3, 3]] as const) {
      const seed = platformSeed({ companyId: 4264, count: 10, ...(vendors === undefined ? {} : { vendors }) });
      expect(seed.hub.vendors).toHaveLength(expected);
      expect(seed.erp.vendors).toHaveLength(expected);
      const hubVendors = new Map((seed.hub.vendors ?? []).map((vendor) => [vendor.id, vendor.originId]));
      const bills = new Map((seed.erp.bills ?? []).map((bill) => [bill.id, bill.vendorId]));
      for (const payment of seed.payments) {
        const requisition = seed.hub.requisitions?.find((r) => r.id === payment.requisitionId);
        const commitment = seed.hub.commitments?.find((c) => c.id === requisition?.commitmentId);
        const vendorOrigin = hubVendors.get(commitment?.vendorId as number);
        expect(vendorOrigin, `payment ${payment.contractPaymentId}: its commitment's vendor is in the hub, linked to the ERP`).toBeDefined();
        expect(bills.get(payment.billId), `payment ${payment.contractPaymentId}: its bill is on the same vendor in the ERP`).toBe(vendorOrigin);
      }
    }
  });
});
