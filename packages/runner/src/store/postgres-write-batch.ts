import type pg from 'pg';

interface Queued {
  work: (client: pg.PoolClient) => Promise<unknown>;
  /** Times it was rolled back as a deadlock's victim and queued again. */
  retries: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The most writes one transaction carries; more wait for the next (a burst is committed in slices). */
const MAX_BATCH = 256;
/** How often a write chosen as a deadlock's victim (two batches locking two items in opposite orders) is tried again. */
const DEADLOCK_RETRIES = 3;

/**
 * Group commit on PostgreSQL, the counterpart of SqliteWriteBatch: the writes asked for while the previous
 * transaction was committing (or in the same turn of the event loop) run in ONE transaction (BEGIN … COMMIT), one
 * WAL flush for all of them. Each write runs in a SAVEPOINT of its own, so one write's refusal or SQL error rolls
 * back that write alone (and releases the row locks it took) and rejects its caller only; the others commit. A
 * caller's promise settles once the transaction holding its write has committed (or failed).
 */
export class PostgresWriteBatch {
  readonly #queue: Queued[] = [];
  readonly #rollbackListeners: (() => void)[] = [];
  #scheduled = false;
  #running = 0;
  #batches = 0;
  #writes = 0;

  constructor(
    private readonly pool: pg.Pool,
    /**
     * Transactions in flight at once; the rest queue behind them (and so group). More than one overlaps the round
     * trips of one batch with another's; two batches locking the same items in opposite orders may then deadlock,
     * and the write PostgreSQL picks as the victim is rolled back alone and queued again.
     */
    private readonly concurrency = 3,
  ) {}

  /** Queues a write: `work` runs on the batch's connection, inside its transaction, and must not commit. */
  run<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, retries: 0, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Called when a whole batch rolled back: caches of what was written must forget it. */
  onRollback(listener: () => void): void {
    this.#rollbackListeners.push(listener);
  }

  /** Transactions committed and writes in them so far (the tests read the ratio). */
  get stats(): { batches: number; writes: number } {
    return { batches: this.#batches, writes: this.#writes };
  }

  /** Resolves once nothing is queued or committing (before the pool closes). */
  async drained(): Promise<void> {
    while (this.#queue.length > 0 || this.#running > 0 || this.#scheduled) await new Promise((resolve) => setImmediate(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#running >= this.concurrency || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#running >= this.concurrency || this.#queue.length === 0) return;
      this.#running += 1;
      void this.#commit(this.#queue.splice(0, MAX_BATCH)).finally(() => {
        this.#running -= 1;
        this.#schedule();
      });
    });
  }

  async #commit(batch: Queued[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    const results: Settled[] = [];
    try {
      await client.query('BEGIN');
      if (batch.length === 1) {
        // Alone: the transaction itself is the item's savepoint.
        results.push({ ok: true, value: await (batch[0] as Queued).work(client) });
        await client.query('COMMIT');
      } else {
        await client.query('SAVEPOINT batch_item');
        for (const [index, queued] of batch.entries()) results.push(await this.#inSavepoint(client, queued, index === batch.length - 1));
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      if (results.length > 0) for (const listener of this.#rollbackListeners) listener();
      for (const queued of batch) queued.reject(error);
      return;
    }
    client.release();
    this.#batches += 1;
    this.#writes += batch.length;
    batch.forEach((queued, index) => {
      const result = results[index] as Settled;
      if (result.ok) queued.resolve(result.value);
      else if (isDeadlock(result.error) && queued.retries < DEADLOCK_RETRIES) {
        queued.retries += 1;
        this.#queue.push(queued);
      } else queued.reject(result.error);
    });
    this.#schedule();
  }

  /**
   * One write in the savepoint opened before it; a failure of the savepoint statements themselves fails the whole
   * batch. The end of one savepoint and the start of the next (or the commit, after the `last`) go in one round trip.
   */
  async #inSavepoint(client: pg.PoolClient, queued: Queued, last: boolean): Promise<Settled> {
    let settled: Settled;
    try {
      settled = { ok: true, value: await queued.work(client) };
    } catch (error) {
      await client.query(last ? 'ROLLBACK TO SAVEPOINT batch_item; COMMIT' : 'ROLLBACK TO SAVEPOINT batch_item');
      return { ok: false, error };
    }
    await client.query(last ? 'RELEASE SAVEPOINT batch_item; COMMIT' : 'RELEASE SAVEPOINT batch_item; SAVEPOINT batch_item');
    return settled;
  }
}

/** PostgreSQL's deadlock_detected: the statement was the victim; tried again, it goes through. */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}
