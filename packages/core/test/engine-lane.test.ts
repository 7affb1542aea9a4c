import { executionAsyncId } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, Lane, LedgerlinkError, maxInWindow, type HttpResponse } from '../src/index.js';
import { startFakeErp, type FakeErp } from './support/fake-erp.js';

let erp: FakeErp;
const lanes: Lane[] = [];

beforeEach(async () => {
  erp = await startFakeErp();
});

afterEach(async () => {
  await Promise.all(lanes.splice(0).map((lane) => lane.close()));
  await erp.close();
});

function lane(rateLimit: { requests: number; intervalMs: number; concurrency: number }, extra: { basePauseMs?: number } = {}): Lane {
  const created = new Lane({
    key: 'acme/test-erp',
    rateLimit,
    ...(extra.basePauseMs === undefined ? {} : { throttle: { basePauseMs: extra.basePauseMs } }),
  });
  lanes.push(created);
  return created;
}

const echo = (target: Lane): Promise<HttpResponse> => target.http({ method: 'GET', url: `${erp.url}/echo` });

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Arrival times of the echo calls, in order. */
const echoTimes = (): number[] => erp.arrivals.filter((arrival) => arrival.path === '/echo').map((arrival) => arrival.at);

/** Timers may fire a millisecond or two early against Date.now(); pauses are checked as lower bounds with this slack. */
const SLACK_MS = 15;

describe('Lane', () => {
  it('keeps a burst within the sliding window and the concurrency the ERP allows', async () => {
    erp.latencyMs = 15;
    const target = lane({ requests: 5, intervalMs: 200, concurrency: 2 });
    const calls = Array.from({ length: 30 }, () => echo(target));
    await until(() => erp.arrivals.length > 0);
    expect(target.stats()).toMatchObject({ key: 'acme/test-erp', paused: false, throttlePauses: 0 });
    expect(target.stats().queued + target.stats().running).toBeGreaterThan(20);

    const responses = await Promise.all(calls);
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 30 }, () => 200));
    expect(erp.arrivals).toHaveLength(30);
    expect(maxInWindow(echoTimes(), 200)).toBeLessThanOrEqual(5);
    expect(erp.maxConcurrent()).toBeLessThanOrEqual(2);
    expect(target.stats()).toMatchObject({ queued: 0, running: 0 });
  });

  it('pauses the whole lane on a 429 with Retry-After: no call arrives during the pause', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 3 });
    erp.fault('GET /echo', { kind: 'throttle', retryAfter: '0.3' });
    const release = erp.hold();
    const calls = Array.from({ length: 6 }, () => echo(target));
    try {
      // The first call is refused at once; the other two in flight are held until the lane has paused.
      await until(() => target.stats().paused && erp.arrivals.length === 3);
      expect(target.stats()).toMatchObject({ running: 2, queued: 3 });
    } finally {
      release();
    }

    const statuses = (await Promise.all(calls)).map((response) => response.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(5);
    const [throttledAt, ...rest] = echoTimes();
    expect(rest).toHaveLength(5);
    const afterPause = rest.slice(2);
    for (const at of afterPause) expect(at).toBeGreaterThanOrEqual((throttledAt as number) + 300 - SLACK_MS);
    expect(target.stats()).toMatchObject({ throttlePauses: 1, paused: false });
  });

  it('pauses on a 503 that carries Retry-After, but not on a plain 503', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 });
    erp.fault('GET /echo', { kind: 'server-error' });
    expect((await echo(target)).status).toBe(503);
    expect(target.stats()).toMatchObject({ throttlePauses: 0, paused: false });

    erp.fault('GET /echo', { kind: 'server-error', retryAfter: '0.2' });
    expect((await echo(target)).status).toBe(503);
    expect(target.stats()).toMatchObject({ throttlePauses: 1, paused: true });
    const next = echo(target);
    expect((await next).status).toBe(200);
    const times = echoTimes();
    expect(times[2] as number).toBeGreaterThanOrEqual((times[1] as number) + 200 - SLACK_MS);
  });

  it('pauses the whole lane on a throttle signal that did not come as HTTP 429', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 2 });
    const signalledAt = Date.now();
    target.signals.throttled(250);
    expect(target.stats()).toMatchObject({ paused: true, throttlePauses: 1 });
    const responses = await Promise.all(Array.from({ length: 4 }, () => echo(target)));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    for (const at of echoTimes()) expect(at).toBeGreaterThanOrEqual(signalledAt + 250 - SLACK_MS);
  });

  it('lets an overlapping pause extend the current one, never shorten it', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 2 });
    const first = Date.now();
    target.signals.throttled(250);
    target.signals.throttled(20);
    await echo(target);
    expect(echoTimes()[0] as number).toBeGreaterThanOrEqual(first + 250 - SLACK_MS);

    const second = Date.now();
    target.signals.throttled(20);
    target.signals.throttled(250);
    await echo(target);
    expect(echoTimes()[1] as number).toBeGreaterThanOrEqual(second + 250 - SLACK_MS);
    // Each of the two overlapping pairs paused the lane once.
    expect(target.stats().throttlePauses).toBe(2);
  });

  it('without a delay of its own, a throttle pauses for the default, doubling while throttles repeat', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 }, { basePauseMs: 60 });
    const first = Date.now();
    target.signals.throttled();
    await echo(target);
    expect(echoTimes()[0] as number).toBeGreaterThanOrEqual(first + 60 - SLACK_MS);
    // The answer in between ended the first run of throttles: the next pauses 60 again.
    erp.fault('GET /echo', { kind: 'throttle' }, { kind: 'throttle' });
    const second = Date.now();
    await echo(target);
    await echo(target);
    await echo(target);
    // Two throttled calls, each started after the previous pause: 60, then 60 * 2.
    expect(echoTimes()[3] as number).toBeGreaterThanOrEqual(second + 180 - SLACK_MS);
    expect(target.stats().throttlePauses).toBe(3);
  });

  it('on close, cancels waiting calls with LL_CANCELLED and waits for the running one', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 });
    const release = erp.hold();
    const settled: string[] = [];
    const running = echo(target).then((response) => {
      settled.push('running');
      return response;
    });
    const waiting = [echo(target), echo(target)].map((call) => call.catch((error: unknown) => error));
    await until(() => erp.arrivals.length === 1);
    expect(target.stats()).toMatchObject({ running: 1, queued: 2 });

    const closing = target.close().then(() => settled.push('closed'));
    const cancelled = await Promise.all(waiting);
    for (const error of cancelled) {
      expect(error).toBeInstanceOf(LedgerlinkError);
      expect((error as LedgerlinkError).code).toBe(ErrorCodes.CANCELLED);
      expect((error as LedgerlinkError).message).toContain('nothing was sent');
    }
    expect(settled).toEqual([]);

    release();
    expect((await running).status).toBe(200);
    await closing;
    expect(settled).toEqual(['running', 'closed']);
    expect(erp.arrivals).toHaveLength(1);
    await expect(echo(target)).rejects.toMatchObject({ code: ErrorCodes.CANCELLED });
  });
});

/** Runs `work` and returns the MaxListenersExceededWarnings Node printed meanwhile (up to a turn after it ended). */
async function maxListenersWarnings(work: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings.filter((warning) => warning.includes('MaxListeners'));
}

describe('Lane calls under a run signal (Lane.withSignal)', () => {
  it('cancels the calls still waiting when the run signal fires, and 40 waiting calls print no listener warning', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 });
    const warnings = await maxListenersWarnings(async () => {
      const release = erp.hold();
      const run = new AbortController();
      const calls = await target.withSignal(run.signal, async () => Array.from({ length: 40 }, () => echo(target).catch((error: unknown) => error)));
      await until(() => erp.arrivals.length === 1);
      run.abort();
      release();
      const results = await Promise.all(calls);
      const cancelled = results.filter((result) => result instanceof LedgerlinkError && result.code === ErrorCodes.CANCELLED);
      expect(cancelled).toHaveLength(39);
      expect(erp.arrivals).toHaveLength(1);
      // The refused calls' places in the queue send nothing and hold no slot: the lane shows none queued, and the
      // next call goes out at once.
      await until(() => target.stats().queued === 0 && target.stats().running === 0);
      expect((await echo(target)).status).toBe(200);
      expect(erp.arrivals).toHaveLength(2);
    });
    expect(warnings).toEqual([]);
  });
});

describe('Lane runs without AsyncLocalStorage', () => {
  it('40 runs at once on one signal print no listener warning, and its firing cancels the calls of all of them', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 });
    const warnings = await maxListenersWarnings(async () => {
      const release = erp.hold();
      const shared = new AbortController();
      const runs = Array.from({ length: 40 }, () => target.withSignal(shared.signal, () => echo(target)).catch((error: unknown) => error));
      await until(() => erp.arrivals.length === 1);
      shared.abort();
      release();
      const results = await Promise.all(runs);
      expect(results.filter((result) => result instanceof LedgerlinkError && result.code === ErrorCodes.CANCELLED)).toHaveLength(39);
      expect(erp.arrivals).toHaveLength(1);
    });
    expect(warnings).toEqual([]);
  });

  it('turns on no promise hooks: a run signal reaches its calls without async context', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 });
    const run = new AbortController();
    expect((await target.withSignal(run.signal, () => echo(target))).status).toBe(200);
    // A promise reaction runs with async id 0 unless something (an AsyncLocalStorage.run on Node 20) enabled
    // promise hooks, which then cost every promise of the process.
    const id = await Promise.resolve().then(() => executionAsyncId());
    expect(id).toBe(0);
  });

  it('a call made while two runs go is cancelled when either fires; a call made after both ended is not', async () => {
    const target = lane({ requests: 100, intervalMs: 1_000, concurrency: 1 });
    const release = erp.hold();
    const first = new AbortController();
    const second = new AbortController();
    const running = echo(target);
    await until(() => erp.arrivals.length === 1);
    let queued: Promise<unknown> | undefined;
    let finishSecond = (): void => undefined;
    const secondRun = target.withSignal(second.signal, () => new Promise<void>((resolve) => (finishSecond = resolve)));
    await target.withSignal(first.signal, async () => {
      queued = echo(target).catch((error: unknown) => error);
    });
    finishSecond();
    await secondRun;
    const later = echo(target);
    second.abort();
    expect(await queued).toMatchObject({ code: ErrorCodes.CANCELLED });
    release();
    expect((await running).status).toBe(200);
    expect((await later).status).toBe(200);
    expect(erp.arrivals).toHaveLength(2);
  });
});

describe('Lane fencing and handover', () => {
  it('asks its gate right before each call leaves the queue: a refusal sends nothing, even for calls queued before it', async () => {
    let open = true;
    const target = new Lane({
      key: 'acme/test-erp',
      rateLimit: { requests: 100, intervalMs: 1_000, concurrency: 1 },
      gate: () => {
        if (!open) throw new LedgerlinkError(ErrorCodes.LEASE_LOST, 'lease lost');
      },
    });
    lanes.push(target);
    erp.latencyMs = 30;
    const first = echo(target);
    // Queued behind the first (concurrency 1) while the lease is still held.
    const queued = [echo(target), echo(target), echo(target)];
    await until(() => erp.arrivals.length === 1);
    open = false;
    expect((await first).status).toBe(200);
    for (const call of queued) await expect(call).rejects.toMatchObject({ code: ErrorCodes.LEASE_LOST });
    expect(erp.arrivals.filter((arrival) => arrival.path === '/echo')).toHaveLength(1);
  });

  it('counts the calls a previous holder made in the window: a new lane starts with their budget spent', async () => {
    const target = new Lane({
      key: 'acme/test-erp',
      rateLimit: { requests: 2, intervalMs: 600, concurrency: 2 },
      // Two calls made 100 ms ago by the tenant's previous lease holder.
      recentCallAgesMs: [100, 100],
    });
    lanes.push(target);
    const started = Date.now();
    await echo(target);
    // Its tokens come back 600 ms after those calls: about 500 ms from now, not at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500 - SLACK_MS);
  });
});
