/**
 * Requisitions as Yardi payables (ImportPayable_Login) and vendors (ImportVendors_Login, GetVendors_Login,
 * GetVendor_Login): the wire as recorded over real sockets, the client against the sandbox, and a requisition
 * exported then paid by a check that names the new PayableId.
 */
import { compileMapping, createConnectorRuntime, Lane, loadMappingFile, silentLogger, type ConnectorClient, type Entity, type HubVendor, type LoadItem, type Loader, type Outcome, type Payment, type Requisition } from '@ledgerlink/core';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createYardiClient } from '../src/client.js';
import { yardiConnector } from '../src/index.js';
import { SANDBOX_NAMESPACE, type YardiSandbox } from '../src/sandbox/index.js';
import { configFor, recordingTransport, startSandbox, type Recording } from './support.js';

const document = loadMappingFile(yardiConnector.mapping.path);
const signal = new AbortController().signal;
const reader = new XMLParser({ removeNSPrefix: true, parseTagValue: false, trimValues: false, ignoreAttributes: false });

function mapRecord(entity: Entity, direction: 'export' | 'import', record: unknown): Record<string, unknown> {
  const mapped = compileMapping(document, entity, direction)(record, { recordId: (record as { id?: string }).id ?? 'import' });
  if (!mapped.ok) throw new Error(`mapping failed: ${JSON.stringify(mapped.errors)}`);
  return mapped.value;
}

function itemOf<T extends { id: string }>(entity: Entity, record: T, key = `${record.id}.r1`): LoadItem<Record<string, unknown>, T> {
  return { id: record.id, idempotencyKey: key, record, payload: mapRecord(entity, 'export', record) };
}

/** Load; after an answer that may have committed, find before loading again (the engine's order). */
async function exportOne<T>(loader: Loader<Record<string, unknown>, T>, item: LoadItem<Record<string, unknown>, T>): Promise<Outcome> {
  let outcome = (await loader.load([item], { signal }))[0] as Outcome;
  for (let attempt = 0; attempt < 3 && outcome.kind === 'retryable'; attempt++) {
    if (outcome.committed !== 'no') {
      const found = await loader.find(item, { signal });
      if (found) return found;
    }
    outcome = (await loader.load([item], { signal }))[0] as Outcome;
  }
  return outcome;
}

const REQUISITION: Requisition = {
  id: 'req-7',
  number: 'PA-7 Acme',
  billingDate: '2025-04-30',
  dueDate: '2025-05-30',
  vendor: { id: 'hub-v-1', name: 'Acme Drywall', erpId: 'acme' },
  project: { id: 'hub-p-1', number: 'P-100', erpId: 'tower1' },
  commitment: { id: 'hub-sc-9', erpId: 'SC-9' },
  totalCents: 1_000_001,
  retainageCents: 100_000,
  notes: 'Pay app 7 & final <draft>',
  lines: [
    { id: 'l1', description: 'Drywall', amountCents: 600_001, retainageCents: 60_000, costCodeOriginId: '09-2900', commitmentItemOriginId: 'SC-9-1' },
    { id: 'l2', description: 'Studs', amountCents: 400_000, retainageCents: 40_000, costCodeOriginId: '09-2200' },
  ],
};

describe('Yardi requisitions and vendors', () => {
  let sandbox: YardiSandbox;
  let recording: Recording;
  let client: ConnectorClient;
  let lane: Lane;
  beforeEach(async () => {
    sandbox = await startSandbox({ categories: ['09-2900', '09-2200'] });
    sandbox.seed({ vendors: [{ id: 'acme', name: 'Acme Drywall' }], bankAccounts: [{ id: 'op1', name: 'Operating' }] });
    recording = recordingTransport();
    lane = new Lane({ key: 'test/yardi-entities', rateLimit: { requests: 100, intervalMs: 1000, concurrency: 1 }, timeoutMs: 5_000, transport: recording.transport });
    client = createYardiClient({ config: configFor(sandbox), http: lane.http, lane: lane.signals, logger: silentLogger, now: () => new Date('2025-05-06T12:00:00Z') });
  });
  afterEach(async () => {
    await lane.close();
    await sandbox.close();
  });
  const payables = () => client.requisitions?.exporter as Loader<Record<string, unknown>, Requisition>;
  const vendors = () => client.vendors as { exporter: Loader<Record<string, unknown>, HubVendor>; importer: NonNullable<NonNullable<ConnectorClient['vendors']>['importer']> };

  it('sends ImportPayable_Login with the payable document as an escaped string, exact money, lines in order', async () => {
    const outcome = await exportOne(payables(), itemOf('requisition', REQUISITION));
    expect(outcome).toEqual({ kind: 'synced', erpId: '90001' });
    const request = recording.exchanges[0]?.request;
    expect(request?.headers?.['soapaction']).toBe(`"${SANDBOX_NAMESPACE}/ImportPayable_Login"`);
    const call = (reader.parse(request?.body ?? '') as { Envelope: { Body: { ImportPayable_Login: Record<string, string> } } }).Envelope.Body.ImportPayable_Login;
    const doc = reader.parse(call['PayableDoc'] ?? '') as { YsiTran: { Payables: { Payable: Record<string, unknown> } } };
    expect(doc.YsiTran.Payables.Payable).toMatchObject({
      PropertyId: 'tower1',
      PayeeId: 'acme',
      InvoiceNumber: 'PA-7 Acme',
      InvoiceDate: '2025-04-30',
      Amount: '10000.01',
      Retention: '1000.00',
      Notes: 'Pay app 7 & final <draft>',
      Details: { Detail: [{ CategoryId: '09-2900', ContractId: 'SC-9', ContractDetailId: 'SC-9-1', Amount: '6000.01', Retention: '600.00' }, { CategoryId: '09-2200', Amount: '4000.00' }] },
    });
    expect(sandbox.bills().find((bill) => bill.erpId === '90001')).toMatchObject({
      vendorId: 'acme',
      number: 'PA-7 Acme',
      amountCents: 1_000_001,
      retainageCents: 100_000,
      created: true,
      lines: [{ amountCents: 600_001, costCode: '09-2900' }, { amountCents: 400_000 }],
    });
  });

  it("refuses with Yardi's words: unknown payee, unknown category; a taken number is this requisition only when amount and date match", async () => {
    const load = async (record: Requisition, key: string): Promise<Outcome> => (await payables().load([itemOf('requisition', record, key)], { signal }))[0] as Outcome;
    expect(await load({ ...REQUISITION, vendor: { ...REQUISITION.vendor, erpId: 'nope' } }, 'a.r1')).toMatchObject({ kind: 'rejected', erp: { code: 'PAYEE_NOT_FOUND', message: 'Payee nope not found.' } });
    expect(await load({ ...REQUISITION, lines: [{ ...REQUISITION.lines[0]!, costCodeOriginId: '01-000' }, REQUISITION.lines[1]!] }, 'b.r1')).toMatchObject({
      kind: 'rejected',
      erp: { code: 'CATEGORY_NOT_FOUND' },
    });
    expect(await load(REQUISITION, 'c.r1')).toEqual({ kind: 'synced', erpId: '90001' });
    expect(await load(REQUISITION, 'c.r2')).toEqual({ kind: 'synced', erpId: '90001', replayed: true });
    expect(await load({ ...REQUISITION, billingDate: '2025-05-31' }, 'd.r1')).toMatchObject({
      kind: 'rejected',
      erp: { code: 'DUPLICATE_INVOICE', message: 'Invoice number PA-7 Acme already exists for payee acme.' },
    });
    expect(await payables().find(itemOf('requisition', { ...REQUISITION, totalCents: 1_000_002, lines: [{ ...REQUISITION.lines[0]!, amountCents: 600_002 }, REQUISITION.lines[1]!] }), { signal })).toBeNull();
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(1);
  });

  it('does not create a second payable when the answer is lost after the commit', async () => {
    sandbox.setFaults({ commitThenDrop: 1 });
    expect(await exportOne(payables(), itemOf('requisition', REQUISITION))).toEqual({ kind: 'synced', erpId: '90001', replayed: true });
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(1);
  });

  it('exports a requisition, then pays the new payable with a check whose invoice.erpId is its PayableId (through the engine)', async () => {
    const runtime = createConnectorRuntime(yardiConnector, { tenant: 'yardi-entities', config: configFor(sandbox) });
    const [bill] = await runtime.exportRecords('requisition', [{ id: REQUISITION.id, idempotencyKey: 'req-7.r1', record: REQUISITION }]);
    expect(bill).toEqual({ kind: 'synced', erpId: '90001' });
    const payableId = (bill as { erpId: string }).erpId;
    const payment: Payment = {
      id: 'pay-7',
      status: 'funding_complete',
      amountCents: 900_001,
      method: 'check',
      fundedOn: '2025-05-12',
      paidOn: '2025-05-14',
      bankId: 'op1',
      checkNumber: '7001',
      vendor: { id: 'hub-v-1', name: 'Acme Drywall', code: 'acme', erpId: 'acme' },
      invoice: { id: REQUISITION.id, number: REQUISITION.number, amountCents: 1_000_001, erpId: payableId },
      project: { id: 'hub-p-1', number: 'tower1' },
    };
    try {
      expect(await runtime.exportPayments([{ id: payment.id, idempotencyKey: 'pay-7.r1', record: payment }])).toEqual([{ kind: 'synced', erpId: expect.stringMatching(/^\d+$/) as string }]);
    } finally {
      await runtime.close();
    }
    expect(sandbox.payments()).toEqual([expect.objectContaining({ checkNumber: '7001', applications: [{ billId: payableId, amountCents: 900_001 }] })]);
    expect(sandbox.payable(payableId)).toEqual({ amountCents: 1_000_001, paidCents: 900_001 });
  });

  it('creates a vendor with ImportVendors_Login, finds it after a lost answer, refuses a taken code', async () => {
    const vendor: HubVendor = { id: 'hub-v-9', name: 'Nine Framing', code: 'nine', email: 'ap@nine.example', isActive: true, taxId: '12-3456789', address: { street: '1 Main', stateCode: 'CA' } };
    sandbox.setFaults({ commitThenDrop: 1 });
    expect(await exportOne(vendors().exporter, itemOf('vendor', vendor))).toEqual({ kind: 'synced', erpId: 'nine', replayed: true });
    expect(sandbox.vendors().filter((one) => one.created)).toEqual([expect.objectContaining({ erpId: 'nine', name: 'Nine Framing', active: true })]);
    const call = (reader.parse(recording.exchanges[0]?.request.body ?? '') as { Envelope: { Body: { ImportVendors_Login: Record<string, string> } } }).Envelope.Body.ImportVendors_Login;
    expect(reader.parse(call['XmlDoc'] ?? '')).toMatchObject({ YsiTran: { Vendors: { Vendor: { VendorId: 'nine', Name: 'Nine Framing', State: 'CA', Inactive: 'false' } } } });
    expect(await exportOne(vendors().exporter, itemOf('vendor', { ...vendor, id: 'hub-v-10', name: 'Other Nine' }))).toMatchObject({ kind: 'rejected', erp: { code: 'DUPLICATE_VENDOR' } });
    expect(await exportOne(vendors().exporter, itemOf('vendor', { ...vendor, id: 'hub-v-11', code: 'toolongcode' }))).toMatchObject({ kind: 'rejected', erp: { code: 'INVALID_LENGTH' } });
    // The tax id is written, never read back.
    expect(recording.exchanges.map((exchange) => exchange.response?.body ?? '').join('')).not.toContain('3456789');
  });

  it('imports vendors (active and inactive) from GetVendors_Login, once each across properties', async () => {
    sandbox.addVendor({ name: 'Closed Co', code: 'closed', active: false });
    const twoProperties = createYardiClient({ config: configFor(sandbox, { vendorPropertyIds: ['tower1', 'tower2'] }), http: lane.http, lane: lane.signals, logger: silentLogger, now: () => new Date() });
    const pages = [];
    for await (const page of twoProperties.vendors!.importer!.pages({ signal })) pages.push(page);
    expect(pages.map((page) => page.cursor)).toEqual(['{"next":1}', '{"next":0}']);
    const records = pages.flatMap((page) => page.records).map((raw) => mapRecord('vendor', 'import', raw));
    expect(records).toEqual([
      expect.objectContaining({ erpVendorId: 'acme', name: 'Acme Drywall', isActive: true, erpStatus: 'Active' }),
      expect.objectContaining({ erpVendorId: 'closed', name: 'Closed Co', isActive: false }),
    ]);
    const resumed = [];
    for await (const page of twoProperties.vendors!.importer!.pages({ signal, cursor: '{"next":1}' })) resumed.push(page);
    expect(resumed).toHaveLength(1);
    await expect(async () => {
      for await (const _ of twoProperties.vendors!.importer!.pages({ signal, cursor: 'garbage' })) void _;
    }).rejects.toMatchObject({ code: 'LL_CONFIG_INVALID' });
  });
});
