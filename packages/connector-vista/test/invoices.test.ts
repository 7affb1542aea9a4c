/**
 * Requisitions as Vista AP invoices: the queued `create` on the invoices object with Vista's AP invoice columns
 * and exact amounts, settled from the action and the cache; Vista's refusals in its own words; exactly once after
 * a lost answer; retainage held back from what a payment may pay; and a payment that pays the new invoice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { VistaSandbox } from '../src/sandbox/index.js';
import { clientFor, context, loadAndSettle, requisition, requisitionItem } from './entity-support.js';
import { createFetchHttpClient, silentLogger } from '@ledgerlink/core';
import { VistaConfigSchema } from '../src/config.js';
import { vistaConnector } from '../src/index.js';
import { configFor, itemFor, paymentFor, runtimeFor, seededSandbox, settle } from './helpers.js';

let sandbox: VistaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const INVOICES = '/connect/v1/direct/subscribers/123456/Viewpoint/ap/1/data/invoices';

describe('requisition export (AP invoice)', () => {
  it('queues the invoice with its lines, retainage and cost ids; it lands, and the cache settles it on its AP transaction', async () => {
    sandbox = await seededSandbox();
    const requests: { url: string; body: string }[] = [];
    // Every request the client sends, seen on its transport (the client never opens sockets of its own).
    const real = createFetchHttpClient({ timeoutMs: 5_000 });
    const client = vistaConnector.createClient({
      config: VistaConfigSchema.parse(configFor(sandbox, { pageSize: 2 })),
      http: (request) => {
        requests.push({ url: request.url, body: request.body ?? '' });
        return real(request);
      },
      lane: { throttled: () => undefined },
      logger: silentLogger,
      now: () => new Date(),
    });
    const record = requisition();
    const item = requisitionItem(record);
    const outcome = await loadAndSettle(client.requisitions!.exporter!, item);
    expect(outcome.first).toMatchObject({ kind: 'accepted' });
    const bill = sandbox.bills().find((candidate) => candidate.created);
    expect(outcome.last).toEqual({ kind: 'synced', erpId: bill?.erpId });
    const create = requests.find((request) => request.url.endsWith(`${INVOICES}/actions/create`));
    expect(JSON.parse(create?.body ?? '{}')).toEqual({
      APCo: 1,
      VendorGroup: 1,
      Vendor: 'V1',
      APRef: record.number,
      InvDate: '2025-04-30',
      DueDate: '2025-05-30',
      InvTotal: '15000.10',
      Lines: [
        { LineType: 7, Description: 'Footings, April', GrossAmt: '10000.10', Retainage: '0.00', Job: '1001.', SL: '1001.001', SLItem: '1' },
        { LineType: 7, Description: 'Slab on grade', GrossAmt: '5000.00', Retainage: '500.00', Job: '1001.', SL: '1001.001', SLItem: '2', Phase: '03-300', JCCType: '2' },
      ],
    });
    expect(requests.some((request) => request.url.endsWith(`${INVOICES}/cache/search`))).toBe(true);
    expect(bill).toMatchObject({
      vendorId: 'V1',
      number: record.number,
      amountCents: 1_500_010,
      retainageCents: 50_000,
      date: '2025-04-30',
      lines: [{ amountCents: 1_000_010, description: 'Footings, April' }, { amountCents: 500_000, description: 'Slab on grade', costCode: '03-300' }],
    });
    await client.close();
  });

  it('a payment whose invoice.erpId is the new AP transaction pays it; retainage is held, so paying the gross is refused', async () => {
    sandbox = await seededSandbox();
    const client = clientFor(sandbox);
    const record = requisition();
    const { last } = await loadAndSettle(client.requisitions!.exporter!, requisitionItem(record));
    expect(last).toMatchObject({ kind: 'synced' });
    const apTrans = (last as { erpId: string }).erpId;
    const runtime = runtimeFor(sandbox);
    try {
      const invoice = { id: record.id, number: record.number, amountCents: record.totalCents, erpId: apTrans };
      const gross = itemFor(paymentFor(1, { id: 'pay-gross', amountCents: 1_500_010, invoice }));
      const refused = await settle(runtime, gross, (await runtime.exportPayments([gross]))[0]!);
      expect(refused).toMatchObject({ kind: 'rejected', erp: { message: expect.stringContaining('exceeds the open amount 14500.10') } });
      const net = itemFor(paymentFor(1, { id: 'pay-net', checkNumber: '4499', amountCents: 1_450_010, invoice }));
      const paid = await settle(runtime, net, (await runtime.exportPayments([net]))[0]!);
      expect(paid).toMatchObject({ kind: 'synced' });
      expect(sandbox.payments().find((payment) => payment.erpId === (paid as { erpId: string }).erpId)?.applications).toEqual([{ billId: apTrans, amountCents: 1_450_010 }]);
    } finally {
      await runtime.close();
      await client.close();
    }
  });

  it('an unknown vendor is refused when the action runs, in Vista\u2019s words', async () => {
    sandbox = await seededSandbox();
    const client = clientFor(sandbox);
    const { last } = await loadAndSettle(client.requisitions!.exporter!, requisitionItem(requisition({ vendor: { id: 'x', name: 'Nobody', erpId: 'V99' } })));
    expect(last).toMatchObject({ kind: 'rejected', erp: { message: 'Vendor V99 is not on file in vendor group 1.', detail: 'Vendor: Vendor V99 is not on file in vendor group 1.' } });
    await client.close();
  });

  it('an invoice number over 15 characters is refused at once (HTTP 400), naming APRef', async () => {
    sandbox = await seededSandbox();
    const client = clientFor(sandbox);
    const [outcome] = await client.requisitions!.exporter!.load([requisitionItem(requisition({ number: 'PAY-APP-2025-0001-R2' }))], context());
    expect(outcome).toMatchObject({ kind: 'rejected', erp: { detail: 'APRef: APRef must be at most 15 characters.' } });
    await client.close();
  });

  it('an invoice object the subscriber does not have (HTTP 404) is refused naming invoiceObject', async () => {
    sandbox = await seededSandbox();
    const client = vistaConnector.createClient({
      config: VistaConfigSchema.parse(configFor(sandbox, { invoiceObject: 'apinvoices' })),
      http: createFetchHttpClient({ timeoutMs: 5_000 }),
      lane: { throttled: () => undefined },
      logger: silentLogger,
      now: () => new Date(),
    });
    const [outcome] = await client.requisitions!.exporter!.load([requisitionItem(requisition())], context());
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringContaining("check the connection's invoiceObject"), erp: { httpStatus: 404 } });
    await client.close();
  });

  it('another invoice with the same number for the vendor is refused as a duplicate, never linked to it', async () => {
    sandbox = await seededSandbox();
    const client = clientFor(sandbox);
    const first = requisition();
    expect((await loadAndSettle(client.requisitions!.exporter!, requisitionItem(first))).last).toMatchObject({ kind: 'synced' });
    const twin = requisition({ number: first.number, billingDate: '2025-05-31' });
    const { last } = await loadAndSettle(client.requisitions!.exporter!, requisitionItem(twin));
    expect(last).toMatchObject({ kind: 'rejected', message: expect.stringContaining(`Invoice ${first.number} already exists for vendor V1`) });
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(1);
    await client.close();
  });

  it('exactly once: an action queued but its answer lost is found in the cache after a restart, and a repeat is not billed twice', async () => {
    sandbox = await seededSandbox({ faults: { commitThenDrop: 1 } });
    const record = requisition();
    const item = requisitionItem(record);
    const first = clientFor(sandbox);
    const [lost] = await first.requisitions!.exporter!.load([item], context());
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    await first.close();
    // A fresh client (a restart: no action ids remembered): the cache decides once the action ran.
    const second = clientFor(sandbox);
    let found = await second.requisitions!.exporter!.find(item, context());
    for (let i = 0; found === null && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      found = await second.requisitions!.exporter!.find(item, context());
    }
    expect(found).toMatchObject({ kind: 'synced', replayed: true });
    // Posting again anyway meets Vista's duplicate rule, and the settle links it to the one invoice.
    const { last } = await loadAndSettle(second.requisitions!.exporter!, item);
    expect(last).toEqual(found);
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(1);
    await second.close();
  });
});
