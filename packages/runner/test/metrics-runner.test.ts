import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerMetrics } from '../src/metrics/runner-metrics.js';
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
