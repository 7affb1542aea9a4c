import type { FastifyInstance } from 'fastify';
import type { Runner } from '../daemon.js';

/** `/healthz`: the process answers. `/readyz`: the store answers and the runner is started (lanes running). */
export function registerHealthRoutes(app: FastifyInstance, runner: Runner): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, string> = {};
    try {
      await runner.ledger.counts();
      checks.store = 'ok';
    } catch (error) {
      checks.store = `unreachable: ${(error as Error).message}`;
    }
    checks.runner = runner.started ? 'ok' : 'not started or stopping';
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });
}
