import { afterEach, describe, expect, it } from 'vitest';
import type { YardiSandbox } from '../src/sandbox/index.js';
import { exportOne, idsFor, runtimeFor, seededPayment, startSandbox, withRuntime } from './support.js';

/** Enough checks that a scan of every one per rule (or per seeded check) shows, few enough for a test. */
const COUNT = 20_000;

let sandbox: YardiSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe(`the Yardi sandbox with ${COUNT} checks`, () => {
  it('seeds them with unique numbers per bank, still refuses a used check number, and takes a new one', async () => {
    sandbox = await startSandbox();
    seededPayment(sandbox, 1, {}, 100 * COUNT);
    const { payeeId, bankId, payableId } = idsFor(1);
    for (let i = 0; i < COUNT; i++) {
      // Half with a number of their own, half numbered by Yardi from the bank's next free number.
      sandbox.addPayment({ vendorId: payeeId, bankAccountId: bankId, billId: payableId, amountCents: 100, date: '2025-05-01', method: 'check', final: true, ...(i % 2 === 0 ? { checkNumber: `C${i}` } : {}) });
    }
    const numbers = sandbox.payments().map((payment) => payment.checkNumber);
    expect(numbers).toHaveLength(COUNT);
    expect(new Set(numbers).size).toBe(COUNT);
    expect(numbers[1]).toBe('1001');
    expect(numbers[COUNT - 1]).toBe(String(1000 + COUNT / 2));

    const runtime = runtimeFor(sandbox);
    await withRuntime(runtime, async () => {
      const duplicate = seededPayment(sandbox as YardiSandbox, 2, { checkNumber: `C${COUNT - 8}`, bankId });
      expect(await exportOne(runtime, duplicate)).toMatchObject({ erp: { code: 'DUPLICATE_CHECK' } });
      const autoNumbered = seededPayment(sandbox as YardiSandbox, 3, { checkNumber: '1500', bankId });
      expect(await exportOne(runtime, autoNumbered)).toMatchObject({ erp: { code: 'DUPLICATE_CHECK' } });
      const fresh = seededPayment(sandbox as YardiSandbox, 4, { checkNumber: 'C-new', bankId });
      expect(await exportOne(runtime, fresh)).toMatchObject({ kind: 'synced' });
    });
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'C-new')).toHaveLength(1);
  });
});
