import { isLedgerlinkError, type ExternalDataUpdate, type HubClient } from '@ledgerlink/core';

/** Procore's External Data Sync takes at most this many updates a call (the client chunks above it too). */
const MAX_BATCH = 100;
/** Calls in flight per company: the updates that arrive meanwhile wait and go together in the next call. */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  update: ExternalDataUpdate;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface CompanyQueue {
  waiting: Waiting[];
  inFlight: number;
  scheduled: boolean;
}

/**
 * The External Data writes of many close-outs in one call (issue 15: "hub reads batched where the hub allows"):
 * External Data Sync takes a list of updates [V erp_technical_guide.md], so the `origin_id`s of the payments that
 * synced in one turn of the event loop, or while the company's previous calls were in flight, go in one call
 * instead of one call each. Each caller still learns its own outcome: when Procore refuses a batch (one bad item
 * refuses the call), its updates are sent again one by one, so only the refused one fails, and its close-out is
 * left for the close-out pass like any failed send.
 */
export class ExternalDataWrites {
  readonly #queues = new Map<string, CompanyQueue>();
  /** Calls made and updates sent, for the metrics and the bench. */
  #calls = 0;
  #updates = 0;

  constructor(
    private readonly hub: () => HubClient,
    private readonly signal: AbortSignal,
  ) {}

  /** Writes one update; resolves once Procore has taken it (with others, or alone after a refused batch). */
  write(companyId: string, update: ExternalDataUpdate): Promise<void> {
    let queue = this.#queues.get(companyId);
    if (queue === undefined) {
      queue = { waiting: [], inFlight: 0, scheduled: false };
      this.#queues.set(companyId, queue);
    }
    const done = new Promise<void>((resolve, reject) => queue.waiting.push({ update, resolve, reject }));
    this.schedule(companyId, queue);
    return done;
  }

  /** `{ calls, updates }` so far: updates per call is the batching achieved. */
  stats(): { calls: number; updates: number } {
    return { calls: this.#calls, updates: this.#updates };
  }

  /** The next call goes once this turn's updates are in (setImmediate), if the company has room for a call. */
  private schedule(companyId: string, queue: CompanyQueue): void {
    if (queue.scheduled || queue.inFlight >= MAX_IN_FLIGHT || queue.waiting.length === 0) return;
    queue.scheduled = true;
    setImmediate(() => {
      queue.scheduled = false;
      void this.flush(companyId, queue);
    });
  }

  private async flush(companyId: string, queue: CompanyQueue): Promise<void> {
    if (queue.inFlight >= MAX_IN_FLIGHT || queue.waiting.length === 0) return;
    const batch = queue.waiting.splice(0, MAX_BATCH);
    queue.inFlight += 1;
    try {
      await this.send(companyId, batch);
    } finally {
      queue.inFlight -= 1;
      if (queue.waiting.length === 0 && queue.inFlight === 0) this.#queues.delete(companyId);
      else this.schedule(companyId, queue);
    }
  }

  private async send(companyId: string, batch: Waiting[]): Promise<void> {
    const context = { signal: this.signal };
    try {
      this.#calls += 1;
      this.#updates += batch.length;
      await this.hub().syncExternalData(companyId, batch.map((waiting) => waiting.update), context);
      for (const waiting of batch) waiting.resolve();
      return;
    } catch (error) {
      // Not a refusal (the hub unreachable, a timeout): every close-out of the batch is left for the pass alike.
      if (batch.length === 1 || !(isLedgerlinkError(error) && error.disposition === 'rejected')) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
    }
    // A refused batch: each update on its own, so one refused item does not fail the others.
    await Promise.all(
      batch.map(async (waiting) => {
        try {
          this.#calls += 1;
          this.#updates += 1;
          await this.hub().syncExternalData(companyId, [waiting.update], context);
          waiting.resolve();
        } catch (error) {
          waiting.reject(error);
        }
      }),
    );
  }
}
