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

/**
 * A run of work under a signal (`Lane.withSignal`): its calls waiting in the lane end when the signal fires. It is
 * its own abort listener (`handleEvent`), so a run makes no closures: in the runner one starts per batch exported.
 */
class LaneRun {
  /** Its work has settled: the abort listener goes once no call that may be the run's waits any more. */
  ended = false;
  /** Waiting calls queued while the run was going (they may be its own). */
  waiting = 0;

  constructor(
    readonly signal: AbortSignal,
    private readonly fired: (run: LaneRun) => void,
  ) {}

  handleEvent(): void {
    this.fired(this);
  }
}

/**
 * A call that could not start at once: it waits for a token of the budget, then for a slot. The budget holds it and
 * wakes it with `grant`; p-queue holds it for a slot. Closing the lane or a run's signal cancels it wherever it waits.
 */
class Waiter {
  /** Where it waits now; unset between the two waits and once it has left. */
  stage: 'token' | 'slot' | undefined = undefined;
  /**
   * Ends its wait for a slot at once, refused (set only while it waits for one): its caller is answered then, and its
   * task, when p-queue comes to it, finds `error` set and sends nothing. (A signal for p-queue per waiting call, as
   * before, was an AbortController, an event listener and a promise per call: 2% of the runner's CPU in a burst.)
   */
  refuseSlot: ((error: LedgerlinkError) => void) | undefined = undefined;
  /** Cancelled while between the two waits: the next one refuses it. */
  error: LedgerlinkError | undefined = undefined;
  resolve: () => void = noop;
  reject: (error: LedgerlinkError) => void = noop;

  /** `runs`: the runs going when the call was made; any of them firing cancels it. */
  constructor(readonly runs: readonly LaneRun[]) {}

  grant(): void {
    this.stage = undefined;
    this.resolve();
  }
}

function noop(): void {}

const NO_RUNS: readonly LaneRun[] = [];

const DEFAULT_BASE_PAUSE_MS = 1_000;
/** Acumatica keeps a request queued up to 10 minutes; no published ERP asks for a longer wait. */
const DEFAULT_MAX_PAUSE_MS = 600_000;

/**
 * One lane per (tenant, connector): every call a connector's client makes to its ERP goes through it. It
 * holds the ERP's limits: at most `concurrency` calls at once and at most `requests` calls in any sliding
 * window of `intervalMs` (an `ArrivalBudget`, so the window holds where the ERP counts it, at arrival; a token
 * held until a window after the call ended also bounds the starts), and p-queue holds the calls that wait for one of
 * the `concurrency` slots, in order, and stops starting them while the lane is paused.
 * A throttle answer (HTTP 429, or 429/503 with Retry-After) or a throttle signal from the client pauses the whole lane, not only the call that was refused: the ERP
 * throttles the account, so every other call would be refused too.
 */
export class Lane {
  readonly key: string;
  readonly rateLimit: RateLimit;
  /** The HttpClient a connector's client gets: every call runs through the lane. */
  readonly http: HttpClient;
  /** What the connector's client gets as `lane`: throttle signals that did not come as HTTP 429. */
  readonly signals: LaneSignals;

  readonly #concurrency: number;
  /**
   * The calls holding a token: at most `concurrency` run (the gate, then the call), the others wait in order; paused
   * while the ERP throttles us. No interval of its own: the budget already bounds the starts in any window.
   */
  readonly #queue: PQueue;
  readonly #budget: ArrivalBudget;
  readonly #transport: HttpClient;
  /** The tenant's per-call timeout, given to the transport with every request that names none. */
  readonly #timeoutMs: number | undefined;
  readonly #logger: Logger;
  readonly #basePauseMs: number;
  readonly #maxPauseMs: number;
  readonly #gate: (() => void | Promise<void>) | undefined;
  /** Calls not yet started (waiting for a token or a slot). */
  readonly #waiting = new Set<Waiter>();
  /** Tasks still in p-queue's queue whose calls were refused while they waited: they send nothing, and are not queued work. */
  #refusedInQueue = 0;
  /**
   * The runs going now (`withSignal`), replaced (never changed in place) when one begins or ends: a call keeps the
   * array it saw when it was made, without copying it.
   */
  #runs: readonly LaneRun[] = NO_RUNS;
  readonly #runFired = (run: LaneRun): void => this.#cancelRun(run);
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
    this.#concurrency = options.rateLimit.concurrency;
    this.#queue = new PQueue({ concurrency: options.rateLimit.concurrency });
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
   * with LL_CANCELLED when the lane closes, or the signal of a run it belongs to (`withSignal`) fires, before the
   * work started.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#cancelledError('closed');
    const runs = this.#runs;
    for (const run of runs) if (run.signal.aborted) throw this.#cancelledError('cancelled');
    // A call that can start at once (a token free, a slot free, nobody queued before it) allocates nothing to wait.
    let waiter: Waiter | undefined;
    let holding = false;
    let started = false;
    try {
      if (!this.#budget.tryAcquire()) {
        waiter = this.#wait(runs);
        await this.#waitForToken(waiter);
      }
      holding = true;
      if (waiter?.error !== undefined) throw waiter.error;
      const queue = this.#queue;
      let slot: Promise<never> | undefined;
      if (queue.isPaused || queue.pending >= this.#concurrency || queue.size > 0) {
        // It waits for a slot, cancellable there: a refusal answers the caller at once (see Waiter.refuseSlot).
        const slotWaiter = (waiter ??= this.#wait(runs));
        slotWaiter.stage = 'slot';
        slot = new Promise<never>((_, refuse) => {
          slotWaiter.refuseSlot = refuse;
        });
      } else if (waiter !== undefined) {
        // A slot is free: p-queue starts the call within `add`, nothing can cancel it in between.
        this.#leave(waiter);
      }
      const task = async (): Promise<T | undefined> => {
        if (waiter !== undefined) {
          // Refused while it waited (its caller has its answer already): the slot is let go, nothing is sent.
          if (waiter.error !== undefined) {
            this.#refusedInQueue -= 1;
            return undefined;
          }
          waiter.stage = undefined;
          waiter.refuseSlot = undefined;
          this.#leave(waiter);
        }
        // Fencing: asked last, so a lease lost while the call waited in the queue stops it here, unsent.
        if (this.#gate !== undefined) await this.#gate();
        // Started: from here on the call runs to its end, even when the lane closes.
        started = true;
        return work();
      };
      if (slot === undefined) return (await queue.add(task)) as T;
      return (await Promise.race([queue.add(task), slot])) as T;
    } finally {
      if (waiter !== undefined) this.#leave(waiter);
      if (started) this.#budget.releaseAfterWindow();
      else if (holding) this.#budget.releaseNow();
    }
  }

  /**
   * Runs `work` as a run of this lane: each call made in the lane while it goes (its own, made with no signal of
   * their own) and not started yet is cancelled (LL_CANCELLED, nothing sent) once `signal` fires. Calls already
   * started run to their end. A call made while the work goes counts as the run's even when it waits on after the
   * work settled; a call made after it settled does not. A connector's client calls `lane.http` without a signal of
   * its own, so this is how a shutdown reaches calls queued in a lane paused for minutes: they end at once.
   *
   * The lane cannot tell whose call is whose without an AsyncLocalStorage, which on Node 20 turns on promise hooks
   * for every promise of the process (a few percent of the runner's CPU): so a call made while several runs go is
   * counted as each one's, and cancelled when any of them fires. Nothing of it was sent and LL_CANCELLED is
   * retryable, so the cost is a retry, never a lost or doubled export; the runner fires its runs' signals together
   * anyway (a tenant's shutdown or lost lease).
   */
  withSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const run = new LaneRun(signal, this.#runFired);
    // One listener per run: many runs at once on one signal (checks on the runtime's closing signal, say) are
    // normal, not a leak, and must not print Node's MaxListenersExceededWarning into the operator's log.
    setMaxListeners(0, signal);
    signal.addEventListener('abort', run, { once: true });
    this.#runs = [...this.#runs, run];
    let working: Promise<T>;
    try {
      working = work();
    } catch (error) {
      this.#endRun(run);
      return Promise.reject(error as Error);
    }
    return working.finally(() => this.#endRun(run));
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
      queued: this.#budget.waiting + this.#queue.size - this.#refusedInQueue,
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

  /** The run's work has settled: calls made from now on are not its own. */
  #endRun(run: LaneRun): void {
    this.#runs = this.#runs.filter((other) => other !== run);
    run.ended = true;
    if (run.waiting === 0) run.signal.removeEventListener('abort', run);
  }

  /** A call that waits: registered so that closing the lane, or one of its runs' signals, cancels it. */
  #wait(runs: readonly LaneRun[]): Waiter {
    const waiter = new Waiter(runs);
    for (const run of runs) run.waiting += 1;
    this.#waiting.add(waiter);
    return waiter;
  }

  /** The call no longer waits (started, or cancelled): its runs stop counting it. */
  #leave(waiter: Waiter): void {
    if (!this.#waiting.delete(waiter)) return;
    for (const run of waiter.runs) {
      run.waiting -= 1;
      if (run.ended && run.waiting === 0) run.signal.removeEventListener('abort', run);
    }
  }

  /** Waits for a token (the budget grants it); rejects when the call is cancelled meanwhile. */
  #waitForToken(waiter: Waiter): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
      waiter.stage = 'token';
      this.#budget.enqueue(waiter);
    });
  }

  #cancel(waiter: Waiter, error: LedgerlinkError): void {
    this.#leave(waiter);
    if (waiter.stage === 'token') {
      this.#budget.remove(waiter);
      waiter.stage = undefined;
      waiter.reject(error);
    } else if (waiter.stage === 'slot') {
      // Its caller is answered now; its task stays in p-queue's queue and lets its slot go unused when it comes up.
      waiter.stage = undefined;
      waiter.error = error;
      this.#refusedInQueue += 1;
      waiter.refuseSlot?.(error);
      waiter.refuseSlot = undefined;
    } else {
      waiter.error = error;
    }
  }

  /** A run's signal fired: every call waiting that may be the run's is cancelled, unsent. */
  #cancelRun(run: LaneRun): void {
    for (const waiter of this.#waiting) if (waiter.runs.includes(run)) this.#cancel(waiter, this.#cancelledError('cancelled'));
  }

  #stop(why: 'closed' | 'shutdown'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
    const error = this.#cancelledError(why);
    for (const waiter of this.#waiting) this.#cancel(waiter, error);
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
