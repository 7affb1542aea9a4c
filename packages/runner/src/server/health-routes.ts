import type { Runner } from '../daemon.js';
import type { RunnerMetrics } from '../metrics/runner-metrics.js';
import { route, type ApiRoute } from './route-kit.js';

/** How long one `/metrics` scrape is served again, in milliseconds. */
export const METRICS_CACHE_MS = 1000;

/**
 * Probes and the scrape: no token, so a load balancer, Kubernetes and Prometheus need no secret. They show
 * no record data: counts by tenant and state at most (`/metrics`). Expose the port only where those callers
 * are, or put `/metrics` behind the ingress's own auth.
 */
export function healthRoutes(runner: Runner, metrics: RunnerMetrics, options: { metricsCacheMs?: number } = {}): ApiRoute[] {
  // The scrape reads the ledger's counts: built at most once a second (scrapers come every 15 s or so; a flood of
  // unauthenticated requests gets the same text instead of a ledger query each).
  const cacheMs = options.metricsCacheMs ?? METRICS_CACHE_MS;
  let cached: { at: number; text: Promise<string> } | undefined;
  const scrape = (): Promise<string> => {
    const now = Date.now();
    if (cached === undefined || now - cached.at >= cacheMs) {
      const text = metrics.text();
      cached = { at: now, text };
      // A failed scrape is not kept: the next request builds it again.
      text.catch(() => {
        if (cached?.text === text) cached = undefined;
      });
    }
    return cached.text;
  };
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
        'The store answers a trivial query (`SELECT 1`: cheap whatever the ledger\'s size), the runner is started and the hub connection works (as its last call ended: no probe per request); 503 otherwise, naming which check failed and why. `role` says whether this process holds the runner lease and sends (`active`) or stands by (`standby`: it serves the API and records webhooks, and takes over when the holder stops). `tenants` gives each tenant\'s state (`running`, `recovering`: its crash recovery is not done, it sends nothing new yet) and its ERP connection as its last call ended; `recovering` lists the tenants still recovering; `held` the tenants whose lease this replica holds (it sends for them, and serves their listeners, such as QuickBooks Desktop\'s Web Connector); `replicas` how many replicas were alive at the last lease round. A tenant whose ERP is down does not make the process unready: the others still export.',
      permission: null,
      returns: '`{ ready, role, checks: { store, runner, hub? }, tenants: { <id>: { state, erp } }, recovering: [ids], held: [ids], replicas }` (503 when not ready)',
      async handler({ reply }) {
        const checks: Record<string, string> = {};
        try {
          // One round trip, not a ledger query: a probe every few seconds costs the same at 1 M items as at none.
          await runner.pingStore();
          checks.store = 'ok';
        } catch (error) {
          checks.store = `unreachable: ${(error as Error).message}`;
        }
        checks.runner = runner.started ? 'ok' : 'not started or stopping';
        const hub = runner.hubHealth;
        if (hub !== undefined) checks.hub = hub;
        const ready = Object.values(checks).every((value) => value === 'ok');
        const tenants = runner.tenantHealth();
        const recovering = Object.entries(tenants)
          .filter(([, health]) => health.state.startsWith('recovering'))
          .map(([id]) => id);
        return reply
          .status(ready ? 200 : 503)
          .send({ ready, role: runner.active ? 'active' : 'standby', checks, tenants, recovering, held: runner.heldTenants(), replicas: runner.replicas.length });
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
        return reply.type(metrics.registry.contentType).send(await scrape());
      },
    }),
  ];
}
