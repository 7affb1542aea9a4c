import pg from 'pg';
import { TurnCork } from './postgres-write-batch.js';
import { submit } from './postgres-submit.js';

/** A read by key, both ways: one key alone, and any number of keys in one set-based statement. */
export interface BatchedRead<K, R extends pg.QueryResultRow> {
  /** The statement for one key (its plan is the hot query's: see hot-queries.ts). */
  one: { name: string; text: string };
  /**
   * The statement for many keys at once (`= ANY($1)`, `unnest(...)`): every row it answers carries its key, and the
   * rows of one key come in the order `one` answers them.
   */
  many: { name: string; text: string };
  /** The parameters of `one` for a key. */
  params(key: K): unknown[];
  /** The parameters of `many` for several keys. */
  manyParams(keys: readonly K[]): unknown[];
  /** A key as text, to match rows to the reads that asked (the same for equal keys). */
  keyText(key: K): string;
  /** The key of an answered row, as `keyText` spells it. */
  rowKey(row: R): string;
}

const GENERIC_PLANS = 'SET plan_cache_mode = force_generic_plan';
const DEFAULT_PLANS = 'RESET plan_cache_mode';

/**
 * One pipelined connection that the batched reads of every table share: the statements of one turn leave in one
 * socket write (TurnCork) and their answers come back together, instead of a connection taken from the pool and a
 * write per statement. The connection is taken from the pool when first needed and given back (destroyed) when it
 * fails, so the next read takes a fresh one.
 */
export class PipelinedReader {
  #held: Promise<{ client: pg.PoolClient; cork: TurnCork }> | undefined;
  #closed = false;

  constructor(private readonly pool: pg.Pool) {}

  async query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    if (this.#closed) throw new Error('the PostgreSQL store is closed: a read came after close(); open the store again to read');
    const held = (this.#held ??= this.#take());
    let client: pg.PoolClient;
    try {
      const taken = await held;
      client = taken.client;
      taken.cork.hold();
    } catch (error) {
      if (this.#held === held) this.#held = undefined;
      throw error;
    }
    try {
      return await submit<R>(client, config);
    } catch (error) {
      // A statement's own error leaves the connection usable; anything else (a timeout, a dropped socket) does not.
      if (!(error instanceof pg.DatabaseError)) this.#drop(held, error as Error);
      throw error;
    }
  }

  #take(): Promise<{ client: pg.PoolClient; cork: TurnCork }> {
    const held = this.pool.connect().then(async (client) => {
      // Checked out, the pool no longer listens for its errors: without a listener one would end the process.
      client.on('error', (error) => this.#drop(held, error));
      // Every statement of this connection is a lookup by key (BatchedRead), the many-keys one with an array of any
      // length: PostgreSQL would plan it again at every run (a custom plan costs less than the generic one, which
      // assumes 10 keys), which cost as much as running it. The generic plan is the same index path.
      try {
        await client.query(GENERIC_PLANS);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      return { client, cork: new TurnCork(client.connection.stream) };
    });
    return held;
  }

  #drop(held: Promise<{ client: pg.PoolClient; cork: TurnCork }>, error: Error): void {
    if (this.#held !== held) return;
    this.#held = undefined;
    void held.then(({ client }) => client.release(error)).catch(() => undefined);
  }

  /** Gives the connection back (before the pool ends). */
  async close(): Promise<void> {
    this.#closed = true;
    const held = this.#held;
    this.#held = undefined;
    // Back in the pool, the connection plans as the others do again (a list's plan depends on its parameters).
    if (held !== undefined) await held.then(async ({ client }) => client.query(DEFAULT_PLANS).then(() => client.release(), (error: Error) => client.release(error))).catch(() => undefined);
  }
}

/** The most keys one statement carries; more go in further statements of the same turn. */
const MAX_KEYS = 500;

interface Waiting<R> {
  resolve: (rows: R[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads by key asked for in one turn of the event loop (webhooks, dispatch and close-outs of hundreds of payments in
 * flight each read the rows they act on), answered by one statement: one round trip, one plan and one wake-up of the
 * server instead of one per read. Two reads of one key in a turn share the answer. Each read still sees what was
 * committed when its statement ran (a turn later at most), as a read of its own would.
 */
export class PostgresReadBatch<K, R extends pg.QueryResultRow> {
  #pending = new Map<string, { key: K; waiting: Waiting<R>[] }>();
  #scheduled = false;

  constructor(
    private readonly reader: PipelinedReader,
    private readonly read: BatchedRead<K, R>,
  ) {}

  /** The row of `key` (undefined: none), read with the others asked for in this turn. */
  async get(key: K): Promise<R | undefined> {
    return (await this.all(key))[0];
  }

  /** The rows of `key`, read with the others asked for in this turn. */
  all(key: K): Promise<R[]> {
    return new Promise((resolve, reject) => {
      const text = this.read.keyText(key);
      const entry = this.#pending.get(text);
      if (entry === undefined) this.#pending.set(text, { key, waiting: [{ resolve, reject }] });
      else entry.waiting.push({ resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const entries = [...this.#pending.values()];
    this.#pending = new Map();
    for (let first = 0; first < entries.length; first += MAX_KEYS) void this.#answer(entries.slice(first, first + MAX_KEYS));
  }

  async #answer(entries: { key: K; waiting: Waiting<R>[] }[]): Promise<void> {
    let rows: R[];
    try {
      const only = entries.length === 1 ? entries[0] : undefined;
      const { rows: answered } =
        only !== undefined
          ? await this.reader.query<R>({ ...this.read.one, values: this.read.params(only.key) })
          : await this.reader.query<R>({ ...this.read.many, values: this.read.manyParams(entries.map((entry) => entry.key)) });
      rows = answered;
    } catch (error) {
      for (const entry of entries) for (const waiter of entry.waiting) waiter.reject(error);
      return;
    }
    const byKey = new Map<string, R[]>();
    if (entries.length === 1) byKey.set(this.read.keyText((entries[0] as { key: K }).key), rows);
    else {
      for (const row of rows) {
        const key = this.read.rowKey(row);
        const found = byKey.get(key);
        if (found === undefined) byKey.set(key, [row]);
        else found.push(row);
      }
    }
    for (const entry of entries) {
      const found = byKey.get(this.read.keyText(entry.key)) ?? [];
      // Each caller its own array: one may sort or filter what it got.
      for (const waiter of entry.waiting) waiter.resolve(entry.waiting.length === 1 ? found : [...found]);
    }
  }
}
