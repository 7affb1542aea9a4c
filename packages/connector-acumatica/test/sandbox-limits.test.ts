/**
 * The sandbox keeps the licence's limits (License Restrictions for API Users): past half the per-window cap a
 * request is delayed, not refused; one that would wait too long, or a full queue, is declined with 429. And the
 * latency knob, seen by the connector as a timeout of unknown outcome.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { BILLS, exportOnce, item, payment, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
afterEach(() => sandbox.close());

describe('licence limits and fault knobs', () => {
  it('past half the per-window cap, requests are delayed, not declined: every export syncs', async () => {
    sandbox = await startSeeded({ faults: { enforceLimits: true }, licence: { maxRequestsPerWindow: 8, windowMs: 1_500 } });
    const records = BILLS.slice(0, 2).map((bill) => payment({ bill }));
    const runtime = runtimeFor(sandbox, { rateLimit: { concurrency: 1 } });
    try {
      const outcomes = await runtime.exportPayments(records.map((record) => item(record)));
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced']);
    } finally {
      await runtime.close();
    }
    expect(sandbox.delayedRequests()).toBeGreaterThan(0);
    expect(sandbox.stats().throttled).toBe(0);
  });

  it('a request that would wait longer than the licence allows is declined with 429', async () => {
    sandbox = await startSeeded({ faults: { enforceLimits: true }, licence: { maxRequestsPerWindow: 4, windowMs: 5_000, maxWaitMs: 100 } });
    const { username, password, tenant } = sandbox.credentials;
    const login = await fetch(`${sandbox.url}/entity/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: username, password, tenant }) });
    const cookie = login.headers.getSetCookie().map((entry) => entry.split(';')[0]).join('; ');
    const get = () => fetch(`${sandbox.url}/entity/Default/24.200.001/Check?$top=1`, { headers: { cookie } });
    expect((await get()).status).toBe(200);
    const declined = await get();
    expect(declined.status).toBe(429);
    expect(((await declined.json()) as { message: string }).message).toContain('exceeds the limit of your license');
    await fetch(`${sandbox.url}/entity/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(sandbox.sessions().open).toBe(0);
  });

  it('latencyMs: an answer slower than the call timeout is a timeout, retryable, outcome unknown', async () => {
    sandbox = await startSeeded({ faults: { latencyMs: 1_000 } });
    const outcome = await exportOnce(sandbox, payment(), { timeoutMs: 300, retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ kind: 'retryable', reason: 'timeout' });
  });
});
