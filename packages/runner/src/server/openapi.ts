import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiRoute } from './route-kit.js';
import { PERMISSION_NEEDS } from '../auth/permissions.js';

type JsonObject = Record<string, unknown>;

/** The runner package's version (src/server and dist/server are both two levels below package.json). */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const ERROR_SCHEMA = {
  type: 'object',
  required: ['code', 'message', 'details'],
  properties: {
    code: { type: 'string', description: 'stable code, e.g. LL_API_FORBIDDEN, LL_LEDGER_EDIT_REFUSED' },
    message: { type: 'string', description: 'what happened and what to do next' },
    details: { type: 'object', description: 'for a 400: `field` (the first field at fault) and `issues`', additionalProperties: true },
  },
};

function jsonSchema(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** Query or path parameters from a zod object's shape. */
function parameters(where: 'query' | 'path', schema: z.ZodType | undefined): JsonObject[] {
  if (schema === undefined) return [];
  const document = jsonSchema(schema);
  const properties = (document.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((document.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (required.has(name) && !('default' in rest)),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function errorResponse(description: string): JsonObject {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** The OpenAPI 3.1 document of the routes, built from the same definitions the server registers. */
export function openApiDocument(routes: readonly ApiRoute[]): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const definition of routes) {
    const path = definition.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const who = definition.permission === null ? 'No token needed.' : `Needs ${PERMISSION_NEEDS[definition.permission]} (permission \`${definition.permission}\`).`;
    const operation: JsonObject = {
      operationId: `${definition.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[/:-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      tags: [definition.tag],
      summary: definition.summary,
      description: [definition.description, who].filter(Boolean).join('\n\n'),
      'x-ledgerlink-permission': definition.permission,
      parameters: [...parameters('path', definition.params), ...parameters('query', definition.query)],
      responses: {
        [String(definition.status ?? 200)]: { description: definition.returns },
        400: errorResponse('invalid request: `details.field` names the field'),
        ...(definition.permission === null
          ? {}
          : { 401: errorResponse('no token, an unknown token, or an expired one (LL_API_TOKEN_EXPIRED)'), 403: errorResponse('the token\'s role or privilege does not allow this') }),
      },
      ...(definition.permission === null ? { security: [] } : { security: [{ bearerToken: [] }] }),
    };
    if (definition.body !== undefined) {
      operation.requestBody = { required: !definition.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(definition.body) } } };
    }
    (paths[path] ??= {})[definition.method.toLowerCase()] = operation;
  }
  paths['/webhooks/procore'] = {
    post: {
      operationId: 'postWebhooksProcore',
      tags: ['webhooks'],
      summary: 'Take a Procore webhook delivery (an ERP Request was created)',
      description:
        'Authenticated by the hub, not a bearer token of api.tokens: `Authorization: Bearer <company bearer>` from the hook\'s destination_headers ' +
        '(derived from hub.webhookSecret and the delivery\'s company_id), compared in constant time. Events older than Procore\'s 12 h retry horizon are refused; ' +
        'a repeated delivery (same ulid) is answered 200 and counted in `duplicates`. The delivery is recorded and answered; the ERP Request it names is fetched and acted on after.',
      security: [],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } },
      responses: {
        200: { description: '`{ ok: true, received, duplicates }`' },
        400: errorResponse('not a Procore webhook payload (LL_WEBHOOK_MALFORMED)'),
        401: errorResponse('missing or wrong company bearer (LL_WEBHOOK_UNAUTHENTICATED)'),
        409: errorResponse('stale: older than the retry horizon, a replay (LL_WEBHOOK_STALE)'),
        413: errorResponse('body too large'),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'ledgerlink runner API',
      version: VERSION,
      description:
        'Records (the Failed to Export list and every other state), edit and export again, approve and reject, on-demand import, schedules, exports on/off, probes and metrics. ' +
        'Callers send `Authorization: Bearer <token>`; tokens and their roles are in the runner config (api.tokens, stored as SHA-256). Errors are `{ code, message, details }`.',
    },
    components: {
      securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'a token whose SHA-256 is in api.tokens' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
