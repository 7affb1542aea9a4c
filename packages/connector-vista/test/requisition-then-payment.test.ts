/**
 * Through the engine, as the runner drives it: `exportRecords('requisition')` queues the AP invoice and
 * `settleRecord` confirms it from the cache; then `exportPayments` pays it with `invoice.erpId` = the new AP
 * transaction, for the total less the retainage Vista holds. Both land, and the payment applies to the invoice.
 */
import { afterEach, expect, it } from 'vitest';
import type { Outcome } from '@ledgerlink/core';
import type { VistaSandbox } from '../src/sandbox/index.js';
import { requisition } from './entity-support.js';
import { itemFor, paymentFor, runtimeFor, seededSandbox, settle } from './helpers.js';

let sandbox: VistaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

it('a requisition exported through the engine, then its payment: both land and the payment pays the new AP transaction', async () => {
  sandbox = await seededSandbox();
  const runtime = runtimeFor(sandbox);
  try {
    const record = requisition();
    const billItem = { id: record.id, idempotencyKey: `${record.id}.r1`, record };
    let billed: Outcome | null | undefined = (await runtime.exportRecords('requisition', [billItem]))[0];
    for (let i = 0; billed?.kind === 'accepted' && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      billed = (await runtime.settleRecord('requisition', billItem)) ?? billed;
    }
    expect(billed).toMatchObject({ kind: 'synced' });
    const apTrans = (billed as { erpId: string }).erpId;
    const pay = itemFor(paymentFor(1, { amountCents: 1_450_010, invoice: { id: record.id, number: record.number, amountCents: record.totalCents, erpId: apTrans } }));
    const paid = await settle(runtime, pay, (await runtime.exportPayments([pay]))[0]!);
    expect(paid).toMatchObject({ kind: 'synced' });
    expect(sandbox.bills().find((bill) => bill.erpId === apTrans)).toMatchObject({ vendorId: 'V1', number: record.number, amountCents: 1_500_010, retainageCents: 50_000, created: true });
    expect(sandbox.payments().find((payment) => payment.erpId === (paid as { erpId: string }).erpId)?.applications).toEqual([{ billId: apTrans, amountCents: 1_450_010 }]);
  } finally {
    await runtime.close();
  }
});
