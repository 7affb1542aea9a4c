import { HttpTransportError, type HttpClient, type HttpRequest, type HttpResponse } from '../connector/http.js';

export interface FetchHttpClientOptions {
  /** Per-call timeout when the request names none (default 30 s). */
  timeoutMs?: number;
  /** Shutdown: aborts calls in flight and refuses new ones, as `cancelled`. */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Error codes (Node's and undici's) that mean the request never left this machine: nothing reached the ERP,
 * so it cannot have acted on it.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_URL',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** undici's own timeouts after the request went out: the ERP may be working on it. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * An HttpClient over Node's global fetch (undici). Answers of every status come back as responses; only a
 * missing answer throws, as an `HttpTransportError` that says whether the ERP may have acted:
 * - refused, DNS failure, TLS failure, connect timeout: nothing was sent (`committed: 'no'`);
 * - the socket closed or reset after sending, the answer was cut off, or the call timed out: `'unknown'`;
 * - the shutdown signal fired: `reason: 'cancelled'`.
 *
 * Header names come back in lower case. Several `set-cookie` headers are joined with a newline, not a comma,
 * because a cookie's `Expires` date holds a comma itself.
 */
export function createFetchHttpClient(options: FetchHttpClientOptions = {}): HttpClient {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shutdown = options.signal;

  return async (request: HttpRequest): Promise<HttpResponse> => {
    const label = `${request.method} ${describeUrl(request.url)}`;
    if (shutdown?.aborted) {
      throw new HttpTransportError(`${label} was not sent: shutting down`, { committed: 'no', reason: 'cancelled' });
    }
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = shutdown === undefined ? timeout : AbortSignal.any([timeout, shutdown]);

    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        ...(request.headers === undefined ? {} : { headers: request.headers }),
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
      });
    } catch (error) {
      throw toTransportError(error, { label, timeoutMs, timeout, shutdown, answered: false });
    }
    try {
      const body = await response.text();
      return { status: response.status, headers: headersOf(response.headers), body };
    } catch (error) {
      throw toTransportError(error, { label, timeoutMs, timeout, shutdown, answered: true });
    }
  };
}

interface FailureContext {
  label: string;
  timeoutMs: number;
  timeout: AbortSignal;
  shutdown: AbortSignal | undefined;
  /** The status line had arrived: the ERP has acted, whatever happens to the body. */
  answered: boolean;
}

function toTransportError(error: unknown, context: FailureContext): HttpTransportError {
  const { label, answered } = context;
  if (error instanceof HttpTransportError) return error;
  if (context.shutdown?.aborted === true) {
    return new HttpTransportError(`${label} was cancelled by shutdown; the ERP may or may not have acted on it`, {
      committed: 'unknown',
      reason: 'cancelled',
      cause: error,
    });
  }
  if (context.timeout.aborted) {
    return new HttpTransportError(
      `${label} got no answer within ${context.timeoutMs} ms; the ERP may have acted on it`,
      { committed: 'unknown', reason: 'timeout', cause: error },
    );
  }
  const codes = errorCodes(error);
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new HttpTransportError(`${label} timed out (${codes.join(', ')}); the ERP may have acted on it`, {
      committed: 'unknown',
      reason: 'timeout',
      cause: error,
    });
  }
  const notSent = !answered && (codes.length > 0 ? codes.every((code) => NOT_SENT_CODES.has(code)) : isBadPort(error));
  if (notSent) {
    return new HttpTransportError(`${label} could not be sent (${describe(error, codes)}); nothing reached the ERP`, {
      committed: 'no',
      reason: 'network',
      cause: error,
    });
  }
  return new HttpTransportError(
    `${label} lost its connection ${answered ? 'while reading the answer' : 'before an answer came'} (${describe(error, codes)}); ` +
      'the ERP may have acted on it',
    { committed: 'unknown', reason: 'network', cause: error },
  );
}

/** The codes on an error and its causes (undici wraps the socket error as `cause`; happy eyeballs as `errors`). */
function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== 'object' || error === null) return [];
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof record.code === 'string' ? [record.code] : [];
  const nested = Array.isArray(record.errors) ? record.errors.flatMap((inner) => errorCodes(inner, depth + 1)) : [];
  return [...own, ...nested, ...errorCodes(record.cause, depth + 1)];
}

/** fetch refuses some ports before connecting ("bad port"), with no code. */
function isBadPort(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Error && cause.message === 'bad port';
}

function describe(error: unknown, codes: string[]): string {
  if (codes.length > 0) return codes.join(', ');
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies.join('\n');
  return out;
}

/** Scheme, host and path only: query strings may carry keys or tokens, which never go into an error. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
