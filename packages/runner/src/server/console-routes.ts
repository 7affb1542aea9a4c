import type { FastifyInstance, FastifyReply } from 'fastify';
import { consoleScript, CONSOLE_CSS, CONSOLE_HTML } from '../console/index.js';

/** The console's own resources are the page, its script and its stylesheet; everything else is the API. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function secured(reply: FastifyReply, type: string): FastifyReply {
  return reply
    .type(type)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/**
 * `GET /` serves the operator console (public: it holds no data; it calls the API with the token the user
 * types in). The script is bundled once, on first request.
 */
export function registerConsoleRoutes(app: FastifyInstance): void {
  app.get('/', async (_request, reply) => secured(reply, 'text/html; charset=utf-8').send(CONSOLE_HTML));
  app.get('/console/app.css', async (_request, reply) => secured(reply, 'text/css; charset=utf-8').send(CONSOLE_CSS));
  app.get('/console/app.js', async (_request, reply) => secured(reply, 'text/javascript; charset=utf-8').send(await consoleScript()));
}
