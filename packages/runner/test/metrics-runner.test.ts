import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerMetrics, EVENT_LOOP_SAMPLE_MS } from '../src/metrics/runner-metrics.js';
import { startApiStack, untilStateOf, type ApiStack } from './api-harness.js';

/** `GET /metrics`: the runner's own prom-client registry, fed by its events and read from the ledger and lanes at scrape time. */

let stack: ApiStack;

/** The value of one sample line, e.g. `ledgerlink_records{tenant="acme",state="failed"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const answer = await stack.call('GET', '/metrics');
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  return answer.text;
}

describe('metrics', () => {
  beforeAll(async () => {
    // Every scrape fresh here: these tests read counters right after changing them (the 1 s cache has its own test).
    stack = await startApiStack({ server: { metricsCacheMs: 0 } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('counts records by tenant and state, ERP calls by outcome, and export latency', async () => {
    await stack.failedRecord('acme');
    await stack.intake('appr', stack.payment());
    const text = await scrape();
    expect(sample(text, 'ledgerlink_records', { tenant: 'acme', state: 'synced' })).toBe(1);
    expect(sample(text, 'ledgerlink_records', { tenant: 'acme', state: 'failed' })).toBe(1);
    expect(sample(text, 'ledgerlink_records', { tenant: 'appr', state: 'awaiting_approval' })).toBe(1);
    expect(sample(text, 'ledgerlink_erp_calls_total', { tenant: 'acme', connector: 'qbo', outcome: 'synced' })).toBe(1);
    expect(sample(text, 'ledgerlink_erp_calls_total', { tenant: 'acme', connector: 'qbo', outcome: 'needs-edit' })).toBe(1);
    expect(sample(text, 'ledgerlink_export_latency_seconds_count', { tenant: 'acme', connector: 'qbo' })).toBe(1);
    expect(sample(text, 'ledgerlink_export_latency_seconds_bucket', { tenant: 'acme', connector: 'qbo', le: '600' })).toBe(1);
    expect(text).toMatch(/# TYPE ledgerlink_export_latency_seconds histogram/);
  });

  it('shows every lane (queue depth, throttle pauses) and counts a throttled call', async () => {
    stack.qbo.setFaults({ throttleNext: 1 });
    const item = await stack.intake('acme', stack.payment());
    await untilStateOf(stack.runner, item.id, 'synced');
    const text = await scrape();
    for (const lane of [stack.runner.tenant('acme').runtime.laneStats().key, stack.runner.tenant('appr').runtime.laneStats().key, stack.runner.hub?.laneStats().key as string]) {
      expect(sample(text, 'ledgerlink_lane_queue_depth', { lane }), lane).toBe(0);
      expect(sample(text, 'ledgerlink_lane_throttle_pauses_total', { lane }), lane).toBeTypeOf('number');
    }
    const acmeLane = stack.runner.tenant('acme').runtime.laneStats();
    expect(acmeLane.throttlePauses).toBeGreaterThan(0);
    expect(sample(text, 'ledgerlink_lane_throttle_pauses_total', { lane: acmeLane.key })).toBe(acmeLane.throttlePauses);
    expect(sample(text, 'ledgerlink_erp_calls_total', { tenant: 'acme', outcome: 'retryable' })).toBe(1);
  });

  it('counts hub calls by operation and outcome from the runner events', async () => {
    stack.runner.events.emit('hubCall', { operation: 'payment', outcome: 'ok' });
    stack.runner.events.emit('hubCall', { operation: 'payment', outcome: 'error' });
    stack.runner.events.emit('hubCall', { operation: 'payment', outcome: 'ok' });
    const text = await scrape();
    expect(sample(text, 'ledgerlink_hub_calls_total', { operation: 'payment', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'ledgerlink_hub_calls_total', { operation: 'payment', outcome: 'error' })).toBe(1);
  });

  it("keeps its own registry: nothing in prom-client's global one, and a second registry is independent", async () => {
    expect(await globalRegistry.getSingleMetricAsString('ledgerlink_records').catch(() => '')).toBe('');
    // The runner listens itself (close-outs after each attempt): a closed registry leaves only what was there.
    const listeners = stack.runner.events.listenerCount('attempt');
    const other = createRunnerMetrics(stack.runner, { processMetrics: false });
    try {
      const text = await other.text();
      expect(sample(text, 'ledgerlink_erp_calls_total', { tenant: 'acme', outcome: 'synced' })).toBeUndefined();
      expect(sample(text, 'ledgerlink_records', { tenant: 'acme', state: 'synced' })).toBeGreaterThan(0);
    } finally {
      other.close();
    }
    expect(stack.runner.events.listenerCount('attempt')).toBe(listeners);
  });
});

describe('metrics of an idle runner (issue 15)', () => {
  it('sample the event loop 10 times a second, not 100: an idle process is not woken for them', async () => {
    // A fresh process holds only the metrics (with the process metrics, as `ledgerlink run` has them), on a runner with no
    // tenants: its wake-ups over 2 s are the metrics' own, plus one keep-alive timer.
    const packageDir = resolve(import.meta.dirname, '..');
    const tsx = createRequire(join(packageDir, 'package.json')).resolve('tsx');
    const script = [
      "import { EventEmitter } from 'node:events';",
      `const { createRunnerMetrics } = await import(${JSON.stringify(pathToFileURL(join(packageDir, 'src/metrics/runner-metrics.ts')).href)});`,
      'const runner = { events: new EventEmitter(), ledger: { counts: async () => [] }, tenants: new Map(), hub: null };',
      'const metrics = createRunnerMetrics(runner);',
      'const keepAlive = setInterval(() => undefined, 60_000);',
      'await new Promise((done) => setTimeout(done, 500));',
      'const before = process.resourceUsage().voluntaryContextSwitches;',
      'await new Promise((done) => setTimeout(done, 2_000));',
      'const perSecond = (process.resourceUsage().voluntaryContextSwitches - before) / 2;',
      'const text = await metrics.text();',
      "const p99 = /^ledgerlink_process_nodejs_eventloop_lag_p99_seconds (\\S+)$/m.exec(text)?.[1];",
      'metrics.close();',
      'clearInterval(keepAlive);',
      'console.log(JSON.stringify({ perSecond, p99 }));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', pathToFileURL(tsx).href, '--conditions=source', '--input-type=module', '-e', script], {
      cwd: packageDir,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json') },
      timeout: 60_000,
    });
    const { perSecond, p99 } = JSON.parse(stdout) as { perSecond: number; p99?: string };
    expect(EVENT_LOOP_SAMPLE_MS).toBe(100);
    // prom-client's default (10 ms) wakes it about 100 times a second; at 100 ms about 10, whatever else the machine does.
    expect(perSecond).toBeLessThan(40);
    // The lag is still measured: its 99th percentile is a number of seconds.
    expect(Number(p99)).toBeGreaterThanOrEqual(0);
    expect(p99).toMatch(/^\d/);
  }, 60_000);
});
