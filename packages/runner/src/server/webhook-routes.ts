import type { FastifyInstance } from 'fastify';
import type { Runner } from '../daemon.js';
import { webhookGuard } from './webhook-guard.js';

/**
 * `POST /webhooks/procore`: Procore's deliveries, each naming an ERP Request. The body is kept as raw text for the
 * hub connector (which checks the company's bearer; the route refuses, before reading the body, a delivery whose
 * `Authorization` no configured company could have sent: `webhookGuard`); each delivery is recorded in the inbox by its `ulid` and
 * answered — nothing else on the request path —, and the ERP Request is fetched and acted on after, so Procore gets
 * its 2xx well within its 5 s, also under a burst.
 */
export function registerWebhookRoutes(app: FastifyInstance, runner: Runner): void {
  const guard = webhookGuard(runner);
  app.register(async (scope) => {
    // Before the body is read: a stranger's delivery costs a header check, not a 1 MiB read (issue 11 item 12).
    scope.addHook('onRequest', async (request, reply) => {
      const header = request.headers.authorization;
      const refused = guard(Array.isArray(header) ? header.join(', ') : header);
      if (refused === undefined) return;
      // The unread body is not drained: the connection closes after the answer.
      void reply.header('connection', 'close');
      throw refused;
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/procore', async (request) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value ?? '')]));
      const receipt = await runner.receiveWebhook(typeof request.body === 'string' ? request.body : '', headers);
      return { ok: true, ...receipt };
    });
  });
}
