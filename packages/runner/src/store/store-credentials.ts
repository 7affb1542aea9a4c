import type BetterSqlite3 from 'better-sqlite3';
import type { CredentialStore, Logger } from '@ledgerlink/core';
import type pg from 'pg';

/** One rotated credential as the store has it: `version` goes up by one with every write (1 = first written). */
export interface CredentialRow {
  name: string;
  value: string;
  version: number;
}

/**
 * The `credentials` table of a store (SQLite or PostgreSQL): rotated credentials (single-use OAuth refresh tokens)
 * of each tenant and of the hub, shared by every replica. Writes are compare-and-swap on `version`, so a write
 * based on a value another replica has replaced since is refused instead of overwriting the newer token.
 */
export interface CredentialTable {
  /** Every credential of `scope` (a tenant id, or `hub`). */
  read(scope: string): Promise<CredentialRow[]>;
  /** The scopes with at least one credential. */
  scopes(): Promise<string[]>;
  /**
   * Writes `value` if the row is still at `base` (0: no row yet). Answers the new version, or undefined when the
   * row has moved on (another replica wrote it since this one read it): nothing is written then.
   */
  compareAndSet(scope: string, name: string, value: string, base: number): Promise<number | undefined>;
  /**
   * Imports values kept in a credentials file before they moved into the store (an upgrade): each is written unless
   * the store's row is at least as new (`updated_at` not older than `writtenAt`). Answers how many were written.
   */
  importValues(scope: string, values: Record<string, string>, writtenAt: Date): Promise<number>;
}

const SQLITE_CAS = `INSERT INTO credentials (scope, name, value, version, updated_at) VALUES (@scope, @name, @value, @base + 1, @at)
  ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at
  WHERE credentials.version = @base`;
const SQLITE_IMPORT = `INSERT INTO credentials (scope, name, value, version, updated_at) VALUES (@scope, @name, @value, 1, @at)
  ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value, version = credentials.version + 1, updated_at = excluded.updated_at
  WHERE credentials.updated_at < excluded.updated_at`;

/** The credentials table in the SQLite ledger's file. */
export class SqliteCredentialTable implements CredentialTable {
  readonly #read: BetterSqlite3.Statement<[string], CredentialRow>;
  readonly #cas: BetterSqlite3.Statement<[{ scope: string; name: string; value: string; base: number; at: string }]>;
  readonly #import: BetterSqlite3.Statement<[{ scope: string; name: string; value: string; at: string }]>;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly clock: () => Date,
  ) {
    this.#read = db.prepare('SELECT name, value, version FROM credentials WHERE scope = ?');
    this.#cas = db.prepare(SQLITE_CAS);
    this.#import = db.prepare(SQLITE_IMPORT);
  }

  async read(scope: string): Promise<CredentialRow[]> {
    return this.#read.all(scope);
  }

  async scopes(): Promise<string[]> {
    return this.db.prepare<[], { scope: string }>('SELECT DISTINCT scope FROM credentials').all().map((row) => row.scope);
  }

  async compareAndSet(scope: string, name: string, value: string, base: number): Promise<number | undefined> {
    const { changes } = this.#cas.run({ scope, name, value, base, at: this.clock().toISOString() });
    return changes === 1 ? base + 1 : undefined;
  }

  async importValues(scope: string, values: Record<string, string>, writtenAt: Date): Promise<number> {
    const at = writtenAt.toISOString();
    return this.db
      .transaction(() => Object.entries(values).reduce((written, [name, value]) => written + this.#import.run({ scope, name, value, at }).changes, 0))
      .immediate();
  }
}

/** The credentials table in the PostgreSQL store. */
export class PostgresCredentialTable implements CredentialTable {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => Date,
  ) {}

  async read(scope: string): Promise<CredentialRow[]> {
    const { rows } = await this.pool.query<{ name: string; value: string; version: string }>('SELECT name, value, version FROM credentials WHERE scope = $1', [scope]);
    return rows.map((row) => ({ name: row.name, value: row.value, version: Number(row.version) }));
  }

  async scopes(): Promise<string[]> {
    const { rows } = await this.pool.query<{ scope: string }>('SELECT DISTINCT scope FROM credentials');
    return rows.map((row) => row.scope);
  }

  async compareAndSet(scope: string, name: string, value: string, base: number): Promise<number | undefined> {
    const result = await this.pool.query(
      `INSERT INTO credentials (scope, name, value, version, updated_at) VALUES ($1, $2, $3, $4 + 1, $5)
       ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at
       WHERE credentials.version = $4`,
      [scope, name, value, base, this.clock().toISOString()],
    );
    return result.rowCount === 1 ? base + 1 : undefined;
  }

  async importValues(scope: string, values: Record<string, string>, writtenAt: Date): Promise<number> {
    let written = 0;
    for (const [name, value] of Object.entries(values)) {
      const result = await this.pool.query(
        `INSERT INTO credentials (scope, name, value, version, updated_at) VALUES ($1, $2, $3, 1, $4)
         ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value, version = credentials.version + 1, updated_at = excluded.updated_at
         WHERE credentials.updated_at < excluded.updated_at`,
        [scope, name, value, writtenAt.toISOString()],
      );
      written += result.rowCount ?? 0;
    }
    return written;
  }
}

/**
 * The rotated credentials of one scope (a tenant or the hub) as a connector sees them: the synchronous
 * `CredentialStore` of core, over an in-memory copy of the store's rows. `load()` fills the copy (the runner calls
 * it right before it builds a tenant's scope under a new lease, so the new holder starts from the newest token
 * whichever replica rotated it); `set` changes the copy at once and writes through to the store in the background,
 * one write at a time, each a compare-and-swap on the version this process last read or wrote. A refused write
 * (another replica rotated the credential since) is logged, its value dropped, and the copy reloaded from the
 * store. `flushed()` settles when every write so far has ended. Values are secrets: never logged, never in errors.
 */
export class StoreCredentials implements CredentialStore {
  readonly #values = new Map<string, string>();
  /** Per name, the store version the next write is based on (what this process last read, or will have written). */
  readonly #bases = new Map<string, number>();
  #writes: Promise<void> = Promise.resolve();
  /** Bumped by each reload: writes queued before it were based on values the reload replaced, and are dropped. */
  #generation = 0;

  constructor(
    private readonly table: CredentialTable,
    readonly scope: string,
    private readonly logger?: Logger,
  ) {}

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  set(name: string, value: string): void {
    this.#values.set(name, value);
    const base = this.#bases.get(name) ?? 0;
    this.#bases.set(name, base + 1);
    const generation = this.#generation;
    this.#writes = this.#writes.then(() => this.write(name, value, base, generation));
  }

  /** Settles once every `set` so far has been written, refused or has failed (each logged). */
  flushed(): Promise<void> {
    return this.#writes;
  }

  /** Replaces the in-memory copy with the store's rows, after the writes queued so far. */
  async load(): Promise<void> {
    await this.flushed();
    await this.reload();
  }

  private async reload(): Promise<void> {
    const rows = await this.table.read(this.scope);
    this.#generation += 1;
    this.#values.clear();
    this.#bases.clear();
    for (const row of rows) {
      this.#values.set(row.name, row.value);
      this.#bases.set(row.name, row.version);
    }
  }

  private async write(name: string, value: string, base: number, generation: number): Promise<void> {
    // The name without what follows its colon (a digest of the configured token): nothing derived from a secret.
    const fields = { scope: this.scope, credential: name.split(':')[0] };
    if (generation !== this.#generation) {
      this.logger?.warn(fields, `a rotated credential of ${this.scope} was not written: it was based on a value another replica has replaced since`);
      return;
    }
    try {
      if ((await this.table.compareAndSet(this.scope, name, value, base)) !== undefined) return;
      this.logger?.warn(
        fields,
        `a rotated credential of ${this.scope} was not written: another replica rotated it since this one read it; the store's newer value is loaded instead`,
      );
      await this.reload();
    } catch (error) {
      // Only the error's code and message: they carry no value (the statement's parameters are not in them).
      const { code, message } = error as { code?: unknown; message?: unknown };
      this.logger?.error(
        { ...fields, code, reason: String(message) },
        `writing a rotated credential of ${this.scope} to the store failed; the rotated value lives in this process only until it is written: check the store`,
      );
      // The next write is based on what the store still has.
      this.#bases.set(name, base);
    }
  }
}
