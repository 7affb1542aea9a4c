import { ErrorCodes, type ConnectorClient, type ConnectorRuntime } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QboSandbox } from '../src/sandbox/index.js';
import { directClient, idsFor, loadItemFor, runtimeFor, seededPayment, signal, startSandbox } from './support.js';

let sandbox: QboSandbox;
let runtime: ConnectorRuntime;
let client: ConnectorClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = runtimeFor(sandbox);
  client = directClient(sandbox);
});
afterAll(async () => {
  await runtime.close();
  await sandbox.close();
});

function landedFor(billId: string) {
  return sandbox.payments().filter((payment) => payment.applications.some((application) => application.billId === billId));
}

describe('requestid: QuickBooks replays the original answer', () => {
  it('the same item sent twice gets the same BillPayment, and the bill is paid once', async () => {
    const payment = seededPayment(sandbox, 1, { invoice: { id: 'i-1', number: 'INV-1', amountCents: 500_000, erpId: idsFor(1).billId } });
    const item = loadItemFor(runtime, payment);
    const [first] = await client.payments.exporter!.load([item], { signal });
    const [second] = await client.payments.exporter!.load([item], { signal });
    expect(first).toMatchObject({ kind: 'synced' });
    expect(second).toEqual(first);
    expect(landedFor(idsFor(1).billId)).toHaveLength(1);
    expect(sandbox.billBalance(idsFor(1).billId)).toBe(500_000 - payment.amountCents);
  });

  it('a commit whose answer is lost is replayed by the retry, not posted again', async () => {
    const payment = seededPayment(sandbox, 2);
    const item = loadItemFor(runtime, payment);
    sandbox.setFaults({ commitThenDrop: 1 });
    const [lost] = await client.payments.exporter!.load([item], { signal });
    expect(lost).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    const [retried] = await client.payments.exporter!.load([item], { signal });
    const landed = landedFor(idsFor(2).billId);
    expect(landed).toHaveLength(1);
    expect(retried).toEqual({ kind: 'synced', erpId: landed[0]?.erpId });
  });

  it('find() looks the payment up by Ref No., vendor, bank account, amount and bill', async () => {
    const payment = seededPayment(sandbox, 3);
    const item = loadItemFor(runtime, payment);
    expect(await client.payments.exporter!.find(item, { signal })).toBeNull();
    const [synced] = await client.payments.exporter!.load([item], { signal });
    expect(await client.payments.exporter!.find(item, { signal })).toEqual({ ...synced, replayed: true });
    // Same Ref No. on another vendor's payment is not this payment.
    const other = loadItemFor(runtime, { ...payment, vendor: { ...payment.vendor, erpId: idsFor(4).vendorId } });
    expect(await client.payments.exporter!.find(other, { signal })).toBeNull();
  });

  it('find() without a check number looks by payment date', async () => {
    const payment = seededPayment(sandbox, 5, { checkNumber: undefined, fundedOn: '2025-02-27' });
    const item = loadItemFor(runtime, payment);
    const [synced] = await client.payments.exporter!.load([item], { signal });
    expect(await client.payments.exporter!.find(item, { signal })).toEqual({ ...synced, replayed: true });
  });
});

describe('Faults: what QuickBooks says, and what the user can do', () => {
  it('6140 Duplicate Document Number on the same bank account needs an edit of the check number', async () => {
    const first = seededPayment(sandbox, 10, { checkNumber: '7001' });
    await client.payments.exporter!.load([loadItemFor(runtime, first)], { signal });
    const second = seededPayment(sandbox, 11, { checkNumber: '7001', bankId: first.bankId });
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, second)], { signal });
    expect(outcome).toMatchObject({
      kind: 'needs-edit',
      code: ErrorCodes.ERP_NEEDS_EDIT,
      fields: ['checkNumber'],
      erp: { code: '6140', message: 'Duplicate Document Number Error', httpStatus: 400 },
    });
    expect((outcome as { erp: { detail: string } }).erp.detail).toContain('DocNumber=7001 is assigned to TxnType=BillPayment');
    expect(landedFor(second.invoice.erpId ?? '')).toHaveLength(0);
  });

  it('the same check number on another bank account is no duplicate', async () => {
    const payment = seededPayment(sandbox, 12, { checkNumber: '7001' });
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toMatchObject({ kind: 'synced' });
  });

  it('a check number longer than the 21 characters of Ref No. needs an edit before any call', async () => {
    const payment = seededPayment(sandbox, 13, { checkNumber: '1234567890123456789012' });
    sandbox.resetStats();
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'] });
    expect(sandbox.stats().requests).toBe(0);
  });

  it('an amount above the bill balance is rejected with 6000, keeping the ERP text, and the balance is untouched', async () => {
    const payment = seededPayment(sandbox, 14);
    const over = { ...payment, amountCents: payment.amountCents + 1, invoice: { ...payment.invoice, amountCents: payment.amountCents + 1 } };
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, over)], { signal });
    expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_REJECTED, erp: { code: '6000' } });
    expect((outcome as { erp: { detail: string } }).erp.detail).toContain('open balance');
    expect(sandbox.billBalance(payment.invoice.erpId ?? '')).toBe(payment.amountCents);
  });

  it('a bill of another vendor is rejected', async () => {
    const mine = seededPayment(sandbox, 15);
    seededPayment(sandbox, 16);
    const wrong = { ...mine, invoice: { ...mine.invoice, erpId: idsFor(16).billId } };
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, wrong)], { signal });
    expect(outcome).toMatchObject({ kind: 'rejected', erp: { code: '6000' } });
  });

  it('a 5xx is retryable, and whether the payment was written is unknown', async () => {
    const payment = seededPayment(sandbox, 17);
    sandbox.setFaults({ serverErrorRate: 1 });
    try {
      const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
      expect(outcome).toMatchObject({ kind: 'retryable', reason: 'server', committed: 'unknown', erp: { code: '10000', httpStatus: 500 } });
    } finally {
      sandbox.setFaults({ serverErrorRate: 0 });
    }
  });

  it('amounts travel as JSON numbers with exactly the digits of the decimal', async () => {
    for (const [n, amountCents] of [
      [20, 7],
      [21, 10_010],
      [22, 9_999_999_999_999],
    ] as const) {
      const payment = seededPayment(sandbox, n, { amountCents });
      const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
      expect(outcome, `amount ${amountCents}`).toMatchObject({ kind: 'synced' });
      expect(landedFor(idsFor(n).billId)[0]?.amountCents, `amount ${amountCents}`).toBe(amountCents);
    }
  });
});

describe('429: the throttle answer with its XML body', () => {
  it('is throttled, with the code, message and detail read out of the XML', async () => {
    const payment = seededPayment(sandbox, 30);
    sandbox.setFaults({ throttleNext: 1 });
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toEqual({
      kind: 'retryable',
      code: ErrorCodes.ERP_THROTTLED,
      reason: 'throttled',
      committed: 'no',
      message: expect.stringContaining('ThrottleExceeded'),
      erp: {
        httpStatus: 429,
        code: '3001',
        message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
        detail: 'The request limit was reached.  Try again later',
      },
    });
    expect(landedFor(idsFor(30).billId)).toHaveLength(0);
  });

  it('the sandbox throttles above 10 requests in flight when it enforces the limits', async () => {
    const limits = await startSandbox({ faults: { enforceLimits: true, latencyMs: 40 } });
    try {
      const burst = directClient(limits);
      await burst.check({ signal });
      const reads = Array.from({ length: 14 }, () => burst.check({ signal }).then(() => 'ok', (error: { code?: string }) => error.code));
      const results = await Promise.all(reads);
      expect(results.filter((result) => result === ErrorCodes.ERP_THROTTLED).length).toBeGreaterThanOrEqual(1);
      expect(limits.stats().throttled).toBeGreaterThanOrEqual(1);
    } finally {
      await limits.close();
    }
  });
});
