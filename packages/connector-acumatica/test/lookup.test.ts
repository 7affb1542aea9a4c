/**
 * Acumatica has no idempotency key: a check of unknown fate is found again with
 * `$filter=PaymentRef eq '…' and Vendor eq '…' and CashAccount eq '…'`, OData-quoted, before anything is
 * sent again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { BILLS, exportOnce, item, payment, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

describe('look-up by natural key', () => {
  it.each([
    ["a quote in it", "O'Neil-0042"],
    ['OData words and two quotes in it', "7 eq '7' and 1 eq 1"],
  ])('finds a check whose number has %s, after its answer was lost, and posts nothing twice', async (_what, checkNumber) => {
    sandbox = await startSeeded({ faults: { commitThenDrop: 1 } });
    const record = payment({ checkNumber });
    const outcome = await exportOnce(sandbox, record);
    expect(outcome).toMatchObject({ kind: 'synced', replayed: true });
    const stored = sandbox.payments();
    expect(stored.map((check) => [check.checkNumber, check.status])).toEqual([[checkNumber, 'Closed']]);
    expect(outcome.kind === 'synced' ? outcome.erpId : '').toBe(stored[0]?.erpId);
  });

  it('a check that only shares the number (another amount) is not taken for ours: the retry meets the duplicate refusal', async () => {
    sandbox = await startSeeded();
    const first = payment({ bill: BILLS[0], amountCents: 10_000 });
    expect(await exportOnce(sandbox, first)).toMatchObject({ kind: 'synced' });
    const other = payment({ bill: BILLS[1], amountCents: 20_000, checkNumber: first.checkNumber });
    const runtime = runtimeFor(sandbox);
    try {
      expect(await runtime.settle(item(other, 1, true))).toBeNull();
      const [outcome] = await runtime.exportPayments([item(other, 1, true)]);
      expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'] });
    } finally {
      await runtime.close();
    }
    expect(sandbox.payments()).toHaveLength(1);
  });

  it('settle() finds nothing for a payment Acumatica never received', async () => {
    sandbox = await startSeeded();
    const runtime = runtimeFor(sandbox);
    try {
      expect(await runtime.settle(item(payment()))).toBeNull();
    } finally {
      await runtime.close();
    }
    expect(sandbox.sessions().open).toBe(0);
  });
});
