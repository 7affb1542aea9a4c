import PQueue from 'p-queue';
import type { RateLimit } from '../connector/capabilities.js';
import { parseRetryAfter, type HttpClient, type HttpRequest, type HttpResponse, type LaneSignals } from '../connector/http.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { ArrivalBudget } from './arrival-budget.js';
import { createFetchHttpClient } from './fetch-http-client.js';
import type { LaneStats } from './types.js';

export interface LaneOptions {
  /** Names the lane in stats and logs: `<tenant>/<connector id>`. */
  key: string;
  /** The effective limit (see `resolveRateLimit`). */
  rateLimit: RateLimit;
  /** The transport under the lane (default: `createFetchHttpClient({ timeoutMs, signal })`). */
  transport?: HttpClient;
  /** Per-call timeout for the default transport. */
  timeoutMs?: number;
  /** Hard shutdown: aborts calls in flight (default transport) and cancels waiting ones. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Pauses for throttle signals that name no delay: first `basePauseMs`, doubling while they repeat. */
  throttle?: { basePauseMs?: number; maxPauseMs?: number };
}

const DEFAULT_BASE_PAUSE_MS = 1_000;
/** Acumatica keeps a request queued up to 10 minutes; no published ERP asks for a longer wait. */
const DEFAULT_MAX_PAUSE_MS = 600_000;

/**
 * One lane per (tenant, connector): every call a connector's client makes to its ERP goes through it. It
 * holds the ERP's limits: at most `concurrency` calls at once and at most `requests` calls in any sliding
 * window of `intervalMs` (p-queue in strict mode, plus an `ArrivalBudget` so the window holds where the ERP
 * counts it, at arrival). A throttle answer (HTTP 429, or 429/503 with Retry-After)
 * or a throttle signal from the client pauses the whole lane, not only the call that was refused: the ERP
 * throttles the account, so every other call would be refused too.
 */
export class Lane {
  readonly key: string;
  readonly rateLimit: RateLimit;
  /** The HttpClient a connector's client gets: every call runs through the lane. */
  readonly http: HttpClient;
  /** What the connector's client gets as `lane`: throttle signals that did not come as HTTP 429. */
  readonly signals: LaneSignals;

  readonly #queue: PQueue;
  readonly #budget: ArrivalBudget;
  readonly #transport: HttpClient;
  readonly #logger: Logger;
  readonly #basePauseMs: number;
  readonly #maxPauseMs: number;
  /** Calls not yet started, each with the controller that cancels it. */
  readonly #waiting = new Set<AbortController>();
  #pausedUntil = 0;
  #resumeTimer: NodeJS.Timeout | undefined;
  #throttlePauses = 0;
  /** Throttle signals in a row without a delay of their own: the default pause doubles with each. */
  #unnamedThrottles = 0;
  #closed = false;

  constructor(options: LaneOptions) {
    this.key = options.key;
    this.rateLimit = options.rateLimit;
    this.#logger = (options.logger ?? silentLogger).child({ lane: options.key });
    this.#basePauseMs = options.throttle?.basePauseMs ?? DEFAULT_BASE_PAUSE_MS;
    this.#maxPauseMs = options.throttle?.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
    this.#transport =
      options.transport ??
      createFetchHttpClient({
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    this.#queue = new PQueue({
      concurrency: options.rateLimit.concurrency,
      intervalCap: options.rateLimit.requests,
      interval: options.rateLimit.intervalMs,
      strict: true,
    });
    this.#budget = new ArrivalBudget(options.rateLimit.requests, options.rateLimit.intervalMs);
    if (options.signal?.aborted === true) this.#stop('shutdown');
    else options.signal?.addEventListener('abort', () => this.#stop('shutdown'), { once: true });
    this.http = (request) => this.run(() => this.#send(request));
    this.signals = { throttled: (retryAfterMs) => this.throttled(retryAfterMs, 'signal') };
  }

  /**
   * Runs one unit of ERP work inside the lane's limits (for transports that are not an HttpClient). Rejects
   * with LL_CANCELLED when the lane closes before the work started.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#cancelledError('closed');
    const controller = new AbortController();
    this.#waiting.add(controller);
    let holding = false;
    let started = false;
    try {
      await this.#budget.acquire(controller.signal);
      holding = true;
      return await this.#queue.add(
        () => {
          // Started: from here on the call runs to its end, even when the lane closes.
          this.#waiting.delete(controller);
          started = true;
          return work();
        },
        { signal: controller.signal },
      );
    } finally {
      this.#waiting.delete(controller);
      if (started) this.#budget.releaseAfterWindow();
      else if (holding) this.#budget.releaseNow();
    }
  }

  /**
   * Pauses the whole lane for `retryAfterMs` (or the default pause, doubling while throttles repeat). Calls
   * in flight finish; no call starts until the pause ends. A pause never shortens one already running.
   */
  throttled(retryAfterMs?: number, source = 'signal'): void {
    if (this.#closed) return;
    let pauseMs: number;
    if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) {
      this.#unnamedThrottles += 1;
      pauseMs = Math.min(this.#maxPauseMs, this.#basePauseMs * 2 ** Math.min(this.#unnamedThrottles - 1, 20));
    } else {
      pauseMs = Math.min(this.#maxPauseMs, Math.max(0, retryAfterMs));
      if (retryAfterMs > this.#maxPauseMs) {
        this.#logger.warn({ retryAfterMs, pauseMs }, `the ERP asked for a ${retryAfterMs} ms pause; pausing ${pauseMs} ms`);
      }
    }
    const until = Date.now() + pauseMs;
    if (until <= this.#pausedUntil) return;
    if (!this.paused) this.#throttlePauses += 1;
    this.#pausedUntil = until;
    this.#queue.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => this.#resume(), pauseMs);
    this.#logger.info({ pauseMs, source }, `lane ${this.key} paused ${pauseMs} ms: the ERP throttled us (${source})`);
  }

  get paused(): boolean {
    return this.#resumeTimer !== undefined;
  }

  stats(): LaneStats {
    return {
      key: this.key,
      queued: this.#budget.waiting + this.#queue.size,
      running: this.#queue.pending,
      throttlePauses: this.#throttlePauses,
      paused: this.paused,
      rateLimit: this.rateLimit,
    };
  }

  /**
   * Stops taking work: waiting calls reject with LL_CANCELLED (nothing of theirs was sent), calls in flight
   * run to their end, and this resolves once they have.
   */
  async close(): Promise<void> {
    this.#stop('closed');
    await this.#queue.onPendingZero();
    this.#budget.dispose();
  }

  async #send(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.#transport(request);
    // Decided before the call leaves the queue, so no other call starts between the answer and the pause.
    this.#observe(response);
    return response;
  }

  #observe(response: HttpResponse): void {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    if (response.status === 429) {
      this.throttled(retryAfterMs, 'HTTP 429');
    } else if (response.status === 503 && retryAfterMs !== undefined) {
      this.throttled(retryAfterMs, 'HTTP 503 with Retry-After');
    } else if (response.status < 500) {
      this.#unnamedThrottles = 0;
    }
  }

  #resume(): void {
    this.#resumeTimer = undefined;
    this.#pausedUntil = 0;
    if (!this.#closed) this.#queue.start();
  }

  #stop(why: 'closed' | 'shutdown'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
    const error = this.#cancelledError(why);
    for (const controller of this.#waiting) controller.abort(error);
    this.#waiting.clear();
  }

  #cancelledError(why: 'closed' | 'shutdown'): LedgerlinkError {
    return new LedgerlinkError(
      ErrorCodes.CANCELLED,
      `lane ${this.key} was ${why === 'closed' ? 'closed' : 'shut down'} before this call started; nothing was sent, so it is safe to try again`,
      { disposition: 'retryable' },
    );
  }
}
