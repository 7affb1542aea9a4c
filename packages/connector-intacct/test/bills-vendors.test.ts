import { fileURLToPath } from 'node:url';
import {
  compileMapping,
  createFetchHttpClient,
  loadMappingFile,
  mergeMapping,
  parseMapping,
  silentLogger,
  type ConnectorClient,
  type HubVendor,
  type LoadItem,
  type Requisition,
} from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntacctConfig, intacctConnector } from '../src/index.js';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { configFor, paymentFor, requestsWith, runtimeFor, startSandbox } from './support/intacct-fixtures.js';

const mappingFile = fileURLToPath(new URL('../mapping.yaml', import.meta.url));
const mapping = loadMappingFile(mappingFile);
const mapRequisition = compileMapping(mapping, 'requisition', 'export');
const mapVendor = compileMapping(mapping, 'vendor', 'export');
const importVendor = compileMapping(mapping, 'vendor', 'import');

const signal = new AbortController().signal;
let sandbox: IntacctSandbox;
let client: ConnectorClient;

function clientFor(target: IntacctSandbox): ConnectorClient {
  return intacctConnector.createClient({
    config: IntacctConfig.parse(configFor(target, { pageSize: 2 })),
    http: createFetchHttpClient({ timeoutMs: 5_000 }),
    lane: { throttled: () => {} },
    logger: silentLogger,
    now: () => new Date(),
  });
}

beforeAll(async () => {
  sandbox = await startSandbox();
  client = clientFor(sandbox);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

/** Requisition `n` of vendor `SUB-n`: two lines on GL accounts 5000 and 5010, one with retainage. */
function requisitionFor(n: number, overrides: Partial<Requisition> = {}): Requisition {
  return {
    id: `req-${n}`,
    number: `PA-${n}`,
    billingDate: '2025-04-30',
    dueDate: '2025-05-30',
    vendor: { id: `hub-v-${n}`, name: `Sub ${n}`, erpId: `SUB-${n}` },
    project: { id: 'hub-p-1', number: 'P-1', erpId: 'PRJ-1' },
    commitment: { id: `sc-${n}` },
    totalCents: 1_000_010,
    retainageCents: 50_000,
    lines: [
      { id: `li-${n}-1`, description: 'Concrete & rebar <level 2>', amountCents: 1_000_000, retainageCents: 50_000, costCodeOriginId: '5000', costTypeOriginId: 'SUB' },
      { id: `li-${n}-2`, description: 'Permit fee', amountCents: 10, retainageCents: 0, costCodeOriginId: '5010' },
    ],
    ...overrides,
  };
}

function itemOf(requisition: Requisition, revision = 1, map = mapRequisition): LoadItem<Record<string, unknown>, Requisition> {
  const mapped = map(requisition, { lookups: {} });
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return { id: requisition.id, idempotencyKey: `${requisition.id}.r${revision}`, record: requisition, payload: mapped.value };
}

function vendorItem(vendor: HubVendor, revision = 1): LoadItem<Record<string, unknown>, HubVendor> {
  const mapped = mapVendor(vendor, { lookups: {} });
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return { id: vendor.id, idempotencyKey: `${vendor.id}.r${revision}`, record: vendor, payload: mapped.value };
}

const seedVendor = (n: number): void => sandbox.seed({ vendors: [{ id: `SUB-${n}`, name: `Sub ${n}` }] });

describe('requisition -> create APBILL', () => {
  it('creates the bill (number, date, lines, exact amounts, project, cost type), and a payment of it applies to it', async () => {
    seedVendor(1);
    const [outcome] = await client.requisitions!.exporter!.load([itemOf(requisitionFor(1))], { signal });
    expect(outcome).toMatchObject({ kind: 'synced' });
    const billId = (outcome as { erpId: string }).erpId;
    const bill = sandbox.bills!().find((b) => b.erpId === billId);
    expect(bill).toMatchObject({ vendorId: 'SUB-1', number: 'PA-1', amountCents: 1_000_010, date: '2025-04-30', created: true, projectNumber: 'PRJ-1' });
    expect(bill?.lines).toEqual([
      { amountCents: 1_000_000, description: 'Concrete & rebar <level 2>', costCode: '5000' },
      { amountCents: 10, description: 'Permit fee', costCode: '5010' },
    ]);
    expect(bill?.fields).toMatchObject({ WHENCREATED: '04/30/2025', WHENDUE: '05/30/2025' });
    expect((bill?.fields['APBILLITEMS'] as { APBILLITEM: Record<string, string>[] }).APBILLITEM[0]).toMatchObject({ TRX_AMOUNT: '10000.00', PROJECTID: 'PRJ-1', COSTTYPEID: 'SUB' });
    const sent = requestsWith(sandbox, '<APBILL>')[0] ?? '';
    expect(sent.indexOf('<WHENCREATED>')).toBeLessThan(sent.indexOf('<VENDORID>'));
    expect(sent).toContain('<TRX_AMOUNT>0.10</TRX_AMOUNT>');

    // The hub then pays the net of it: the payment applies to the bill the requisition created.
    sandbox.seed({ bankAccounts: [{ id: 'BA-1' }] });
    const runtime = runtimeFor(sandbox);
    try {
      const payment = paymentFor(1, {
        amountCents: 950_010,
        vendor: { id: 'hub-v-1', name: 'Sub 1', erpId: 'SUB-1' },
        invoice: { id: 'req-1', number: 'PA-1', amountCents: 1_000_010, erpId: billId },
      });
      const [paid] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
      expect(paid).toMatchObject({ kind: 'synced' });
      expect(sandbox.payments().find((p) => p.erpId === (paid as { erpId: string }).erpId)?.applications).toEqual([{ billId, amountCents: 950_010 }]);
      expect(sandbox.billOpenCents(billId)).toBe(50_000);
    } finally {
      await runtime.close();
    }
  });

  it('without a due date the bill is due on its date (Intacct wants WHENDUE or TERMNAME)', async () => {
    seedVendor(2);
    const { dueDate: _none, ...rest } = requisitionFor(2);
    const [outcome] = await client.requisitions!.exporter!.load([itemOf(rest)], { signal });
    expect(outcome).toMatchObject({ kind: 'synced' });
    expect(sandbox.bills!().find((b) => b.erpId === (outcome as { erpId: string }).erpId)?.fields).toMatchObject({ WHENDUE: '04/30/2025' });
  });

  it('a commit whose answer is lost: find() settles on that bill, a resend (uniqueid) posts nothing and settles too', async () => {
    seedVendor(3);
    const item = itemOf(requisitionFor(3));
    sandbox.setFaults({ commitThenDrop: 1 });
    const [lost] = await client.requisitions!.exporter!.load([item], { signal });
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    const landed = sandbox.bills!().filter((b) => b.vendorId === 'SUB-3');
    expect(landed).toHaveLength(1);
    expect(await client.requisitions!.exporter!.find(item, { signal })).toEqual({ kind: 'synced', erpId: landed[0]?.erpId, replayed: true });
    const [again] = await client.requisitions!.exporter!.load([item], { signal });
    expect(again).toEqual({ kind: 'synced', erpId: landed[0]?.erpId, replayed: true });
    expect(sandbox.bills!().filter((b) => b.vendorId === 'SUB-3')).toHaveLength(1);
  });

  it('find() never settles on another bill: the same number with another total, date or vendor is not this requisition', async () => {
    seedVendor(4);
    seedVendor(5);
    await client.requisitions!.exporter!.load([itemOf(requisitionFor(4))], { signal });
    const line = { id: 'x', description: '', amountCents: 1_000_020, retainageCents: 0, costCodeOriginId: '5000' };
    expect(await client.requisitions!.exporter!.find(itemOf(requisitionFor(4, { totalCents: 1_000_020, retainageCents: 0, lines: [line] })), { signal })).toBeNull();
    expect(await client.requisitions!.exporter!.find(itemOf(requisitionFor(4, { billingDate: '2025-05-01' })), { signal })).toBeNull();
    expect(await client.requisitions!.exporter!.find(itemOf(requisitionFor(4, { vendor: { id: 'hub-v-5', name: 'Sub 5', erpId: 'SUB-5' } })), { signal })).toBeNull();
  });

  it('a bill number the vendor already has on another bill is refused in Intacct\'s words; nothing lands', async () => {
    seedVendor(6);
    await client.requisitions!.exporter!.load([itemOf(requisitionFor(6))], { signal });
    const before = sandbox.bills!().length;
    const other = requisitionFor(6, { id: 'req-6b', totalCents: 10, retainageCents: 0, lines: [{ id: 'y', description: '', amountCents: 10, retainageCents: 0, costCodeOriginId: '5000' }] });
    const [refused] = await client.requisitions!.exporter!.load([itemOf(other)], { signal });
    expect(refused).toMatchObject({ kind: 'rejected', erp: { code: 'BL01001980' } });
    expect((refused as { message: string }).message).toContain('already has bill number PA-6 for vendor SUB-6');
    expect(sandbox.bills!()).toHaveLength(before);
  });

  it('an unknown vendor and an unknown GL account are refused, naming which', async () => {
    const [vendor] = await client.requisitions!.exporter!.load([itemOf(requisitionFor(7))], { signal });
    expect(vendor).toMatchObject({ kind: 'rejected', erp: { code: 'BL01001975' } });
    expect((vendor as { message: string }).message).toContain('no active vendor SUB-7');
    seedVendor(8);
    const bad = requisitionFor(8, { lines: [{ id: 'a', description: '', amountCents: 1_000_010, retainageCents: 50_000, costCodeOriginId: '9999' }] });
    const [account] = await client.requisitions!.exporter!.load([itemOf(bad)], { signal });
    expect(account).toMatchObject({ kind: 'rejected', erp: { code: 'BL01001981' } });
    expect((account as { message: string }).message).toContain('GL account 9999');
  });

  it('GW-0010 inside a function result is throttling (retried), not a refusal of the bill', async () => {
    const throttling = await startSandbox();
    throttling.setErrorCodes({ unknownVendor: 'GW-0010' });
    const throttled = clientFor(throttling);
    try {
      const [outcome] = await throttled.requisitions!.exporter!.load([itemOf(requisitionFor(10))], { signal });
      expect(outcome).toMatchObject({ kind: 'retryable', code: 'LL_ERP_THROTTLED' });
    } finally {
      await throttled.close();
      await throttling.close();
    }
  });

  it('a Construction company carries retainage per line with the documented override (TRX_AMOUNTRETAINED)', async () => {
    const override = parseMapping(
      [
        'version: 1',
        'entities:',
        '  requisition:',
        '    export:',
        '      fields:',
        '        APBILLITEMS.APBILLITEM:',
        '          each: lines',
        '          as: line',
        '          fields:',
        '            ACCOUNTNO: { from: line.costCodeOriginId, required: true }',
        '            TRX_AMOUNT: { from: line.amountCents, format: money, required: true }',
        '            TASKID: { from: line.costCodeOriginId }',
        '            TRX_AMOUNTRETAINED: { from: line.retainageCents, format: money }',
      ].join('\n'),
      'override.yaml',
      { override: true },
    );
    const construction = compileMapping(mergeMapping(mapping, override), 'requisition', 'export');
    seedVendor(9);
    const [outcome] = await client.requisitions!.exporter!.load([itemOf(requisitionFor(9), 1, construction)], { signal });
    expect(outcome).toMatchObject({ kind: 'synced' });
    expect(sandbox.bills!().find((b) => b.erpId === (outcome as { erpId: string }).erpId)).toMatchObject({ amountCents: 1_000_010, retainageCents: 50_000 });
  });
});

describe('vendors: create VENDOR and query VENDOR', () => {
  const hubVendor = (n: number, overrides: Partial<HubVendor> = {}): HubVendor => ({
    id: `hv-${n}`,
    name: `Ridge & Sons Concrete ${n}`,
    code: `RIDGE-${n}`,
    email: `ap${n}@ridge.example`,
    address: { street: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', countryCode: 'US' },
    isActive: true,
    ...overrides,
  });

  it('creates the vendor under its code; the ERP id is the VENDORID; a lost answer settles by lookup', async () => {
    const item = vendorItem(hubVendor(1));
    expect(await client.vendors!.exporter!.find(item, { signal })).toBeNull();
    sandbox.setFaults({ commitThenDrop: 1 });
    const [lost] = await client.vendors!.exporter!.load([item], { signal });
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    const [again] = await client.vendors!.exporter!.load([item], { signal });
    expect(again).toEqual({ kind: 'synced', erpId: 'RIDGE-1', replayed: true });
    const landed = sandbox.vendors!().filter((v) => v.name === 'Ridge & Sons Concrete 1');
    expect(landed).toMatchObject([{ erpId: 'RIDGE-1', active: true, created: true }]);
    expect(landed[0]?.fields).toMatchObject({ 'DISPLAYCONTACT.EMAIL1': 'ap1@ridge.example', 'DISPLAYCONTACT.MAILADDRESS.CITY': 'Austin' });
  });

  it('without a code Intacct numbers the vendor, and the answer\'s VENDORID is the ERP id', async () => {
    const [outcome] = await client.vendors!.exporter!.load([vendorItem(hubVendor(2, { code: undefined, name: 'Numbered Vendor Inc' }))], { signal });
    const vendor = sandbox.vendors!().find((v) => v.name === 'Numbered Vendor Inc');
    expect(outcome).toEqual({ kind: 'synced', erpId: vendor?.erpId });
    expect(vendor?.erpId).toMatch(/^V\d{4}$/);
  });

  it('a VENDORID another vendor has is refused with what to do', async () => {
    sandbox.seed({ vendors: [{ id: 'TAKEN-1', name: 'Someone Else' }] });
    const [refused] = await client.vendors!.exporter!.load([vendorItem(hubVendor(3, { code: 'TAKEN-1' }))], { signal });
    expect(refused).toMatchObject({ kind: 'rejected', erp: { code: 'BL01001982' } });
    expect((refused as { message: string }).message).toContain('already has a vendor with ID TAKEN-1');
  });

  it('imports every vendor, active and inactive, page after page, and resumes from its cursor', async () => {
    const fresh = await startSandbox();
    const freshClient = clientFor(fresh);
    try {
      const ids = [fresh.addVendor!({ name: 'Alpha', active: true, code: 'A-1' }), fresh.addVendor!({ name: 'Beta', active: false }), fresh.addVendor!({ name: 'Gamma', active: true })];
      const records: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      for await (const page of freshClient.vendors!.importer!.pages({ signal })) {
        records.push(...page.records);
        cursor = page.cursor;
      }
      const mapped = records.map((record) => importVendor(record));
      expect(mapped.map((m) => (m.ok ? m.value : m.errors))).toEqual([
        { erpVendorId: ids[0], name: 'Alpha', code: ids[0], isActive: true, erpStatus: 'active' },
        { erpVendorId: ids[1], name: 'Beta', code: ids[1], isActive: false, erpStatus: 'inactive' },
        { erpVendorId: ids[2], name: 'Gamma', code: ids[2], isActive: true, erpStatus: 'active' },
      ]);
      const again: unknown[] = [];
      for await (const page of freshClient.vendors!.importer!.pages({ signal, ...(cursor === undefined ? {} : { cursor }) })) again.push(...page.records);
      expect(again).toEqual([]);
    } finally {
      await freshClient.close();
      await fresh.close();
    }
  });
});

describe('through the engine: requisition, then its payment', () => {
  it('exportRecords(requisition) lands the bill once despite a lost answer; exportPayments then pays it', async () => {
    seedVendor(20);
    sandbox.seed({ bankAccounts: [{ id: 'BA-20' }] });
    const requisition = requisitionFor(20);
    const runtime = runtimeFor(sandbox);
    try {
      sandbox.setFaults({ commitThenDrop: 1 });
      const [outcome] = await runtime.exportRecords('requisition', [{ id: requisition.id, idempotencyKey: `${requisition.id}.r1`, record: requisition }]);
      expect(outcome).toMatchObject({ kind: 'synced' });
      const billId = (outcome as { erpId: string }).erpId;
      expect(sandbox.bills!().filter((b) => b.vendorId === 'SUB-20')).toMatchObject([{ erpId: billId, number: 'PA-20', amountCents: 1_000_010 }]);
      const payment = paymentFor(20, {
        amountCents: 950_010,
        vendor: { id: 'hub-v-20', name: 'Sub 20', erpId: 'SUB-20' },
        invoice: { id: requisition.id, number: 'PA-20', amountCents: 1_000_010, erpId: billId },
      });
      const [paid] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
      expect(paid).toMatchObject({ kind: 'synced' });
      expect(sandbox.billOpenCents(billId)).toBe(50_000);
    } finally {
      await runtime.close();
    }
  });
});
