import type BetterSqlite3 from 'better-sqlite3';
import { performance } from 'node:perf_hooks';

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A commit of this many writes or more says the ledger is busy, and the next waits for the commit interval. At 50
 * payments a second a commit holds one to three writes (about ten writes a payment); flat out, 15 to 20.
 */
const BUSY_COMMIT_WRITES = 8;

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Makes what is in the write-ahead log durable (fdatasync of the `-wal` file), off the event loop; calls `done` once
 * it is (or with the error that says it may not be).
 */
export type LogSync = (done: (error?: Error | null) => void) => void;

/**
 * Group commit for one SQLite connection. The writes asked for in the same turn of the event loop (a burst of
 * `beginAttempt`s, `completeAttempt`s, inbox rows, admitted calls) run in ONE IMMEDIATE transaction, so they share
 * one commit, and for a durable ledger one log sync (see syncLogWith), instead of one each; under load, with those
 * of the following turns up to the commit interval (commitEvery). One write's refusal (a
 * wrong state, a stale fence) rolls back that write alone and rejects its caller only; the others commit (the batch
 * runs again with a savepoint per write when one throws). A caller's promise settles once the transaction holding its
 * write has committed and its log is synced (or failed): what it was told is on disk is on disk. Every write of the
 * connection goes through here, so they keep their order.
 */
export class SqliteWriteBatch {
  readonly #queue: Queued[] = [];
  readonly #rollbackListeners: (() => void)[] = [];
  readonly #endListeners: (() => void)[] = [];
  /** The batch with no savepoints: what nearly every batch is (a write refused is rare). */
  readonly #all: BetterSqlite3.Transaction<(batch: readonly Queued[], results: Settled[]) => void>;
  /** The batch again after a write threw, each write in a savepoint of its own. */
  readonly #isolated: BetterSqlite3.Transaction<(batch: readonly Queued[], results: Settled[]) => void>;
  readonly #savepoint: BetterSqlite3.Transaction<(work: () => unknown) => unknown>;
  /** The flush to come: at the end of this turn (an immediate), or once the commit interval has passed (a timer). */
  #scheduled: { kind: 'immediate'; handle: NodeJS.Immediate } | { kind: 'timer'; handle: NodeJS.Timeout } | undefined;
  /** The least time between the starts of two commits, in ms (see commitEvery). */
  #interval = 0;
  /** When the last commit started (performance.now()), and how many writes it held. */
  #lastCommitAt = Number.NEGATIVE_INFINITY;
  #lastCommitWrites = 0;
  /** Set for a durable ledger (`synchronous = FULL`): batches are acknowledged after a log sync, not at commit. */
  #logSync: LogSync | undefined;
  /** Committed batches waiting for a log sync that began after their commit. */
  #awaitingSync: { settle: () => void; fail: (error: Error) => void }[] = [];
  #syncing: Promise<void> | undefined;
  /** Set once a log sync failed: what was committed may not survive a power cut, so nothing more is written. */
  #syncFailure: Error | undefined;
  #syncs = 0;
  #batches = 0;
  #writes = 0;
  #retried = 0;

  constructor(private readonly db: BetterSqlite3.Database) {
    // better-sqlite3 runs a transaction function called inside another one as a SAVEPOINT.
    this.#savepoint = db.transaction((work: () => unknown) => work());
    // Two statements a write (SAVEPOINT, RELEASE) were a third of the statements of a payment: a batch first runs
    // without them. A write that throws rolls the whole transaction back (WriteRefused), and the batch runs again
    // in #isolated, where that write fails alone. The writes are SQL only (re-running one gives the same result
    // under the same write lock), and caches of what was written forget it on the rollback (onRollback).
    this.#all = db.transaction((batch: readonly Queued[], results: Settled[]) => {
      batch.forEach((queued, index) => {
        try {
          results.push({ ok: true, value: queued.work() });
        } catch (error) {
          throw new WriteRefused(index, error);
        }
      });
    });
    this.#isolated = db.transaction((batch: readonly Queued[], results: Settled[]) => {
      for (const queued of batch) {
        try {
          results.push({ ok: true, value: this.#savepoint(queued.work) });
        } catch (error) {
          results.push({ ok: false, error });
        }
      }
    });
  }

  /**
   * Durability without blocking the event loop. With `synchronous = FULL`, SQLite fsyncs the log inside COMMIT, on
   * the event loop (a fifth of the runner's main-thread time in a profile of the runner bench). Instead the
   * connection runs at NORMAL (a commit appends to the log, no fsync) and this batch makes the log durable itself:
   * after a commit, an fdatasync of the `-wal` file on libuv's thread pool, and each write is acknowledged only once
   * a sync that began after its commit has finished. That is FULL's promise (a write acknowledged is on disk), with one sync shared by
   * every batch committed meanwhile, and the next batch's SQL running while the disk works. A write is visible to
   * reads before it is acknowledged, as it is between COMMIT and its fsync under FULL; nothing acts outside on a write
   * of its own before it is acknowledged.
   */
  syncLogWith(sync: LogSync): void {
    this.#logSync = sync;
  }

  /** Queues a write (synchronous SQL work) for this turn's transaction; settles once that has committed (and, for a durable ledger, is on disk). */
  run<T>(work: () => T): Promise<T> {
    if (this.#syncFailure !== undefined) return Promise.reject(this.#syncFailure);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // While a log sync runs, writes gather for the commit that follows it: one commit and one sync for all of them.
      if (this.#syncing === undefined) this.#schedule(false);
    });
  }

  /**
   * Spaces commits at least `ms` apart while writes keep coming (0: none). A commit costs the same few pages of the
   * log whatever number of writes it holds (each index a payment touches has one page at its right edge, written
   * again by every commit), and one log sync, so under load the writes of a few milliseconds are worth gathering:
   * PostgreSQL's `commit_delay` and MySQL's `binlog_group_commit_sync_delay` do the same. Only while the ledger is
   * busy (the last commit held BUSY_COMMIT_WRITES writes or more): after a smaller commit (one caller writing after
   * another, a runner at an everyday pace), or one `ms` ago or more, a write goes at the end of its turn as without
   * it. A busy ledger answers each write at most `ms` later.
   */
  commitEvery(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`the commit interval must be a number of milliseconds from 0, got ${ms}`);
    this.#interval = ms;
  }

  /** The commit interval in force (commitEvery), in ms. */
  get commitIntervalMs(): number {
    return this.#interval;
  }

  /**
   * Schedules the next flush: at once (`now`, from the end of a log sync) or at the end of this turn when the last
   * commit was not a busy one or started at least the commit interval ago; otherwise when the interval will have passed.
   */
  #schedule(now: boolean): void {
    if (this.#scheduled !== undefined) return;
    const wait = this.#lastCommitWrites >= BUSY_COMMIT_WRITES ? this.#lastCommitAt + this.#interval - performance.now() : 0;
    if (wait <= 0 && now) this.flush();
    else if (wait <= 0) this.#scheduled = { kind: 'immediate', handle: setImmediate(() => this.flush()) };
    else this.#scheduled = { kind: 'timer', handle: setTimeout(() => this.flush(), Math.ceil(wait)) };
  }

  /** Called when a whole batch rolled back (its commit failed): caches of what was written must forget it. */
  onRollback(listener: () => void): void {
    this.#rollbackListeners.push(listener);
  }

  /**
   * Called each time one of the batch's transactions ends (committed or rolled back, the first run and the rerun
   * write by write alike): what a write remembered of the rows the write lock kept still (the fence's lease row)
   * holds only until then, since another connection may write once the lock is let go.
   */
  onTransactionEnd(listener: () => void): void {
    this.#endListeners.push(listener);
  }

  /** Runs one IMMEDIATE transaction of the batch, then tells the listeners it ended, however it ended. */
  #transact(transaction: BetterSqlite3.Transaction<(batch: readonly Queued[], results: Settled[]) => void>, batch: readonly Queued[], results: Settled[]): void {
    this.#inTransaction = true;
    try {
      transaction.immediate(batch, results);
    } finally {
      this.#inTransaction = false;
      for (const listener of this.#endListeners) listener();
    }
  }

  #inTransaction = false;

  /**
   * One of the batch's IMMEDIATE transactions is open (its writes are running): the write lock is held until it ends,
   * and `onTransactionEnd` will be called then. Not so in any other transaction on the connection (a deferred read).
   */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /** Batches committed, writes in them, batches run again write by write after a refusal, and log syncs, so far. */
  get stats(): { batches: number; writes: number; retried: number; syncs: number } {
    return { batches: this.#batches, writes: this.#writes, retried: this.#retried, syncs: this.#syncs };
  }

  /** Commits what is queued (not waiting for the commit interval) and resolves once all of it is acknowledged (its log sync finished): before the file closes. */
  async settled(): Promise<void> {
    for (;;) {
      if (this.#queue.length > 0) this.flush();
      if (this.#syncing === undefined) return;
      await this.#syncing;
    }
  }

  /** Acknowledges committed batches after a log sync that begins now; the batches committed during it wait for the next. */
  #startSync(): void {
    const sync = this.#logSync as LogSync;
    const waiting = this.#awaitingSync.splice(0);
    this.#syncs += 1;
    this.#syncing = new Promise<void>((resolve) => {
      sync((error) => {
        if (error !== undefined && error !== null) {
          this.#syncFailure ??= new Error(
            `the SQLite ledger's log could not be made durable (${error.message}): the writes since the last sync may not survive a power cut, ` +
              'so this ledger refuses further writes; check the disk, then restart the runner (recovery checks the ERP for every item caught mid-export)',
            { cause: error },
          );
        }
        const failure = this.#syncFailure;
        for (const batch of waiting) {
          if (failure === undefined) batch.settle();
          else batch.fail(failure);
        }
        this.#syncing = undefined;
        resolve();
        if (this.#queue.length > 0) this.#schedule(true);
        else if (this.#awaitingSync.length > 0) this.#startSync();
      });
    });
  }

  /** Commits what is queued now (at the end of the turn, and before the connection closes). */
  flush(): void {
    const scheduled = this.#scheduled;
    if (scheduled?.kind === 'immediate') clearImmediate(scheduled.handle);
    else if (scheduled?.kind === 'timer') clearTimeout(scheduled.handle);
    this.#scheduled = undefined;
    const batch = this.#queue.splice(0);
    if (batch.length === 0) return;
    this.#lastCommitAt = performance.now();
    this.#lastCommitWrites = batch.length;
    let results: Settled[] = [];
    try {
      if (!this.db.open) throw new Error('the SQLite ledger is closed: the write was not made; open the store again');
      if (this.#syncFailure !== undefined) throw this.#syncFailure;
      try {
        this.#transact(this.#all, batch, results);
      } catch (error) {
        if (!(error instanceof WriteRefused)) throw error;
        // Rolled back whole: what the writes before the refused one put in caches is forgotten, then each runs alone.
        for (const listener of this.#rollbackListeners) listener();
        if (batch.length === 1) throw error.cause;
        this.#retried += 1;
        results = [];
        this.#transact(this.#isolated, batch, results);
      }
    } catch (error) {
      // Nothing of the batch is on disk (the lock was not had, the commit failed, or the lone item was refused).
      if (batch.length > 1 || results.length > 0) for (const listener of this.#rollbackListeners) listener();
      for (const queued of batch) queued.reject(error);
      return;
    }
    this.#batches += 1;
    this.#writes += batch.length;
    const settle = () =>
      batch.forEach((queued, index) => {
        const result = results[index] as Settled;
        if (result.ok) queued.resolve(result.value);
        else queued.reject(result.error);
      });
    if (this.#logSync === undefined) {
      settle();
      return;
    }
    this.#awaitingSync.push({ settle, fail: (error) => batch.forEach((queued) => queued.reject(error)) });
    if (this.#syncing === undefined) this.#startSync();
  }
}

/** A write of a batch threw: the transaction rolls back, and the batch is run again write by write. */
class WriteRefused extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`write ${index} of the batch was refused`);
  }
}

const batches = new WeakMap<BetterSqlite3.Database, SqliteWriteBatch>();

/** The connection's one write batch: the ledger, the event inbox and the tenant leases share it (and its commits). */
export function sqliteWriteBatch(db: BetterSqlite3.Database): SqliteWriteBatch {
  let batch = batches.get(db);
  if (batch === undefined) {
    batch = new SqliteWriteBatch(db);
    batches.set(db, batch);
  }
  return batch;
}
