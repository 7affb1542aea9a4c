import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  compareLedgerCounts,
  ledgerPageOf,
  planBeginAttempt,
  planCompleteAttempt,
  planEdit,
  planNewItem,
  planTransition,
  leaseLost,
  nextCounterValue,
  requireLedgerItem,
  type Actor,
  type AttemptRecord,
  type AuditEntry,
  type Direction,
  type EditableField,
  type Entity,
  type Ledger,
  type LedgerFence,
  type LedgerFilter,
  type LedgerItem,
  type LedgerIdPage,
  type LedgerPage,
  type LedgerPlan,
  type LedgerState,
  type LedgerTransition,
  type NewLedgerItem,
  type Outcome,
} from '@ledgerlink/core';
import { countsByState, listQuery } from './hot-queries.js';
import { applyMigrations } from './migrations.js';
import { RECENT_ITEMS, RecentItems, type RecentItem } from './recent-items.js';
import { createStatements, type LedgerStatements } from './sqlite-statements.js';
import { attemptBeside, attemptFromRow, attemptParams, auditFromRow, auditParams, itemFromRow, itemParams, itemStateParams, type ItemRow } from './sqlite-rows.js';
import { sqliteWriteBatch, type SqliteWriteBatch } from './sqlite-write-batch.js';

export interface SqliteLedgerOptions {
  /** The database file; its directory is created if missing. `:memory:` for a throwaway ledger. */
  path: string;
  clock?: () => Date;
  /** How long a write waits for another connection's write lock before failing (default 5 s). */
  busyTimeoutMs?: number;
  /** `FULL` (default) or `NORMAL`: see the pragma below. */
  synchronous?: 'NORMAL' | 'FULL';
  /** While writes keep coming, the least time between two commits, in ms (default 4; 0: a commit per turn). See SqliteWriteBatch.commitEvery. */
  commitIntervalMs?: number;
}

/**
 * The group commit's interval under load. On the runner bench (SQLite FULL, 3,000 payments; the README's
 * Performance section has the runs and the command) 4 ms took a payment from 0.51–0.65 commits to 0.28–0.39 and its
 * runner CPU down by a median 9% over seven pairs against 0; 8 ms saved no more (0.19 commits, no lower CPU), at twice
 * the wait.
 */
export const DEFAULT_COMMIT_INTERVAL_MS = 4;

/** How many items' last audit numbers are remembered; past that the memory starts again (a lookup each, once). */
const AUDIT_SEQ_MEMORY = 50_000;

/** The connections that have a SqliteLedger: one each. */
const ledgers = new WeakSet<BetterSqlite3.Database>();

/**
 * The embedded Ledger store: one SQLite file, written through better-sqlite3. Every write runs in an IMMEDIATE
 * transaction: it takes the write lock before it reads, so two connections (two runner processes on one file)
 * cannot both act on what they read. The writes of one turn of the event loop share that transaction (group
 * commit, SqliteWriteBatch), each in a savepoint of its own, so a refused or failed change rolls back whole and
 * alone, and a method returns once its change is committed.
 */
export class SqliteLedger implements Ledger {
  private readonly statements: LedgerStatements;
  private readonly listStatements = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();
  readonly #batch: SqliteWriteBatch;
  /**
   * The last audit number this connection wrote per item, so an audited write needs no `max(seq)` lookup. Only ever
   * too low (another connection wrote the item since), never too high (forgotten when a batch rolls back): an entry
   * numbered from a stale value meets the taken number and is numbered again after a lookup.
   */
  readonly #auditSeq = new Map<string, number>();
  /**
   * The lease epoch (null: no holder) each tenant's fence read in the group-commit transaction now open. The batch
   * holds the write lock from its first statement to its commit (IMMEDIATE), so no other connection can move a lease
   * in between, and this connection changes leases only in transactions of their own (SqliteTenantLeases), never
   * inside a batch: one read per tenant per transaction is enough. Forgotten whenever a transaction ends.
   */
  readonly #fenceEpochs = new Map<string, number | null>();
  /**
   * Items as this connection last wrote or read them (RecentItems), valid while no other connection has committed:
   * `#recentVersion` is the `PRAGMA data_version` they are valid for (it changes only with another connection's
   * commits). Forgotten when a batch rolls back (what its writes remembered never happened).
   */
  readonly #recent = new RecentItems(RECENT_ITEMS);
  #recentVersion: number | undefined;
  /** The version was checked in the group-commit transaction now open: no other connection can commit until it ends. */
  #recentCheckedInTransaction = false;
  /** Both counts statements in one read transaction: a write between them would count an item twice or not at all. */
  readonly #readCounts: () => { tenant: string; state: LedgerState; count: number }[];

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly clock: () => Date = () => new Date(),
    /** The open `-wal` file the group commit syncs (a durable ledger on a file), closed with the database. */
    private readonly logFd?: number,
  ) {
    // The items remembered (RecentItems) are right only while this ledger is the one writer of items on its
    // connection: another on the same connection would change them unseen (data_version counts other connections only).
    if (ledgers.has(db)) throw new Error('this SQLite connection has a ledger already: open another connection (openSqliteLedger) for a second ledger');
    ledgers.add(db);
    this.statements = createStatements(db);
    this.#readCounts = db.transaction(() => countsByState(this.statements.countsWorkLeft.all(), this.statements.countsByTenant.all()));
    this.#batch = sqliteWriteBatch(db);
    this.#batch.onRollback(() => {
      this.#auditSeq.clear();
      this.#recent.clear();
    });
    this.#batch.onTransactionEnd(() => {
      this.#fenceEpochs.clear();
      this.#recentCheckedInTransaction = false;
    });
  }

  /** The open database, for the stores that share the ledger's file (the hub event inbox). */
  get database(): BetterSqlite3.Database {
    return this.db;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Runs `work` in this turn's write transaction (see SqliteWriteBatch); resolves once it is committed. */
  private write<T>(work: () => T): Promise<T> {
    return this.#batch.run(work);
  }

  private read<T>(work: () => T): T {
    // Deferred: several reads see one snapshot, and readers never wait on the write lock (WAL).
    return this.db.transaction(work).deferred();
  }

  private item(id: string): LedgerItem {
    return requireLedgerItem(this.itemOrNone(id), id);
  }

  /** The item by id: as this connection last wrote or read it while no other one committed since, else from the file. */
  private itemOrNone(id: string): LedgerItem | undefined {
    const recent = this.recent(id);
    if (recent !== undefined) return recent.item;
    const row = this.statements.itemById.get(id);
    if (row === undefined) return undefined;
    const item = itemFromRow(row);
    this.#recent.set(item);
    return item;
  }

  /**
   * What RecentItems holds for `id`, once it is known that no other connection committed since it was remembered:
   * `PRAGMA data_version` is read before anything is read from the file (so what is read after is at least as new as
   * the version kept), once per group-commit transaction (the write lock keeps other connections out until it ends).
   */
  private recent(id: string): RecentItem | undefined {
    // Only the batch's own transactions count (the flag is cleared when each ends); a deferred read checks every time.
    if (!(this.#recentCheckedInTransaction && this.#batch.inTransaction)) {
      const version = this.statements.dataVersion.get() as number;
      if (version !== this.#recentVersion) {
        this.#recent.clear();
        this.#recentVersion = version;
      }
      this.#recentCheckedInTransaction = this.#batch.inTransaction;
    }
    return this.#recent.get(id);
  }

  /** Writes a plan made from `before`: the record's JSON only when the plan changed the record. */
  private apply(plan: LedgerPlan, before: LedgerItem): LedgerItem {
    if (!plan.changed) return plan.item;
    if (plan.item.record === before.record) this.statements.updateItemState.run(itemStateParams(plan.item));
    else this.statements.updateItem.run(itemParams(plan.item));
    if (plan.attempt !== undefined) this.statements.putAttempt.run(attemptParams(plan.attempt));
    this.appendAudit(plan, false);
    // Remembered once every statement of the write ran: a write that throws leaves nothing behind.
    this.#recent.set(plan.item, plan.attempt);
    return plan.item;
  }

  /** Appends the plan's audit entries after the item's last one (`created`: the item is new, it has none). */
  private appendAudit(plan: LedgerPlan, created: boolean): void {
    const id = plan.item.id;
    let last = created ? 0 : (this.#auditSeq.get(id) ?? this.lastAuditSeq(id));
    for (const draft of plan.audit) {
      const entry = { ...draft, seq: last + 1 };
      if (this.statements.insertAuditIfFree.run(auditParams(entry)).changes === 0) {
        // Another connection audited the item since this one last did: number after its entries (the write lock is held).
        entry.seq = this.lastAuditSeq(id) + 1;
        this.statements.insertAudit.run(auditParams(entry));
      }
      last = entry.seq;
    }
    if (this.#auditSeq.size >= AUDIT_SEQ_MEMORY) this.#auditSeq.clear();
    this.#auditSeq.set(id, last);
  }

  private lastAuditSeq(id: string): number {
    return this.statements.lastAuditSeq.get(id)?.seq ?? 0;
  }

  async upsert(input: NewLedgerItem, actor: Actor): Promise<{ item: LedgerItem; created: boolean }> {
    return this.write(() => {
      const plan = planNewItem(input, actor, this.now());
      // Inserted first, read only when the source record has an item already: a new item is one statement, not two.
      if (this.statements.insertItemIfNew.run(itemParams(plan.item)).changes === 1) {
        this.appendAudit(plan, true);
        this.#recent.set(plan.item);
        return { item: plan.item, created: true };
      }
      const { tenant, entity, direction, sourceId } = plan.item;
      const existing = this.statements.itemBySource.get(tenant, entity, direction, sourceId);
      // The insert met the source key's row, and the write lock is held: it is there.
      if (existing === undefined) throw new Error(`ledger item for ${sourceId} was neither created nor found; try again`);
      return { item: itemFromRow(existing), created: false };
    });
  }

  async get(id: string): Promise<LedgerItem | undefined> {
    return this.itemOrNone(id);
  }

  async getBySource(tenant: string, entity: Entity, direction: Direction, sourceId: string): Promise<LedgerItem | undefined> {
    const row = this.statements.itemBySource.get(tenant, entity, direction, sourceId);
    return row === undefined ? undefined : itemFromRow(row);
  }

  async getByTarget(tenant: string, entity: Entity, direction: Direction, targetId: string): Promise<LedgerItem | undefined> {
    const row = this.statements.itemByTarget.get(tenant, entity, direction, targetId);
    return row === undefined ? undefined : itemFromRow(row);
  }

  /** A list statement by its SQL, prepared once (a filter's shape gives one SQL text). */
  private listStatement<R>(sql: string): BetterSqlite3.Statement<unknown[], R> {
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      this.listStatements.set(sql, statement);
    }
    return statement as BetterSqlite3.Statement<unknown[], R>;
  }

  async listIds(filter: LedgerFilter = {}): Promise<LedgerIdPage> {
    const { sql, params, limit } = listQuery(filter, 'sqlite', 'id, seq');
    const { page, cursor } = ledgerPageOf(this.listStatement<{ id: string; seq: number }>(sql).all(...params), limit, (row) => row.seq);
    return { ids: page.map((row) => row.id), ...cursor };
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerPage> {
    const { sql, params, limit } = listQuery(filter, 'sqlite');
    const { page, cursor } = ledgerPageOf(this.listStatement<ItemRow>(sql).all(...params), limit, (row) => row.seq);
    return { items: page.map(itemFromRow), ...cursor };
  }

  async counts(): Promise<{ tenant: string; state: LedgerState; count: number }[]> {
    return this.#readCounts().sort(compareLedgerCounts);
  }

  async transition(id: string, change: LedgerTransition, actor: Actor): Promise<LedgerItem> {
    return this.write(() => {
      const item = this.item(id);
      return this.apply(planTransition(item, change, actor, this.now()), item);
    });
  }

  /** Refuses a fenced write (see LedgerFence) when the item's tenant lease has moved on from `fence.epoch`. */
  private checkFence(item: LedgerItem, fence: LedgerFence | undefined): void {
    if (fence === undefined) return;
    let epoch = this.#fenceEpochs.get(item.tenant);
    if (epoch === undefined) {
      epoch = this.statements.fence.get(item.tenant)?.epoch ?? null;
      // Only inside the batch's transaction (every fenced write runs there): outside one the lease may move at any time.
      if (this.db.inTransaction) this.#fenceEpochs.set(item.tenant, epoch);
    }
    if (epoch !== fence.epoch) {
      const current = this.statements.currentEpoch.get(item.tenant)?.epoch;
      throw leaseLost(item.tenant, fence.epoch, current);
    }
  }

  async beginAttempt(id: string, actor: Actor, fence?: LedgerFence): Promise<{ item: LedgerItem; attempt: AttemptRecord }> {
    return this.write(() => {
      const current = this.item(id);
      this.checkFence(current, fence);
      const plan = planBeginAttempt(current, actor, this.now());
      return { item: this.apply(plan, current), attempt: plan.attempt as AttemptRecord };
    });
  }

  async completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor, fence?: LedgerFence): Promise<LedgerItem> {
    return this.write(() => {
      const { item, attempt } = this.itemWithAttempt(id, attemptNumber);
      this.checkFence(item, fence);
      return this.apply(planCompleteAttempt(item, attempt, outcome, actor, this.now(), attemptNumber), item);
    });
  }

  /**
   * The item and its attempt numbered `number`: as this connection wrote them (the begin of the attempt it completes),
   * else both in one statement (as PostgreSQL's LOCK_ITEM).
   */
  private itemWithAttempt(id: string, number: number): { item: LedgerItem; attempt: AttemptRecord | undefined } {
    const recent = this.recent(id);
    if (recent?.attempt?.number === number) return { item: recent.item, attempt: recent.attempt };
    const row = this.statements.itemWithAttempt.get(number, id);
    const item = requireLedgerItem(row === undefined ? undefined : itemFromRow(row), id);
    const attempt = row === undefined ? undefined : attemptBeside(row);
    this.#recent.set(item, attempt);
    return { item, attempt };
  }

  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    return this.write(() => {
      const item = this.item(id);
      return this.apply(planEdit(item, changes, actor, this.now()), item);
    });
  }

  async audit(id: string): Promise<AuditEntry[]> {
    return this.read(() => {
      this.item(id);
      return this.statements.auditOf.all(id).map(auditFromRow);
    });
  }

  async attempts(id: string): Promise<AttemptRecord[]> {
    return this.read(() => {
      this.item(id);
      return this.statements.attemptsOf.all(id).map(attemptFromRow);
    });
  }

  async getCursor(tenant: string, name: string): Promise<string | undefined> {
    return this.statements.cursor.get(tenant, name)?.value;
  }

  async setCursor(tenant: string, name: string, value: string): Promise<void> {
    if (typeof value !== 'string') throw new TypeError(`a cursor value is text; got ${JSON.stringify(value)}`);
    await this.write(() => this.statements.putCursor.run({ tenant, name, value, updated_at: this.now() }));
  }

  async takeNext(tenant: string, name: string, floor: number): Promise<number> {
    return this.write(() => {
      const value = nextCounterValue(this.statements.cursor.get(tenant, name)?.value, floor);
      this.statements.putCursor.run({ tenant, name, value: String(value + 1), updated_at: this.now() });
      return value;
    });
  }

  /** Commits what is queued, then closes the file. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.#batch.flush();
    await this.#batch.settled();
    if (!this.db.open) return;
    this.db.close();
    if (this.logFd !== undefined) closeSync(this.logFd);
  }
}

/**
 * Opens (creating if needed) a SQLite ledger: pragmas set, schema migrated, ready to use. Refuses a database
 * written by a newer ledgerlink (SchemaVersionError).
 */
export function openSqliteLedger(options: SqliteLedgerOptions): SqliteLedger {
  const memory = options.path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(options.path)), { recursive: true });
  const db = new BetterSqlite3(options.path);
  try {
    // Set first, so every later statement (the WAL switch and migrations included) waits out another
    // connection's lock instead of failing at once with SQLITE_BUSY.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // WAL: readers (the API, the console) never block the writer and the writer never blocks them; a commit
    // is one append to the log.
    db.pragma('journal_mode = WAL');
    // FULL (the default): a `beginAttempt` acknowledged is on disk even through an OS crash or a power cut, which is
    // what "sent at most once" rests on. SQLite's own FULL fsyncs the log inside COMMIT, on the event loop; here the
    // connection runs NORMAL and the group commit syncs the `-wal` file on the thread pool before it acknowledges
    // (SqliteWriteBatch.syncLogWith): the same promise, one sync per few batches, the event loop free meanwhile.
    // NORMAL alone fsyncs at checkpoints only: a commit survives the process dying and the file is never corrupted,
    // but an OS crash may drop the newest commits (an item whose `beginAttempt` is lost that way goes out again under
    // the same idempotency key).
    const durable = options.synchronous !== 'NORMAL';
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, { now: options.clock, file: memory ? undefined : options.path });
    let log: number | undefined;
    if (durable && !memory) {
      // The log exists from the first write (the migrations'), and SQLite keeps it while a connection is open.
      log = openSync(`${resolve(options.path)}-wal`, 'r+');
      const fd = log;
      sqliteWriteBatch(db).syncLogWith((done) => fdatasync(fd, done));
    }
    sqliteWriteBatch(db).commitEvery(options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS);
    return new SqliteLedger(db, options.clock, log);
  } catch (error) {
    db.close();
    throw error;
  }
}
