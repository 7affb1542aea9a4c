import { ENTITY_DEFINITIONS, ErrorCodes, type Entity } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectErrorCode, thrownBy } from '../assertions.js';
import { exportRecord, importAllVendors, makeHubVendor, makeRequisition } from '../entity-fixtures.js';
import type { Harness } from '../harness.js';
import type { CheckBody } from './types.js';

/** The connector's own reason for not doing entity × direction, when it gives one: the refusal must name it. */
function reasonOf(harness: Harness<unknown>, entity: Entity, direction: 'export' | 'import'): string | undefined {
  return harness.connector.capabilities.unsupported?.[entity]?.[direction];
}

/**
 * Without `entity: [export]` declared, the engine refuses an export of it cleanly: `rejected`
 * LL_CAPABILITY_MISSING, naming the connector's `unsupported` reason, and no request reaches the sandbox.
 */
export function entityExportRefusal(entity: 'requisition' | 'vendor'): CheckBody {
  return async (harness) => {
    const { n } = harness.generate();
    const record = entity === 'requisition' ? makeRequisition(harness.options.fixtures, n) : makeHubVendor(harness.options.fixtures, n);
    const reason = reasonOf(harness, entity, 'export');
    await harness.withRuntime(async (runtime) => {
      const before = harness.requests();
      const outcome = await exportRecord(runtime, entity, record);
      expect(outcome, `a ${ENTITY_DEFINITIONS[entity].label} export without ${entity} export declared`).toMatchObject({
        kind: 'rejected',
        code: ErrorCodes.CAPABILITY_MISSING,
      });
      if (reason !== undefined && outcome.kind === 'rejected') {
        expect(outcome.message, "the refusal names the connector's capabilities.unsupported reason").toContain(reason);
      }
      expect(harness.requests(), 'refused before any call to the ERP').toBe(before);
    });
  };
}

/** Without `vendor: [import]` declared, a vendor import fails on first use with LL_CAPABILITY_MISSING, before any call. */
export const vendorImportRefusal: CheckBody = async (harness) => {
  const reason = reasonOf(harness, 'vendor', 'import');
  await harness.withRuntime(async (runtime) => {
    const before = harness.requests();
    const error = await thrownBy(() => importAllVendors(runtime), 'vendor import without the capability');
    const message = expectErrorCode(error, ErrorCodes.CAPABILITY_MISSING, 'vendor import without vendor import declared');
    if (reason !== undefined) expect(message, "the refusal names the connector's capabilities.unsupported reason").toContain(reason);
    expect(harness.requests(), 'refused before any call to the ERP').toBe(before);
  });
};
