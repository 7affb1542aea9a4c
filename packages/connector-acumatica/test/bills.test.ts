/**
 * Requisitions as AP bills on the wire: `PUT …/Bill` (insert only) with wrapped fields and exact amounts, then
 * `Bill/ReleaseBill` followed to 204; Acumatica's refusals in its own words; exactly once after a lost answer;
 * and a payment that pays the bill the requisition export created.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox, SandboxRequestRecord } from '../src/sandbox/index.js';
import { clientFor, requisition, requisitionItem, signal } from './entity-support.js';
import { CASH, VENDOR, exportOnce, payment, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

const ENDPOINT = '/AcumaticaERP/entity/Default/24.200.001';
const line = (record: SandboxRequestRecord): string => `${record.method} ${decodeURIComponent(record.url)} ${String(record.status)}`;

async function exportRequisition(record = requisition()) {
  const client = clientFor(sandbox);
  try {
    const item = requisitionItem(record);
    const [outcome] = await client.requisitions!.exporter!.load([item], signal());
    return { outcome, item, client };
  } finally {
    await client.close();
  }
}

describe('requisition export (AP bill)', () => {
  it('PUT Bill with every field wrapped and exact amounts, ReleaseBill polled to 204; the bill lands released with its lines', async () => {
    sandbox = await startSeeded({ faults: { releasePolls: 1 } });
    const record = requisition();
    const { outcome } = await exportRequisition(record);
    expect(outcome).toMatchObject({ kind: 'synced' });
    const erpId = (outcome as { erpId: string }).erpId;
    const log = sandbox.requestLog();
    const statusPath = log.find((entry) => entry.url.includes('/ReleaseBill/status/'))?.url ?? '(none)';
    expect(log.map(line)).toEqual([
      'POST /AcumaticaERP/entity/auth/login 204',
      `PUT ${ENDPOINT}/Bill?$expand=Details 200`,
      `POST ${ENDPOINT}/Bill/ReleaseBill 202`,
      `GET ${statusPath} 202`,
      `GET ${statusPath} 204`,
      'POST /AcumaticaERP/entity/auth/logout 204',
    ]);
    const put = log[1] as SandboxRequestRecord;
    expect(put.headers['if-none-match']).toBe('*');
    // 10000.10 as a number token with its exact digits, never a float's 10000.1.
    expect(put.body).toContain('"Amount":{"value":10000.10}');
    expect(JSON.parse(put.body)).toEqual({
      Type: { value: 'Bill' },
      Vendor: { value: VENDOR },
      VendorRef: { value: record.number },
      Date: { value: '2025-04-30' },
      DueDate: { value: '2025-05-30' },
      Description: { value: record.notes },
      Project: { value: 'PRJ007' },
      Hold: { value: false },
      Details: [
        { TransactionDescription: { value: 'Footings, April' }, Amount: { value: 10000.1 }, Project: { value: 'PRJ007' } },
        { TransactionDescription: { value: 'Slab on grade' }, Amount: { value: 5000 }, Project: { value: 'PRJ007' }, CostCode: { value: '03-300' } },
      ],
    });
    const bill = sandbox.bills().find((candidate) => candidate.erpId === erpId);
    expect(bill).toMatchObject({
      vendorId: VENDOR,
      number: record.number,
      amountCents: 1_500_010,
      date: '2025-04-30',
      created: true,
      lines: [{ amountCents: 1_000_010, description: 'Footings, April' }, { amountCents: 500_000, description: 'Slab on grade', costCode: '03-300' }],
      fields: { Status: 'Open', Amount: '15000.10' },
    });
  });

  it('a payment whose invoice.erpId is the new bill applies to it: both land, the bill is paid down', async () => {
    sandbox = await startSeeded();
    const record = requisition();
    const { outcome } = await exportRequisition(record);
    expect(outcome).toMatchObject({ kind: 'synced' });
    const billId = (outcome as { erpId: string }).erpId;
    const paid = await exportOnce(
      sandbox,
      payment({ amountCents: 1_450_010, bill: billId, invoice: { id: record.id, number: record.number, amountCents: record.totalCents, erpId: billId } }),
    );
    expect(paid).toMatchObject({ kind: 'synced' });
    const check = sandbox.payments().find((candidate) => candidate.erpId === (paid as { erpId: string }).erpId);
    expect(check).toMatchObject({ vendorId: VENDOR, bankAccountId: CASH, applications: [{ billId, amountCents: 1_450_010 }], final: true });
    expect(sandbox.bills().find((bill) => bill.erpId === billId)?.fields.Balance).toBe('500.00');
  });

  it('a bill not yet released cannot be paid: the release is what makes an exported bill payable', async () => {
    sandbox = await startSeeded({ faults: { releaseFailNext: 1 } });
    const record = requisition();
    const { outcome } = await exportRequisition(record);
    // The bill exists (posting another would bill twice): linked, on balance until an accountant releases it.
    expect(outcome).toMatchObject({ kind: 'synced' });
    const billId = (outcome as { erpId: string }).erpId;
    expect(sandbox.bills().find((bill) => bill.erpId === billId)?.fields.Status).toBe('Balanced');
    const paid = await exportOnce(sandbox, payment({ amountCents: 100, bill: billId }));
    expect(paid).toMatchObject({ kind: 'rejected', message: expect.stringContaining("'Reference Nbr.' cannot be found in the system.") });
  });

  it('an unknown vendor is refused in Acumatica\u2019s words, naming the field', async () => {
    sandbox = await startSeeded();
    const { outcome } = await exportRequisition(requisition({ vendor: { id: 'hub-v9', name: 'Nobody', erpId: 'V999999' } }));
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringContaining("Vendor: 'Vendor' cannot be found in the system."), erp: { detail: 'Vendor', httpStatus: 422 } });
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(0);
  });

  it('an unknown cost code is refused where the company checks cost codes', async () => {
    sandbox = await startSeeded({ costCodes: ['01-100'] });
    const { outcome } = await exportRequisition();
    expect(outcome).toMatchObject({ kind: 'rejected', erp: { detail: 'Details[1].CostCode', message: "'Cost Code' cannot be found in the system." } });
  });

  it('another invoice with the same number for the vendor is a duplicate, refused; never linked to that bill', async () => {
    sandbox = await startSeeded();
    const first = requisition();
    expect((await exportRequisition(first)).outcome).toMatchObject({ kind: 'synced' });
    const twin = requisition({ number: first.number, billingDate: '2025-05-31' });
    const { outcome } = await exportRequisition(twin);
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringContaining('with the same vendor reference number already exists'), erp: { detail: 'VendorRef' } });
    expect(sandbox.bills().filter((bill) => bill.created)).toHaveLength(1);
  });

  it('exactly once: a bill committed but its answer lost is found by find, and a repeated load links it instead of billing twice', async () => {
    sandbox = await startSeeded({ faults: { commitThenDrop: 1 } });
    const record = requisition();
    const client = clientFor(sandbox);
    try {
      const item = requisitionItem(record);
      const [lost] = await client.requisitions!.exporter!.load([item], signal());
      expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
      // Not released yet (the answer was lost before the release): find releases it and settles the requisition.
      const found = await client.requisitions!.exporter!.find(item, signal());
      expect(found).toMatchObject({ kind: 'synced', replayed: true });
      const [again] = await client.requisitions!.exporter!.load([item], signal());
      expect(again).toMatchObject({ kind: 'synced', erpId: (found as { erpId: string }).erpId, replayed: true });
      const created = sandbox.bills().filter((bill) => bill.created);
      expect(created).toHaveLength(1);
      expect(created[0]?.fields.Status).toBe('Open');
    } finally {
      await client.close();
    }
  });

  it('find returns null for a requisition never sent, and never a different bill with the same number', async () => {
    sandbox = await startSeeded({ uniqueVendorRef: false });
    const client = clientFor(sandbox);
    try {
      const first = requisition();
      await client.requisitions!.exporter!.load([requisitionItem(first)], signal());
      const sameNumberOtherTotal = requisition({
        number: first.number,
        totalCents: 100,
        retainageCents: 0,
        lines: [{ id: 'l', description: 'x', amountCents: 100, retainageCents: 0 }],
      });
      expect(await client.requisitions!.exporter!.find(requisitionItem(sameNumberOtherTotal), signal())).toBeNull();
      expect(await client.requisitions!.exporter!.find(requisitionItem(requisition()), signal())).toBeNull();
    } finally {
      await client.close();
    }
  });
});
