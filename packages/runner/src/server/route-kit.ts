import type { Actor } from '@ledgerlink/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { can, PERMISSION_NEEDS, type Permission, type Principal } from '../auth/permissions.js';
import type { TokenAuthenticator } from '../auth/token-auth.js';
import { ApiError, ApiErrorCodes, invalidRequest } from './api-errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler gets: the validated request parts and the caller (absent on public routes). */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  /** The audit trail's actor for the caller: `{ kind: 'user', id: <token subject> }`. */
  actor: Actor;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One API route as data: the permission it needs (seed 003's matrix), its zod schemas, its handler. The same
 * value registers the fastify route and writes its part of `/openapi.json`, so the document cannot drift
 * from what the server checks.
 */
export interface ApiRoute<P extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  method: Method;
  /** fastify's path syntax, `/records/:id`. */
  url: string;
  summary: string;
  description?: string;
  tag: string;
  /** `null`: no token (probes, scrapers, the document itself). */
  permission: Permission | null;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest body in bytes (default: the server's API limit). */
  bodyLimit?: number;
  /** Status of a successful answer (default 200). */
  status?: number;
  /** What a successful answer holds, in words (the OpenAPI document's response description). */
  returns: string;
  handler(context: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>): Promise<unknown>;
}

/** Builds a route with its handler's types inferred from its schemas. */
export function route<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  definition: ApiRoute<P, Q, B>,
): ApiRoute {
  return definition as unknown as ApiRoute;
}

function parse(where: 'body' | 'query' | 'params', schema: z.ZodType | undefined, value: unknown): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw invalidRequest(where, result.error);
  return result.data;
}

/**
 * Registers routes. The token is checked in `onRequest`, before the body is read, so a caller without a
 * valid token gets its 401/403 without the runner parsing (or buffering) what it sent; then the request is
 * validated and the handler runs.
 */
export function registerApiRoutes(app: FastifyInstance, routes: readonly ApiRoute[], auth: TokenAuthenticator, bodyLimit: number): void {
  const principals = new WeakMap<FastifyRequest, Principal>();
  for (const definition of routes) {
    const permission = definition.permission;
    app.route({
      method: definition.method,
      url: definition.url,
      bodyLimit: definition.bodyLimit ?? bodyLimit,
      ...(permission === null
        ? {}
        : {
            onRequest: async (request: FastifyRequest) => {
              const principal = auth.authenticate(request.headers.authorization);
              if (!can(principal, permission)) {
                throw new ApiError(
                  ApiErrorCodes.FORBIDDEN,
                  `${principal.subject} (${principal.role}${principal.accountingApprover ? ', accounting approver' : ''}) may not ${lowerFirst(definition.summary)}: it needs ${PERMISSION_NEEDS[permission]}`,
                  { permission, role: principal.role, accountingApprover: principal.accountingApprover },
                );
              }
              principals.set(request, principal);
            },
          }),
      handler: async (request, reply) => {
        const principal = principals.get(request);
        const context = {
          params: parse('params', definition.params, request.params),
          query: parse('query', definition.query, request.query),
          body: parse('body', definition.body, request.body),
          principal,
          actor: { kind: 'user', id: principal?.subject ?? 'anonymous' } satisfies Actor,
          request,
          reply,
        };
        const result = await definition.handler(context as never);
        if (reply.sent) return reply;
        return reply.status(definition.status ?? 200).send(result);
      },
    });
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
