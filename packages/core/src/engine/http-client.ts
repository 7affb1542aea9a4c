import { Agent, util as undiciUtil, type Dispatcher } from 'undici';
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
 * The HTTP transport under the lanes: undici's `Agent` (one keep-alive `Pool` per origin), driven through its
 * `dispatch` with a handler of our own, without fetch's WHATWG layers (Request, Headers, web streams), which cost a
 * third of the runner's CPU per payment, nor `request`'s (an AbortController and its listeners, an AsyncResource, a
 * Readable for the body, a header object copied twice), which were the largest share of what was left.
 * Answers of every status come back as responses; only a missing answer throws, as an `HttpTransportError` that says
 * whether the ERP may have acted:
 * - refused, DNS failure, TLS failure, connect timeout: nothing was sent (`committed: 'no'`);
 * - the socket closed or reset after sending, the answer was cut off, or the call timed out: `'unknown'`;
 * - the shutdown signal fired: `reason: 'cancelled'`.
 *
 * The timeout covers the whole call (connect, answer and body). Header names come back in lower case. Several
 * `set-cookie` headers are joined with a newline, not a comma, because a cookie's `Expires` date holds a comma
 * itself; other repeated headers are joined with ", " as fetch did. A UTF-8 byte order mark at the start of the body
 * is dropped, as `body.text()` did.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const shutdown = options.signal;
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN,
    keepAliveTimeout: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
  });
  // One listener for the client, not one per call: shutdown aborts every call in flight.
  const inFlight = new Set<CallHandler>();
  shutdown?.addEventListener(
    'abort',
    () => {
      for (const call of inFlight) call.cancel(shutdown.reason);
      inFlight.clear();
      void agent.close().catch(() => undefined);
    },
    { once: true },
  );

  return (request: HttpRequest): Promise<HttpResponse> => {
    if (shutdown?.aborted) {
      return Promise.reject(
        new HttpTransportError(`${request.method} ${describeUrl(request.url)} was not sent: shutting down`, { committed: 'no', reason: 'cancelled' }),
      );
    }
    return new Promise<HttpResponse>((resolve, reject) => {
      const call = new CallHandler(request, request.timeoutMs ?? defaultTimeoutMs, shutdown, inFlight, resolve, reject);
      inFlight.add(call);
      agent.dispatch(
        {
          origin: originOf(request.url),
          path: pathOf(request.url),
          method: request.method,
          headers: headersFor(request),
          body: request.body ?? null,
          // The whole-call timer is the deadline; undici's own would only say less, sooner or later.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        call,
      );
    });
  };
}

/**
 * One call, as undici's dispatcher sees it (its handler interface, the one `request` implements): collects the
 * status, the headers and the body's chunks, and settles the call's promise once, when the answer is complete or
 * the call failed. The timeout and shutdown abort the call through the `abort` undici hands over when the request
 * goes onto a socket; fired before that, they abort it then, as `request` did with its signal.
 */
class CallHandler implements Dispatcher.DispatchHandler {
  /** The status line had arrived: the ERP has acted, whatever happens to the body. */
  answered = false;
  timedOut = false;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #length = 0;
  #abort: ((reason: Error) => void) | undefined;
  /** Why the call was aborted before undici handed over `abort`. */
  #reason: Error | undefined;
  #settled = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly request: HttpRequest,
    readonly timeoutMs: number,
    readonly shutdown: AbortSignal | undefined,
    readonly inFlight: Set<CallHandler>,
    readonly resolve: (response: HttpResponse) => void,
    readonly reject: (error: HttpTransportError) => void,
  ) {
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.cancel(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  }

  /** Aborts the call (timeout, shutdown): at once when it is on a socket, else as soon as undici puts it on one. */
  cancel(reason: unknown): void {
    const error = reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
    if (this.#abort !== undefined) this.#abort(error);
    else this.#reason ??= error;
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#reason !== undefined) abort(this.#reason);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, _statusText: string): boolean {
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one.
    if (statusCode < 200) return true;
    this.answered = true;
    this.#status = statusCode;
    this.#headers = headersOf(rawHeaders);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return true;
  }

  onComplete(): void {
    if (!this.#end()) return;
    this.resolve({ status: this.#status, headers: this.#headers, body: bodyText(this.#chunks, this.#length) });
  }

  onError(error: Error): void {
    if (!this.#end()) return;
    this.reject(toTransportError(error, this.request, this, this.shutdown));
  }

  /** The first end of the call (complete or failed) wins: false for any later one. */
  #end(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.inFlight.delete(this);
    return true;
  }
}

const UTF8 = new TextDecoder('utf-8');

/** The body as text (UTF-8, without a leading byte order mark), as undici's `body.text()` reads it. */
function bodyText(chunks: Buffer[], length: number): string {
  if (length === 0) return '';
  // WHATWG's UTF-8 decode, as `body.text()` did: a leading byte order mark is dropped, bad bytes become U+FFFD.
  return UTF8.decode(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
}

/** The keep-alive client, under the name the runner's container and the connectors' tests have always called. */
export const createFetchHttpClient: (options?: HttpClientOptions) => HttpClient = createHttpClient;

/** What the error of a failed call is told about it. */
interface Call {
  readonly timeoutMs: number;
  readonly timedOut: boolean;
  /** The status line had arrived: the ERP has acted, whatever happens to the body. */
  readonly answered: boolean;
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

/**
 * The answer's headers from undici's raw list (name, value, name, value, ...): names in lower case (undici's lookup
 * of the well-known ones allocates nothing), values as latin1, as its `parseHeaders` read them.
 */
function headersOf(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = undiciUtil.headerNameToString(raw[i] as Buffer);
    // An object's prototype, not a header: the old copy into a plain object dropped it the same way.
    if (name === '__proto__') continue;
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const seen = out[name];
    out[name] = seen === undefined ? value : `${seen}${name === 'set-cookie' ? '\n' : ', '}${value}`;
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
