import type { FastifyInstance } from 'fastify';
import type { Runner } from '../daemon.js';

/**
 * `POST /webhooks/procore`: Procore's deliveries, each naming an ERP Request. The body is kept as raw text for the
 * hub connector (which checks the company's bearer); each delivery is recorded in the inbox by its `ulid` and
 * answered — nothing else on the request path —, and the ERP Request is fetched and acted on after, so Procore gets
 * its 2xx well within its 5 s, also under a burst.
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
