import { ErrorCodes } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { importAll, paymentFor, requestsWith, runtimeFor, seedFor, startSandbox } from './support/intacct-fixtures.js';

/**
 * Import of approved payments with `query`, page by page, and a cursor that resumes without losing or
 * repeating a payment, even when payments share one WHENMODIFIED second (Intacct's timestamps have whole seconds).
 */

let sandbox: IntacctSandbox;
afterEach(() => sandbox.close());

/** A company clock stopped at one second, so that every change in a test shares one WHENMODIFIED. */
const frozen = (): Date => new Date('2025-03-04T10:00:00Z');

function add(n: number, final: boolean): string {
  const payment = paymentFor(n);
  sandbox.seed(seedFor(payment));
  return sandbox.addPayment({
    vendorId: `V-${n}`,
    bankAccountId: `BA-${n}`,
    billId: String(7000 + n),
    amountCents: 1_000 + n,
    date: '2025-03-04',
    method: 'check',
    checkNumber: String(900 + n),
    final,
  });
}

describe('import paging and cursor', () => {
  it('pages of pageSize, final states only (Posted and Approved), filtered by STATE in the query itself', async () => {
    sandbox = await startSandbox({ now: frozen });
    const approved = [1, 2, 3, 4, 5].map((n) => add(n, true));
    const draft = add(6, false);
    const runtime = runtimeFor(sandbox, { config: { pageSize: 2 } });
    try {
      const result = await importAll(runtime);
      expect(result.errors).toEqual([]);
      expect(result.records.map((record) => record.erpPaymentId).sort()).toEqual([...approved].sort());
      expect(result.records.map((record) => record.erpPaymentId)).not.toContain(draft);
      expect(result.cursors).toHaveLength(3);
    } finally {
      await runtime.close();
    }
    const queries = requestsWith(sandbox, '<object>APPYMT</object>');
    expect(queries.length).toBeGreaterThanOrEqual(3);
    for (const query of queries) {
      expect(query).toContain('<in><field>STATE</field><value>Approved</value><value>Posted</value><value>A</value><value>C</value></in>');
      expect(query).toContain('<pagesize>2</pagesize>');
    }
  });

  it('resuming from the cursor repeats nothing, and finds a payment approved later in the same second with a lower RECORDNO', async () => {
    sandbox = await startSandbox({ now: frozen });
    const late = add(11, false);
    const early = [12, 13, 14].map((n) => add(n, true));
    const runtime = runtimeFor(sandbox, { config: { pageSize: 2 } });
    try {
      const first = await importAll(runtime);
      expect(first.records.map((record) => record.erpPaymentId)).toEqual(early);
      const cursor = first.cursors.at(-1) as string;

      expect((await importAll(runtime, cursor)).records).toEqual([]);

      sandbox.setPaymentState(late, 'Approved');
      expect(Number(late)).toBeLessThan(Number(early.at(-1)));
      const second = await importAll(runtime, cursor);
      expect(second.records.map((record) => record.erpPaymentId)).toEqual([late]);
      expect((await importAll(runtime, second.cursors.at(-1))).records).toEqual([]);
    } finally {
      await runtime.close();
    }
  });

  it('a payment voided after approval is not imported again', async () => {
    sandbox = await startSandbox();
    const kept = add(21, true);
    const voided = add(22, true);
    sandbox.setPaymentState(voided, 'Voided');
    const runtime = runtimeFor(sandbox);
    try {
      expect((await importAll(runtime)).records.map((record) => record.erpPaymentId)).toEqual([kept]);
    } finally {
      await runtime.close();
    }
  });

  it('reads Posted (no approval workflow) and Approved payments, not Draft, Submitted, Declined or Voided, whether filters compare display values or codes', async () => {
    for (const stateFilter of ['display', 'code'] as const) {
      sandbox = await startSandbox({ stateFilter });
      const posted = add(31, true);
      const approved = add(32, false);
      sandbox.setPaymentState(approved, 'Approved');
      const others = (['Draft', 'Submitted', 'Declined', 'Voided'] as const).map((state, index) => {
        const erpId = add(33 + index, false);
        sandbox.setPaymentState(erpId, state);
        return erpId;
      });
      const runtime = runtimeFor(sandbox);
      try {
        const result = await importAll(runtime);
        expect(result.errors, stateFilter).toEqual([]);
        expect(result.records.map((record) => [record.erpPaymentId, record.erpStatus]).sort(), stateFilter).toEqual(
          [
            [posted, 'Posted'],
            [approved, 'Approved'],
          ].sort(),
        );
        for (const other of others) expect(result.records.map((record) => record.erpPaymentId)).not.toContain(other);
        // The payment date comes back from WHENCREATED: PAYMENTDATE is a create field only.
        expect(result.records.map((record) => record.paidOn)).toEqual(['2025-03-04', '2025-03-04']);
      } finally {
        await runtime.close();
        await sandbox.close();
      }
    }
    sandbox = await startSandbox();
  });

  it('an approved payment that is posted later comes back again with its new state (the hub write is idempotent)', async () => {
    let clock = new Date('2025-03-04T10:00:00Z');
    sandbox = await startSandbox({ now: () => clock });
    const erpId = add(41, false);
    sandbox.setPaymentState(erpId, 'Approved');
    const runtime = runtimeFor(sandbox);
    try {
      const first = await importAll(runtime);
      expect(first.records.map((record) => record.erpStatus)).toEqual(['Approved']);
      clock = new Date('2025-03-04T10:00:05Z');
      sandbox.setPaymentState(erpId, 'Posted');
      const second = await importAll(runtime, first.cursors.at(-1));
      expect(second.records.map((record) => [record.erpPaymentId, record.erpStatus])).toEqual([[erpId, 'Posted']]);
    } finally {
      await runtime.close();
    }
  });

  it('a cursor this connector did not write is refused with what to do', async () => {
    sandbox = await startSandbox();
    const runtime = runtimeFor(sandbox);
    try {
      const error = (await importAll(runtime, 'not-a-cursor').then(
        () => undefined,
        (thrown: unknown) => thrown,
      )) as { code?: string; message?: string };
      expect(error?.code).toBe(ErrorCodes.CONNECTOR_CONFIG_INVALID);
      expect(error?.message).toContain('clear the tenant');
    } finally {
      await runtime.close();
    }
  });
});
