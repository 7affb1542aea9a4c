import { fileURLToPath } from 'node:url';
import {
  compileMapping,
  loadMappingFile,
  type ConnectorClient,
  type ConnectorRuntime,
  type HubVendor,
  type LoadItem,
  type Requisition,
} from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QboSandbox } from '../src/sandbox/index.js';
import { directClient, loadItemFor, paymentFor, runtimeFor, signal, startSandbox } from './support.js';

const mapping = loadMappingFile(fileURLToPath(new URL('../mapping.yaml', import.meta.url)));
const mapRequisition = compileMapping(mapping, 'requisition', 'export');
const mapVendor = compileMapping(mapping, 'vendor', 'export');
const importVendor = compileMapping(mapping, 'vendor', 'import');

let sandbox: QboSandbox;
let runtime: ConnectorRuntime;
let client: ConnectorClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = runtimeFor(sandbox);
  client = directClient(sandbox);
});
afterAll(async () => {
  await runtime.close();
  await sandbox.close();
});

/** Requisition `n` of vendor `600 + n`: two lines (one with retainage) on expense accounts 60 and 61. */
function requisitionFor(n: number, overrides: Partial<Requisition> = {}): Requisition {
  return {
    id: `req-${n}`,
    number: `PA-${n}`,
    billingDate: '2025-04-30',
    vendor: { id: `hub-v-${n}`, name: `Sub ${n}`, erpId: String(600 + n) },
    project: { id: 'hub-p-1', number: 'P-1' },
    commitment: { id: `sc-${n}` },
    totalCents: 1_000_010,
    retainageCents: 50_000,
    lines: [
      { id: `li-${n}-1`, description: 'Concrete & rebar <level 2>', amountCents: 1_000_000, retainageCents: 50_000, costCodeOriginId: '60' },
      { id: `li-${n}-2`, description: 'Permit fee', amountCents: 10, retainageCents: 0, costCodeOriginId: '61' },
    ],
    ...overrides,
  };
}

function itemOf(requisition: Requisition, revision = 1): LoadItem<Record<string, unknown>, Requisition> {
  const mapped = mapRequisition(requisition, { lookups: {} });
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return { id: requisition.id, idempotencyKey: `${requisition.id}.r${revision}`, record: requisition, payload: mapped.value };
}

function vendorItem(vendor: HubVendor): LoadItem<Record<string, unknown>, HubVendor> {
  const mapped = mapVendor(vendor, { lookups: {} });
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return { id: vendor.id, idempotencyKey: `${vendor.id}.r1`, record: vendor, payload: mapped.value };
}

function seedVendor(n: number): void {
  sandbox.seed({ vendors: [{ id: String(600 + n), name: `Sub ${n}` }] });
}

describe('requisition -> POST /bill', () => {
  it('creates the bill with its lines, exact amounts, number and date, and a payment of it applies to it', async () => {
    seedVendor(1);
    const requisition = requisitionFor(1);
    const [outcome] = await client.requisitions!.exporter!.load([itemOf(requisition)], { signal });
    expect(outcome).toMatchObject({ kind: 'synced' });
    const billId = (outcome as { erpId: string }).erpId;
    const bill = sandbox.bills!().find((b) => b.erpId === billId);
    expect(bill).toMatchObject({ vendorId: '601', number: 'PA-1', amountCents: 1_000_010, date: '2025-04-30', created: true });
    expect(bill?.lines).toEqual([
      { amountCents: 1_000_000, description: 'Concrete & rebar <level 2>', costCode: '60' },
      { amountCents: 10, description: 'Permit fee', costCode: '61' },
    ]);
    expect(bill?.fields['TotalAmt']).toBe(10000.1);

    // Pay the net (total less retainage) of the new bill: the retainage stays as its open balance.
    sandbox.seed({ bankAccounts: [{ id: '35', name: 'Operating' }] });
    const payment = paymentFor(1, {
      amountCents: 950_010,
      bankId: '35',
      vendor: { id: 'hub-v-1', name: 'Sub 1', erpId: '601' },
      invoice: { id: 'req-1', number: 'PA-1', amountCents: 1_000_010, erpId: billId },
    });
    const [paid] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(paid).toMatchObject({ kind: 'synced' });
    expect(sandbox.payments().find((p) => p.erpId === (paid as { erpId: string }).erpId)?.applications).toEqual([{ billId, amountCents: 950_010 }]);
    expect(sandbox.billBalance(billId)).toBe(50_000);
  });

  it('a commit whose answer is lost is replayed by requestid: one bill, the same id', async () => {
    seedVendor(2);
    const item = itemOf(requisitionFor(2));
    sandbox.setFaults({ commitThenDrop: 1 });
    const [lost] = await client.requisitions!.exporter!.load([item], { signal });
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    const found = await client.requisitions!.exporter!.find(item, { signal });
    const [retried] = await client.requisitions!.exporter!.load([item], { signal });
    const landed = sandbox.bills!().filter((b) => b.vendorId === '602' && b.number === 'PA-2');
    expect(landed).toHaveLength(1);
    expect(found).toEqual({ kind: 'synced', erpId: landed[0]?.erpId, replayed: true });
    expect(retried).toEqual({ kind: 'synced', erpId: landed[0]?.erpId });
  });

  it('find() never settles on another bill: same number, other total or other vendor is not this requisition', async () => {
    seedVendor(3);
    seedVendor(4);
    const requisition = requisitionFor(3);
    expect(await client.requisitions!.exporter!.find(itemOf(requisition), { signal })).toBeNull();
    await client.requisitions!.exporter!.load([itemOf(requisition)], { signal });
    const otherTotal = requisitionFor(3, {
      totalCents: 1_000_020,
      lines: [{ id: 'x', description: '', amountCents: 1_000_020, retainageCents: 0, costCodeOriginId: '60' }],
      retainageCents: 0,
    });
    expect(await client.requisitions!.exporter!.find(itemOf(otherTotal), { signal })).toBeNull();
    const otherVendor = requisitionFor(3, { vendor: { id: 'hub-v-4', name: 'Sub 4', erpId: '604' } });
    expect(await client.requisitions!.exporter!.find(itemOf(otherVendor), { signal })).toBeNull();
  });

  it('a duplicate bill number for the vendor (6140) is refused in QuickBooks\' words; a second attempt of the same requisition settles on its bill', async () => {
    seedVendor(5);
    const requisition = requisitionFor(5);
    const [first] = await client.requisitions!.exporter!.load([itemOf(requisition)], { signal });
    // A new revision (new requestid) of the same requisition: QuickBooks refuses the number, the lookup finds it.
    const [again] = await client.requisitions!.exporter!.load([itemOf(requisition, 2)], { signal });
    expect(again).toEqual({ ...first, replayed: true });
    const other = requisitionFor(5, { id: 'req-5b', totalCents: 10, retainageCents: 0, lines: [{ id: 'y', description: '', amountCents: 10, retainageCents: 0, costCodeOriginId: '60' }] });
    const [refused] = await client.requisitions!.exporter!.load([itemOf(other)], { signal });
    expect(refused).toMatchObject({ kind: 'rejected', erp: { code: '6140' } });
    expect((refused as { message: string }).message).toContain('already has bill number PA-5 for vendor 605');
  });

  it('an unknown vendor and an unknown expense account are refused, naming which, and nothing lands', async () => {
    const before = sandbox.bills!().length;
    const [vendor] = await client.requisitions!.exporter!.load([itemOf(requisitionFor(6))], { signal });
    expect(vendor).toMatchObject({ kind: 'rejected', erp: { code: '2500' } });
    expect((vendor as { message: string }).message).toContain('no active vendor 606');
    seedVendor(7);
    const badAccount = requisitionFor(7, {
      lines: [
        { id: 'a', description: '', amountCents: 1_000_000, retainageCents: 50_000, costCodeOriginId: '999' },
        { id: 'b', description: '', amountCents: 10, retainageCents: 0, costCodeOriginId: '60' },
      ],
    });
    const [account] = await client.requisitions!.exporter!.load([itemOf(badAccount)], { signal });
    expect(account).toMatchObject({ kind: 'rejected', erp: { code: '2500' } });
    expect((account as { message: string }).message).toContain('expense account 999');
    expect(sandbox.bills!()).toHaveLength(before);
  });

  it('the same refusals without a Fault element still tell vendor from account (a lookup decides)', async () => {
    const plain = await startSandbox({ faultElements: false });
    try {
      const plainClient = directClient(plain);
      const [vendor] = await plainClient.requisitions!.exporter!.load([itemOf(requisitionFor(8))], { signal });
      expect((vendor as { message: string }).message).toContain('no active vendor 608');
      plain.seed({ vendors: [{ id: '609', name: 'Sub 9' }] });
      const bad = requisitionFor(9, { lines: [{ id: 'a', description: '', amountCents: 1_000_010, retainageCents: 50_000, costCodeOriginId: '998' }] });
      const [account] = await plainClient.requisitions!.exporter!.load([itemOf(bad)], { signal });
      expect((account as { message: string }).message).toContain('expense account 998');
    } finally {
      await plain.close();
    }
  });
});

describe('vendors: POST /vendor and query Vendor', () => {
  const hubVendor = (n: number, overrides: Partial<HubVendor> = {}): HubVendor => ({
    id: `hv-${n}`,
    name: `Ridge & Sons Concrete ${n}`,
    email: `ap${n}@ridge.example`,
    address: { street: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', countryCode: 'US' },
    taxId: '12-3456789',
    isActive: true,
    ...overrides,
  });

  it('creates the vendor; a lost answer is replayed; find() looks it up by DisplayName', async () => {
    const item = vendorItem(hubVendor(1));
    expect(await client.vendors!.exporter!.find(item, { signal })).toBeNull();
    sandbox.setFaults({ commitThenDrop: 1 });
    const [lost] = await client.vendors!.exporter!.load([item], { signal });
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    const [retried] = await client.vendors!.exporter!.load([item], { signal });
    const landed = sandbox.vendors!().filter((v) => v.name === 'Ridge & Sons Concrete 1');
    expect(landed).toHaveLength(1);
    expect(landed[0]).toMatchObject({ created: true, active: true });
    expect(landed[0]?.fields['BillAddr']).toEqual({ Line1: '1 Main St', City: 'Austin', CountrySubDivisionCode: 'TX', PostalCode: '78701', Country: 'US' });
    expect(retried).toEqual({ kind: 'synced', erpId: landed[0]?.erpId });
    expect(await client.vendors!.exporter!.find(item, { signal })).toEqual({ kind: 'synced', erpId: landed[0]?.erpId, replayed: true });
  });

  it('a name already used (6240) is refused with the vendor to link instead', async () => {
    const existing = sandbox.addVendor!({ name: 'Taken Name LLC', active: true });
    const [refused] = await client.vendors!.exporter!.load([vendorItem(hubVendor(2, { id: 'hv-2', name: 'Taken Name LLC' }))], { signal });
    expect(refused).toMatchObject({ kind: 'rejected', erp: { code: '6240' } });
    expect((refused as { message: string }).message).toContain(`(Id ${existing}): link the hub vendor to it`);
  });

  it('imports every vendor, active and inactive, page after page, resuming from its cursor', async () => {
    const fresh = await startSandbox();
    try {
      const ids = [fresh.addVendor!({ name: 'Alpha', active: true }), fresh.addVendor!({ name: 'Beta', active: false }), fresh.addVendor!({ name: 'Gamma', active: true, code: 'G-1' })];
      const importer = directClient(fresh, { importPageSize: 2 }).vendors!.importer!;
      const records: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      for await (const page of importer.pages({ signal })) {
        records.push(...page.records);
        cursor = page.cursor;
      }
      expect(records.map((r) => r['Id'])).toEqual(ids);
      const mapped = records.map((record) => importVendor(record));
      expect(mapped.map((m) => (m.ok ? m.value : m.errors))).toEqual([
        { erpVendorId: ids[0], name: 'Alpha', isActive: true },
        { erpVendorId: ids[1], name: 'Beta', isActive: false },
        { erpVendorId: ids[2], name: 'Gamma', code: 'G-1', isActive: true },
      ]);
      // Resuming from the last cursor reads nothing already read.
      const again: unknown[] = [];
      for await (const page of importer.pages({ signal, ...(cursor === undefined ? {} : { cursor }) })) again.push(...page.records);
      expect(again).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe('through the engine: requisition, then its payment', () => {
  it('exportRecords(requisition) lands the bill once despite a lost answer; exportPayments then pays it', async () => {
    seedVendor(20);
    sandbox.seed({ bankAccounts: [{ id: '55', name: 'Operating 55' }] });
    const requisition = requisitionFor(20);
    sandbox.setFaults({ commitThenDrop: 1 });
    const [outcome] = await runtime.exportRecords('requisition', [{ id: requisition.id, idempotencyKey: `${requisition.id}.r1`, record: requisition }]);
    expect(outcome).toMatchObject({ kind: 'synced' });
    const billId = (outcome as { erpId: string }).erpId;
    expect(sandbox.bills!().filter((b) => b.vendorId === '620')).toMatchObject([{ erpId: billId, number: 'PA-20', amountCents: 1_000_010 }]);
    const payment = paymentFor(20, {
      amountCents: 950_010,
      bankId: '55',
      vendor: { id: 'hub-v-20', name: 'Sub 20', erpId: '620' },
      invoice: { id: requisition.id, number: 'PA-20', amountCents: 1_000_010, erpId: billId },
    });
    const [paid] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
    expect(paid).toMatchObject({ kind: 'synced' });
    expect(sandbox.billBalance(billId)).toBe(50_000);
  });
});
