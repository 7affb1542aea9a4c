import { ErrorCodes, LedgerlinkError, parseRetryAfter, type ErpAnswer, type HttpResponse } from '@ledgerlink/core';
import { isRecord, parseJson } from './procore-wire.js';

/** A Procore answer that is not a success, read into its parts. */
export interface ProcoreFailure {
  status: number;
  /** Procore's own words (`message`, or `errors` flattened), kept verbatim. */
  erp: ErpAnswer;
  /** How long to wait: `Retry-After`, else `X-Rate-Limit-Reset` on a 429. */
  retryAfterMs: number | undefined;
}

/** Reads Procore's error body: `{ "message": … }`, `{ "errors": … }` (a string, a list, or field → messages), or text. */
export function readFailure(response: HttpResponse, now: number): ProcoreFailure {
  const body = parseJson(response.body);
  const parts: string[] = [];
  if (isRecord(body)) {
    if (typeof body.message === 'string') parts.push(body.message);
    parts.push(...flattenErrors(body.errors));
    if (parts.length === 0 && typeof body.error === 'string') parts.push(body.error);
  }
  const message = parts.length > 0 ? parts.join('; ') : excerpt(response.body) || `HTTP ${response.status}`;
  return {
    status: response.status,
    erp: { code: String(response.status), message, httpStatus: response.status },
    retryAfterMs: waitOf(response, now),
  };
}

/** Retry-After (seconds or a date) first; on a 429 without it, the reset time of the window Procore reported. */
export function waitOf(response: HttpResponse, now: number): number | undefined {
  const retryAfter = parseRetryAfter(response.headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  if (response.status !== 429) return undefined;
  return resetInMs(response, now);
}

/** Milliseconds until `X-Rate-Limit-Reset` (a Unix time in seconds), when the header is there. */
export function resetInMs(response: HttpResponse, now: number): number | undefined {
  const reset = Number(response.headers['x-rate-limit-reset']);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, Math.round(reset * 1000 - now)) : undefined;
}

function flattenErrors(errors: unknown): string[] {
  if (typeof errors === 'string') return [errors];
  if (Array.isArray(errors)) return errors.flatMap((entry) => flattenErrors(entry));
  if (isRecord(errors)) {
    return Object.entries(errors).flatMap(([field, value]) => flattenErrors(value).map((message) => `${field} ${message}`));
  }
  return [];
}

/** The first 200 characters of a body, on one line: enough to recognise a proxy's page without logging it whole. */
export function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** What an operator checks when Procore refuses the service account. */
export const CREDENTIALS_HINT =
  'check hub.connection.clientId and hub.connection.clientSecret (the Developer Managed Service Account in the Procore ' +
  'Developer Portal) and that the account is installed in the company with Company Admin, Directory Admin and ERP Integrations Admin';

/**
 * Turns a failed answer into a coded error that says what the runner should do: 429 and 503 are throttles (the
 * lane has paused), other 5xx are retried, 401/403 are the service account, 404 is a missing hub object, the rest
 * are refusals of this call.
 */
export function failureError(failure: ProcoreFailure, doing: string): LedgerlinkError {
  const said = `HTTP ${failure.status}: ${failure.erp.message}`;
  const details = {
    status: failure.status,
    erp: failure.erp,
    ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
  };
  if (failure.status === 429 || (failure.status === 503 && failure.retryAfterMs !== undefined)) {
    return new LedgerlinkError(ErrorCodes.ERP_THROTTLED, `Procore throttled ${doing} (${said}); it is retried after the pause Procore asked for`, {
      disposition: 'retryable',
      details,
    });
  }
  if (failure.status >= 500) {
    return new LedgerlinkError(ErrorCodes.ERP_SERVER_ERROR, `Procore failed on ${doing} (${said}); it is retried`, {
      disposition: 'retryable',
      details,
    });
  }
  if (failure.status === 401 || failure.status === 403) {
    return new LedgerlinkError(ErrorCodes.HUB_AUTH, `Procore refused ${doing} (${said}): ${CREDENTIALS_HINT}`, { details });
  }
  if (failure.status === 404) {
    return new LedgerlinkError(ErrorCodes.HUB_NOT_FOUND, `Procore has nothing at ${doing} (${said})`, { disposition: 'rejected', details });
  }
  return new LedgerlinkError(ErrorCodes.HUB_ERROR, `Procore refused ${doing} (${said})`, { disposition: 'rejected', details });
}

/** An answer that is 2xx but not what the wire says it is: named, never guessed at. */
export function unreadable(doing: string, what: string, details: Record<string, unknown> = {}): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.HUB_ERROR, `Procore answered ${doing} with ${what}`, { disposition: 'retryable', details });
}
