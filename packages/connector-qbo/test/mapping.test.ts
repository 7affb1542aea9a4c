import type { ConnectorRuntime, PaymentIssued, SandboxPayment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QboSandbox } from '../src/sandbox/index.js';
import { idsFor, runtimeFor, seededPayment, startSandbox } from './support.js';

/**
 * The seed table "Exports data from Procore to QuickBooks Online / Imports data from QuickBooks Online to
 * Procore", row by row: each row shown arriving in the sandbox (export) or coming back (import).
 */
let sandbox: QboSandbox;
let runtime: ConnectorRuntime;

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = runtimeFor(sandbox);
});
afterAll(async () => {
  await runtime.close();
  await sandbox.close();
});

function landedField(landed: SandboxPayment, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], landed.fields);
}

describe('export: each seed row arrives in QuickBooks Online', () => {
  let landed: SandboxPayment;
  const payment = { amountCents: 1_234_567, fundedOn: '2025-06-03', paidOn: '2025-06-09', checkNumber: '880123', method: 'ach' as const };

  beforeAll(async () => {
    const record = seededPayment(sandbox, 1, { ...payment, notes: 'June draw' });
    const [outcome] = await runtime.exportPayments([{ id: record.id, idempotencyKey: `${record.id}.r1`, record }]);
    expect(outcome).toMatchObject({ kind: 'synced' });
    landed = sandbox.payments().find((candidate) => candidate.applications[0]?.billId === idsFor(1).billId) as SandboxPayment;
  });

  it('Paid Amount -> Amount Paid: TotalAmt', () => {
    expect(landedField(landed, 'TotalAmt')).toBe(12345.67);
  });
  it('Paid Amount -> Amount Paid: the Line Amount applied to the bill', () => {
    expect(landedField(landed, 'Line.0.Amount')).toBe(12345.67);
  });
  it('Date Payment Funded -> Payment Date: TxnDate (not Date Paid)', () => {
    expect(landedField(landed, 'TxnDate')).toBe(payment.fundedOn);
  });
  it('ACH -> Check: PayType', () => {
    expect(landedField(landed, 'PayType')).toBe('Check');
  });
  it("Bank ID -> the account in the 'Bank Register' URL: CheckPayment.BankAccountRef.value", () => {
    expect(landedField(landed, 'CheckPayment.BankAccountRef.value')).toBe(idsFor(1).bankAccountId);
  });
  it('Check Number -> Ref No.: DocNumber', () => {
    expect(landedField(landed, 'DocNumber')).toBe(payment.checkNumber);
  });
  it('the vendor: VendorRef.value', () => {
    expect(landedField(landed, 'VendorRef.value')).toBe(idsFor(1).vendorId);
  });
  it('the paid invoice: Line[0].LinkedTxn to the Bill', () => {
    expect(landedField(landed, 'Line.0.LinkedTxn')).toEqual([{ TxnId: idsFor(1).billId, TxnType: 'Bill' }]);
  });
  it('Notes -> PrivateNote', () => {
    expect(landedField(landed, 'PrivateNote')).toBe('June draw');
  });
});

describe('export: a check payment and a customer Bank ID table', () => {
  it('Payment Method check -> PayType Check', async () => {
    const record = seededPayment(sandbox, 2, { method: 'check' });
    await runtime.exportPayments([{ id: record.id, idempotencyKey: `${record.id}.r1`, record }]);
    const landed = sandbox.payments().find((candidate) => candidate.applications[0]?.billId === idsFor(2).billId);
    expect(landed?.method).toBe('Check');
  });

  it("Bank ID -> 'Bank Register' account through the customer's bankAccounts lookup table", async () => {
    const record = seededPayment(sandbox, 3);
    const withTable = runtimeFor(sandbox, {}, { lookups: { bankAccounts: { 'PROCORE-OPERATING': idsFor(3).bankAccountId } } });
    try {
      await withTable.exportPayments([{ id: record.id, idempotencyKey: `${record.id}.r1`, record: { ...record, bankId: 'PROCORE-OPERATING' } }]);
    } finally {
      await withTable.close();
    }
    const landed = sandbox.payments().find((candidate) => candidate.applications[0]?.billId === idsFor(3).billId);
    expect(landed?.bankAccountId).toBe(idsFor(3).bankAccountId);
  });
});

describe('import: each seed row comes back from QuickBooks Online', () => {
  let imported: PaymentIssued;
  const made = { amountCents: 98_765, date: '2025-07-01', checkNumber: 'CHK-5521', notes: 'paid at the counter' };

  beforeAll(async () => {
    const ids = idsFor(4);
    seededPayment(sandbox, 4, { amountCents: 200_000 });
    const erpId = sandbox.addPayment({ ...ids, ...made, method: 'check', final: true });
    const records: PaymentIssued[] = [];
    for await (const page of runtime.importPayments()) {
      expect(page.errors).toEqual([]);
      records.push(...page.records);
    }
    imported = records.find((record) => record.erpPaymentId === erpId) as PaymentIssued;
  });

  it('Amount Paid -> Paid Amount', () => {
    expect(imported.amountCents).toBe(made.amountCents);
  });
  it('Payment Date -> Date Payment Funded', () => {
    expect(imported.paidOn).toBe(made.date);
  });
  it("footnote: a payment with method 'Check' arrives as 'Check'", () => {
    expect(imported.method).toBe('check');
  });
  it("'Bank Register' account -> Bank ID", () => {
    expect(imported.bankId).toBe(idsFor(4).bankAccountId);
  });
  it('Ref No. -> Check Number', () => {
    expect(imported.checkNumber).toBe(made.checkNumber);
  });
  it('the paid bill and the vendor come back as their QuickBooks ids', () => {
    expect({ bill: imported.erpInvoiceId, vendor: imported.vendorErpId }).toEqual({ bill: idsFor(4).billId, vendor: idsFor(4).vendorId });
  });
  it('PrivateNote -> Notes', () => {
    expect(imported.notes).toBe(made.notes);
  });
});
