import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchHttpClient, Lane, type HttpResponse } from '../src/index.js';

/** One answer the loopback ERP gives: a status and, for a throttle, the Retry-After it names. */
interface Scripted {
  status: number;
  retryAfter?: string;
}

/**
 * A loopback ERP that answers from a script, one entry per request in arrival order (200 once the script
 * runs out). With `gate`, the first `gate` requests are held until all of them have arrived, so a burst is
 * really concurrent: every call of it is in flight before the first refusal comes back.
 */
async function scriptedErp(script: Scripted[], gate = 0): Promise<{ url: string; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const held: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    const index = arrivals.length;
    arrivals.push(Date.now());
    const answer = () => {
      const next = script[index] ?? { status: 200 };
      response.writeHead(next.status, { 'content-type': 'application/json', ...(next.retryAfter === undefined ? {} : { 'retry-after': next.retryAfter }) });
      response.end(JSON.stringify({ n: index }));
    };
    if (index < gate) {
      held.push(answer);
      if (held.length === gate) for (const release of held.splice(0)) release();
    } else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const servers: { close(): Promise<void> }[] = [];
const lanes: Lane[] = [];

afterEach(async () => {
  await Promise.all(lanes.splice(0).map((lane) => lane.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function lane(rateLimit: { requests: number; intervalMs: number; concurrency: number }, basePauseMs: number): { lane: Lane; pauses: number[] } {
  const pauses: number[] = [];
  const logger = {
    trace: () => {},
    debug: () => {},
    info: (fields: unknown) => {
      const pauseMs = (fields as { pauseMs?: unknown } | undefined)?.pauseMs;
      if (typeof pauseMs === 'number') pauses.push(pauseMs);
    },
    warn: () => {},
    error: () => {},
    child: () => logger,
  };
  const created = new Lane({ key: 'acme/test-erp', rateLimit, logger, throttle: { basePauseMs } });
  lanes.push(created);
  return { lane: created, pauses };
}

async function erp(script: Scripted[], gate = 0) {
  const server = await scriptedErp(script, gate);
  servers.push(server);
  return server;
}

const call = (target: Lane, url: string): Promise<HttpResponse> => target.http({ method: 'GET', url });

/** Calls one at a time, each after the previous answer: every throttle is a burst of its own. */
async function oneByOne(target: Lane, url: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await call(target, url)).status);
  return statuses;
}

const SLACK_MS = 15;

describe('Lane throttle pauses: a burst counts once, the window bounds them, any other answer resets them', () => {
  it('a burst of 8 concurrent 429s pauses the lane once, for the base pause', { timeout: 5_000 }, async () => {
    const server = await erp(Array.from({ length: 8 }, () => ({ status: 429 })), 8);
    const { lane: target, pauses } = lane({ requests: 100, intervalMs: 10_000, concurrency: 8 }, 200);
    const burst = await Promise.all(Array.from({ length: 8 }, () => call(target, server.url)));
    expect(burst.map((answer) => answer.status)).toEqual(Array.from({ length: 8 }, () => 429));
    expect((await call(target, server.url)).status).toBe(200);
    // From the burst's last arrival (the refusals went out right after it) to the next call's arrival.
    const resumedAfter = (server.arrivals[8] as number) - (server.arrivals[7] as number);

    expect(pauses).toEqual([200]);
    expect(target.stats()).toMatchObject({ throttlePauses: 1, longestPauseMs: 200, paused: false });
    // The next call waited out the one pause, no more (before the fix: 200 ms doubled seven times, 25.6 s).
    expect(resumedAfter).toBeGreaterThanOrEqual(200 - SLACK_MS);
    expect(resumedAfter).toBeLessThan(1_000);
    console.info(`throttle burst: 8 concurrent 429s, ${target.stats().throttlePauses} pause of ${target.stats().longestPauseMs} ms; next call ${resumedAfter} ms after the burst`);
  });

  it('repeated throttles double the pause only up to the limit’s window', { timeout: 5_000 }, async () => {
    const server = await erp(Array.from({ length: 6 }, () => ({ status: 429 })));
    const { lane: target, pauses } = lane({ requests: 100, intervalMs: 300, concurrency: 1 }, 50);
    expect(await oneByOne(target, server.url, 7)).toEqual([429, 429, 429, 429, 429, 429, 200]);
    // 50, 100, 200, then the window (300 ms) and no further: the ERP has forgotten the calls of a past window.
    expect(pauses).toEqual([50, 100, 200, 300, 300, 300]);
    expect(target.stats().longestPauseMs).toBe(300);
  });

  it('a longer Retry-After the ERP named lets unnamed pauses grow to it, not past', { timeout: 5_000 }, async () => {
    const server = await erp([{ status: 429, retryAfter: '0.4' }, { status: 429 }, { status: 429 }, { status: 429 }, { status: 429 }, { status: 429 }]);
    const { lane: target, pauses } = lane({ requests: 100, intervalMs: 100, concurrency: 1 }, 50);
    await oneByOne(target, server.url, 7);
    expect(pauses).toEqual([400, 50, 100, 200, 400, 400]);
  });

  it('mixed 429 and 5xx never climb: each 5xx resets the escalation', { timeout: 5_000 }, async () => {
    const script: Scripted[] = [];
    for (let i = 0; i < 8; i++) script.push({ status: 429 }, { status: i % 2 === 0 ? 500 : 502 });
    const server = await erp(script);
    const { lane: target, pauses } = lane({ requests: 100, intervalMs: 60_000, concurrency: 1 }, 50);
    const started = Date.now();
    await oneByOne(target, server.url, 17);
    // Before the fix, 5xx kept the run of throttles going: 50 ms doubled to 6.4 s by the eighth 429.
    expect(pauses).toEqual(Array.from({ length: 8 }, () => 50));
    expect(target.stats().longestPauseMs).toBe(50);
    expect(Date.now() - started).toBeLessThan(2_000);
    console.info(`mixed 429/5xx: 8 throttles, longest pause ${target.stats().longestPauseMs} ms, 17 calls in ${Date.now() - started} ms`);
  });

  it('a success resets the escalation; so does a 4xx', { timeout: 5_000 }, async () => {
    const server = await erp([{ status: 429 }, { status: 429 }, { status: 429 }, { status: 200 }, { status: 429 }, { status: 404 }, { status: 429 }]);
    const { lane: target, pauses } = lane({ requests: 100, intervalMs: 60_000, concurrency: 1 }, 40);
    await oneByOne(target, server.url, 8);
    expect(pauses).toEqual([40, 80, 160, 40, 40]);
  });

  it('throttle signals while paused are the same burst: one pause, not a doubling', async () => {
    const { lane: target, pauses } = lane({ requests: 100, intervalMs: 60_000, concurrency: 1 }, 60);
    target.signals.throttled();
    target.signals.throttled();
    target.signals.throttled();
    expect(pauses).toEqual([60]);
    await new Promise((resolve) => setTimeout(resolve, 90));
    expect(target.paused).toBe(false);
    // After the pause, with no answer in between, a new signal is the next burst: the pause doubles.
    target.signals.throttled();
    expect(pauses).toEqual([60, 120]);
    expect(target.stats().throttlePauses).toBe(2);
  });
});

describe('Lane timeout', () => {
  it('gives its transport the tenant’s timeout for every request that names none', { timeout: 10_000 }, async () => {
    const slow = createServer((request, response) => {
      request.resume();
      const timer = setTimeout(() => response.end('late'), 2_000);
      response.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => { slow.close(() => resolve()); slow.closeAllConnections(); }) });
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    // One shared transport under both lanes, as the runner's composition root makes it.
    const shared = createFetchHttpClient();
    const quick = new Lane({ key: 'quick/test-erp', rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 1 }, transport: shared, timeoutMs: 300 });
    const patient = new Lane({ key: 'patient/test-erp', rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 1 }, transport: shared });
    lanes.push(quick, patient);
    const started = Date.now();
    const [timedOut, answered] = await Promise.allSettled([call(quick, url), call(patient, url)]);
    expect(timedOut).toMatchObject({ status: 'rejected', reason: { name: 'HttpTransportError', reason: 'timeout', committed: 'unknown' } });
    expect((timedOut as PromiseRejectedResult).reason.message).toContain('within 300 ms');
    expect(answered).toMatchObject({ status: 'fulfilled', value: { status: 200, body: 'late' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000 - SLACK_MS);
    // A request's own timeout still wins.
    await expect(quick.http({ method: 'GET', url, timeoutMs: 100 })).rejects.toMatchObject({ reason: 'timeout' });
  });
});

describe('Lane close during a throttle pause', () => {
  it('cancels the calls waiting behind a two-minute pause at once, and closes without waiting it out', { timeout: 5_000 }, async () => {
    const server = await erp([{ status: 429, retryAfter: '120' }]);
    const { lane: target } = lane({ requests: 100, intervalMs: 60_000, concurrency: 1 }, 50);
    expect((await call(target, server.url)).status).toBe(429);
    expect(target.paused).toBe(true);
    const waiting = [call(target, server.url), call(target, server.url), call(target, server.url)].map((pending) => pending.catch((error: unknown) => error));
    while (target.stats().queued < 3) await new Promise((resolve) => setTimeout(resolve, 2));
    const closingAt = Date.now();
    await target.close();
    const errors = await Promise.all(waiting);
    expect(Date.now() - closingAt).toBeLessThan(500);
    for (const error of errors) expect(error).toMatchObject({ code: 'LL_CANCELLED' });
    expect(server.arrivals).toHaveLength(1);
  });
});
