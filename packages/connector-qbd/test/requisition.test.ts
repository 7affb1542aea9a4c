import type { Payment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billAdd, externalGuidFor } from '../src/index.js';
import { QBD_SANDBOX_COST_CODE_ITEMS, startQbdSandbox, type QbdSandbox } from '../src/sandbox/index.js';
import { clientFor, requisition, requisitionItem, runtimeFor, signal } from './entities.js';
import { fixtures } from './support.js';

let sandbox: QbdSandbox;
let counter = 900;

beforeAll(async () => {
  sandbox = await startQbdSandbox({ pollMs: 50, processingMs: 5 });
});
afterAll(() => sandbox.close());

function seededVendor(): { n: number; vendorId: string; bankId: string } {
  counter += 1;
  const n = counter;
  sandbox.seed({ vendors: [{ id: fixtures.vendorId(n), name: `Sub ${n}` }], bankAccounts: [{ id: fixtures.bankAccountId(n), name: `Operating ${n}` }] });
  return { n, vendorId: fixtures.vendorId(n), bankId: fixtures.bankAccountId(n) };
}

describe('requisitions as QuickBooks Desktop bills', () => {
  it('writes BillAdd in schema order with item lines, money exact and the ExternalGUID', () => {
    const { payload } = requisitionItem(requisition(1, 'V-1'));
    const content = billAdd(payload, externalGuidFor('req-1', 'requisition'));
    expect(Object.keys(content)).toEqual(['VendorRef', 'TxnDate', 'DueDate', 'RefNumber', 'Memo', 'ExternalGUID', 'ItemLineAdd']);
    expect(content.ItemLineAdd).toEqual([
      { ItemRef: { ListID: QBD_SANDBOX_COST_CODE_ITEMS[0]?.id }, Desc: 'Concrete footings, 40%', Amount: '10000.01' },
      { ItemRef: { ListID: QBD_SANDBOX_COST_CODE_ITEMS[1]?.id }, Desc: 'Rebar & "ties" <stock>', Amount: '2345.66' },
    ]);
    expect(externalGuidFor('req-1', 'requisition')).not.toBe(externalGuidFor('req-1'));
  });

  it('exports a requisition as a bill through the engine, then a payment applies to that bill (both land)', async () => {
    const { n, vendorId, bankId } = seededVendor();
    const record = requisition(n, vendorId);
    const rt = runtimeFor(sandbox);
    try {
      const [outcome] = await rt.exportRecords('requisition', [{ id: record.id, idempotencyKey: `${record.id}.r1`, record }]);
      expect(outcome?.kind).toBe('synced');
      const billId = outcome?.kind === 'synced' ? outcome.erpId : '';
      const bill = sandbox.bills().find((candidate) => candidate.erpId === billId);
      expect(bill).toMatchObject({ vendorId, number: record.number, amountCents: record.totalCents, date: '2025-04-30', created: true });
      expect(bill?.lines).toEqual([
        { amountCents: 1_000_001, description: 'Concrete footings, 40%', costCode: QBD_SANDBOX_COST_CODE_ITEMS[0]?.id },
        { amountCents: 234_566, description: 'Rebar & "ties" <stock>', costCode: QBD_SANDBOX_COST_CODE_ITEMS[1]?.id },
      ]);
      expect(bill?.fields).toMatchObject({ RefNumber: record.number, AmountDue: '12345.67', ExternalGUID: externalGuidFor(record.id, 'requisition'), DueDate: '2025-05-30' });

      // Procore pays the net of retainage: the retainage stays open on the bill.
      const net = record.totalCents - record.retainageCents;
      const payment: Payment = {
        id: `pay-${n}`,
        status: 'funding_complete',
        amountCents: net,
        method: 'check',
        fundedOn: '2025-05-15',
        paidOn: '2025-05-15',
        bankId,
        checkNumber: String(80_000 + n),
        vendor: { id: `hv-${n}`, name: `Sub ${n}`, erpId: vendorId },
        invoice: { id: record.id, number: record.number, amountCents: record.totalCents, erpId: billId },
        project: { id: 'p-1', number: 'P-1' },
      };
      const [paid] = await rt.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
      expect(paid?.kind).toBe('synced');
      const check = sandbox.payments().find((candidate) => candidate.erpId === (paid?.kind === 'synced' ? paid.erpId : ''));
      expect(check?.applications).toEqual([{ billId, amountCents: net }]);
      expect(sandbox.bills().find((candidate) => candidate.erpId === billId)?.fields).toMatchObject({ OpenAmount: '1234.57', IsPaid: 'false' });
    } finally {
      await rt.close();
    }
  });

  it('adds nothing twice: a second load and a find after a lost answer give the same bill', async () => {
    const { n, vendorId } = seededVendor();
    const record = requisition(n, vendorId);
    sandbox.setFaults({ commitThenDrop: 1 });
    const first = clientFor(sandbox, { answerWaitMs: 1_500 });
    try {
      const [lost] = await first.requisitions!.exporter!.load([requisitionItem(record)], { signal });
      // The Web Connector dropped the session after QuickBooks saved it: not settled by this answer.
      expect(lost?.kind).not.toBe('synced');
    } finally {
      await first.close();
    }
    expect(sandbox.bills().filter((bill) => bill.number === record.number)).toHaveLength(1);
    const second = clientFor(sandbox);
    try {
      const found = await second.requisitions!.exporter!.find(requisitionItem(record), { signal });
      const billId = sandbox.bills().find((bill) => bill.number === record.number)?.erpId;
      expect(found).toEqual({ kind: 'synced', erpId: billId, replayed: true });
      const [again] = await second.requisitions!.exporter!.load([requisitionItem(record, 2)], { signal });
      expect(again).toEqual({ kind: 'synced', erpId: billId, replayed: true });
      expect(sandbox.bills().filter((bill) => bill.number === record.number)).toHaveLength(1);
      // Another requisition is never found as this one.
      expect(await second.requisitions!.exporter!.find(requisitionItem({ ...record, id: `other-${n}` }), { signal })).toBeNull();
    } finally {
      await second.close();
    }
  });

  it('refuses in QuickBooks\' words: unknown vendor, unknown cost code item; and a bill number the vendor already has', async () => {
    const { n, vendorId } = seededVendor();
    sandbox.seed({ bills: [{ id: fixtures.billId(n), vendorId, number: `SUB-${n}-DUP`, amountCents: 5_000 }] });
    const client = clientFor(sandbox);
    try {
      const exporter = client.requisitions!.exporter!;
      const [noVendor, noItem, duplicate, tooLong] = await exporter.load(
        [
          requisitionItem(requisition(n, 'NOPE-1741900000', { id: `a-${n}` })),
          requisitionItem(requisition(n, vendorId, { id: `b-${n}`, number: `SUB-${n}-B`, lines: [{ id: 'l', description: 'x', amountCents: 1_234_567, retainageCents: 123_457, costCodeOriginId: 'NO-ITEM' }] })),
          requisitionItem(requisition(n, vendorId, { id: `c-${n}`, number: `sub-${n}-dup` })),
          requisitionItem(requisition(n, vendorId, { id: `d-${n}`, number: 'X'.repeat(21) })),
        ],
        { signal },
      );
      expect(noVendor).toMatchObject({ kind: 'rejected', erp: { code: '3140' } });
      expect(noVendor?.kind === 'rejected' && noVendor.erp?.message).toMatch(/QuickBooks Vendor "NOPE-1741900000"/);
      expect(noItem).toMatchObject({ kind: 'rejected', erp: { code: '3140' } });
      expect(noItem?.kind === 'rejected' && noItem.erp?.message).toMatch(/QuickBooks Item "NO-ITEM"/);
      expect(duplicate).toMatchObject({ kind: 'rejected' });
      expect(duplicate?.kind === 'rejected' && duplicate.message).toMatch(new RegExp(`already has bill sub-${n}-dup.*${fixtures.billId(n)}`));
      expect(tooLong?.kind === 'rejected' && tooLong.message).toMatch(/longer than the 20 characters/);
      expect(sandbox.bills().filter((bill) => bill.vendorId === vendorId)).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('reports QuickBooks busy (3180) as throttled with nothing saved, and the next attempt adds the bill once', async () => {
    const { n, vendorId } = seededVendor();
    const record = requisition(n, vendorId);
    sandbox.setFaults({ throttleNext: 1 });
    const client = clientFor(sandbox);
    try {
      const [busy] = await client.requisitions!.exporter!.load([requisitionItem(record)], { signal });
      expect(busy).toMatchObject({ kind: 'retryable', reason: 'throttled', erp: { code: '3180' } });
      expect(sandbox.bills().filter((bill) => bill.number === record.number)).toHaveLength(0);
      const [added] = await client.requisitions!.exporter!.load([requisitionItem(record)], { signal });
      expect(added?.kind).toBe('synced');
      expect(sandbox.bills().filter((bill) => bill.number === record.number)).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
