import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { RateLimit } from '../connector/capabilities.js';
import { parseRetryAfter, type HttpClient, type HttpRequest, type HttpResponse, type LaneSignals } from '../connector/http.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { ArrivalBudget } from './arrival-budget.js';
import { createHttpClient } from './http-client.js';
import type { LaneStats } from './types.js';

export interface LaneOptions {
  /** Names the lane in stats and logs: `<tenant>/<connector id>`. */
  key: string;
  /** The effective limit (see `resolveRateLimit`). */
  rateLimit: RateLimit;
  /** The transport under the lane (default: `createHttpClient({ timeoutMs, signal })`, keep-alive). */
  transport?: HttpClient;
  /** Per-call timeout for the default transport. */
  timeoutMs?: number;
  /** Hard shutdown: aborts calls in flight (default transport) and cancels waiting ones. */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Pauses for throttle signals that name no delay: first `basePauseMs`, doubling while throttles repeat
   * across pauses, never past the limit's own window (`rateLimit.intervalMs`) unless the ERP named a longer
   * Retry-After, and never past `maxPauseMs`.
   */
  throttle?: { basePauseMs?: number; maxPauseMs?: number };
  /**
   * Asked right before each call goes out, after it has left the rate-limit queue: throws (LL_LEASE_LOST) when this
   * process may no longer call this ERP, and the call is not sent. The runner's fencing: a replica that lost its
   * tenant's lease while a call waited in the queue (or while it was paused) sends nothing more.
   */
  gate?: () => void | Promise<void>;
  /**
   * How long ago (ms) this ERP account's most recent calls went out, made by another process before this lane
   * existed (the tenant's previous lease holder): they count against the window as if made here.
   */
  recentCallAgesMs?: readonly number[];
}

/** The signal of the work that makes the lane's calls (an export run), seen by every call it makes. */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `work` so that each lane call it makes and that has not started yet is cancelled (LL_CANCELLED, nothing
 * sent) once `signal` fires. A connector's client calls `lane.http` without a signal of its own, so this is how
 * a shutdown reaches calls queued in a lane paused for minutes: they end at once instead of after the pause.
 */
export function withLaneSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const outer = callSignal.getStore();
  const seen = outer === undefined ? signal : AbortSignal.any([outer, signal]);
  // Each call waiting in a lane listens on this signal until it starts: a run with more than ten calls waiting is
  // normal, not a leak, and must not print Node's MaxListenersExceededWarning into the operator's log.
  setMaxListeners(0, seen);
  return callSignal.run(seen, work);
}

const DEFAULT_BASE_PAUSE_MS = 1_000;
/** Controllers kept for reuse: about the most calls a lane has waiting or in flight at once. */
const MAX_SPARE_CONTROLLERS = 256;
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
  /** The tenant's per-call timeout, given to the transport with every request that names none. */
  readonly #timeoutMs: number | undefined;
  readonly #logger: Logger;
  readonly #basePauseMs: number;
  readonly #maxPauseMs: number;
  readonly #gate: (() => void | Promise<void>) | undefined;
  /** Calls not yet started, each with the controller that cancels it. */
  readonly #waiting = new Set<AbortController>();
  /**
   * Controllers of calls that ended without being aborted, for the next calls: an AbortController (an EventTarget
   * and its signal) per call was the lane's largest cost. One is only put back once nothing listens on it any more
   * (the budget and p-queue remove their listeners when a call starts and when it ends).
   */
  readonly #spareControllers: AbortController[] = [];
  #pausedUntil = 0;
  #pauseBeganAt = 0;
  #resumeTimer: NodeJS.Timeout | undefined;
  #throttlePauses = 0;
  #longestPauseMs = 0;
  /** Throttles of separate bursts in a row without a delay of their own: the default pause doubles with each. */
  #unnamedThrottles = 0;
  /** The longest Retry-After the ERP named in the current run of throttles: unnamed pauses may grow to it. */
  #namedCeilingMs = 0;
  /** Calls started so far: a call's number says whether it started before the current pause began. */
  #callsStarted = 0;
  /** `#callsStarted` when the latest pause began: calls numbered below it belong to that pause's burst. */
  #pauseBeganAtCall = 0;
  #closed = false;

  constructor(options: LaneOptions) {
    this.key = options.key;
    this.rateLimit = options.rateLimit;
    this.#logger = (options.logger ?? silentLogger).child({ lane: options.key });
    this.#basePauseMs = options.throttle?.basePauseMs ?? DEFAULT_BASE_PAUSE_MS;
    this.#maxPauseMs = options.throttle?.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
    this.#timeoutMs = options.timeoutMs;
    this.#transport =
      options.transport ??
      createHttpClient({
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
    this.#gate = options.gate;
    if (options.recentCallAgesMs !== undefined) this.#budget.holdRecent(options.recentCallAgesMs);
    if (options.signal?.aborted === true) this.#stop('shutdown');
    else options.signal?.addEventListener('abort', () => this.#stop('shutdown'), { once: true });
    this.http = (request) => this.run(() => this.#send(request));
    this.signals = { throttled: (retryAfterMs) => this.throttled(retryAfterMs, 'signal') };
  }

  /**
   * Runs one unit of ERP work inside the lane's limits (for transports that are not an HttpClient). Rejects
   * with LL_CANCELLED when the lane closes, or the caller's signal (`withLaneSignal`) fires, before the work
   * started.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#cancelledError('closed');
    const caller = callSignal.getStore();
    if (caller?.aborted === true) throw this.#cancelledError('cancelled');
    const controller = this.#spareControllers.pop() ?? new AbortController();
    this.#waiting.add(controller);
    // Only while it waits: a started call runs to its end, as on close.
    const onCallerAbort =
      caller === undefined
        ? undefined
        : () => {
            if (this.#waiting.has(controller)) controller.abort(this.#cancelledError('cancelled'));
          };
    if (onCallerAbort !== undefined) caller?.addEventListener('abort', onCallerAbort, { once: true });
    let holding = false;
    let started = false;
    try {
      // A free token is taken at once, without a promise to wait on.
      if (!this.#budget.tryAcquire(controller.signal)) await this.#budget.acquire(controller.signal);
      holding = true;
      return await this.#queue.add(
        async () => {
          this.#waiting.delete(controller);
          // Fencing: asked last, so a lease lost while the call waited in the queue stops it here, unsent.
          if (this.#gate !== undefined) await this.#gate();
          // Started: from here on the call runs to its end, even when the lane closes.
          started = true;
          return work();
        },
        { signal: controller.signal },
      );
    } finally {
      if (onCallerAbort !== undefined) caller?.removeEventListener('abort', onCallerAbort);
      this.#waiting.delete(controller);
      if (started) this.#budget.releaseAfterWindow();
      else if (holding) this.#budget.releaseNow();
      if (!controller.signal.aborted && this.#spareControllers.length < MAX_SPARE_CONTROLLERS) this.#spareControllers.push(controller);
    }
  }

  /**
   * Pauses the whole lane for `retryAfterMs`, or for the default pause when the ERP named no delay. Calls in
   * flight finish; no call starts until the pause ends. A pause never shortens one already running.
   *
   * The default pause doubles only from one burst to the next: throttles of calls that started before the
   * current pause began are the same refusal seen again and do not escalate it. `callNumber` says when the call
   * started (the lane numbers its own HTTP calls); a signal's call is unknown, so a signal while paused counts
   * as the same burst.
   * It is bounded by the rate limit's own window: after a window the ERP has forgotten the calls that earned
   * the throttle, so waiting longer only delays work, unless the ERP itself named a longer Retry-After.
   */
  throttled(retryAfterMs?: number, source = 'signal', callNumber?: number): void {
    if (this.#closed) return;
    const sameBurst = callNumber === undefined ? this.paused : callNumber <= this.#pauseBeganAtCall;
    let pauseMs: number;
    if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) {
      // The burst already paused the lane (or is pausing it): the same refusal again asks for nothing new.
      if (sameBurst && this.#unnamedThrottles > 0) return;
      this.#unnamedThrottles += 1;
      const ceiling = Math.max(this.#basePauseMs, Math.min(this.#maxPauseMs, Math.max(this.rateLimit.intervalMs, this.#namedCeilingMs)));
      pauseMs = Math.min(ceiling, this.#basePauseMs * 2 ** Math.min(this.#unnamedThrottles - 1, 20));
    } else {
      pauseMs = Math.min(this.#maxPauseMs, Math.max(0, retryAfterMs));
      this.#namedCeilingMs = Math.max(this.#namedCeilingMs, pauseMs);
      if (retryAfterMs > this.#maxPauseMs) {
        this.#logger.warn({ retryAfterMs, pauseMs }, `the ERP asked for a ${retryAfterMs} ms pause; pausing ${pauseMs} ms`);
      }
    }
    const now = Date.now();
    const until = now + pauseMs;
    if (until <= this.#pausedUntil) return;
    if (!this.paused) {
      this.#throttlePauses += 1;
      this.#pauseBeganAtCall = this.#callsStarted;
      this.#pauseBeganAt = now;
    }
    this.#longestPauseMs = Math.max(this.#longestPauseMs, until - this.#pauseBeganAt);
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
      longestPauseMs: this.#longestPauseMs,
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
    this.#callsStarted += 1;
    const callNumber = this.#callsStarted;
    const timed = request.timeoutMs === undefined && this.#timeoutMs !== undefined ? { ...request, timeoutMs: this.#timeoutMs } : request;
    const response = await this.#transport(timed);
    // Decided before the call leaves the queue, so no other call starts between the answer and the pause.
    this.#observe(response, callNumber);
    return response;
  }

  #observe(response: HttpResponse, callNumber: number): void {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    if (response.status === 429) {
      this.throttled(retryAfterMs, 'HTTP 429', callNumber);
    } else if (response.status === 503 && retryAfterMs !== undefined) {
      this.throttled(retryAfterMs, 'HTTP 503 with Retry-After', callNumber);
    } else {
      // Any other answer (2xx, 4xx, 5xx) means the ERP took a call again: the run of throttles is over.
      this.#unnamedThrottles = 0;
      this.#namedCeilingMs = 0;
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

  #cancelledError(why: 'closed' | 'shutdown' | 'cancelled'): LedgerlinkError {
    const what = why === 'closed' ? `lane ${this.key} was closed` : why === 'shutdown' ? `lane ${this.key} was shut down` : `the work waiting in lane ${this.key} was cancelled`;
    return new LedgerlinkError(
      ErrorCodes.CANCELLED,
      `${what} before this call started; nothing was sent, so it is safe to try again`,
      { disposition: 'retryable' },
    );
  }
}
