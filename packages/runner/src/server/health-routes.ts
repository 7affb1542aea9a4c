import type { Runner } from '../daemon.js';
import type { RunnerMetrics } from '../metrics/runner-metrics.js';
import { route, type ApiRoute } from './route-kit.js';

/**
 * Probes and the scrape: no token, so a load balancer, Kubernetes and Prometheus need no secret. They show
 * no record data: counts by tenant and state at most (`/metrics`). Expose the port only where those callers
 * are, or put `/metrics` behind the ingress's own auth.
 */
export function healthRoutes(runner: Runner, metrics: RunnerMetrics): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/healthz',
      tag: 'operations',
      summary: 'Liveness',
      description: 'The process answers.',
      permission: null,
      returns: '`{ ok: true }`',
      async handler() {
        return { ok: true };
      },
    }),
    route({
      method: 'GET',
      url: '/readyz',
      tag: 'operations',
      summary: 'Readiness',
      description:
        'The store answers and the runner is started; 503 otherwise, with which check failed. `role` says whether this process holds the runner lease and sends (`active`) or stands by (`standby`: it serves the API and records webhooks, and takes over when the holder stops).',
      permission: null,
      returns: '`{ ready, role, checks: { store, runner } }` (503 when not ready)',
      async handler({ reply }) {
        const checks: Record<string, string> = {};
        try {
          await runner.ledger.counts();
          checks.store = 'ok';
        } catch (error) {
          checks.store = `unreachable: ${(error as Error).message}`;
        }
        checks.runner = runner.started ? 'ok' : 'not started or stopping';
        const ready = Object.values(checks).every((value) => value === 'ok');
        return reply.status(ready ? 200 : 503).send({ ready, role: runner.active ? 'active' : 'standby', checks });
      },
    }),
    route({
      method: 'GET',
      url: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics',
      description: 'Records by tenant and state, export latency, ERP and hub calls by outcome, lane queue depth and throttle pauses (text exposition format).',
      permission: null,
      returns: 'Prometheus text exposition format',
      async handler({ reply }) {
        const text = await metrics.text();
        return reply.type(metrics.registry.contentType).send(text);
      },
    }),
  ];
}
