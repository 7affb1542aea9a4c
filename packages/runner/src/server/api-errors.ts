import { ErrorCodes } from '@ledgerlink/core';
import type { z } from 'zod';

/**
 * The HTTP API's own stable codes (core's `ErrorCodes` covers the domain; these cover the caller's request).
 * A code never changes meaning once released.
 */
export const ApiErrorCodes = {
  /** No token, a malformed Authorization header, or a token the runner does not know. */
  UNAUTHENTICATED: 'LL_API_UNAUTHENTICATED',
  /** A known token past its `expiresAt`. */
  TOKEN_EXPIRED: 'LL_API_TOKEN_EXPIRED',
  /** The token's role or privilege does not allow the route (seed 003's matrix). */
  FORBIDDEN: 'LL_API_FORBIDDEN',
  /** The body, query or path failed validation; `details.field` names the first field at fault. */
  INVALID_REQUEST: 'LL_API_INVALID_REQUEST',
  /** No such route. */
  NOT_FOUND: 'LL_API_NOT_FOUND',
  /** The body is larger than the route accepts. */
  BODY_TOO_LARGE: 'LL_BODY_TOO_LARGE',
  /** Anything unexpected: the runner log has the details, the caller gets none. */
  INTERNAL: 'LL_INTERNAL',
} as const;
export type ApiErrorCode = (typeof ApiErrorCodes)[keyof typeof ApiErrorCodes];

const API_STATUS: Record<ApiErrorCode, number> = {
  LL_API_UNAUTHENTICATED: 401,
  LL_API_TOKEN_EXPIRED: 401,
  LL_API_FORBIDDEN: 403,
  LL_API_INVALID_REQUEST: 400,
  LL_API_NOT_FOUND: 404,
  LL_BODY_TOO_LARGE: 413,
  LL_INTERNAL: 500,
};

/** HTTP status per core code, for domain errors thrown by the runner; anything unlisted is a 500. */
export const DOMAIN_STATUS: Partial<Record<string, number>> = {
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
  [ErrorCodes.APPROVAL_REQUIRED]: 403,
  [ErrorCodes.HUB_ERROR]: 502,
};

/** An error answered to the caller as `{ code, message, details }` with its status. */
export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_STATUS[code];
  }
}

/** One field at fault, as the API reports it. */
export interface FieldIssue {
  /** Dotted path, e.g. `checkNumber` or `query.limit`. */
  field: string;
  message: string;
}

/**
 * A zod failure as a 400 naming the field: an unknown key (a strict body) is reported under its own name
 * with "not accepted here", so `PATCH { amountCents }` says `amountCents` rather than the object.
 */
export function invalidRequest(where: 'body' | 'query' | 'params', error: z.ZodError): ApiError {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ field: base === '' ? key : `${base}.${key}`, message: `"${key}" is not accepted here` });
    } else issues.push({ field: base === '' ? `(${where})` : base, message: issue.message });
  }
  const first = issues[0] ?? { field: `(${where})`, message: 'invalid' };
  return new ApiError(ApiErrorCodes.INVALID_REQUEST, `invalid ${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
    where,
    field: first.field,
    issues,
  });
}
