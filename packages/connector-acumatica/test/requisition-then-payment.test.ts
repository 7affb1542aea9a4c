/**
 * Through the engine, as the runner drives it: `exportRecords('requisition')` maps and exports the requisition as
 * a released bill, then `exportPayments` pays it with `invoice.erpId` = the new bill's ReferenceNbr. Both land, and
 * the check applies to the bill.
 */
import { afterEach, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { requisition } from './entity-support.js';
import { VENDOR, item, payment, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

it('a requisition exported through the engine, then its payment: both land and the check pays the new bill', async () => {
  sandbox = await startSeeded();
  const runtime = runtimeFor(sandbox);
  try {
    const record = requisition();
    const [billed] = await runtime.exportRecords('requisition', [{ id: record.id, idempotencyKey: `${record.id}.r1`, record }]);
    expect(billed).toMatchObject({ kind: 'synced' });
    const billId = (billed as { erpId: string }).erpId;
    const [paid] = await runtime.exportPayments([item(payment({ amountCents: 1_500_010, bill: billId, invoice: { id: record.id, number: record.number, amountCents: record.totalCents, erpId: billId } }))]);
    expect(paid).toMatchObject({ kind: 'synced' });
    expect(sandbox.bills().find((bill) => bill.erpId === billId)).toMatchObject({ vendorId: VENDOR, number: record.number, amountCents: 1_500_010, created: true, fields: { Balance: '0.00' } });
    expect(sandbox.payments().find((check) => check.erpId === (paid as { erpId: string }).erpId)?.applications).toEqual([{ billId, amountCents: 1_500_010 }]);
  } finally {
    await runtime.close();
  }
});
