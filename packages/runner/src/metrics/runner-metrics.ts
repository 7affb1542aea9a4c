import type { Outcome } from '@ledgerlink/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Runner } from '../daemon.js';
import type { RunnerEventMap } from '../events.js';

/** The runner's Prometheus metrics: a registry of its own (never prom-client's global one) and its listeners. */
export interface RunnerMetrics {
  readonly registry: Registry;
  /** The exposition text (`GET /metrics`). */
  text(): Promise<string>;
  /** Stops listening to the runner's events. */
  close(): void;
}

export interface RunnerMetricsOptions {
  /** Also export prom-client's process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
}

/**
 * How often the process metrics sample the event loop's delay, in ms (prom-client's `eventLoopMonitoringPrecision`;
 * its default is 10). Each sample is a timer that wakes the event loop: at 10 ms an idle runner woke 100 times a second
 * for it alone, and on a virtual machine a wake-up costs a few hundred µs of CPU (`bench/wakeup-cost.ts`: 263–311 µs
 * against 71–84 µs for the same work arriving twenty at a time). An idle replica spent about a third of its CPU
 * there. At 100 ms the loop wakes 10 times a second for it; a stall of the loop still delays the next sample, so the
 * lag's maximum and high percentiles still show stalls longer than the interval, to within it.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** Export latency buckets in seconds: the seeds allow 10 minutes; the aim is seconds. */
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

type Listener<K extends keyof RunnerEventMap> = (...args: RunnerEventMap[K]) => void;

/**
 * Builds the metrics of one runner. Counters and the histogram follow the runner's events; the record
 * counts and the lanes are read when scraped (ledger counts, `laneStats()`), so they are never stale and
 * cost nothing between scrapes.
 */
export function createRunnerMetrics(runner: Runner, options: RunnerMetricsOptions = {}): RunnerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'ledgerlink_process_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });

  new Gauge({
    name: 'ledgerlink_records',
    help: 'Ledger records by tenant and state.',
    labelNames: ['tenant', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { tenant, state, count } of await runner.ledger.counts()) this.set({ tenant, state }, count);
    },
  });
  const latency = new Histogram({
    name: 'ledgerlink_export_latency_seconds',
    help: 'From the ledger recording a payment to the ERP confirming it, in seconds.',
    labelNames: ['tenant', 'connector'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const erpCalls = new Counter({
    name: 'ledgerlink_erp_calls_total',
    help: 'ERP calls (export attempts) by tenant, connector and outcome kind (synced, accepted, retryable, rejected, needs-edit).',
    labelNames: ['tenant', 'connector', 'outcome'] as const,
    registers: [registry],
  });
  const erpDuration = new Histogram({
    name: 'ledgerlink_erp_call_duration_seconds',
    help: 'Duration of one ERP call (an attempt), in seconds.',
    labelNames: ['tenant', 'connector'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const hubCalls = new Counter({
    name: 'ledgerlink_hub_calls_total',
    help: 'Calls to the hub by operation and outcome (ok, error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'ledgerlink_lane_queue_depth',
    help: 'Calls waiting in a lane (one lane per tenant and connector, one for the hub).',
    labelNames: ['lane'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of lanes(runner)) this.set({ lane: stats.key }, stats.queued);
    },
  });
  new Gauge({
    name: 'ledgerlink_lane_in_flight',
    help: 'Calls in flight in a lane.',
    labelNames: ['lane'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of lanes(runner)) this.set({ lane: stats.key }, stats.running);
    },
  });
  new Gauge({
    name: 'ledgerlink_lane_throttled',
    help: '1 while a lane is paused for an ERP or hub throttle signal.',
    labelNames: ['lane'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of lanes(runner)) this.set({ lane: stats.key }, stats.paused ? 1 : 0);
    },
  });
  new Counter({
    name: 'ledgerlink_lane_throttle_pauses_total',
    help: 'Times a lane paused for a throttle signal since the runner started.',
    labelNames: ['lane'] as const,
    registers: [registry],
    collect() {
      // The lane keeps the running total; the counter mirrors it at each scrape.
      this.reset();
      for (const stats of lanes(runner)) this.inc({ lane: stats.key }, stats.throttlePauses);
    },
  });

  const onAttempt: Listener<'attempt'> = ({ tenant, connector, outcome, durationMs }) => {
    erpCalls.inc({ tenant, connector, outcome: outcomeLabel(outcome) });
    erpDuration.observe({ tenant, connector }, durationMs / 1000);
  };
  const onExported: Listener<'exported'> = ({ tenant, connector, latencyMs }) => {
    latency.observe({ tenant, connector }, Math.max(0, latencyMs) / 1000);
  };
  const onHubCall: Listener<'hubCall'> = ({ operation, outcome }) => {
    hubCalls.inc({ operation, outcome });
  };
  runner.events.on('attempt', onAttempt);
  runner.events.on('exported', onExported);
  runner.events.on('hubCall', onHubCall);

  return {
    registry,
    text: () => registry.metrics(),
    close() {
      runner.events.off('attempt', onAttempt);
      runner.events.off('exported', onExported);
      runner.events.off('hubCall', onHubCall);
    },
  };
}

function outcomeLabel(outcome: Outcome): string {
  return outcome.kind;
}

/** Every lane of the runner: one per tenant, and the hub's. */
function lanes(runner: Runner) {
  const stats = [...runner.tenants.values()].map((scope) => scope.runtime.laneStats());
  const hub = runner.hub;
  if (hub !== null) stats.push(hub.laneStats());
  return stats;
}
