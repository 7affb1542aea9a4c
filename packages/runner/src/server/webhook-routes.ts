import type { FastifyInstance } from 'fastify';
import type { Runner } from '../daemon.js';

/**
 * `POST /webhooks/procore`: the hub's deliveries. The body is kept as the raw text the signature covers;
 * each event is recorded before the answer (a repeat is harmless) and acted on after it, so the hub gets its
 * 2xx well within its 5 s.
 */
export function registerWebhookRoutes(app: FastifyInstance, runner: Runner): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/procore', async (request) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value ?? '')]));
      const receipt = await runner.receiveWebhook(typeof request.body === 'string' ? request.body : '', headers);
      return { ok: true, ...receipt };
    });
  });
}
