import type { Outcome } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { YardiSandbox } from '../src/sandbox/index.js';
import { runtimeFor, seededPayment, startSandbox, withRuntime } from './support.js';

/** Exactly once without an idempotency key: the lookup before a retry whose earlier attempt may have committed. */
describe('lookup before a retry', () => {
  let sandbox: YardiSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  async function exportThroughDrop(payment: ReturnType<typeof seededPayment>): Promise<{ outcome: Outcome; attempts: Outcome[]; operations: string[] }> {
    const attempts: Outcome[] = [];
    const before = sandbox.operations().length;
    sandbox.setFaults({ commitThenDrop: 1 });
    const [outcome] = await withRuntime(runtimeFor(sandbox, {}, { hooks: { afterAttempt: async (_item, attempt) => void attempts.push(attempt) } }), (runtime) =>
      runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]),
    );
    sandbox.setFaults({ commitThenDrop: 0 });
    return { outcome: outcome as Outcome, attempts, operations: sandbox.operations().slice(before) };
  }

  it('with a check number: GetCheckInvoice by check number and bank finds the committed check', async () => {
    const payment = seededPayment(sandbox, 1);
    const { outcome, attempts, operations } = await exportThroughDrop(payment);
    expect(attempts[0]).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    expect(operations).toEqual(['ImportCheck_Login', 'GetCheckInvoice']);
    const stored = sandbox.payments().filter((check) => check.applications[0]?.billId === payment.invoice.erpId);
    expect(stored).toHaveLength(1);
    expect(outcome).toEqual({ kind: 'synced', erpId: stored[0]?.erpId, replayed: true });
  });

  it('without a check number (Yardi numbers it): GetPayables2 by payable finds the committed check', async () => {
    const { checkNumber: _none, ...rest } = seededPayment(sandbox, 2);
    const payment = rest;
    const { outcome, operations } = await exportThroughDrop(payment);
    expect(operations).toEqual(['ImportCheck_Login', 'GetPayables2']);
    const stored = sandbox.payments().filter((check) => check.applications[0]?.billId === payment.invoice.erpId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.checkNumber).toMatch(/^\d+$/);
    expect(outcome).toEqual({ kind: 'synced', erpId: stored[0]?.erpId, replayed: true });
  });

  it("another payee's check with the same number is not taken for ours: the write then asks for an edit", async () => {
    const first = seededPayment(sandbox, 3);
    const second = seededPayment(sandbox, 4, { bankId: first.bankId, checkNumber: first.checkNumber });
    const outcomes = await withRuntime(runtimeFor(sandbox), async (runtime) => [
      ...(await runtime.exportPayments([{ id: first.id, idempotencyKey: `${first.id}.r1`, record: first }])),
      // As after a crash mid-call: the runtime must look before it writes.
      ...(await runtime.exportPayments([{ id: second.id, idempotencyKey: `${second.id}.r1`, record: second, mayBeCommitted: true }])),
    ]);
    expect(outcomes[0]).toMatchObject({ kind: 'synced' });
    expect(outcomes[1]).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'] });
  });
});
