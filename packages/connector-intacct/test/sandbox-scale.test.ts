import { afterEach, describe, expect, it } from 'vitest';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { itemFor, paymentFor, runtimeFor, seedFor, startSandbox } from './support/intacct-fixtures.js';

/** Enough payments that a scan of every one per create shows, few enough for a test. */
const COUNT = 20_000;

let sandbox: IntacctSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe(`the Intacct sandbox with ${COUNT} AP payments`, () => {
  it('seeds them, still refuses a DOCNUMBER any of them uses on the checking account, and takes a new one', async () => {
    sandbox = await startSandbox();
    const first = paymentFor(1, { invoice: { id: 'hub-invoice-1', number: 'INV-1', amountCents: COUNT * 100 + 1_000_000, erpId: '7001' } });
    sandbox.seed(seedFor(first));
    for (let i = 0; i < COUNT; i++) {
      sandbox.addPayment({ vendorId: 'V-1', bankAccountId: 'BA-1', billId: '7001', amountCents: 100, date: '2025-01-31', method: 'check', checkNumber: `D${i}`, final: true });
    }
    expect(sandbox.payments()).toHaveLength(COUNT);
    expect(() =>
      sandbox?.addPayment({ vendorId: 'V-1', bankAccountId: 'BA-1', billId: '7001', amountCents: 100, date: '2025-01-31', method: 'check', checkNumber: `D${COUNT - 5}`, final: true }),
    ).toThrow(/DOCNUMBER.*already used on checking account 'BA-1'/);

    const runtime = runtimeFor(sandbox);
    try {
      const duplicate = paymentFor(2, { bankId: 'BA-1', checkNumber: `D${COUNT - 9}` });
      sandbox.seed(seedFor(duplicate));
      const [refused] = await runtime.exportPayments([itemFor(duplicate)]);
      expect(refused).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'] });
      const fresh = paymentFor(3, { bankId: 'BA-1', checkNumber: 'D-new' });
      sandbox.seed(seedFor(fresh));
      const [taken] = await runtime.exportPayments([itemFor(fresh)]);
      expect(taken).toMatchObject({ kind: 'synced' });
    } finally {
      await runtime.close();
    }
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'D-new')).toHaveLength(1);
  }, 120_000);
});
