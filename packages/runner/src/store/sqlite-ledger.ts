import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  compareLedgerCounts,
  decodeLedgerCursor,
  encodeLedgerCursor,
  ledgerFilterStates,
  ledgerFilterText,
  ledgerPageSize,
  numberAudit,
  planBeginAttempt,
  planCompleteAttempt,
  planEdit,
  planNewItem,
  planTransition,
  requireLedgerItem,
  type Actor,
  type AttemptRecord,
  type AuditEntry,
  type Direction,
  type EditableField,
  type Entity,
  type Ledger,
  type LedgerFilter,
  type LedgerItem,
  type LedgerPage,
  type LedgerPlan,
  type LedgerState,
  type LedgerTransition,
  type NewLedgerItem,
  type Outcome,
} from '@ledgerlink/core';
import { applyMigrations } from './migrations.js';
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

  /** Takes or renews a lease (see LeaseStore); expiry is measured on this machine's clock, shared by its processes. */
  async acquireLease(name: string, holder: string, ttlMs: number, isGone?: (holder: string) => boolean): Promise<boolean> {
    const now = Date.now();
    return this.write(() => {
      const row = this.db.prepare<[string], { holder: string; expires_at: number }>('SELECT holder, expires_at FROM runner_leases WHERE name = ?').get(name);
      if (row !== undefined && row.holder !== holder && row.expires_at > now && isGone?.(row.holder) !== true) return false;
      this.db
        .prepare('INSERT INTO runner_leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at')
        .run(name, holder, now + ttlMs);
      return true;
    });
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (!this.db.open) return;
    this.db.prepare('DELETE FROM runner_leases WHERE name = ? AND holder = ?').run(name, holder);
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
    const limit = ledgerPageSize(filter);
    const where = ['seq > ?'];
    const params: unknown[] = [decodeLedgerCursor(filter.cursor)];
    for (const [column, value] of [['tenant', filter.tenant], ['entity', filter.entity], ['direction', filter.direction]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const states = ledgerFilterStates(filter);
    if (states !== undefined) {
      where.push(`state IN (${states.map(() => '?').join(', ')})`);
      params.push(...states);
    }
    const text = ledgerFilterText(filter);
    if (text !== undefined) {
      // instr, not LIKE: the needle is plain text (no wildcards), and both sides are lower-cased by the shared rules.
      where.push('instr(search_text, ?) > 0');
      params.push(text);
    }
    const sql = `SELECT * FROM ledger_items WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
    let statement = this.listStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], ItemRow>(sql);
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...params, limit + 1);
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

  async beginAttempt(id: string, actor: Actor): Promise<{ item: LedgerItem; attempt: AttemptRecord }> {
    return this.write(() => {
      const plan = planBeginAttempt(this.item(id), actor, this.now());
      return { item: this.apply(plan), attempt: plan.attempt as AttemptRecord };
    });
  }

  async completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor): Promise<LedgerItem> {
    return this.write(() => {
      const item = this.item(id);
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
