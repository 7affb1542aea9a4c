/**
 * Vendors through the Direct API's vendors object: the queued create (VendorGroup + Vendor number, name, active
 * flag, address), settled from the cache by number and name; a number another vendor holds refused in Vista's
 * words; and the vendor cache read back with continuation tokens and a resumable cursor.
 */
import { ErpVendor } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { VistaSandbox } from '../src/sandbox/index.js';
import { clientFor, context, hubVendor, loadAndSettle, mapWith, vendorItem } from './entity-support.js';
import { seededSandbox } from './helpers.js';

let sandbox: VistaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function read(target: VistaSandbox, cursor?: string) {
  const client = clientFor(target);
  const pages: { records: Record<string, unknown>[]; cursor: string }[] = [];
  for await (const page of client.vendors!.importer!.pages({ ...context(), ...(cursor === undefined ? {} : { cursor }) })) pages.push(page);
  return pages;
}

describe('vendor export', () => {
  it('queues the vendor with its group, number, name and address; it lands and settles on its vendor number', async () => {
    sandbox = await seededSandbox();
    const client = clientFor(sandbox);
    const record = hubVendor({ code: '40100', phone: '775-555-0101', taxId: '12-3456789' });
    const { first, last } = await loadAndSettle(client.vendors!.exporter!, vendorItem(record));
    expect(first).toMatchObject({ kind: 'accepted' });
    expect(last).toEqual({ kind: 'synced', erpId: '40100' });
    expect(sandbox.vendors().find((vendor) => vendor.erpId === '40100')).toMatchObject({
      name: record.name,
      active: true,
      created: true,
      fields: { VendorGroup: 1, Vendor: '40100', Name: record.name, ActiveYN: 'Y', City: 'Reno', State: 'NV', EMail: 'ap@ortiz.example', Phone: '775-555-0101', TaxId: '12-3456789' },
    });
  });

  it('a vendor number that is not a number is refused at once, naming Vendor', async () => {
    sandbox = await seededSandbox();
    const client = clientFor(sandbox);
    const [outcome] = await client.vendors!.exporter!.load([vendorItem(hubVendor({ code: 'ORTIZ' }))], context());
    expect(outcome).toMatchObject({ kind: 'rejected', erp: { detail: 'Vendor: Vendor ORTIZ must be a number from 1 to 999999.' } });
  });

  it('a number another vendor holds is refused in Vista\u2019s words, not linked to that vendor', async () => {
    sandbox = await seededSandbox();
    const existing = sandbox.addVendor({ name: 'Someone Else', code: '40200', active: true });
    const client = clientFor(sandbox);
    const { last } = await loadAndSettle(client.vendors!.exporter!, vendorItem(hubVendor({ code: existing })));
    expect(last).toMatchObject({ kind: 'rejected', erp: { message: 'Vendor 40200 already exists in vendor group 1 (Someone Else).' } });
  });

  it('exactly once after a lost answer: a fresh client finds the vendor by number and name', async () => {
    sandbox = await seededSandbox({ faults: { commitThenDrop: 1 } });
    const item = vendorItem(hubVendor({ isActive: false }));
    const [lost] = await clientFor(sandbox).vendors!.exporter!.load([item], context());
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    const client = clientFor(sandbox);
    let found = await client.vendors!.exporter!.find(item, context());
    for (let i = 0; found === null && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      found = await client.vendors!.exporter!.find(item, context());
    }
    expect(found).toEqual({ kind: 'synced', erpId: item.record.code, replayed: true });
    expect(sandbox.vendors().filter((vendor) => vendor.created)).toHaveLength(1);
    expect(sandbox.vendors().find((vendor) => vendor.created)?.active).toBe(false);
  });
});

describe('vendor import', () => {
  it('reads every vendor of the group through empty pages and tokens, mapped to ErpVendor; the next run reads only what changed', async () => {
    sandbox = await seededSandbox();
    sandbox.addVendor({ name: 'Alpha Steel', code: '50001', active: true });
    sandbox.addVendor({ name: 'Beta Glass', active: false });
    const pages = await read(sandbox);
    const records = pages.flatMap((page) => page.records);
    const vendors = records.map((record) => ErpVendor.parse(mapWith('vendor', 'import', record)));
    expect(vendors.map((vendor) => vendor.name).sort()).toEqual(['Alpha Steel', 'Beta Glass', 'Vendor 1', 'Vendor 2', 'Vendor 3']);
    expect(vendors.find((vendor) => vendor.name === 'Alpha Steel')).toMatchObject({ erpVendorId: '50001', code: '50001', isActive: true, erpStatus: 'Y' });
    expect(vendors.find((vendor) => vendor.name === 'Beta Glass')).toMatchObject({ isActive: false, erpStatus: 'N' });
    // pageSize 2 with one empty page first: several pages, each with a cursor.
    expect(pages.length).toBeGreaterThan(2);

    await new Promise((resolve) => setTimeout(resolve, 5));
    sandbox.addVendor({ name: 'Gamma Roofing', code: '50003', active: true });
    const next = (await read(sandbox, pages.at(-1)?.cursor)).flatMap((page) => page.records);
    expect(next.map((record) => record.Name)).toEqual(['Gamma Roofing']);
  });
});
