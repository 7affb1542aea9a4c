import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  compareLedgerCounts,
  encodeLedgerCursor,
  numberAudit,
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
  type LedgerPage,
  type LedgerPlan,
  type LedgerState,
  type LedgerTransition,
  type NewLedgerItem,
  type Outcome,
} from '@ledgerlink/core';
import { listQuery } from './hot-queries.js';
import { applyMigrations } from './migrations.js';
import { CURRENT_EPOCH_SQL, FENCE_SQL } from './tenant-leases.js';
import { createStatements, type LedgerStatements } from './sqlite-statements.js';
import { attemptFromRow, attemptParams, auditFromRow, auditParams, itemFromRow, itemParams, type ItemRow } from './sqlite-rows.js';

export interface SqliteLedgerOptions {
  /** The database file; its directory is created if missing. `:memory:` for a throwaway ledger. */
  path: string;
  clock?: () => Date;
  /** How long a write waits for another connection's write lock before failing (default 5 s). */
  busyTimeoutMs?: number;
  /** `NORMAL` (default) or `FULL`: see the pragma below. */
  synchronous?: 'NORMAL' | 'FULL';
}

/**
 * The embedded Ledger store: one SQLite file, written through better-sqlite3. Every method is one IMMEDIATE
 * transaction: it takes the write lock before it reads, so two connections (two runner processes on one file)
 * cannot both act on what they read, and a refused or failed change rolls back whole.
 */
export class SqliteLedger implements Ledger {
  private readonly statements: LedgerStatements;
  private readonly listStatements = new Map<string, BetterSqlite3.Statement<unknown[], ItemRow>>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.statements = createStatements(db);
  }

  /** The open database, for the stores that share the ledger's file (the hub event inbox). */
  get database(): BetterSqlite3.Database {
    return this.db;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  private read<T>(work: () => T): T {
    // Deferred: several reads see one snapshot, and readers never wait on the write lock (WAL).
    return this.db.transaction(work).deferred();
  }

  private item(id: string): LedgerItem {
    const row = this.statements.itemById.get(id);
    return requireLedgerItem(row === undefined ? undefined : itemFromRow(row), id);
  }

  private apply(plan: LedgerPlan): LedgerItem {
    if (!plan.changed) return plan.item;
    this.statements.updateItem.run(itemParams(plan.item));
    if (plan.attempt !== undefined) this.statements.putAttempt.run(attemptParams(plan.attempt));
    this.appendAudit(plan);
    return plan.item;
  }

  private appendAudit(plan: LedgerPlan): void {
    const last = this.statements.lastAuditSeq.get(plan.item.id)?.seq ?? 0;
    for (const entry of numberAudit(plan.audit, last)) this.statements.insertAudit.run(auditParams(entry));
  }

  async upsert(input: NewLedgerItem, actor: Actor): Promise<{ item: LedgerItem; created: boolean }> {
    return this.write(() => {
      const plan = planNewItem(input, actor, this.now());
      const { tenant, entity, direction, sourceId } = plan.item;
      const existing = this.statements.itemBySource.get(tenant, entity, direction, sourceId);
      if (existing !== undefined) return { item: itemFromRow(existing), created: false };
      this.statements.insertItem.run(itemParams(plan.item));
      this.appendAudit(plan);
      return { item: plan.item, created: true };
    });
  }

  async get(id: string): Promise<LedgerItem | undefined> {
    const row = this.statements.itemById.get(id);
    return row === undefined ? undefined : itemFromRow(row);
  }

  async getBySource(tenant: string, entity: Entity, direction: Direction, sourceId: string): Promise<LedgerItem | undefined> {
    const row = this.statements.itemBySource.get(tenant, entity, direction, sourceId);
    return row === undefined ? undefined : itemFromRow(row);
  }

  async getByTarget(tenant: string, entity: Entity, direction: Direction, targetId: string): Promise<LedgerItem | undefined> {
    const row = this.statements.itemByTarget.get(tenant, entity, direction, targetId);
    return row === undefined ? undefined : itemFromRow(row);
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerPage> {
    const { sql, params, limit } = listQuery(filter, 'sqlite');
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], ItemRow>(sql);
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...params);
    const page = rows.slice(0, limit);
    const items = page.map(itemFromRow);
    const last = page[page.length - 1];
    return rows.length > limit && last !== undefined ? { items, nextCursor: encodeLedgerCursor(last.seq) } : { items };
  }

  async counts(): Promise<{ tenant: string; state: LedgerState; count: number }[]> {
    return this.statements.counts.all().sort(compareLedgerCounts);
  }

  async transition(id: string, change: LedgerTransition, actor: Actor): Promise<LedgerItem> {
    return this.write(() => this.apply(planTransition(this.item(id), change, actor, this.now())));
  }

  /** Refuses a fenced write (see LedgerFence) when the item's tenant lease has moved on from `fence.epoch`. */
  private checkFence(item: LedgerItem, fence: LedgerFence | undefined): void {
    if (fence === undefined) return;
    const row = this.db.prepare<[string], { epoch: number }>(FENCE_SQL.sqlite).get(item.tenant);
    if (row?.epoch !== fence.epoch) {
      const current = this.db.prepare<[string], { epoch: number }>(CURRENT_EPOCH_SQL.sqlite).get(item.tenant)?.epoch;
      throw leaseLost(item.tenant, fence.epoch, current);
    }
  }

  async beginAttempt(id: string, actor: Actor, fence?: LedgerFence): Promise<{ item: LedgerItem; attempt: AttemptRecord }> {
    return this.write(() => {
      const current = this.item(id);
      this.checkFence(current, fence);
      const plan = planBeginAttempt(current, actor, this.now());
      return { item: this.apply(plan), attempt: plan.attempt as AttemptRecord };
    });
  }

  async completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor, fence?: LedgerFence): Promise<LedgerItem> {
    return this.write(() => {
      const item = this.item(id);
      this.checkFence(item, fence);
      const row = this.statements.attempt.get(id, attemptNumber);
      const attempt = row === undefined ? undefined : attemptFromRow(row);
      return this.apply(planCompleteAttempt(item, attempt, outcome, actor, this.now(), attemptNumber));
    });
  }

  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    return this.write(() => this.apply(planEdit(this.item(id), changes, actor, this.now())));
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
    this.write(() => this.statements.putCursor.run({ tenant, name, value, updated_at: this.now() }));
  }

  async takeNext(tenant: string, name: string, floor: number): Promise<number> {
    return this.write(() => {
      const value = nextCounterValue(this.statements.cursor.get(tenant, name)?.value, floor);
      this.statements.putCursor.run({ tenant, name, value: String(value + 1), updated_at: this.now() });
      return value;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
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
    // NORMAL in WAL mode fsyncs at checkpoints, not at every commit: a commit survives the process dying
    // (the crash the ledger exists for: a runner killed mid-export), and the file is never corrupted; only
    // an OS crash or power loss can drop the newest commits. FULL would fsync twice per exported item. An
    // item whose `beginAttempt` is lost that way goes out again under the same idempotency key, which
    // native-idempotency ERPs replay; choose FULL where even that window is unacceptable.
    db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    applyMigrations(db, { now: options.clock, file: memory ? undefined : options.path });
    return new SqliteLedger(db, options.clock);
  } catch (error) {
    db.close();
    throw error;
  }
}
