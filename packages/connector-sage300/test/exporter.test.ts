import { ErrorCodes, LedgerlinkError, type Outcome } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sage300Sandbox } from '../src/sandbox/index.js';
import { clientFor, itemFor, signal, startCompany } from './helpers.js';

function erpFound(outcome: Outcome): unknown {
  if (outcome.kind !== 'rejected' && outcome.kind !== 'needs-edit') throw new Error(`expected a refusal, got ${outcome.kind}`);
  return JSON.parse(outcome.erp?.detail ?? '{}');
}

describe('the invoice-code exporter against the sandbox agent', () => {
  let sandbox: Sage300Sandbox;
  let connection: ReturnType<typeof clientFor>;
  beforeEach(async () => {
    sandbox = await startCompany();
    connection = clientFor(sandbox);
  });
  afterEach(async () => {
    await connection.close();
    await sandbox.close();
  });
  const exportOne = async (input: Parameters<typeof itemFor>[0], key?: string): Promise<Outcome> => {
    const [outcome] = await connection.exporter.load([itemFor(input, key)], { signal });
    return outcome as Outcome;
  };

  it('syncs with the erpId <vendor>/<invoice>', async () => {
    expect(await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001', amount: '12500.50' })).toEqual({ kind: 'synced', erpId: 'ACME/4471' });
  });

  it('takes the same codes twice as harmless: synced, replayed, one selection', async () => {
    await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' }, 'pay-a.r1');
    expect(await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' }, 'pay-a.r2')).toEqual({ kind: 'synced', erpId: 'ACME/4471', replayed: true });
    expect(sandbox.payments()).toHaveLength(1);
  });

  it('makes the check number editable when Invoice Code 2 holds another one, showing what Sage has', async () => {
    await exportOne({ vendor: 'ACME', invoice: '4471', check: '5002' });
    const outcome = await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' }, 'pay-b.r1');
    expect(outcome).toMatchObject({
      kind: 'needs-edit',
      fields: ['checkNumber'],
      erp: {
        code: 'CODE_CONFLICT',
        httpStatus: 409,
        message: 'Invoice 4471 of vendor ACME already has Invoice Code 2 = 5002; expected 5001. Clear it in Sage AP or correct the check number.',
      },
    });
    expect(erpFound(outcome)).toEqual({ invoiceCode1: 'PROCOREPAY', invoiceCode2: '5002' });
  });

  it('rejects when Invoice Code 1 is in other use: only Sage can sort that out', async () => {
    await exportOne({ vendor: 'ACME', invoice: '4471', check: 'R-7', code1: 'RETAINAGE' });
    const outcome = await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' }, 'pay-c.r1');
    expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_REJECTED, erp: { code: 'CODE_CONFLICT' } });
    expect(erpFound(outcome)).toEqual({ invoiceCode1: 'RETAINAGE', invoiceCode2: 'R-7' });
  });

  it('makes the check number editable when another invoice on that bank carries it', async () => {
    await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' });
    const outcome = await exportOne({ vendor: 'BOLT', invoice: '9001', check: '5001' });
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { code: 'DUPLICATE_CHECK' } });
    expect(erpFound(outcome)).toMatchObject({ source: 'invoice-codes', vendor: 'ACME', invoice: '4471' });
    expect(await exportOne({ vendor: 'BOLT', invoice: '9001', check: '5001', bank: 'PAYROLL' })).toMatchObject({ kind: 'synced' });
  });

  it("makes the check number editable when Sage's check register has it on that bank", async () => {
    sandbox.addPayment({ vendorId: 'ACME', bankAccountId: 'OPER', billId: '4470', amountCents: 1_000_000, date: '2025-02-28', method: 'check', checkNumber: '5001', final: true });
    const outcome = await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' });
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { code: 'DUPLICATE_CHECK' } });
    expect(erpFound(outcome)).toMatchObject({ source: 'check-register', date: '2025-02-28' });
  });

  it('makes the bank ID editable for a bank Sage does not have', async () => {
    const outcome = await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001', bank: 'OPER2' });
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['bankId'], erp: { code: 'BANK_NOT_FOUND', message: 'Bank OPER2 is not an AP bank in Sage. AP banks: OPER, PAYROLL.' } });
  });

  it('makes the check number editable when it does not fit Invoice Code 2', async () => {
    const outcome = await exportOne({ vendor: 'ACME', invoice: '4471', check: '12345678901' });
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { code: 'CODE_TOO_LONG' } });
  });

  it('rejects an unknown vendor and an unknown invoice with the agent\'s code and text', async () => {
    expect(await exportOne({ vendor: 'NOPE', invoice: '4471', check: '5001' })).toMatchObject({
      kind: 'rejected',
      code: ErrorCodes.ERP_REJECTED,
      erp: { code: 'VENDOR_NOT_FOUND', message: 'Vendor NOPE does not exist in Sage AP.', httpStatus: 404 },
    });
    expect(await exportOne({ vendor: 'ACME', invoice: '9999', check: '5001' })).toMatchObject({
      kind: 'rejected',
      erp: { code: 'INVOICE_NOT_FOUND', message: 'Vendor ACME has no invoice 9999 in Sage AP.' },
    });
  });

  it('rejects an amount that is not the open balance, and an invoice already paid in Sage', async () => {
    const mismatch = await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001', amount: '12000.00' });
    expect(mismatch).toMatchObject({ kind: 'rejected', erp: { code: 'AMOUNT_MISMATCH' } });
    expect(erpFound(mismatch)).toMatchObject({ amount: '12000.00', balance: '12500.50' });
    sandbox.addPayment({ vendorId: 'ACME', bankAccountId: 'OPER', billId: '4470', amountCents: 1_000_000, date: '2025-02-28', method: 'check', checkNumber: '4000', final: true });
    expect(await exportOne({ vendor: 'ACME', invoice: '4470', check: '5001' })).toMatchObject({ kind: 'rejected', erp: { code: 'INVOICE_PAID' } });
  });

  it('rejects with LL_ERP_AUTH when the agent refuses the token, and check() throws it', async () => {
    const wrong = clientFor(sandbox, 'wrong-token-0000000000');
    try {
      const [outcome] = await wrong.exporter.load([itemFor({ vendor: 'ACME', invoice: '4471', check: '5001' })], { signal });
      expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_AUTH, erp: { code: 'UNAUTHORIZED' } });
      const error = await wrong.client.check({ signal }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(LedgerlinkError);
      expect(error).toMatchObject({ code: ErrorCodes.ERP_AUTH });
      expect(String((error as Error).message)).not.toContain('wrong-token');
    } finally {
      await wrong.close();
    }
    expect(sandbox.payments()).toEqual([]);
  });

  it('reports BUSY as throttled with the Retry-After', async () => {
    sandbox.setFaults({ throttleNext: 1 });
    expect(await exportOne({ vendor: 'ACME', invoice: '4471', check: '5001' })).toMatchObject({
      kind: 'retryable',
      reason: 'throttled',
      committed: 'no',
      retryAfterMs: 0,
      erp: { code: 'BUSY', httpStatus: 429 },
    });
  });

  it('after a lost answer, find() sees the codes and settles the payment as synced, replayed', async () => {
    const item = itemFor({ vendor: 'ACME', invoice: '4471', check: '5001' });
    expect(await connection.exporter.find(item, { signal })).toBeNull();
    sandbox.setFaults({ commitThenDrop: 1 });
    const [lost] = await connection.exporter.load([item], { signal });
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    expect(await connection.exporter.find(item, { signal })).toEqual({ kind: 'synced', erpId: 'ACME/4471', replayed: true });
    // The retry with the same key gets the agent's first answer again.
    const [retried] = await connection.exporter.load([item], { signal });
    expect(retried).toEqual({ kind: 'synced', erpId: 'ACME/4471', replayed: true });
    expect(sandbox.payments()).toHaveLength(1);
  });

  it('find() does not take another check number for this payment', async () => {
    await exportOne({ vendor: 'ACME', invoice: '4471', check: '5002' });
    expect(await connection.exporter.find(itemFor({ vendor: 'ACME', invoice: '4471', check: '5001' }), { signal })).toBeNull();
  });
});
