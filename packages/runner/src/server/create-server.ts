import { isLedgerlinkError, ErrorCodes } from '@ledgerlink/core';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Runner } from '../daemon.js';
import { registerHealthRoutes } from './health-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';

/** HTTP status per ledgerlink code, for answers to callers; anything unlisted is a 500 without internals. */
const STATUS: Partial<Record<string, number>> = {
  [ErrorCodes.WEBHOOK_UNAUTHENTICATED]: 401,
  [ErrorCodes.WEBHOOK_STALE]: 409,
  [ErrorCodes.WEBHOOK_MALFORMED]: 400,
  [ErrorCodes.LEDGER_NOT_FOUND]: 404,
  [ErrorCodes.TENANT_NOT_FOUND]: 404,
  [ErrorCodes.LEDGER_TRANSITION]: 409,
  [ErrorCodes.LEDGER_EDIT_REFUSED]: 409,
  [ErrorCodes.LEDGER_LINK_IMMUTABLE]: 409,
  [ErrorCodes.CAPABILITY_MISSING]: 409,
  [ErrorCodes.CANCELLED]: 503,
};

export interface ServerOptions {
  /** Largest request body accepted, in bytes (default 1 MiB). */
  bodyLimit?: number;
}

/**
 * The runner's HTTP server (fastify): webhook intake and health now; the records API and console register
 * beside them. Errors go out as `{ code, message, details }`, never with a stack trace.
 */
export function createServer(runner: Runner, options: ServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimit ?? 1024 * 1024, return503OnClosing: true });
  app.setErrorHandler((error, request, reply) => {
    if (isLedgerlinkError(error)) {
      const status = STATUS[error.code] ?? 500;
      if (status >= 500) runner.logger.error({ err: error, url: request.url }, 'request failed');
      void reply.status(status).send({ code: error.code, message: error.message, details: error.details ?? {} });
      return;
    }
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) runner.logger.error({ err: error, url: request.url }, 'request failed');
    void reply.status(status).send({
      code: status === 413 ? 'LL_BODY_TOO_LARGE' : status >= 500 ? 'LL_INTERNAL' : 'LL_BAD_REQUEST',
      message: status >= 500 ? 'internal error; the runner log has the details' : (error as Error).message,
      details: {},
    });
  });
  registerHealthRoutes(app, runner);
  registerWebhookRoutes(app, runner);
  return app;
}
