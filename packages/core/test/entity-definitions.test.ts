import { describe, expect, it } from 'vitest';
import { Capabilities, ENTITY_DEFINITIONS, HUB_REQUESTS, Requisition, entityDirections, entityOptionsOf, validateRecord } from '../src/index.js';

const requisition = {
  id: 'R-1',
  number: 'INV-9348',
  billingDate: '2026-03-31',
  vendor: { id: 'V-1', name: 'Summit Concrete', erpId: 'V100' },
  project: { id: 'P-1', number: '2026-001' },
  commitment: { id: 'C-1', erpId: 'SC-7' },
  totalCents: 100_000,
  retainageCents: 2_000,
  lines: [
    { id: 'L-1', description: 'Forms equipment', amountCents: 50_000, retainageCents: 1_000, costCodeOriginId: '03-100' },
    { id: 'L-2', description: 'Steel', amountCents: 50_000, retainageCents: 1_000 },
  ],
};

describe('entity definitions', () => {
  it('a requisition whose lines do not add up to its total is refused, naming the field', () => {
    expect(validateRecord(Requisition, requisition).ok).toBe(true);
    const wrong = validateRecord(Requisition, { ...requisition, totalCents: 99_999 });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors).toEqual([{ recordId: 'R-1', field: 'totalCents', message: 'the lines add up to 100000 cents, not 99999' }]);
    const retainage = validateRecord(Requisition, { ...requisition, retainageCents: 0 });
    expect(retainage.ok ? [] : retainage.errors.map((error) => error.field)).toEqual(['retainageCents']);
  });

  it('every ERP Request name routes to a defined entity, and prerequisites chain payment -> requisition -> vendor', () => {
    for (const [name, route] of Object.entries(HUB_REQUESTS)) expect(ENTITY_DEFINITIONS[route.entity], name).toBeDefined();
    expect(HUB_REQUESTS.create_contract_payment).toEqual({ entity: 'payment', action: 'export' });
    expect(HUB_REQUESTS.create_requisitions).toEqual({ entity: 'requisition', action: 'export' });
    expect(ENTITY_DEFINITIONS.payment.prerequisites.map((p) => p.entity)).toEqual(['requisition']);
    expect(ENTITY_DEFINITIONS.requisition.prerequisites.map((p) => p.entity)).toEqual(['vendor']);
    expect(ENTITY_DEFINITIONS.vendor.prerequisites).toEqual([]);
    expect(ENTITY_DEFINITIONS.requisition.prerequisites[0]!.erpIdOf(requisition as Requisition)).toBe('V100');
    expect(entityDirections('requisition')).toEqual(['export']);
    expect(entityDirections('vendor')).toEqual(['export', 'import']);
  });

  it('per-entity batch size and idempotency fall back to the connector-wide values', () => {
    const capabilities = Capabilities.parse({
      entities: { payment: ['export'], requisition: ['export'] },
      partialPayments: false,
      maxBatch: 1,
      rateLimit: { requests: 10, intervalMs: 1000, concurrency: 1 },
      idempotency: 'lookup',
      entityOptions: { requisition: { maxBatch: 25 } },
      unsupported: { vendor: { import: 'no vendor list in this ERP' } },
    });
    expect(entityOptionsOf(capabilities, 'requisition')).toEqual({ maxBatch: 25, idempotency: 'lookup' });
    expect(entityOptionsOf(capabilities, 'payment')).toEqual({ maxBatch: 1, idempotency: 'lookup' });
    expect(capabilities.unsupported.vendor?.import).toBe('no vendor list in this ERP');
  });
});
