import { createConnectorRuntime } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { vistaConnector } from '../src/index.js';
import type { VistaSandbox } from '../src/sandbox/index.js';
import { configFor, itemFor, paymentFor, runtimeFor, seededSandbox, settle } from './helpers.js';

let sandbox: VistaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('export through the action queue', () => {
  it('every seed row arrives in the sandbox under its Vista name, after the record waited in the queue', async () => {
    sandbox = await seededSandbox({ timing: { actionDelayMs: 400, cacheDelayMs: 200 } });
    const runtime = runtimeFor(sandbox);
    const payment = paymentFor(1, { method: 'ach' });
    const item = itemFor(payment);
    const [first] = await runtime.exportPayments([item]);

    // Queued: Vista has nothing yet, the cache shows nothing, the record stays exporting.
    expect(first?.kind).toBe('accepted');
    const actionId = first?.kind === 'accepted' ? (first.reference ?? '') : '';
    expect(sandbox.actionStatus(actionId)).toBe('Queued');
    expect(sandbox.payments()).toEqual([]);
    expect(await runtime.settle(item)).toEqual({ kind: 'accepted', reference: actionId });

    const outcome = await settle(runtime, item, first ?? { kind: 'accepted' });
    const [landed] = sandbox.payments();
    expect(outcome).toEqual({ kind: 'synced', erpId: landed?.erpId });
    expect(sandbox.cachedPayments().map((record) => record.KeyID)).toEqual([landed?.erpId]);
    expect(landed?.fields).toMatchObject({
      PaymentStatus: 'Posted', // Payment Status (funding_complete)
      PaymentTxnAmount: '1000.05', // Amount
      PaymentDate: '2025-05-06', // Date Payment Funded
      PaymentMethod: 'E', // Payment Method: ACH is EFT
      Account: 'CM1', // Bank ID
      DocumentOrCheckNo: '4401', // Check Number
      VendorID: 'V1', // Company
      Description: 'Procore payment 1',
      Invoices: [{ APTrans: '901', Amount: '1000.05' }],
    });
    await runtime.close();
  });

  it('a check is Payment Method C, and a bankAccounts lookup translates the Bank ID into the CM account', async () => {
    sandbox = await seededSandbox();
    const runtime = createConnectorRuntime(vistaConnector, {
      tenant: 't',
      config: configFor(sandbox),
      lookups: { bankAccounts: { 'PROCORE-OPERATING': 'CM2' } },
    });
    const mapped = runtime.mapPayment(paymentFor(2, { bankId: 'PROCORE-OPERATING' }));
    expect(mapped).toMatchObject({ ok: true, value: { PaymentMethod: 'C', Account: 'CM2' } });
    await runtime.close();
  });

  it('refuses a CM Reference longer than Vista takes at POST time, naming the check number, without queueing', async () => {
    sandbox = await seededSandbox();
    const runtime = runtimeFor(sandbox);
    const [outcome] = await runtime.exportPayments([itemFor(paymentFor(1, { checkNumber: '12345678901' }))]);
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { code: '400', httpStatus: 400 } });
    expect(outcome?.kind === 'needs-edit' ? outcome.erp?.detail : '').toContain('DocumentOrCheckNo');
    expect(sandbox.payments()).toEqual([]);
    await runtime.close();
  });

  it('a payment above the open amount fails in the queue and is rejected with Vista text', async () => {
    sandbox = await seededSandbox();
    const runtime = runtimeFor(sandbox);
    const partial = paymentFor(3, { amountCents: 60_000, invoice: { id: 'hub-i3', number: 'INV-3', amountCents: 100_005, erpId: '903' } });
    const item = itemFor(partial);
    const [accepted] = await runtime.exportPayments([item]);
    expect(await settle(runtime, item, accepted ?? { kind: 'accepted' })).toMatchObject({ kind: 'synced' });
    const second = paymentFor(3, { id: 'pay-3b', checkNumber: '5503', amountCents: 60_000, invoice: partial.invoice });
    const secondItem = itemFor(second);
    const [queued] = await runtime.exportPayments([secondItem]);
    const outcome = await settle(runtime, secondItem, queued ?? { kind: 'accepted' });
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'LL_ERP_REJECTED' });
    expect(outcome.kind === 'rejected' ? outcome.erp?.message : '').toContain('exceeds the open amount 400.05');
    await runtime.close();
  });

  it('after a lost answer and a restart (no action id known) the retry finds the committed payment in the cache', async () => {
    sandbox = await seededSandbox({ timing: { actionDelayMs: 10, cacheDelayMs: 10 } });
    sandbox.setFaults({ commitThenDrop: 1 });
    // One attempt only: the process 'dies' with the answer lost.
    const before = runtimeFor(sandbox, {}, 1);
    const payment = paymentFor(2);
    const [lost] = await before.exportPayments([itemFor(payment)]);
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    await before.close();
    await new Promise((resolve) => setTimeout(resolve, 100));

    const after = runtimeFor(sandbox);
    const [found] = await after.exportPayments([{ ...itemFor(payment), mayBeCommitted: true }]);
    expect(found).toEqual({ kind: 'synced', erpId: sandbox.payments()[0]?.erpId, replayed: true });
    expect(sandbox.payments()).toHaveLength(1);
    await after.close();
  });
});
