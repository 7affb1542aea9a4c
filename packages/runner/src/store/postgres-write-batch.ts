import type pg from 'pg';

interface Queued {
  work: (client: pg.PoolClient) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The most writes one transaction carries; more wait for the next (a burst is committed in slices). */
const MAX_BATCH = 256;

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

  constructor(
    private readonly pool: pg.Pool,
    /** Transactions in flight at once; the rest queue behind them (and so group). */
    private readonly concurrency = 1,
  ) {}

  /** Queues a write: `work` runs on the batch's connection, inside its transaction, and must not commit. */
  run<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Called when a whole batch rolled back: caches of what was written must forget it. */
  onRollback(listener: () => void): void {
    this.#rollbackListeners.push(listener);
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
      } else {
        for (const queued of batch) results.push(await this.#inSavepoint(client, queued));
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      if (results.length > 0) for (const listener of this.#rollbackListeners) listener();
      for (const queued of batch) queued.reject(error);
      return;
    }
    client.release();
    batch.forEach((queued, index) => {
      const result = results[index] as Settled;
      if (result.ok) queued.resolve(result.value);
      else queued.reject(result.error);
    });
  }

  /** One write in its savepoint; a failure of the savepoint statements themselves fails the whole batch. */
  async #inSavepoint(client: pg.PoolClient, queued: Queued): Promise<Settled> {
    await client.query('SAVEPOINT batch_item');
    let settled: Settled;
    try {
      settled = { ok: true, value: await queued.work(client) };
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT batch_item');
      return { ok: false, error };
    }
    await client.query('RELEASE SAVEPOINT batch_item');
    return settled;
  }
}
