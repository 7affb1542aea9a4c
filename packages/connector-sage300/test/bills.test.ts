/**
 * Requisitions as Sage AP invoices and vendors through the agent: the wire (raw protocol calls to the sandbox
 * agent), the client over a real lane, and a requisition exported then paid through the connector runtime.
 */
import { type ConnectorClient, createConnectorRuntime, type HubVendor, type Outcome, type Payment, type Requisition } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sage300Connector } from '../src/index.js';
import { type Sage300Sandbox, startSage300Sandbox } from '../src/sandbox/index.js';
import { entityClient, exportOne, itemOf, mapRecord } from './entity-runtime.js';
import { COMPANY, call, signal } from './helpers.js';

const REQUISITION: Requisition = {
  id: 'req-77',
  number: 'PA-7 Acme',
  billingDate: '2025-04-30',
  dueDate: '2025-05-30',
  vendor: { id: 'hub-vendor-1', name: 'Acme Drywall & Sons', erpId: 'ACME' },
  project: { id: 'hub-project-1', number: 'P-100', erpId: 'J-100' },
  commitment: { id: 'hub-sc-9', erpId: 'SC-9' },
  totalCents: 1_000_001,
  retainageCents: 100_000,
  lines: [
    { id: 'l1', description: 'Hang and finish drywall, levels 3 to 5 east wing', amountCents: 600_001, retainageCents: 60_000, costCodeOriginId: '09-2900', costTypeOriginId: 'S', commitmentItemOriginId: 'SC-9-1' },
    { id: 'l2', description: 'Metal studs', amountCents: 400_000, retainageCents: 40_000, costCodeOriginId: '09-2200', costTypeOriginId: 'S' },
  ],
};

const BODY = {
  vendor: 'ACME',
  invoice: 'R-1',
  description: 'Pay app 1',
  amount: '100.01',
  retainage: '10.00',
  invoiceDate: '2025-04-30',
  distributions: [
    { description: 'a', amount: '60.01', retainage: '6.00', costCode: '09-2900', category: 'S' },
    { description: 'b', amount: '40.00', retainage: '4.00' },
  ],
};

describe('the agent: POST /v1/ap/invoices and the vendor routes (wire)', () => {
  let sandbox: Sage300Sandbox;
  beforeEach(async () => {
    sandbox = await startSage300Sandbox({ seed: COMPANY, costCodes: ['09-2900', '09-2200'] });
  });
  afterEach(() => sandbox.close());

  it('creates an invoice with its distributions and retainage; the open balance leaves the retainage out', async () => {
    const created = await call(sandbox, 'POST', '/v1/ap/invoices', { body: BODY });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      created: true,
      invoice: { vendor: 'ACME', invoice: 'R-1', amount: '100.01', retainage: '10.00', balance: '90.01', status: 'Open', distributions: [{ amount: '60.01', costCode: '09-2900' }, { amount: '40.00', costCode: null }] },
    });
    expect(sandbox.bills().find((bill) => bill.erpId === 'R-1')).toMatchObject({ vendorId: 'ACME', amountCents: 10_001, retainageCents: 1_000, created: true, lines: [{ amountCents: 6_001 }, { amountCents: 4_000 }] });
  });

  it("answers Sage's refusals: unknown vendor, duplicate number for the vendor, widths, cost code, sums", async () => {
    expect(await call(sandbox, 'POST', '/v1/ap/invoices', { body: { ...BODY, vendor: 'NOPE' } })).toMatchObject({ status: 404, body: { error: { code: 'VENDOR_NOT_FOUND' } } });
    expect(await call(sandbox, 'POST', '/v1/ap/invoices', { body: { ...BODY, invoice: '4471' } })).toMatchObject({
      status: 409,
      body: { error: { code: 'DUPLICATE_INVOICE', found: { vendor: 'ACME', invoice: '4471', amount: '12500.50' } } },
    });
    // The same number for another vendor is another invoice: Sage keys invoices by vendor and number.
    expect((await call(sandbox, 'POST', '/v1/ap/invoices', { body: { ...BODY, vendor: 'BOLT', invoice: '4471' } })).status).toBe(201);
    expect(await call(sandbox, 'POST', '/v1/ap/invoices', { body: { ...BODY, invoice: '1234567890123456' } })).toMatchObject({
      status: 422,
      body: { error: { code: 'FIELD_TOO_LONG', found: { field: 'invoice', maxLength: 15, length: 16 } } },
    });
    const badCode = { ...BODY, distributions: [{ ...BODY.distributions[0], costCode: '01-0000' }, BODY.distributions[1]] };
    expect(await call(sandbox, 'POST', '/v1/ap/invoices', { body: badCode })).toMatchObject({ status: 422, body: { error: { code: 'COST_CODE_NOT_FOUND', found: { field: 'distributions.0.costCode' } } } });
    expect(await call(sandbox, 'POST', '/v1/ap/invoices', { body: { ...BODY, amount: '100.00' } })).toMatchObject({ status: 422, body: { error: { code: 'DISTRIBUTION_MISMATCH' } } });
    expect(await call(sandbox, 'POST', '/v1/ap/invoices', { body: { ...BODY, amount: 100.01 } })).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(1);
  });

  it('replays a create under the same Idempotency-Key instead of creating twice', async () => {
    const first = await call(sandbox, 'POST', '/v1/ap/invoices', { body: BODY, idempotencyKey: 'req-1.r1' });
    const again = await call(sandbox, 'POST', '/v1/ap/invoices', { body: BODY, idempotencyKey: 'req-1.r1' });
    expect([first.status, again.status, again.headers.get('idempotency-replayed')]).toEqual([201, 201, 'true']);
    expect(sandbox.bills().filter((bill) => bill.erpId === 'R-1')).toHaveLength(1);
  });

  it('creates, reads and lists vendors in pages with a cursor, and refuses a taken id', async () => {
    const created = await call(sandbox, 'POST', '/v1/ap/vendors', { body: { vendor: 'NEWCO', name: 'New Co', taxId: '12-3456789' } });
    expect(created).toMatchObject({ status: 201, body: { created: true, vendor: { vendor: 'NEWCO', name: 'New Co', status: 'Active' } } });
    expect(JSON.stringify(created.body)).not.toContain('3456789');
    expect(await call(sandbox, 'POST', '/v1/ap/vendors', { body: { vendor: 'ACME', name: 'Other' } })).toMatchObject({ status: 409, body: { error: { code: 'VENDOR_EXISTS' } } });
    expect(await call(sandbox, 'GET', '/v1/ap/vendors/NEWCO')).toMatchObject({ status: 200, body: { vendor: 'NEWCO' } });
    const first = await call(sandbox, 'GET', '/v1/ap/vendors?limit=2');
    expect((first.body.vendors as { vendor: string }[]).map((vendor) => vendor.vendor)).toEqual(['ACME', 'BOLT']);
    const second = await call(sandbox, 'GET', `/v1/ap/vendors?limit=2&cursor=${String(first.body.nextCursor)}`);
    expect(second.body).toMatchObject({ vendors: [{ vendor: 'NEWCO' }], nextCursor: null });
    expect((await call(sandbox, 'GET', '/v1/ap/vendors?cursor=junk!')).status).toBe(400);
  });
});

describe('the connector: requisition, vendor export and import', () => {
  let sandbox: Sage300Sandbox;
  let connection: ReturnType<typeof entityClient>;
  beforeEach(async () => {
    sandbox = await startSage300Sandbox({ seed: COMPANY, costCodes: ['09-2900', '09-2200'], busyRetryAfterSeconds: 0 });
    connection = entityClient(sandbox);
  });
  afterEach(async () => {
    await connection.close();
    await sandbox.close();
  });
  const bills = () => connection.client.requisitions?.exporter as NonNullable<NonNullable<ConnectorClient['requisitions']>['exporter']>;
  const vendors = () => connection.client.vendors as Required<NonNullable<ConnectorClient['vendors']>>;

  it('maps a requisition to the agent body: exact money, lines in order, origin ids', () => {
    expect(mapRecord('requisition', 'export', REQUISITION)).toMatchObject({
      vendor: 'ACME',
      invoice: 'PA-7 Acme',
      amount: '10000.01',
      retainage: '1000.00',
      invoiceDate: '2025-04-30',
      job: 'J-100',
      commitment: 'SC-9',
      distributions: [
        { amount: '6000.01', retainage: '600.00', costCode: '09-2900', category: 'S', commitmentItem: 'SC-9-1', job: 'J-100' },
        { amount: '4000.00', retainage: '400.00', costCode: '09-2200' },
      ],
    });
  });

  it('exports a requisition, then pays the new bill with a payment whose invoice.erpId is its id (through the engine)', async () => {
    const runtime = createConnectorRuntime(sage300Connector, { tenant: 'bills-test', config: { agentUrl: sandbox.url, agentToken: sandbox.agentToken } });
    const [bill] = await runtime.exportRecords('requisition', [{ id: REQUISITION.id, idempotencyKey: 'req-77.r1', record: REQUISITION }]);
    expect(bill).toEqual({ kind: 'synced', erpId: 'PA-7 Acme' });
    const landed = sandbox.bills().find((one) => one.erpId === 'PA-7 Acme');
    // The description is cut to Sage's 30 characters, not refused.
    expect(landed).toMatchObject({ amountCents: 1_000_001, retainageCents: 100_000, created: true, lines: [{ amountCents: 600_001, description: 'Hang and finish drywall, level' }, { amountCents: 400_000 }] });

    // Procore Pay pays the net of retainage: what Sage's check run pays now (the open balance).
    const payment: Payment = {
      id: 'pay-77',
      status: 'funding_complete',
      amountCents: 900_001,
      method: 'check',
      fundedOn: '2025-05-14',
      bankId: 'OPER',
      checkNumber: '7701',
      vendor: REQUISITION.vendor,
      invoice: { id: REQUISITION.id, number: REQUISITION.number, amountCents: 900_001, erpId: (bill as { erpId: string }).erpId },
      project: { id: 'hub-project-1', number: 'P-100' },
    };
    try {
      const [paid] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: 'pay-77.r1', record: payment }]);
      expect(paid).toEqual({ kind: 'synced', erpId: 'ACME/PA-7 Acme' });
    } finally {
      await runtime.close();
    }
    expect(sandbox.payments()).toEqual([expect.objectContaining({ checkNumber: '7701', applications: [{ billId: 'PA-7 Acme', amountCents: 1_000_001 }] })]);
    expect(sandbox.payments()[0]?.fields).toMatchObject({ invoiceCode1: 'PROCOREPAY', invoiceCode2: '7701', balance: '9000.01', retainage: '1000.00' });
  });

  it("refuses with the agent's words, and settles only THIS requisition on a duplicate number", async () => {
    const load = async (record: Requisition, key: string): Promise<Outcome> => (await bills().load([itemOf('requisition', record, key)], { signal }))[0] as Outcome;
    expect(await load({ ...REQUISITION, vendor: { ...REQUISITION.vendor, erpId: 'NOPE' } }, 'a.r1')).toMatchObject({
      kind: 'rejected',
      erp: { code: 'VENDOR_NOT_FOUND', message: 'Vendor NOPE does not exist in Sage AP.' },
    });
    expect(await load({ ...REQUISITION, lines: [{ ...REQUISITION.lines[0]!, costCodeOriginId: '01-0000' }, REQUISITION.lines[1]!] }, 'b.r1')).toMatchObject({
      kind: 'rejected',
      erp: { code: 'COST_CODE_NOT_FOUND' },
    });
    expect(await load(REQUISITION, 'c.r1')).toEqual({ kind: 'synced', erpId: 'PA-7 Acme' });
    // A new key for the same requisition (an edit that changed nothing Sage keeps): the same bill, settled.
    expect(await load(REQUISITION, 'c.r2')).toEqual({ kind: 'synced', erpId: 'PA-7 Acme', replayed: true });
    // Another bill with that number for the vendor (another date) is not this one: refused, never settled.
    expect(await load({ ...REQUISITION, billingDate: '2025-05-31' }, 'd.r1')).toMatchObject({ kind: 'rejected', erp: { code: 'DUPLICATE_INVOICE' } });
    expect(await bills().find(itemOf('requisition', REQUISITION), { signal })).toEqual({ kind: 'synced', erpId: 'PA-7 Acme', replayed: true });
    expect(await bills().find(itemOf('requisition', { ...REQUISITION, billingDate: '2025-05-31' }), { signal })).toBeNull();
    expect(await bills().find(itemOf('requisition', { ...REQUISITION, number: 'PA-8' }), { signal })).toBeNull();
    expect(sandbox.bills().filter((one) => one.created)).toHaveLength(1);
  });

  it('does not post a second bill when the answer is lost after the commit', async () => {
    sandbox.setFaults({ commitThenDrop: 1 });
    expect(await exportOne(bills(), itemOf('requisition', REQUISITION))).toMatchObject({ kind: 'synced', erpId: 'PA-7 Acme' });
    expect(sandbox.bills().filter((one) => one.created)).toHaveLength(1);
  });

  it('exports a vendor with its code as the Sage id, finds it after a lost answer, refuses a taken id', async () => {
    const vendor: HubVendor = { id: 'hub-v-9', name: 'Nine Framing LLC', code: 'NINE', email: 'ap@nine.example', isActive: true, address: { street: '1 Main St', stateCode: 'CA' } };
    sandbox.setFaults({ commitThenDrop: 1 });
    expect(await exportOne(vendors().exporter, itemOf('vendor', vendor))).toMatchObject({ kind: 'synced', erpId: 'NINE' });
    expect(sandbox.vendors().filter((one) => one.created)).toEqual([expect.objectContaining({ erpId: 'NINE', name: 'Nine Framing LLC', active: true })]);
    expect(await exportOne(vendors().exporter, itemOf('vendor', { ...vendor, id: 'hub-v-10', name: 'Other Nine' }))).toMatchObject({
      kind: 'rejected',
      erp: { code: 'VENDOR_EXISTS' },
    });
    expect(await vendors().exporter.find(itemOf('vendor', { ...vendor, name: 'Other Nine' }), { signal })).toBeNull();
  });

  it('imports every vendor, active and inactive, over pages, and resumes after a page', async () => {
    for (let n = 0; n < 120; n++) sandbox.addVendor({ name: `Vendor ${n}`, code: `Z${String(n).padStart(3, '0')}`, active: n % 2 === 0 });
    const pages = [];
    for await (const page of vendors().importer.pages({ signal })) pages.push(page);
    expect(pages.map((page) => page.records.length)).toEqual([100, 22]);
    const records = pages.flatMap((page) => page.records).map((raw) => mapRecord('vendor', 'import', raw));
    expect(records).toContainEqual(expect.objectContaining({ erpVendorId: 'Z001', code: 'Z001', name: 'Vendor 1', isActive: false, erpStatus: 'Inactive' }));
    expect(records).toContainEqual(expect.objectContaining({ erpVendorId: 'ACME', isActive: true }));
    const resumed = [];
    for await (const page of vendors().importer.pages({ signal, cursor: pages[0]?.cursor as string })) resumed.push(page);
    expect(resumed.flatMap((page) => page.records)).toEqual(pages[1]?.records);
  });
});
