import type { ErpVendor, HubVendor } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalGuidFor, vendorAdd } from '../src/index.js';
import { startQbdSandbox, type QbdSandbox } from '../src/sandbox/index.js';
import { clientFor, mapErpVendor, signal, vendorItem } from './entities.js';

let sandbox: QbdSandbox;
let counter = 0;

beforeAll(async () => {
  sandbox = await startQbdSandbox({ pollMs: 50, processingMs: 5 });
});
afterAll(() => sandbox.close());

function hubVendor(overrides: Partial<HubVendor> = {}): HubVendor {
  counter += 1;
  return {
    id: `hv-${counter}`,
    name: `Concrete & Co ${counter}`,
    address: { street: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', countryCode: 'US' },
    email: 'ap@concrete.example',
    phone: '512-555-0100',
    taxId: '12-3456789',
    isActive: true,
    ...overrides,
  };
}

describe('vendors to QuickBooks Desktop (VendorAdd)', () => {
  it('writes VendorAdd in schema order and refuses a name QuickBooks would cut off, naming the hub field', () => {
    const { payload } = vendorItem(hubVendor({ id: 'hv-order' }));
    expect(Object.keys(vendorAdd(payload, externalGuidFor('hv-order', 'vendor')))).toEqual(['Name', 'IsActive', 'CompanyName', 'VendorAddress', 'Phone', 'Email', 'VendorTaxIdent', 'ExternalGUID']);
    expect(() => vendorAdd({ ...payload, Name: 'N'.repeat(42) }, externalGuidFor('x', 'vendor'))).toThrow(/vendor's name .* longer than the 41 characters/);
  });

  it('creates the vendor with its fields and ExternalGUID; an inactive one is created inactive', async () => {
    const active = hubVendor();
    const inactive = hubVendor({ isActive: false, address: undefined });
    const client = clientFor(sandbox);
    try {
      const [first, second] = await client.vendors!.exporter!.load([vendorItem(active), vendorItem(inactive)], { signal });
      expect(first?.kind).toBe('synced');
      expect(second?.kind).toBe('synced');
      const landed = sandbox.vendors().find((vendor) => vendor.erpId === (first?.kind === 'synced' ? first.erpId : ''));
      expect(landed).toMatchObject({ name: active.name, active: true, created: true });
      expect(landed?.fields).toMatchObject({
        Name: active.name,
        CompanyName: active.name,
        VendorAddress: { Addr1: '1 Main St', City: 'Austin', State: 'TX', PostalCode: '78701', Country: 'US' },
        Phone: active.phone,
        Email: active.email,
        VendorTaxIdent: active.taxId,
        ExternalGUID: externalGuidFor(active.id, 'vendor'),
      });
      expect(sandbox.vendors().find((vendor) => vendor.name === inactive.name)).toMatchObject({ active: false, created: true });
    } finally {
      await client.close();
    }
  });

  it('finds its own vendor after a lost answer and never adds it twice; a vendor made in QuickBooks is not ours', async () => {
    const vendor = hubVendor();
    sandbox.setFaults({ commitThenDrop: 1 });
    const first = clientFor(sandbox, { answerWaitMs: 1_500 });
    try {
      const [lost] = await first.vendors!.exporter!.load([vendorItem(vendor)], { signal });
      expect(lost?.kind).not.toBe('synced');
    } finally {
      await first.close();
    }
    const second = clientFor(sandbox);
    try {
      const listId = sandbox.vendors().find((candidate) => candidate.name === vendor.name)?.erpId;
      expect(await second.vendors!.exporter!.find(vendorItem(vendor), { signal })).toEqual({ kind: 'synced', erpId: listId, replayed: true });
      const [again] = await second.vendors!.exporter!.load([vendorItem(vendor, 2)], { signal });
      expect(again).toEqual({ kind: 'synced', erpId: listId, replayed: true });
      expect(sandbox.vendors().filter((candidate) => candidate.name === vendor.name)).toHaveLength(1);

      // Same name typed into QuickBooks: not this vendor (no ExternalGUID) — find says absent, load refuses naming it.
      const typed = hubVendor();
      const typedId = sandbox.addVendor({ name: typed.name.toUpperCase(), active: true });
      expect(await second.vendors!.exporter!.find(vendorItem(typed), { signal })).toBeNull();
      const [clash] = await second.vendors!.exporter!.load([vendorItem(typed)], { signal });
      expect(clash?.kind === 'rejected' && clash.message).toMatch(new RegExp(`already has a vendor named .*ListID ${typedId}`));
    } finally {
      await second.close();
    }
  });

  it('a name another list holds (a customer) comes back as QuickBooks\' own 3100', async () => {
    const vendor = hubVendor();
    sandbox.seedLists({ customers: [{ id: '8C000001-1741900400', name: vendor.name }] });
    const client = clientFor(sandbox);
    try {
      const [outcome] = await client.vendors!.exporter!.load([vendorItem(vendor)], { signal });
      expect(outcome).toMatchObject({ kind: 'rejected', erp: { code: '3100', message: `The name "${vendor.name}" of the list element is already in use.` } });
    } finally {
      await client.close();
    }
  });
});

describe('vendors from QuickBooks Desktop (VendorQuery)', () => {
  it('pages every vendor (inactive too) in one session, maps them to ErpVendor, and resumes from its cursor', async () => {
    const own = await startQbdSandbox({ pollMs: 50, processingMs: 5 });
    const client = clientFor(own, { importPageSize: 2 });
    try {
      const ids = ['Alpha Drywall', 'Bravo Steel', 'Charlie Electric', 'Delta Paving', 'Echo Glass'].map((name, index) => own.addVendor({ name, active: index !== 2 }));
      const records: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      for await (const page of client.vendors!.importer!.pages({ signal })) {
        records.push(...page.records);
        cursor = page.cursor;
      }
      expect(records.map((record) => record.ListID).sort()).toEqual([...ids].sort());
      const mapped = records.map((record) => mapErpVendor(record, { lookups: {} }));
      const charlie = mapped.find((result) => result.ok && (result.value as ErpVendor).name === 'Charlie Electric');
      expect(charlie).toEqual({ ok: true, value: { erpVendorId: ids[2], name: 'Charlie Electric', isActive: false, erpStatus: 'Inactive' } });
      expect(own.webConnector().worked).toBeLessThanOrEqual(2);

      // Resumed from the cursor: only vendors modified since (the boundary one may come again).
      const later = own.addVendor({ name: 'Foxtrot Roofing', active: true });
      const again: Record<string, unknown>[] = [];
      for await (const page of client.vendors!.importer!.pages({ signal, ...(cursor === undefined ? {} : { cursor }) })) again.push(...page.records);
      expect(again.map((record) => record.ListID)).toContain(later);
      expect(again.length).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
      await own.close();
    }
  });
});
