/**
 * `ReleaseCheck` is a long-running action: 202 + Location, polled until 204. Whatever becomes of a release,
 * a created check is never posted a second time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { exportOnce, item, payment, recordingLogger, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

const onBill = (billId: string) => sandbox.payments().filter((stored) => stored.applications.some((application) => application.billId === billId));

describe('release polling', () => {
  it('follows the Location through 202s until the 204, then the check is Closed', async () => {
    sandbox = await startSeeded({ faults: { releasePolls: 3 } });
    const record = payment();
    const outcome = await exportOnce(sandbox, record);
    expect(outcome).toMatchObject({ kind: 'synced' });
    // sign-in, PUT, ReleaseCheck (202), three polls answered 202, the poll answered 204, sign-out
    expect(sandbox.stats().requests).toBe(8);
    const [stored] = onBill(record.invoice.erpId ?? '');
    expect(stored).toMatchObject({ erpId: outcome.kind === 'synced' ? outcome.erpId : '', status: 'Closed', final: true });
  });

  it('a release still running when releaseTimeoutMs ends is retryable, committed unknown; the retry releases the same check', async () => {
    sandbox = await startSeeded({ faults: { releasePolls: 1_000 } });
    const record = payment();
    const runtime = runtimeFor(sandbox, { config: { releaseTimeoutMs: 30 }, retry: { maxAttempts: 1 } });
    try {
      const [first] = await runtime.exportPayments([item(record)]);
      expect(first).toMatchObject({ kind: 'retryable', committed: 'unknown' });
      expect(onBill(record.invoice.erpId ?? '')).toMatchObject([{ status: 'Balanced', final: false }]);

      sandbox.setFaults({ releasePolls: 0 });
      const [second] = await runtime.exportPayments([item(record, 1, true)]);
      expect(second).toMatchObject({ kind: 'synced', replayed: true });
    } finally {
      await runtime.close();
    }
    expect(onBill(record.invoice.erpId ?? '')).toMatchObject([{ status: 'Closed', final: true }]);
  });
});

describe('a release Acumatica refuses', () => {
  it('links the payment to the created check with a warning, and a later look-up releases that check, never a second one', async () => {
    sandbox = await startSeeded({ faults: { releaseFailNext: 1 } });
    const record = payment();
    const logger = recordingLogger();
    const runtime = runtimeFor(sandbox, { logger });
    try {
      const [outcome] = await runtime.exportPayments([item(record)]);
      expect(outcome).toMatchObject({ kind: 'synced' });
      const erpId = outcome?.kind === 'synced' ? outcome.erpId : '';
      expect(onBill(record.invoice.erpId ?? '')).toMatchObject([{ erpId, status: 'Balanced', final: false }]);
      const warning = logger.lines.find((line) => line.level === 'warn' && line.message.includes(erpId));
      expect(warning?.fields).toMatchObject({
        erp: { message: 'The document cannot be released: the financial period of its application date is closed.', httpStatus: 500 },
      });

      const settled = await runtime.settle(item(record));
      expect(settled).toMatchObject({ kind: 'synced', erpId, replayed: true });
    } finally {
      await runtime.close();
    }
    expect(onBill(record.invoice.erpId ?? '')).toMatchObject([{ status: 'Closed', final: true }]);
  });
});
