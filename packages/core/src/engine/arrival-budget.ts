/** A call waiting for a token: told when it has one. */
export interface BudgetWaiter {
  grant(): void;
}

/**
 * What an ERP's rate limit counts: requests arriving in any window of `intervalMs`. A call arrives somewhere
 * between the moment the lane starts it and the moment its answer is back, and how late within that span
 * depends on the network and on how busy this machine is. Counting starts alone (p-queue's strict window)
 * lets a few slow early calls and a few fast later ones land in one ERP window, over the limit.
 *
 * So each call also holds one of `requests` tokens from before it starts until `intervalMs` after it ends.
 * Whatever the delays, no more than `requests` arrivals then fit in any window of `intervalMs`: for one more
 * to arrive, every other in that window would have to have ended less than `intervalMs` before it took its
 * token, so all tokens were held. The cost is one answer's latency per window, small against ERP windows.
 */
export class ArrivalBudget {
  readonly #holdMs: number;
  #free: number;
  /** Calls waiting for a token, first come first served. */
  readonly #waiters: BudgetWaiter[] = [];
  /**
   * When each held token comes back (ms, `performance.now()`), oldest first. Every hold is the same `intervalMs`
   * after an end, so the times arrive in order: one timer for the oldest serves them all, instead of one timer per
   * call (thousands alive at once under a large limit, each a handle the event loop and the GC must carry).
   */
  #returnAt: number[] = [];
  /** The first entry of `#returnAt` not yet given back (the array is compacted when half of it is spent). */
  #returnHead = 0;
  #returnTimer: NodeJS.Timeout | undefined;

  constructor(requests: number, intervalMs: number) {
    this.#free = requests;
    this.#holdMs = intervalMs;
  }

  /**
   * Calls another process made `agesMs` ago against the same account (a previous lease holder's): each holds a
   * token until `intervalMs` after it was made, as if this budget had made it.
   */
  holdRecent(agesMs: readonly number[]): void {
    const now = performance.now();
    // Oldest call first: its token comes back first, so the return queue stays in order. Called on a new budget,
    // before any call of its own, so every one of these returns comes before any later `releaseAfterWindow`.
    const returns = agesMs
      .filter((age) => age >= 0 && age < this.#holdMs)
      .sort((a, b) => b - a)
      .slice(0, Math.max(0, this.#free))
      .map((age) => now + this.#holdMs - age);
    if (returns.length === 0) return;
    this.#free -= returns.length;
    this.#returnAt.push(...returns);
    if (this.#returnTimer === undefined) this.#returnTimer = setTimeout(() => this.#returnDue(), Math.max(1, Math.ceil((returns[0] as number) - now)));
  }

  /** Calls waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Takes a token now if one is free and no call waits before this one (true); else takes nothing (false) and the
   * call waits with `enqueue`.
   */
  tryAcquire(): boolean {
    if (this.#free <= 0 || this.#waiters.length > 0) return false;
    this.#free -= 1;
    return true;
  }

  /**
   * Queues a call for the next free token: its `grant` is called once the token is the call's, first come first
   * served. A cancelled call is taken out with `remove`, so no token is spent on it.
   */
  enqueue(waiter: BudgetWaiter): void {
    if (this.#free > 0 && this.#waiters.length === 0) {
      this.#free -= 1;
      waiter.grant();
      return;
    }
    this.#waiters.push(waiter);
  }

  /** Takes a waiting call out of the queue (it was cancelled before its token came): true when it was there. */
  remove(waiter: BudgetWaiter): boolean {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return false;
    this.#waiters.splice(index, 1);
    return true;
  }

  /** The call went out: its token comes back `intervalMs` after it ended. */
  releaseAfterWindow(): void {
    this.#returnAt.push(performance.now() + this.#holdMs);
    if (this.#returnTimer === undefined) this.#returnTimer = setTimeout(() => this.#returnDue(), this.#holdMs);
  }

  /** Nothing was sent: the token comes back now. */
  releaseNow(): void {
    this.#give();
  }

  /** Drops the pending returns (the lane is closed and idle): nothing is left to keep the process awake. */
  dispose(): void {
    clearTimeout(this.#returnTimer);
    this.#returnTimer = undefined;
    this.#returnAt = [];
    this.#returnHead = 0;
  }

  /** Gives back every token whose window has passed, then waits for the next one. */
  #returnDue(): void {
    this.#returnTimer = undefined;
    const now = performance.now();
    // libuv counts whole milliseconds, so a timer may fire up to 1 ms early by performance.now(): the same slack
    // the per-call timer this replaces had, and no more.
    while (this.#returnHead < this.#returnAt.length && (this.#returnAt[this.#returnHead] as number) <= now + 1) {
      this.#returnHead += 1;
      this.#give();
    }
    if (this.#returnHead === this.#returnAt.length) {
      this.#returnAt = [];
      this.#returnHead = 0;
      return;
    }
    if (this.#returnHead > 1024 && this.#returnHead * 2 > this.#returnAt.length) {
      this.#returnAt = this.#returnAt.slice(this.#returnHead);
      this.#returnHead = 0;
    }
    const wait = Math.max(1, Math.ceil((this.#returnAt[this.#returnHead] as number) - now));
    this.#returnTimer = setTimeout(() => this.#returnDue(), wait);
  }

  #give(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#free += 1;
    else next.grant();
  }
}
