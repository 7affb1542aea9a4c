/**
 * Acumatica's licence caps the signed-in API users, so the connector signs out after every unit of work,
 * whatever happened in it, and never holds more than one seat.
 */
import { ErrorCodes } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { BILLS, exportOnce, holdSeat, item, payment, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

describe('sign-out always happens', () => {
  it('after a synced export', async () => {
    sandbox = await startSeeded();
    expect(await exportOnce(sandbox, payment())).toMatchObject({ kind: 'synced' });
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 1, logouts: 1 });
  });

  it('after a 422 refusal', async () => {
    sandbox = await startSeeded();
    expect(await exportOnce(sandbox, payment({ bankId: 'NO-SUCH-CASH' }))).toMatchObject({ kind: 'needs-edit' });
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 1, logouts: 1 });
  });

  it('after the connection dropped mid-write', async () => {
    sandbox = await startSeeded({ faults: { commitThenDrop: 1 } });
    const outcome = await exportOnce(sandbox, payment(), { retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ kind: 'retryable', committed: 'unknown' });
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 1, logouts: 1 });
  });

  it('after a release that Acumatica refused', async () => {
    sandbox = await startSeeded({ faults: { releaseFailNext: 1 } });
    expect(await exportOnce(sandbox, payment())).toMatchObject({ kind: 'synced' });
    expect(sandbox.sessions()).toMatchObject({ open: 0, logouts: 1 });
  });

  it('after a connection check, and after an import', async () => {
    sandbox = await startSeeded();
    const runtime = runtimeFor(sandbox);
    try {
      await runtime.check();
      for await (const page of runtime.importPayments()) expect(page.errors).toEqual([]);
    } finally {
      await runtime.close();
    }
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 2, logouts: 2 });
  });
});

describe('licence seats', () => {
  it('concurrent exports share one session: one seat, one sign-in, one sign-out', async () => {
    sandbox = await startSeeded();
    const records = BILLS.slice(0, 4).map((bill) => payment({ bill }));
    const runtime = runtimeFor(sandbox);
    try {
      const outcomes = await runtime.exportPayments(records.map((record) => item(record)));
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced', 'synced', 'synced']);
    } finally {
      await runtime.close();
    }
    expect(sandbox.sessions()).toMatchObject({ open: 0, maxOpen: 1, logins: 1, logouts: 1 });
  });

  it('"API Login Limit" is a throttle (retryable, ERP text kept); the export goes through once a seat frees', async () => {
    sandbox = await startSeeded({ licence: { maxApiUsers: 1 } });
    const seat = await holdSeat(sandbox);
    const record = payment();
    const refused = await exportOnce(sandbox, record, { retry: { maxAttempts: 1 } });
    expect(refused).toMatchObject({ kind: 'retryable', reason: 'throttled', committed: 'no', erp: { message: 'API Login Limit', httpStatus: 500 } });
    expect(sandbox.sessions()).toMatchObject({ refusedLogins: 1, open: 1 });
    expect(sandbox.payments()).toEqual([]);

    await seat.release();
    expect(await exportOnce(sandbox, record)).toMatchObject({ kind: 'synced' });
    expect(sandbox.sessions().open).toBe(0);
  });

  it('wrong credentials fail the connection check with LL_ERP_AUTH, saying what to fix and not the password', async () => {
    sandbox = await startSeeded();
    const runtime = runtimeFor(sandbox, { config: { password: 'Hunter2-wrong' } });
    try {
      const error = await runtime.check().then(
        () => undefined,
        (thrown: unknown) => thrown as { code?: string; message?: string },
      );
      expect(error?.code).toBe(ErrorCodes.ERP_AUTH);
      expect(error?.message).toContain('Invalid credentials. Please try again.');
      expect(error?.message).toMatch(/password/);
      expect(error?.message).not.toContain('Hunter2-wrong');
    } finally {
      await runtime.close();
    }
    expect(sandbox.sessions()).toMatchObject({ open: 0, refusedLogins: 1 });
  });
});

describe('sign-out on the error paths', () => {
  it('after a 429 on the PUT (the licence queue full inside the session)', async () => {
    sandbox = await startSeeded({ faults: { faultsSpareLogin: true, throttleNext: 1 } });
    expect(await exportOnce(sandbox, payment(), { retry: { maxAttempts: 1 } })).toMatchObject({ kind: 'retryable', reason: 'throttled', erp: { httpStatus: 429 } });
    expect(sandbox.requestLog().map((entry) => entry.status)).toEqual([204, 429, 204]);
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 1, logouts: 1 });
  });

  it('after a 500 on the PUT', async () => {
    sandbox = await startSeeded({ faults: { faultsSpareLogin: true, serverErrorRate: 1 } });
    expect(await exportOnce(sandbox, payment(), { retry: { maxAttempts: 1 } })).toMatchObject({ kind: 'retryable', reason: 'server', committed: 'unknown' });
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 1, logouts: 1 });
  });

  it('after an import whose query was refused (the import fails, the seat is still given back)', async () => {
    sandbox = await startSeeded({ faults: { faultsSpareLogin: true, throttleNext: 1 } });
    const runtime = runtimeFor(sandbox);
    try {
      const failure = await (async () => {
        for await (const page of runtime.importPayments()) expect(page).toBeUndefined();
      })().then(
        () => undefined,
        (thrown: unknown) => thrown as { code?: string },
      );
      expect(failure?.code).toBe(ErrorCodes.ERP_THROTTLED);
    } finally {
      await runtime.close();
    }
    expect(sandbox.sessions()).toMatchObject({ open: 0, logins: 1, logouts: 1 });
  });

  it('after the session expired mid-release: 401, a new sign-in, the lost release found and finished, every session closed', async () => {
    sandbox = await startSeeded({ faults: { releasePolls: 10_000 } });
    const record = payment();
    const exporting = exportOnce(sandbox, record);
    while (!sandbox.requestLog().some((entry) => entry.url.includes('/ReleaseCheck/status/'))) await new Promise((resolve) => setTimeout(resolve, 5));
    sandbox.expireSessions();
    sandbox.setFaults({ releasePolls: 0 });
    expect(await exporting).toMatchObject({ kind: 'synced', replayed: true });
    expect(sandbox.requestLog().some((entry) => entry.status === 401)).toBe(true);
    expect(sandbox.payments().map((stored) => stored.status)).toEqual(['Closed']);
    const counts = sandbox.sessions();
    expect(counts.open).toBe(0);
    expect(counts.logins).toBeGreaterThanOrEqual(2);
  });
});
