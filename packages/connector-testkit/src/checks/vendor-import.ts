import { expect } from 'vitest';
import { addErpVendor, importAllVendors } from '../entity-fixtures.js';
import { vendorImportRefusal } from './entity-refusal.js';
import type { CheckDefinition } from './types.js';

/**
 * Vendors made in the ERP directly (`addVendor`) come back from the vendor import, mapped to the canonical
 * ErpVendor: the ERP id `addVendor` returned, the name, the active flag. An inactive vendor, where the import
 * returns it at all, says so.
 */
export const vendorImportCheck: CheckDefinition = {
  async run(harness) {
    const { n } = harness.generate();
    const active = { name: `Imported Vendor ${n}`, code: `IV${n}`, active: true };
    const inactive = { name: `Imported Vendor ${n} (closed)`, code: `IV${n}X`, active: false };
    const activeId = addErpVendor(harness, active);
    const inactiveId = addErpVendor(harness, inactive);
    const { records, errors } = await harness.withRuntime(importAllVendors);

    expect(errors, 'every imported vendor maps (page.errors is empty)').toEqual([]);
    const found = records.filter((record) => record.erpVendorId === activeId);
    expect(found, `the vendor added in the ERP (${activeId}) is imported exactly once`).toHaveLength(1);
    expect({ name: found[0]?.name, isActive: found[0]?.isActive }, `imported ${activeId}, mapped back`).toEqual({ name: active.name, isActive: true });
    if (found[0]?.code !== undefined) expect(found[0].code, `imported ${activeId}: its code`).toBe(active.code);
    for (const record of records.filter((candidate) => candidate.erpVendorId === inactiveId)) {
      expect({ name: record.name, isActive: record.isActive }, `imported ${inactiveId}, an inactive vendor`).toEqual({ name: inactive.name, isActive: false });
    }
  },
  refusal: vendorImportRefusal,
};
