import { isLedgerlinkError, type Outcome } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { YardiSandbox } from '../src/sandbox/index.js';
import { exportOne, idsFor, paymentFor, runtimeFor, seededPayment, seedFor, startSandbox, withRuntime } from './support.js';

async function thrown(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe("Yardi's answers, mapped to outcomes", () => {
  let sandbox: YardiSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('a refused password is LL_ERP_AUTH on check(), without the password in the message', async () => {
    const error = await thrown(() => withRuntime(runtimeFor(sandbox, { password: 'hunter2-wrong' }), (runtime) => runtime.check()));
    expect(isLedgerlinkError(error) && error.code).toBe('LL_ERP_AUTH');
    expect(String((error as Error).message)).toContain('Login failed');
    expect(String((error as Error).message)).not.toContain('hunter2-wrong');
  });

  it('a refused interface licence is LL_ERP_AUTH naming interfaceLicense', async () => {
    const error = await thrown(() => withRuntime(runtimeFor(sandbox, { interfaceLicense: 'EXPIRED-KEY' }), (runtime) => runtime.check()));
    expect(isLedgerlinkError(error) && error.code).toBe('LL_ERP_AUTH');
    expect((error as Error).message).toMatch(/Interface License is not valid.*interfaceLicense/);
    expect((error as Error).message).not.toContain('EXPIRED-KEY');
  });

  it('a url that is not the service is LL_ERP_PROTOCOL on check(), saying to check url', async () => {
    const error = await thrown(() => withRuntime(runtimeFor(sandbox, { url: `${sandbox.url}/webservices/ItfResidentTransactions20.asmx` }), (runtime) => runtime.check()));
    expect(isLedgerlinkError(error) && error.code).toBe('LL_ERP_PROTOCOL');
    expect((error as Error).message).toContain('HTTP 404 without a SOAP answer: check url');
  });

  it('an unknown payable is rejected with Yardi\'s text and code', async () => {
    const payment = seededPayment(sandbox, 10);
    const unknown = { ...payment, invoice: { ...payment.invoice, erpId: '99999' } };
    const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, unknown));
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'LL_ERP_REJECTED', erp: { code: 'PAYABLE_NOT_FOUND', message: 'Payable 99999 not found.' } });
  });

  it('a payable of another payee is rejected', async () => {
    const payment = seededPayment(sandbox, 11);
    sandbox.seed(seedFor(12, 1000));
    const other = { ...payment, invoice: { ...payment.invoice, erpId: idsFor(12).payableId, number: 'INV-12' } };
    const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, other));
    expect(outcome).toMatchObject({ kind: 'rejected', erp: { message: expect.stringContaining('belongs to payee v0012') } });
  });

  it('partial payments leave the payable open, and paying more than its balance is rejected', async () => {
    const first = seededPayment(sandbox, 13, { amountCents: 40_000, invoice: { id: 'hub-i-13', number: 'INV-13', amountCents: 100_000, erpId: idsFor(13).payableId } }, 100_000);
    const second = { ...first, id: 'pay-13b', amountCents: 50_000, checkNumber: '4913' };
    const third = { ...first, id: 'pay-13c', amountCents: 10_001, checkNumber: '4914' };
    const outcomes = await withRuntime(runtimeFor(sandbox), async (runtime) => [
      await exportOne(runtime, first),
      await exportOne(runtime, second),
      await exportOne(runtime, third),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced', 'rejected']);
    expect(outcomes[2]).toMatchObject({ erp: { code: 'OVERPAYMENT', message: 'Amount 100.01 exceeds the open balance 100.00 of payable 80013.' } });
    expect(sandbox.payable(idsFor(13).payableId)).toEqual({ amountCents: 100_000, paidCents: 90_000 });
  });

  describe('when Yardi gives no message codes, the text decides', () => {
    beforeAll(() => sandbox.setMessageCodes(false));
    afterAll(() => sandbox.setMessageCodes(true));

    it('a check number used on the bank needs an edit of the check number', async () => {
      const first = seededPayment(sandbox, 20);
      const second = seededPayment(sandbox, 21, { bankId: first.bankId, checkNumber: first.checkNumber });
      const outcomes = await withRuntime(runtimeFor(sandbox), async (runtime) => [await exportOne(runtime, first), await exportOne(runtime, second)]);
      expect(outcomes[1]).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { message: 'Check number 4020 already exists for bank op20.' } });
      expect((outcomes[1] as Outcome & { erp: { code?: string } }).erp.code).toBeUndefined();
    });

    it('an unknown bank needs an edit of the bank ID', async () => {
      const payment = paymentFor(22);
      const seed = seedFor(22, payment.amountCents);
      sandbox.seed({ ...seed, bankAccounts: [] });
      const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, payment));
      expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['bankId'], erp: { message: 'Bank op22 not found.' } });
    });

    it('an unknown bank and an unknown payee together are rejected: editing the bank cannot fix it', async () => {
      const payment = paymentFor(23);
      sandbox.seed({ bills: seedFor(23, payment.amountCents).bills ?? [] });
      const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, payment));
      expect(outcome).toMatchObject({ kind: 'rejected', erp: { message: 'Payee v0023 not found. | Bank op23 not found.' } });
    });
  });

  it('a 429 throttle answer is retried too, and the check is stored once', async () => {
    const local = await startSandbox({ throttleStatus: 429 });
    try {
      const payment = seededPayment(local, 30);
      local.setFaults({ throttleNext: 1 });
      const attempts: Outcome[] = [];
      const outcome = await withRuntime(runtimeFor(local, {}, { hooks: { afterAttempt: async (_item, attempt) => void attempts.push(attempt) } }), (runtime) =>
        exportOne(runtime, payment),
      );
      expect(outcome).toMatchObject({ kind: 'synced' });
      expect(attempts[0]).toMatchObject({ kind: 'retryable', reason: 'throttled', committed: 'no', retryAfterMs: 1000, erp: { message: 'Server Too Busy', httpStatus: 429 } });
      expect(local.payments()).toHaveLength(1);
    } finally {
      await local.close();
    }
  });

  it('a bare 503 (no Retry-After) pauses the whole lane through its throttle signal', async () => {
    const local = await startSandbox({ retryAfterSeconds: null });
    try {
      const payment = seededPayment(local, 32);
      local.setFaults({ throttleNext: 1 });
      const runtime = runtimeFor(local);
      const outcome = await withRuntime(runtime, async (r) => {
        const result = await exportOne(r, payment);
        expect(r.laneStats().throttlePauses).toBe(1);
        return result;
      });
      expect(outcome).toMatchObject({ kind: 'synced' });
      expect(local.stats().throttled).toBe(1);
    } finally {
      await local.close();
    }
  });

  it('a server failure is retryable; once Yardi recovers the check is stored once', async () => {
    const payment = seededPayment(sandbox, 31);
    sandbox.setFaults({ serverErrorRate: 1 });
    const failed = await withRuntime(runtimeFor(sandbox, {}, { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 } }), (runtime) => exportOne(runtime, payment));
    sandbox.setFaults({ serverErrorRate: 0 });
    expect(failed).toMatchObject({ kind: 'retryable', code: 'LL_RETRIES_EXHAUSTED', reason: 'server', erp: { message: expect.stringContaining('deadlock') } });
    const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, payment, 2));
    expect(outcome).toMatchObject({ kind: 'synced' });
    expect(sandbox.payments().filter((stored) => stored.applications[0]?.billId === idsFor(31).payableId)).toHaveLength(1);
  });
});
