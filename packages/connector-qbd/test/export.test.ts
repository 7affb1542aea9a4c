import { createConnectorRuntime, type ErpSandbox, type ExportItem, type Payment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalGuidFor, qbdConnector, type QbdConfig } from '../src/index.js';
import { startQbdSandbox } from '../src/sandbox/index.js';
import { configFor, fixtures } from './support.js';

let sandbox: ErpSandbox;
let counter = 500;

beforeAll(async () => {
  sandbox = await startQbdSandbox();
});
afterAll(() => sandbox.close());

/** A payment of a seeded bill; `billCents` lets a test pay less (partial) or more (overpayment) than the bill. */
function seeded(billCents = 50_000, amountCents = 12_345): Payment {
  counter += 1;
  const n = counter;
  sandbox.seed({
    vendors: [{ id: fixtures.vendorId(n), name: `Vendor ${n}` }],
    bankAccounts: [{ id: fixtures.bankAccountId(n), name: `Operating ${n}` }],
    bills: [{ id: fixtures.billId(n), vendorId: fixtures.vendorId(n), number: `INV-${n}`, amountCents: billCents }],
  });
  return {
    id: `qbd-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'check',
    fundedOn: '2025-03-14',
    paidOn: '2025-03-17',
    bankId: fixtures.bankAccountId(n),
    checkNumber: String(70_000 + n),
    notes: `payment ${n}`,
    vendor: { id: `hv-${n}`, name: `Vendor ${n}`, erpId: fixtures.vendorId(n) },
    invoice: { id: `hi-${n}`, number: `INV-${n}`, amountCents: billCents, erpId: fixtures.billId(n) },
    project: { id: 'p', number: 'P-1' },
  };
}

const item = (payment: Payment, revision = 1): ExportItem => ({ id: payment.id, idempotencyKey: `${payment.id}.r${revision}`, record: payment });

function runtime(overrides: Partial<QbdConfig> = {}) {
  return createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, overrides), retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 } });
}

describe('export to QuickBooks Desktop through the Web Connector', () => {
  it('lands every seed row in its qbXML field, with the ExternalGUID of the ledger item', async () => {
    const payment = seeded(50_000, 12_345);
    const rt = runtime();
    try {
      const [outcome] = await rt.exportPayments([item(payment)]);
      expect(outcome).toMatchObject({ kind: 'synced' });
      const landed = sandbox.payments().filter((p) => p.applications.some((a) => a.billId === payment.invoice.erpId));
      expect(landed).toHaveLength(1);
      expect(landed[0]?.fields).toMatchObject({
        TxnDate: '2025-03-14', // Date Payment Funded -> Date
        RefNumber: payment.checkNumber, // Check Number -> No.
        BankAccountRef: { ListID: payment.bankId }, // Bank ID -> Bank Account
        AppliedToTxnRet: [{ TxnID: payment.invoice.erpId, Amount: '123.45', BalanceRemaining: '376.55' }], // Paid Amount -> Amount Paid (partial)
        Memo: payment.notes,
        ExternalGUID: externalGuidFor(payment.id),
      });
      expect(outcome).toEqual({ kind: 'synced', erpId: landed[0]?.erpId });
    } finally {
      await rt.close();
    }
  });

  it('refuses an overpayment with QuickBooks 3210 and a check number QuickBooks would cut off', async () => {
    const over = seeded(10_000, 12_345);
    const long = { ...seeded(), checkNumber: '123456789012' };
    const rt = runtime();
    try {
      const [overOutcome, longOutcome] = await rt.exportPayments([item({ ...over, invoice: { ...over.invoice, amountCents: 12_345 } }), item(long)]);
      expect(overOutcome).toMatchObject({ kind: 'rejected', erp: { code: '3210' } });
      expect(overOutcome?.kind === 'rejected' && overOutcome.erp?.message).toMatch(/cannot pay more than the amount due/);
      expect(longOutcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'] });
      expect(sandbox.payments().some((p) => p.checkNumber === long.checkNumber)).toBe(false);
    } finally {
      await rt.close();
    }
  });

  it('names the check already holding the number when a check number is used twice on one bank account', async () => {
    const first = seeded();
    const second = { ...seeded(), bankId: first.bankId, checkNumber: first.checkNumber };
    const rt = runtime();
    try {
      const [a] = await rt.exportPayments([item(first)]);
      const [b] = await rt.exportPayments([item(second)]);
      expect(a?.kind).toBe('synced');
      expect(b).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'] });
      const erpId = a?.kind === 'synced' ? a.erpId : '';
      expect(b?.kind === 'needs-edit' && b.message).toContain(erpId);
      expect(b?.kind === 'needs-edit' && b.erp?.message).toContain(erpId);
    } finally {
      await rt.close();
    }
  });

  it('after a restart, finds the add QuickBooks saved although its answer was lost (ExternalGUID match)', async () => {
    const payment = seeded();
    const first = runtime();
    sandbox.setFaults({ commitThenDrop: 1 });
    try {
      const [outcome] = await first.exportPayments([item(payment)]);
      // The engine retried: a lookup found the saved check instead of adding a second one.
      expect(outcome).toMatchObject({ kind: 'synced', replayed: true });
    } finally {
      sandbox.setFaults({ commitThenDrop: 0 });
      await first.close();
    }
    const landed = sandbox.payments().filter((p) => p.applications.some((a) => a.billId === payment.invoice.erpId));
    expect(landed).toHaveLength(1);

    // A new process knows nothing: find asks QuickBooks by check number and recognises its GUID.
    const second = runtime();
    try {
      expect(await second.settle(item(payment))).toEqual({ kind: 'synced', erpId: landed[0]?.erpId, replayed: true });
      const unknown = seeded();
      expect(await second.settle(item(unknown))).toBeNull();
    } finally {
      await second.close();
    }
  });
});

describe('when the Web Connector is not polling yet', () => {
  it('leaves the record exporting (accepted) without holding the caller, and settles it on the next poll', async () => {
    const slow = await startQbdSandbox({ pollMs: 1_500 });
    const n = 900;
    slow.seed({
      vendors: [{ id: fixtures.vendorId(n), name: 'Slow vendor' }],
      bankAccounts: [{ id: fixtures.bankAccountId(n) }],
      bills: [{ id: fixtures.billId(n), vendorId: fixtures.vendorId(n), number: 'INV-S', amountCents: 20_000 }],
    });
    const payment: Payment = {
      id: 'slow-1',
      status: 'funding_complete',
      amountCents: 20_000,
      method: 'ach',
      fundedOn: '2025-05-02',
      bankId: fixtures.bankAccountId(n),
      vendor: { id: 'hv', name: 'Slow vendor', erpId: fixtures.vendorId(n) },
      invoice: { id: 'hi', number: 'INV-S', amountCents: 20_000, erpId: fixtures.billId(n) },
      project: { id: 'p', number: 'P-1' },
    };
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(slow, { answerWaitMs: 50 }) });
    try {
      const [outcome] = await rt.exportPayments([item(payment)]);
      expect(outcome).toEqual({ kind: 'accepted', reference: 'slow-1.r1@qbwc' });
      expect(slow.payments()).toHaveLength(0);
      let settled = await rt.settle(item(payment));
      for (let i = 0; i < 200 && settled?.kind === 'accepted'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        settled = await rt.settle(item(payment));
      }
      // No check number (ACH): the lookup went by payee and date, then the add.
      expect(settled).toEqual({ kind: 'synced', erpId: slow.payments()[0]?.erpId });
      expect(slow.payments()[0]).toMatchObject({ amountCents: 20_000, date: '2025-05-02' });
    } finally {
      await rt.close();
      await slow.close();
    }
  });
});
