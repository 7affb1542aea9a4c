import { expect } from 'vitest';
import { expectSynced } from '../assertions.js';
import { exportRecord, makeHubVendor, vendorsNamed } from '../entity-fixtures.js';
import { entityExportRefusal } from './entity-refusal.js';
import type { CheckDefinition } from './types.js';

/** A hub vendor becomes exactly one ERP vendor, active, created through the API; the outcome carries its ERP id. */
export const vendorExportCheck: CheckDefinition = {
  async run(harness) {
    const { n } = harness.generate();
    const vendor = makeHubVendor(harness.options.fixtures, n);
    await harness.withRuntime(async (runtime) => {
      expect(runtime.mapRecord('vendor', vendor), 'the vendor export mapping maps the generated vendor').toMatchObject({ ok: true });
      const erpId = expectSynced(await exportRecord(runtime, 'vendor', vendor), 'vendor export');
      const landed = vendorsNamed(harness, vendor.name);
      expect(landed, 'vendor export: exactly one vendor with the name').toHaveLength(1);
      expect(
        { erpId: landed[0]?.erpId, active: landed[0]?.active, created: landed[0]?.created },
        "the landed vendor: the outcome's ERP id, active, created through the API",
      ).toEqual({ erpId, active: true, created: true });
      if (landed[0]?.code !== undefined && vendor.code !== undefined) expect(landed[0].code, "the vendor's code, where the ERP keeps one").toBe(vendor.code);
    });
  },
  refusal: entityExportRefusal('vendor'),
};
