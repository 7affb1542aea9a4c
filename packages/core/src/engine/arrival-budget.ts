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
  readonly #waiters: { grant: () => void; signal: AbortSignal; onAbort: () => void }[] = [];
  readonly #returning = new Set<NodeJS.Timeout>();

  constructor(requests: number, intervalMs: number) {
    this.#free = requests;
    this.#holdMs = intervalMs;
  }

  /**
   * Calls another process made `agesMs` ago against the same account (a previous lease holder's): each holds a
   * token until `intervalMs` after it was made, as if this budget had made it.
   */
  holdRecent(agesMs: readonly number[]): void {
    for (const age of agesMs) {
      if (!(age >= 0 && age < this.#holdMs) || this.#free <= 0) continue;
      this.#free -= 1;
      const timer = setTimeout(() => {
        this.#returning.delete(timer);
        this.#give();
      }, this.#holdMs - age);
      this.#returning.add(timer);
    }
  }

  /** Calls waiting for a token. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves when a token is this call's, first come first served; rejects with the signal's reason on abort. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.#free > 0 && this.#waiters.length === 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        signal,
        grant: () => {
          signal.removeEventListener('abort', waiter.onAbort);
          resolve();
        },
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal.reason as Error);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** The call went out: its token comes back `intervalMs` after it ended. */
  releaseAfterWindow(): void {
    const timer = setTimeout(() => {
      this.#returning.delete(timer);
      this.#give();
    }, this.#holdMs);
    this.#returning.add(timer);
  }

  /** Nothing was sent: the token comes back now. */
  releaseNow(): void {
    this.#give();
  }

  /** Drops the pending returns (the lane is closed and idle): nothing is left to keep the process awake. */
  dispose(): void {
    for (const timer of this.#returning) clearTimeout(timer);
    this.#returning.clear();
  }

  #give(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#free += 1;
    else next.grant();
  }
}
