import pg from 'pg';
import { submit } from './postgres-submit.js';

/**
 * What a queued write runs its statements on: the batch's connection, inside its transaction (never commit on it).
 * `read` is for a statement that changes no row (it may lock some, `FOR UPDATE`/`FOR SHARE`): a write that throws
 * after reads alone has written nothing, so the batch commits the others without rolling anything back.
 */
export interface BatchClient {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  read<R extends pg.QueryResultRow = pg.QueryResultRow>(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /**
   * A write that changes nothing unless what it was made from still holds (a row version, a fence), and then answers
   * no row: it counts as written only when it answers one. Refused having changed nothing, its write may read and
   * throw like one that only read.
   */
  guarded<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
}

interface Queued {
  work: (client: BatchClient) => Promise<unknown>;
  /** A write of one statement (`statement`): alone in its batch, it runs as a transaction of its own, no BEGIN/COMMIT. */
  single: boolean;
  /** Writes with one key run one after another; see `run`. */
  key: string | undefined;
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
 * Holds a connection's socket corked for the rest of the event-loop turn: every statement sent in the turn leaves
 * in one write (one system call, one wake-up of the server) instead of one each. Pipelined (`pipeline: true`), the
 * statements of one turn reach the server together and their answers come back together.
 */
export class TurnCork {
  #held = false;

  constructor(private readonly stream: { cork(): void; uncork(): void }) {}

  /** Corks until the end of this turn (once the promise jobs it started have run). */
  hold(): void {
    if (this.#held) return;
    this.#held = true;
    this.stream.cork();
    setImmediate(() => this.flush());
  }

  /** Sends what is held now (a COMMIT waits for nothing). */
  flush(): void {
    if (!this.#held) return;
    this.#held = false;
    this.stream.uncork();
  }
}

/** One write's view of the batch connection: whether it wrote, and its statements still unanswered. */
class Member implements BatchClient {
  wrote = false;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly client: pg.PoolClient,
    private readonly cork: TurnCork | undefined,
  ) {}

  query<R extends pg.QueryResultRow>(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    this.wrote = true;
    return this.#send<R>(config, values);
  }

  read<R extends pg.QueryResultRow>(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.#send<R>(config, values);
  }

  async guarded<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    const result = await this.#send<R>(config);
    if (result.rows.length > 0) this.wrote = true;
    return result;
  }

  /** Resolves once every statement it sent is answered (a write may throw while one is still on the wire). */
  async answered(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #send<R extends pg.QueryResultRow>(config: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    this.cork?.hold();
    const sent = submit<R>(this.client, typeof config === 'string' ? { text: config, values } : values === undefined ? config : { ...config, values });
    this.#inFlight.add(sent);
    void sent.then(
      () => this.#inFlight.delete(sent),
      () => this.#inFlight.delete(sent),
    );
    return sent;
  }
}

/**
 * Group commit on PostgreSQL, the counterpart of SqliteWriteBatch: the writes asked for while the previous
 * transaction was committing (or in the same turn of the event loop) run in ONE transaction (BEGIN … COMMIT), one
 * WAL flush for all of them. A caller's promise settles once the transaction holding its write has committed (or
 * failed); a write that fails rejects its caller only, the others commit.
 *
 * The connection is pipelined (the pool is made with `pipeline: true`): the writes of a batch run side by side,
 * each one's next statement sent as soon as its previous answer is in, so a batch costs about as many round trips
 * as its longest write has statements, not the sum of all of them, and the statements of one turn leave in one
 * socket write (TurnCork). Side by side, no write can have a savepoint of its own, so:
 *  - a write that throws having only read (a refused fence, a wrong state, a missing item: `BatchClient.read`)
 *    wrote nothing; it is refused alone and the rest commit (the row locks it took are held until then);
 *  - anything else (a statement failed, which aborts the whole transaction, or a write threw after writing) rolls
 *    the batch back and runs it again one write after another, each in a SAVEPOINT, so that the failure is that
 *    write's alone (and a deadlock's victim is queued again).
 * A batch of one write of one statement (`statement`) needs no BEGIN … COMMIT: it is sent as it is, and PostgreSQL
 * commits it as a transaction of its own.
 */
export class PostgresWriteBatch {
  readonly #queue: Queued[] = [];
  readonly #rollbackListeners: (() => void)[] = [];
  readonly #commitListeners: ((writes: number) => void)[] = [];
  #scheduled = false;
  #running = 0;
  #batches = 0;
  #writes = 0;
  #redone = 0;

  constructor(
    private readonly pool: pg.Pool,
    /**
     * Transactions in flight at once; the rest queue behind them (and so group). Fewer means larger batches and
     * fewer commits (on the bench, 1.1 transactions per payment at 1, 2.2 at 3), but a batch waiting on a row lock
     * or a slow commit then holds up every write of this replica; on the runner bench (2,000 payments, one sitting)
     * 3 gave 47 payments/s against 42 at 2. Since the writes of a batch are pipelined, PostgreSQL's own CPU per
     * payment, which shares the machine's cores with the runner, counts more than the waits: each commit is a WAL
     * write and flush, each transaction a BEGIN and a COMMIT and more wake-ups of the server. Issue 15's bench (2,000
     * payments, four pairs in one sitting, load 4-6) gave 71-83 payments/s at 2 against 60-74 at 3 (1.6 transactions
     * per payment against 2.1), and 67 at 1. Two batches locking the same items in opposite orders may deadlock;
     * the write PostgreSQL picks as the victim is rolled back alone and queued again.
     */
    private readonly concurrency = 2,
  ) {}

  /**
   * Queues a write: `work` runs on the batch's connection, inside its transaction, and must not commit. Writes of
   * one batch run side by side: those given the same `key` (the row they read before they write, e.g. an item's id)
   * run one after another in the order queued, so none acts on what another changed under it; a write without a
   * key runs after every write queued before it and before any queued after it.
   */
  run<T>(work: (client: BatchClient) => Promise<T>, key?: string): Promise<T> {
    return this.#enqueue(work, key, false);
  }

  /**
   * Queues a write that is one statement (`run` with a work of a single `query`). With other writes queued it joins
   * their transaction like any write. Alone in its batch (a quiet runner: a replica at a few payments a second sees
   * mostly batches of one) it is sent without BEGIN and COMMIT: PostgreSQL runs a statement outside a transaction
   * block as a transaction of its own, atomic and committed (durably, as any commit) before it answers. That is one
   * statement instead of three, and one round trip instead of one and a COMMIT's.
   */
  statement<R extends pg.QueryResultRow = pg.QueryResultRow>(config: pg.QueryConfig, key?: string): Promise<pg.QueryResult<R>> {
    return this.#enqueue((client) => client.query<R>(config), key, true);
  }

  #enqueue<T>(work: (client: BatchClient) => Promise<T>, key: string | undefined, single: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, single, key, retries: 0, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Called when a batch rolled back: caches of what was written must forget it. */
  onRollback(listener: () => void): void {
    this.#rollbackListeners.push(listener);
  }

  /** Called after each committed transaction with the writes committed so far (all batches). */
  onCommit(listener: (writes: number) => void): void {
    this.#commitListeners.push(listener);
  }

  /**
   * Transactions committed, writes in them, and batches run again one write at a time after a failure (the tests
   * read these).
   */
  get stats(): { batches: number; writes: number; redone: number } {
    return { batches: this.#batches, writes: this.#writes, redone: this.#redone };
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
    let results: Settled[];
    try {
      if (batch.length === 1 && batch[0]?.single === true) results = [await this.#alone(client, batch[0])];
      else {
        const together = await this.#together(client, batch);
        if (together.committed || batch.length === 1) results = together.results;
        else {
          this.#redone += 1;
          results = await this.#oneByOne(client, batch);
        }
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A connection that failed mid-transaction is not given back to the pool for another caller.
      client.release(error instanceof pg.DatabaseError ? undefined : (error as Error));
      this.#rolledBack();
      for (const queued of batch) queued.reject(error);
      return;
    }
    client.release();
    if (results.some((result) => result.ok)) {
      this.#batches += 1;
      this.#writes += results.filter((result) => result.ok).length;
      for (const listener of this.#commitListeners) listener(this.#writes);
    }
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
   * A one-statement write alone: its statement outside a transaction block (PostgreSQL's implicit transaction). The
   * statement failing is the write's answer (nothing was committed); a broken connection fails the batch (`#commit`).
   */
  async #alone(client: pg.PoolClient, queued: Queued): Promise<Settled> {
    try {
      return { ok: true, value: await queued.work(new Member(client, undefined)) };
    } catch (error) {
      if (error instanceof pg.DatabaseError) return { ok: false, error };
      throw error;
    }
  }

  #rolledBack(): void {
    for (const listener of this.#rollbackListeners) listener();
  }

  /**
   * Every write of the batch side by side in one transaction (see the class). `committed` false: nothing was
   * committed and the batch is to be run again one write at a time (alone, the write's own failure is its answer).
   */
  async #together(client: pg.PoolClient, batch: Queued[]): Promise<{ committed: boolean; results: Settled[] }> {
    const cork = new TurnCork(client.connection.stream);
    cork.hold();
    const begun = client.query('BEGIN');
    const members = batch.map(() => new Member(client, cork));
    const done: Promise<unknown>[] = [];
    /** The last write queued per key, and the last write without a key: what a write waits for. */
    const lastOfKey = new Map<string, Promise<unknown>>();
    let barrier: Promise<unknown> | undefined;
    batch.forEach((queued, index) => {
      const member = members[index] as Member;
      const start = () => queued.work(member);
      const after = queued.key === undefined ? (done.length === 0 ? [] : [...done]) : [barrier, lastOfKey.get(queued.key)].filter((one) => one !== undefined);
      // With nothing to wait for, a write starts now, so the first statements leave in the order the writes were queued.
      const running = after.length === 0 ? invoke(start) : Promise.allSettled(after).then(start);
      const settled = running.finally(() => member.answered());
      done.push(settled);
      if (queued.key === undefined) barrier = settled;
      else lastOfKey.set(queued.key, settled);
    });
    // BEGIN failing (a broken connection) fails the batch; its writes' statements failed with it.
    const outcomes = await Promise.allSettled(done);
    await begun;
    const results: Settled[] = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? { ok: true, value: outcome.value } : { ok: false, error: outcome.reason }));
    const refusedCleanly = results.every((result, index) => result.ok || (!(members[index] as Member).wrote && !(result.error instanceof pg.DatabaseError)));
    if (refusedCleanly && client.getTransactionStatus() === 'T') {
      const committing = client.query('COMMIT');
      cork.flush();
      // COMMIT of a transaction a failed statement aborted answers ROLLBACK (no error): nothing was committed.
      if ((await committing).command === 'COMMIT') return { committed: true, results };
    } else {
      const rolling = client.query('ROLLBACK');
      cork.flush();
      await rolling;
    }
    this.#rolledBack();
    if (batch.length === 1 && results[0]?.ok === true) return { committed: false, results: [{ ok: false, error: new Error('the transaction was rolled back by the server; try the write again') }] };
    return { committed: false, results };
  }

  /** The batch again, one write after another, each in its own SAVEPOINT: a failure rolls back that write alone. */
  async #oneByOne(client: pg.PoolClient, batch: Queued[]): Promise<Settled[]> {
    const results: Settled[] = [];
    await client.query('BEGIN');
    try {
      await client.query('SAVEPOINT batch_item');
      for (const [index, queued] of batch.entries()) results.push(await this.#inSavepoint(client, queued, index === batch.length - 1));
    } catch (error) {
      if (results.length > 0) this.#rolledBack();
      throw error;
    }
    return results;
  }

  /**
   * One write in the savepoint opened before it; a failure of the savepoint statements themselves fails the whole
   * batch. The end of one savepoint and the start of the next (or the commit, after the `last`) go in one round trip.
   */
  async #inSavepoint(client: pg.PoolClient, queued: Queued, last: boolean): Promise<Settled> {
    const member = new Member(client, undefined);
    let settled: Settled;
    try {
      settled = { ok: true, value: await queued.work(member) };
    } catch (error) {
      await member.answered();
      await client.query(last ? 'ROLLBACK TO SAVEPOINT batch_item; COMMIT' : 'ROLLBACK TO SAVEPOINT batch_item');
      return { ok: false, error };
    }
    await client.query(last ? 'RELEASE SAVEPOINT batch_item; COMMIT' : 'RELEASE SAVEPOINT batch_item; SAVEPOINT batch_item');
    return settled;
  }
}

/** Runs `start`, a throw before its first await included, as a promise. */
function invoke<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** PostgreSQL's deadlock_detected: the statement was the victim; tried again, it goes through. */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}
