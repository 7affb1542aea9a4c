import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { BILLS, CASH, exportOnce, payment, runtimeFor, startSeeded, VENDOR } from './support.js';

/** Enough checks that a scan of every one per rule or lookup shows, few enough for a test (the import reads them all). */
const COUNT = 10_000;

let sandbox: AcumaticaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe(`the Acumatica sandbox with ${COUNT} checks`, () => {
  it('refuses a Payment Ref. any of them uses on the cash account, takes a new one, and an import reads them all once', async () => {
    sandbox = await startSeeded();
    const made: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      made.push(sandbox.addPayment({ vendorId: VENDOR, bankAccountId: CASH, billId: BILLS[5] as string, amountCents: 1, date: '2025-05-01', method: 'check', checkNumber: `C${i}`, final: true }));
    }
    const duplicate = await exportOnce(sandbox, payment({ checkNumber: `C${COUNT - 3}` }));
    expect(duplicate.kind).not.toBe('synced');
    expect(JSON.stringify(duplicate)).toContain(`payment reference number is already used by another document of the '${CASH}' cash account`);
    const fresh = await exportOnce(sandbox, payment({ checkNumber: 'C-new' }));
    expect(fresh).toMatchObject({ kind: 'synced' });
    expect(sandbox.payments().filter((stored) => stored.checkNumber === 'C-new')).toHaveLength(1);

    // The lane opened up: this reads the sandbox at its own pace, not at Acumatica's published rate.
    const runtime = runtimeFor(sandbox, { rateLimit: { requests: 100_000, intervalMs: 60_000, allowAboveDeclared: true } });
    const imported: string[] = [];
    try {
      for await (const page of runtime.importPayments()) imported.push(...page.records.map((record) => record.erpPaymentId));
    } finally {
      await runtime.close();
    }
    expect(new Set(imported).size).toBe(imported.length);
    expect(imported).toEqual(expect.arrayContaining(made));
  }, 120_000);
});
