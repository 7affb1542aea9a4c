/**
 * The only way a connector's client reaches its ERP. Core hands each client an `HttpClient` bound to the
 * tenant's lane, so every call counts against the ERP's rate limit and concurrency, and a throttle answer
 * pauses the whole lane. A client never opens its own sockets.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-call timeout; the lane's default applies otherwise. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Thrown when no HTTP answer arrived. `committed` says whether the server may have acted on the request. */
export class HttpTransportError extends Error {
  readonly committed: 'no' | 'unknown';
  readonly reason: 'timeout' | 'network' | 'cancelled';

  constructor(message: string, options: { committed: 'no' | 'unknown'; reason: 'timeout' | 'network' | 'cancelled'; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpTransportError';
    this.committed = options.committed;
    this.reason = options.reason;
  }
}

export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * What a lane offers a client besides HTTP: a way to report an ERP's throttle signal that does not come as
 * HTTP 429 (Intacct's GW-0010 inside a 200, say), so the lane pauses as a whole.
 */
export interface LaneSignals {
  /** Pause the lane for `retryAfterMs` (or the lane's default back-off when absent). */
  throttled(retryAfterMs?: number): void;
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
