import { isLedgerlinkError } from '@ledgerlink/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer as createHttpServer } from 'node:http';
import { TokenAuthenticator } from '../auth/token-auth.js';
import type { Runner } from '../daemon.js';
import { createRunnerMetrics, type RunnerMetrics } from '../metrics/runner-metrics.js';
import { ApiError, ApiErrorCodes, DOMAIN_STATUS } from './api-errors.js';
import { registerConsoleRoutes } from './console-routes.js';
import { healthRoutes } from './health-routes.js';
import { openApiDocument } from './openapi.js';
import { recordRoutes } from './record-routes.js';
import { registerApiRoutes, route, type ApiRoute } from './route-kit.js';
import { sessionRoutes } from './session-routes.js';
import { tenantRoutes } from './tenant-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';

export interface ServerOptions {
  /** Largest JSON body the API routes accept, in bytes (default 64 KiB: the largest real body is a reason). */
  bodyLimit?: number;
  /** Largest webhook delivery, in bytes (default 1 MiB: a batch of hub events). */
  webhookBodyLimit?: number;
  /** The clock token expiry is judged by (default: the system clock). */
  now?: () => Date;
  /** Metrics to serve; default a registry of this runner's own, closed with the server. */
  metrics?: RunnerMetrics;
  /** Serve the operator console at `/` (default true). */
  console?: boolean;
  /**
   * How long one request may take to arrive, headers and body, in milliseconds (default 10 s); a slower one is
   * answered 408 and its connection closed. Checked every `min(1 s, this)`, not Node's default 30 s.
   */
  requestTimeoutMs?: number;
  /** How long a connection may sit idle, in milliseconds (default 30 s). */
  idleTimeoutMs?: number;
  /** Open connections at most (default 512); more are refused at accept. */
  maxConnections?: number;
  /** How long one `/metrics` scrape is served again, in milliseconds (default 1 s; 0 = every scrape fresh). */
  metricsCacheMs?: number;
}

/** Defaults of the server's own limits (see ServerOptions). */
export const SERVER_LIMITS = { requestTimeoutMs: 10_000, idleTimeoutMs: 30_000, maxConnections: 512 } as const;

/** Every API route (not the webhook, which has its own raw-body parser and hub authentication). */
export function apiRoutes(runner: Runner, metrics: RunnerMetrics, options: { metricsCacheMs?: number } = {}): ApiRoute[] {
  const routes = [...healthRoutes(runner, metrics, options), ...recordRoutes(runner), ...tenantRoutes(runner), ...sessionRoutes(runner)];
  let document: Record<string, unknown> | undefined;
  routes.push(
    route({
      method: 'GET',
      url: '/openapi.json',
      tag: 'operations',
      summary: 'The OpenAPI document',
      permission: null,
      returns: 'this document (OpenAPI 3.1)',
      async handler() {
        // Built once, from the very definitions registered (this one included).
        document ??= openApiDocument(routes);
        return document;
      },
    }),
  );
  return routes;
}

function errorStatus(error: unknown): number {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/**
 * The runner's HTTP server (fastify): the hub's webhooks, the records and tenants API with its token roles,
 * probes and metrics, the OpenAPI document and the operator console. Errors go out as
 * `{ code, message, details }`, never with a stack trace or an internal message.
 */
export function createServer(runner: Runner, options: ServerOptions = {}): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const requestTimeout = options.requestTimeoutMs ?? SERVER_LIMITS.requestTimeoutMs;
  const idleTimeout = options.idleTimeoutMs ?? SERVER_LIMITS.idleTimeoutMs;
  const app = Fastify({
    logger: false,
    bodyLimit: options.webhookBodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    // Slow senders (slowloris, a slow unauthenticated body) are dropped within seconds, not held open for minutes.
    serverFactory: (handler) => {
      const server = createHttpServer(
        { requestTimeout: requestTimeout, headersTimeout: requestTimeout, keepAliveTimeout: 5_000, connectionsCheckingInterval: Math.min(1_000, requestTimeout) },
        handler,
      );
      server.setTimeout(idleTimeout);
      server.maxConnections = options.maxConnections ?? SERVER_LIMITS.maxConnections;
      return server;
    },
  });
  const metrics = options.metrics ?? createRunnerMetrics(runner);
  if (options.metrics === undefined) app.addHook('onClose', async () => metrics.close());

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) {
      void reply.status(error.status).send({ code: error.code, message: error.message, details: error.details });
      return;
    }
    if (isLedgerlinkError(error)) {
      const status = DOMAIN_STATUS[error.code] ?? 500;
      if (status >= 500) runner.logger.error({ err: error, url: request.url }, 'request failed');
      void reply.status(status).send({ code: error.code, message: error.message, details: error.details ?? {} });
      return;
    }
    const status = errorStatus(error);
    if (status >= 500) {
      runner.logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
      void reply.status(500).send({ code: ApiErrorCodes.INTERNAL, message: 'internal error; the runner log has the details', details: {} });
      return;
    }
    // fastify's own 4xx (body too large, not JSON, wrong content type): its message is about the request, not us.
    const code = status === 413 ? ApiErrorCodes.BODY_TOO_LARGE : ApiErrorCodes.INVALID_REQUEST;
    const message = status === 413 ? `the body is larger than this route takes (${request.routeOptions.bodyLimit ?? bodyLimit} bytes)` : (error as Error).message;
    void reply.status(status).send({ code, message, details: { field: '(body)' } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: ApiErrorCodes.NOT_FOUND, message: `no route ${request.method} ${request.url.split('?')[0]}: /openapi.json lists them`, details: {} });
  });

  registerWebhookRoutes(app, runner);
  registerApiRoutes(app, apiRoutes(runner, metrics, options.metricsCacheMs === undefined ? {} : { metricsCacheMs: options.metricsCacheMs }), new TokenAuthenticator(runner.config.api.tokens, options.now), bodyLimit);
  if (options.console ?? true) registerConsoleRoutes(app);
  return app;
}
