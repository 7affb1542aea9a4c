import { Agent, type Dispatcher } from 'undici';
import { HttpTransportError, type HttpClient, type HttpRequest, type HttpResponse } from '../connector/http.js';

export interface HttpClientOptions {
  /** Per-call timeout when the request names none (default 30 s). */
  timeoutMs?: number;
  /** Shutdown: aborts calls in flight and refuses new ones, as `cancelled`. */
  signal?: AbortSignal;
  /**
   * Sockets kept open per origin (scheme, host, port), default 64. Calls beyond it wait for a free socket; the lanes
   * above bound an ERP's concurrency far below this, so it only caps what several lanes to one host can open.
   */
  connectionsPerOrigin?: number;
  /**
   * How long an idle socket stays open for the next call (default 4 s, or less when the server's Keep-Alive header
   * says so). Below Node's own server default (5 s): a socket the server is closing just as a call goes out on it
   * fails that call with `committed: 'unknown'` (seen on the import bench with 10 s).
   */
  keepAliveMs?: number;
}

/** The name the runner's container and the connectors' tests call; the transport is the keep-alive client now. */
export type FetchHttpClientOptions = HttpClientOptions;

export const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTIONS_PER_ORIGIN = 64;
const DEFAULT_KEEP_ALIVE_MS = 4_000;

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

/** What global fetch sent for a string body without a content type; kept so no ERP sees a different request. */
const DEFAULT_CONTENT_TYPE = 'text/plain;charset=UTF-8';

/**
 * The HTTP transport under the lanes: undici's `Agent` (one keep-alive `Pool` per origin) and its plain `request`,
 * without fetch's WHATWG layers (Request, Headers, web streams), which cost a third of the runner's CPU per payment.
 * Answers of every status come back as responses; only a missing answer throws, as an `HttpTransportError` that says
 * whether the ERP may have acted:
 * - refused, DNS failure, TLS failure, connect timeout: nothing was sent (`committed: 'no'`);
 * - the socket closed or reset after sending, the answer was cut off, or the call timed out: `'unknown'`;
 * - the shutdown signal fired: `reason: 'cancelled'`.
 *
 * The timeout covers the whole call (connect, answer and body). Header names come back in lower case. Several
 * `set-cookie` headers are joined with a newline, not a comma, because a cookie's `Expires` date holds a comma
 * itself; other repeated headers are joined with ", " as fetch did.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shutdown = options.signal;
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN,
    keepAliveTimeout: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
  });
  // One listener for the client, not one per call: shutdown aborts every call in flight.
  const inFlight = new Set<AbortController>();
  shutdown?.addEventListener(
    'abort',
    () => {
      for (const controller of inFlight) controller.abort(shutdown.reason);
      inFlight.clear();
      void agent.close().catch(() => undefined);
    },
    { once: true },
  );

  return async (request: HttpRequest): Promise<HttpResponse> => {
    if (shutdown?.aborted) {
      throw new HttpTransportError(`${request.method} ${describeUrl(request.url)} was not sent: shutting down`, { committed: 'no', reason: 'cancelled' });
    }
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const controller = new AbortController();
    const call: Call = { timeoutMs, timedOut: false, answered: false };
    const timer = setTimeout(() => {
      call.timedOut = true;
      controller.abort();
    }, timeoutMs);
    inFlight.add(controller);
    try {
      const answer = await agent.request({
        origin: originOf(request.url),
        path: pathOf(request.url),
        method: request.method,
        headers: headersFor(request),
        body: request.body ?? null,
        signal: controller.signal,
        // The whole-call timer above is the deadline; undici's own would only say less, sooner or later.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      call.answered = true;
      const body = await answer.body.text();
      return { status: answer.statusCode, headers: headersOf(answer.headers), body };
    } catch (error) {
      throw toTransportError(error, request, call, shutdown);
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  };
}

/** The keep-alive client, under the name the runner's container and the connectors' tests have always called. */
export const createFetchHttpClient: (options?: HttpClientOptions) => HttpClient = createHttpClient;

interface Call {
  timeoutMs: number;
  timedOut: boolean;
  /** The status line had arrived: the ERP has acted, whatever happens to the body. */
  answered: boolean;
}

function toTransportError(error: unknown, request: HttpRequest, call: Call, shutdown: AbortSignal | undefined): HttpTransportError {
  if (error instanceof HttpTransportError) return error;
  const label = `${request.method} ${describeUrl(request.url)}`;
  const { answered } = call;
  if (shutdown?.aborted === true) {
    return new HttpTransportError(`${label} was cancelled by shutdown; the ERP may or may not have acted on it`, {
      committed: 'unknown',
      reason: 'cancelled',
      cause: error,
    });
  }
  if (call.timedOut) {
    return new HttpTransportError(`${label} got no answer within ${call.timeoutMs} ms; the ERP may have acted on it`, {
      committed: 'unknown',
      reason: 'timeout',
      cause: error,
    });
  }
  const codes = errorCodes(error);
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new HttpTransportError(`${label} timed out (${codes.join(', ')}); the ERP may have acted on it`, {
      committed: 'unknown',
      reason: 'timeout',
      cause: error,
    });
  }
  const notSent = !answered && codes.length > 0 && codes.every((code) => NOT_SENT_CODES.has(code));
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

function describe(error: unknown, codes: string[]): string {
  if (codes.length > 0) return codes.join(', ');
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * `scheme://host[:port]` of an absolute URL, sliced rather than parsed: this runs on every call. A URL it cannot
 * slice goes to undici whole, which refuses it as an invalid argument (nothing sent).
 */
function originOf(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return url;
  const end = url.indexOf('/', start + 3);
  const query = url.indexOf('?', start + 3);
  const cut = end < 0 ? query : query < 0 ? end : Math.min(end, query);
  return cut < 0 ? url : url.slice(0, cut);
}

/** Path and query of an absolute URL ("/" when it has none); the fragment never goes on the wire. */
function pathOf(url: string): string {
  const start = url.indexOf('://');
  const hash = url.indexOf('#');
  const withoutHash = hash < 0 ? url : url.slice(0, hash);
  if (start < 0) return '/';
  const rest = withoutHash.slice(originOf(withoutHash).length);
  return rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
}

function headersFor(request: HttpRequest): Record<string, string> | undefined {
  if (request.body === undefined) return request.headers;
  const headers = request.headers ?? {};
  for (const name in headers) if (name.toLowerCase() === 'content-type') return headers;
  return { ...headers, 'content-type': DEFAULT_CONTENT_TYPE };
}

function headersOf(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = Array.isArray(value) ? value.join(lower === 'set-cookie' ? '\n' : ', ') : value;
  }
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
