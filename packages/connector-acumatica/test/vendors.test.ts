/**
 * Vendors on the wire: `PUT …/Vendor` (insert only) with the Vendor ID from the hub's code or auto-numbered,
 * found again after a lost answer by that key or by the exact name; and `GET …/Vendor` paged with `$top`/`$skip`
 * and resumed from its cursor, mapped by `entities.vendor.import`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErpVendor } from '@ledgerlink/core';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { clientFor, hubVendor, mapWith, signal, vendorItem } from './entity-support.js';
import { VENDOR, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

async function collect(sandboxed: AcumaticaSandbox, cursor?: string) {
  const client = clientFor(sandboxed);
  const pages: { records: Record<string, unknown>[]; cursor: string }[] = [];
  try {
    for await (const page of client.vendors!.importer!.pages({ signal: new AbortController().signal, ...(cursor === undefined ? {} : { cursor }) })) pages.push(page);
  } finally {
    await client.close();
  }
  return pages;
}

describe('vendor export', () => {
  it('PUT Vendor with the hub code as Vendor ID, name, status and main contact; the vendor lands', async () => {
    sandbox = await startSeeded();
    const record = hubVendor({ code: 'ORTIZ01', phone: '+1 775 555 0101', taxId: '12-3456789' });
    const client = clientFor(sandbox);
    try {
      const [outcome] = await client.vendors!.exporter!.load([vendorItem(record)], signal());
      expect(outcome).toEqual({ kind: 'synced', erpId: 'ORTIZ01' });
    } finally {
      await client.close();
    }
    const put = sandbox.requestLog().find((entry) => entry.method === 'PUT');
    expect(put?.url).toBe('/AcumaticaERP/entity/Default/24.200.001/Vendor');
    expect(put?.headers['if-none-match']).toBe('*');
    expect(JSON.parse(put?.body ?? '{}')).toEqual({
      VendorID: { value: 'ORTIZ01' },
      VendorName: { value: record.name },
      Status: { value: 'Active' },
      TaxRegistrationID: { value: '12-3456789' },
      MainContact: { Email: { value: 'ap@ortiz.example' }, Phone1: { value: '+1 775 555 0101' }, Address: { City: { value: 'Reno' }, State: { value: 'NV' }, Country: { value: 'US' } } },
    });
    expect(sandbox.vendors().find((vendor) => vendor.erpId === 'ORTIZ01')).toMatchObject({ name: record.name, active: true, created: true });
  });

  it('without a code Acumatica numbers the vendor; a lost answer is found by the exact name, and never posted twice', async () => {
    sandbox = await startSeeded({ faults: { commitThenDrop: 1 } });
    const record = hubVendor({ isActive: false });
    const client = clientFor(sandbox);
    try {
      const item = vendorItem(record);
      const [lost] = await client.vendors!.exporter!.load([item], signal());
      expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
      const found = await client.vendors!.exporter!.find(item, signal());
      const created = sandbox.vendors().filter((vendor) => vendor.created);
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ name: record.name, active: false });
      expect(found).toEqual({ kind: 'synced', erpId: created[0]?.erpId, replayed: true });
    } finally {
      await client.close();
    }
  });

  it('a code another vendor already has is refused (412 then a lookup that finds another name), not linked', async () => {
    sandbox = await startSeeded();
    const client = clientFor(sandbox);
    try {
      const [outcome] = await client.vendors!.exporter!.load([vendorItem(hubVendor({ code: VENDOR }))], signal());
      expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringContaining(`Vendor ID "${VENDOR}" under another name`) });
      expect(await client.vendors!.exporter!.find(vendorItem(hubVendor({ code: 'NEVERSENT' })), signal())).toBeNull();
    } finally {
      await client.close();
    }
  });

  it('a name over 255 characters is refused in Acumatica\u2019s words', async () => {
    sandbox = await startSeeded();
    const client = clientFor(sandbox);
    try {
      const [outcome] = await client.vendors!.exporter!.load([vendorItem(hubVendor({ name: 'N'.repeat(256) }))], signal());
      expect(outcome).toMatchObject({ kind: 'rejected', erp: { detail: 'VendorName', message: "'Vendor Name' cannot be longer than 255 characters." } });
    } finally {
      await client.close();
    }
  });
});

describe('vendor import', () => {
  it('pages of $top with $skip, every vendor once, mapped to ErpVendor; the next run asks only what changed since', async () => {
    let clock = Date.parse('2025-06-01T10:00:00Z');
    sandbox = await startSeeded({ now: () => new Date((clock += 1000)) });
    const ids = [sandbox.addVendor({ name: 'Alpha Steel', code: 'ALPHA', active: true }), sandbox.addVendor({ name: 'Beta Glass', active: false })];
    for (let n = 0; n < 150; n++) sandbox.addVendor({ name: `Vendor ${n}`, active: true });
    const pages = await collect(sandbox);
    expect(pages.map((page) => page.records.length)).toEqual([100, 53]);
    const gets = sandbox.requestLog().filter((entry) => entry.method === 'GET').map((entry) => decodeURIComponent(entry.url));
    expect(gets).toEqual([
      '/AcumaticaERP/entity/Default/24.200.001/Vendor?$expand=MainContact&$top=100',
      '/AcumaticaERP/entity/Default/24.200.001/Vendor?$expand=MainContact&$top=100&$skip=100',
    ]);
    const mapped = pages.flatMap((page) => page.records).map((record) => ErpVendor.parse(mapWith('vendor', 'import', record)));
    expect(new Set(mapped.map((vendor) => vendor.erpVendorId)).size).toBe(153);
    expect(mapped.find((vendor) => vendor.erpVendorId === ids[0])).toMatchObject({ name: 'Alpha Steel', code: 'ALPHA', isActive: true, erpStatus: 'Active' });
    expect(mapped.find((vendor) => vendor.erpVendorId === ids[1])).toMatchObject({ name: 'Beta Glass', isActive: false, erpStatus: 'Inactive' });

    // The next run, from the last cursor: only the vendor changed since (and the boundary instant again).
    const added = sandbox.addVendor({ name: 'Gamma Roofing', active: true });
    const next = await collect(sandbox, pages.at(-1)?.cursor);
    const names = next.flatMap((page) => page.records).map((record) => (record.VendorName as { value: string }).value);
    expect(names).toContain('Gamma Roofing');
    expect(names.length).toBeLessThanOrEqual(2);
    expect(added).toMatch(/^V\d+$/);
  });

  it('a cursor this connector did not write is refused, naming it', async () => {
    sandbox = await startSeeded();
    await expect(collect(sandbox, 'not json')).rejects.toMatchObject({ code: 'LL_CONNECTOR_CONFIG_INVALID', message: expect.stringContaining('vendor import cursor "not json"') });
  });
});
