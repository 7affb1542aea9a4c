import {
  compareLedgerCounts,
  encodeLedgerCursor,
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
  type HubEvent,
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
import pg from 'pg';
import { eventFromRow, type EventInbox, type EventRow } from './event-inbox.js';
import { PostgresHubRequests, type HubRequests } from './hub-requests.js';
import { ITEM_BY_SOURCE_SQL, ITEM_BY_TARGET_SQL, listQuery, UNPROCESSED_EVENTS_SQL } from './hot-queries.js';
import { applyPostgresMigrations } from './postgres-migrations.js';
import { PostgresCredentialTable } from './store-credentials.js';
import { PostgresWriteBatch } from './postgres-write-batch.js';
import { CURRENT_EPOCH_SQL, FENCE_SQL } from './tenant-leases.js';
import {
  attemptFromRow,
  attemptParams,
  auditFromRow,
  auditParams,
  ITEM_COLUMNS,
  itemFromRow,
  itemParams,
  itemStateParams,
  MUTABLE_COLUMNS,
  STATE_COLUMNS,
  type AttemptRow,
  type AuditRow,
  type ItemRow,
} from './sqlite-rows.js';

const INSERT_ITEM = `INSERT INTO ledger_items (${ITEM_COLUMNS.join(', ')}) VALUES (${ITEM_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (tenant, entity, direction, source_id) DO NOTHING RETURNING *`;
const UPDATE_ITEM = `UPDATE ledger_items SET ${MUTABLE_COLUMNS.map((column, i) => `${column} = $${i + 2}`).join(', ')} WHERE id = $1`;
/** An update that keeps the record: attempts and outcomes never change it, so its JSON is not sent again. */
const UPDATE_ITEM_STATE = `UPDATE ledger_items SET ${STATE_COLUMNS.map((column, i) => `${column} = $${i + 2}`).join(', ')} WHERE id = $1`;
const INSERT_AUDIT = 'INSERT INTO ledger_audit (item_id, seq, at, actor_kind, actor_id, action, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)';
const STATE_SETS = STATE_COLUMNS.map((column, i) => `${column} = $${i + 2}`).join(', ');
const AT = STATE_COLUMNS.length + 2;
/**
 * An attempt begun or completed, in one round trip: the item's state (not its record), the attempt, and its one audit
 * entry, which is skipped (no row returned) when its number is taken.
 */
const PUT_ATTEMPT_AUDITED = `WITH item AS (UPDATE ledger_items SET ${STATE_SETS} WHERE id = $1),
  attempt AS (
    INSERT INTO ledger_attempts (item_id, number, idempotency_key, started_at, finished_at, outcome) VALUES ($1, $${AT}, $${AT + 1}, $${AT + 2}, $${AT + 3}, $${AT + 4})
    ON CONFLICT (item_id, number) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome
  )
  INSERT INTO ledger_audit (item_id, seq, at, actor_kind, actor_id, action, detail) VALUES ($1, $${AT + 5}, $${AT + 6}, $${AT + 7}, $${AT + 8}, $${AT + 9}, $${AT + 10})
  ON CONFLICT (item_id, seq) DO NOTHING RETURNING seq`;
/** How many items' last audit numbers are remembered (see PostgresLedger #auditSeq). */
const AUDIT_SEQ_MEMORY = 50_000;

export interface PostgresLedgerOptions {
  /** `postgres://user@host:5432/database`. */
  url: string;
  /** A schema of its own (default `public`): created if missing. */
  schema?: string;
  clock?: () => Date;
  /** Connections in the pool (default 8: up to 3 group-commit transactions at once, the rest for reads). */
  poolSize?: number;
  /** How long one query may take, connecting included, before it fails (default 30 s). */
  queryTimeoutMs?: number;
}

type Client = pg.PoolClient;

/**
 * The Ledger on PostgreSQL, for deployments that outgrow one machine: the same rules as the SQLite store (the
 * shared `plan*` functions), each method one transaction that locks the item's row (`SELECT … FOR UPDATE`)
 * before it reads it, so two runner replicas cannot both act on what they read.
 */
export class PostgresLedger implements Ledger {
  readonly #batch: PostgresWriteBatch;
  /**
   * The last audit number this process wrote per item, so an audited write needs no `max(seq)` lookup. Only ever
   * too low (another replica wrote the item since), never too high (forgotten when a batch rolls back): an entry
   * numbered from a stale value meets the taken number (ON CONFLICT DO NOTHING) and is numbered again after a lookup.
   */
  readonly #auditSeq = new Map<string, number>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => Date,
  ) {
    this.#batch = new PostgresWriteBatch(pool);
    this.#batch.onRollback(() => this.#auditSeq.clear());
  }

  /** Opens a pool, creates the schema if needed and brings it to the newest version. */
  static async open(options: PostgresLedgerOptions): Promise<PostgresLedger> {
    const schema = options.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema "${schema}" must be a plain lower-case identifier`);
    // Every query times out: a replica cut off from the database learns it instead of waiting on a dead socket.
    const timeoutMs = options.queryTimeoutMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 8,
      options: `-c search_path=${schema}`,
      query_timeout: timeoutMs,
      connectionTimeoutMillis: timeoutMs,
    });
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        // Replicas started together on a new database race here: PostgreSQL's IF NOT EXISTS is no guard against a
        // schema created meanwhile (unique violation 23505, or 42P06): the other replica made it, which is all we need.
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((error: unknown) => {
          const code = (error as { code?: unknown }).code;
          if (code !== '23505' && code !== '42P06') throw error;
        });
        await applyPostgresMigrations(client, options.clock ?? (() => new Date()));
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresLedger(pool, options.clock ?? (() => new Date()));
  }

  /** Group-commit transactions committed and the writes they carried (tests, diagnostics). */
  get groupCommitStats(): { batches: number; writes: number } {
    return this.#batch.stats;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Runs `work` in the current group-commit transaction (see PostgresWriteBatch); resolves once it is committed. */
  private transaction<T>(work: (client: Client) => Promise<T>): Promise<T> {
    return this.#batch.run(work);
  }

  private async lockedItem(client: Client, id: string): Promise<LedgerItem> {
    const { rows } = await client.query<ItemRow>({ name: 'll_locked_item', text: 'SELECT * FROM ledger_items WHERE id = $1 FOR UPDATE', values: [id] });
    return requireLedgerItem(rows[0] === undefined ? undefined : itemFromRow(rows[0]), id);
  }

  /** Writes a plan made from `before`: the record's JSON only when the plan changed the record. */
  private async apply(client: Client, plan: LedgerPlan, before: LedgerItem): Promise<LedgerItem> {
    if (!plan.changed) return plan.item;
    const [draft] = plan.audit;
    const lastSeq = this.#auditSeq.get(plan.item.id);
    if (plan.attempt !== undefined && plan.item.record === before.record && plan.audit.length === 1 && draft !== undefined && lastSeq !== undefined) {
      // The hot path (every attempt's two writes): one statement instead of three.
      const params = itemStateParams(plan.item);
      const attempt = attemptParams(plan.attempt);
      const audit = auditParams({ ...draft, seq: lastSeq + 1 });
      const { rowCount } = await client.query({
        name: 'll_put_attempt_audited',
        text: PUT_ATTEMPT_AUDITED,
        values: [
          params.id,
          ...STATE_COLUMNS.map((column) => params[column]),
          attempt.number,
          attempt.idempotency_key,
          attempt.started_at,
          attempt.finished_at,
          attempt.outcome,
          audit.seq,
          audit.at,
          audit.actor_kind,
          audit.actor_id,
          audit.action,
          audit.detail,
        ],
      });
      if (rowCount === 1) this.rememberAuditSeq(plan.item.id, audit.seq);
      else await this.appendAudit(client, plan, false);
      return plan.item;
    }
    if (plan.item.record === before.record) {
      const params = itemStateParams(plan.item);
      await client.query({ name: 'll_update_item_state', text: UPDATE_ITEM_STATE, values: [params.id, ...STATE_COLUMNS.map((column) => params[column])] });
    } else {
      const params = itemParams(plan.item);
      await client.query(UPDATE_ITEM, [params.id, ...MUTABLE_COLUMNS.map((column) => params[column])]);
    }
    if (plan.attempt !== undefined) {
      const attempt = attemptParams(plan.attempt);
      await client.query({
        name: 'll_put_attempt',
        text: `INSERT INTO ledger_attempts (item_id, number, idempotency_key, started_at, finished_at, outcome) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (item_id, number) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome`,
        values: [attempt.item_id, attempt.number, attempt.idempotency_key, attempt.started_at, attempt.finished_at, attempt.outcome],
      });
    }
    await this.appendAudit(client, plan, false);
    return plan.item;
  }

  /** Appends the plan's audit entries after the item's last one (`created`: the item is new, it has none). */
  private async appendAudit(client: Client, plan: LedgerPlan, created: boolean): Promise<void> {
    const id = plan.item.id;
    let last = created ? 0 : (this.#auditSeq.get(id) ?? (await this.lastAuditSeq(client, id)));
    for (const draft of plan.audit) {
      const row = auditParams({ ...draft, seq: last + 1 });
      const values = [row.item_id, row.seq, row.at, row.actor_kind, row.actor_id, row.action, row.detail];
      const inserted = await client.query({ name: 'll_insert_audit_if_free', text: `${INSERT_AUDIT} ON CONFLICT (item_id, seq) DO NOTHING`, values });
      if (inserted.rowCount === 0) {
        // Another replica audited the item since this process last did (its row lock is held now): number after it.
        values[1] = (await this.lastAuditSeq(client, id)) + 1;
        await client.query(INSERT_AUDIT, values);
      }
      last = values[1] as number;
    }
    this.rememberAuditSeq(id, last);
  }

  private rememberAuditSeq(id: string, seq: number): void {
    if (this.#auditSeq.size >= AUDIT_SEQ_MEMORY) this.#auditSeq.clear();
    this.#auditSeq.set(id, seq);
  }

  private async lastAuditSeq(client: Client, id: string): Promise<number> {
    const { rows } = await client.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM ledger_audit WHERE item_id = $1', [id]);
    return rows[0]?.seq ?? 0;
  }

  async upsert(input: NewLedgerItem, actor: Actor): Promise<{ item: LedgerItem; created: boolean }> {
    const plan = planNewItem(input, actor, this.now());
    return this.transaction(async (client) => {
      const params = itemParams(plan.item);
      const inserted = await client.query<ItemRow>(INSERT_ITEM, ITEM_COLUMNS.map((column) => params[column]));
      if (inserted.rows[0] === undefined) {
        const { tenant, entity, direction, sourceId } = plan.item;
        const existing = await client.query<ItemRow>('SELECT * FROM ledger_items WHERE tenant = $1 AND entity = $2 AND direction = $3 AND source_id = $4', [
          tenant,
          entity,
          direction,
          sourceId,
        ]);
        return { item: itemFromRow(existing.rows[0] as ItemRow), created: false };
      }
      await this.appendAudit(client, plan, true);
      return { item: plan.item, created: true };
    });
  }

  async get(id: string): Promise<LedgerItem | undefined> {
    const { rows } = await this.pool.query<ItemRow>('SELECT * FROM ledger_items WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : itemFromRow(rows[0]);
  }

  async getBySource(tenant: string, entity: Entity, direction: Direction, sourceId: string): Promise<LedgerItem | undefined> {
    const { rows } = await this.pool.query<ItemRow>(ITEM_BY_SOURCE_SQL.postgres, [tenant, entity, direction, sourceId]);
    return rows[0] === undefined ? undefined : itemFromRow(rows[0]);
  }

  async getByTarget(tenant: string, entity: Entity, direction: Direction, targetId: string): Promise<LedgerItem | undefined> {
    const { rows } = await this.pool.query<ItemRow>(ITEM_BY_TARGET_SQL.postgres, [tenant, entity, direction, targetId]);
    return rows[0] === undefined ? undefined : itemFromRow(rows[0]);
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerPage> {
    const { sql, params, limit } = listQuery(filter, 'postgres');
    const { rows } = await this.pool.query<ItemRow>(sql, params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const items = page.map(itemFromRow);
    return rows.length > limit && last !== undefined ? { items, nextCursor: encodeLedgerCursor(last.seq) } : { items };
  }

  async counts(): Promise<{ tenant: string; state: LedgerState; count: number }[]> {
    const { rows } = await this.pool.query<{ tenant: string; state: LedgerState; count: number }>(
      'SELECT tenant, state, count(*)::int AS count FROM ledger_items GROUP BY tenant, state',
    );
    return rows.sort(compareLedgerCounts);
  }

  async transition(id: string, change: LedgerTransition, actor: Actor): Promise<LedgerItem> {
    return this.transaction(async (client) => {
      const item = await this.lockedItem(client, id);
      return this.apply(client, planTransition(item, change, actor, this.now()), item);
    });
  }

  /**
   * Refuses a fenced write (see LedgerFence) when the item's tenant lease has moved on from `fence.epoch`. The lease
   * row is share-locked until the transaction ends, so no claim can bump the epoch between this check and the write.
   */
  private async checkFence(client: Client, item: LedgerItem, fence: LedgerFence | undefined): Promise<void> {
    if (fence === undefined) return;
    const held = await client.query({ name: 'll_fence', text: FENCE_SQL.postgres, values: [item.tenant, fence.epoch] });
    if (held.rowCount === 1) return;
    const { rows } = await client.query<{ epoch: string }>(CURRENT_EPOCH_SQL.postgres, [item.tenant]);
    throw leaseLost(item.tenant, fence.epoch, rows[0] === undefined ? undefined : Number(rows[0].epoch));
  }

  async beginAttempt(id: string, actor: Actor, fence?: LedgerFence): Promise<{ item: LedgerItem; attempt: AttemptRecord }> {
    return this.transaction(async (client) => {
      const current = await this.lockedItem(client, id);
      await this.checkFence(client, current, fence);
      const plan = planBeginAttempt(current, actor, this.now());
      return { item: await this.apply(client, plan, current), attempt: plan.attempt as AttemptRecord };
    });
  }

  async completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor, fence?: LedgerFence): Promise<LedgerItem> {
    return this.transaction(async (client) => {
      const item = await this.lockedItem(client, id);
      await this.checkFence(client, item, fence);
      const { rows } = await client.query<AttemptRow>({ name: 'll_attempt', text: 'SELECT * FROM ledger_attempts WHERE item_id = $1 AND number = $2', values: [id, attemptNumber] });
      const attempt = rows[0] === undefined ? undefined : attemptFromRow(rows[0]);
      return this.apply(client, planCompleteAttempt(item, attempt, outcome, actor, this.now(), attemptNumber), item);
    });
  }

  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    return this.transaction(async (client) => {
      const item = await this.lockedItem(client, id);
      return this.apply(client, planEdit(item, changes, actor, this.now()), item);
    });
  }

  async audit(id: string): Promise<AuditEntry[]> {
    await this.requireItem(id);
    const { rows } = await this.pool.query<AuditRow>('SELECT * FROM ledger_audit WHERE item_id = $1 ORDER BY seq', [id]);
    return rows.map(auditFromRow);
  }

  async attempts(id: string): Promise<AttemptRecord[]> {
    await this.requireItem(id);
    const { rows } = await this.pool.query<AttemptRow>('SELECT * FROM ledger_attempts WHERE item_id = $1 ORDER BY number', [id]);
    return rows.map(attemptFromRow);
  }

  private async requireItem(id: string): Promise<void> {
    requireLedgerItem(await this.get(id), id);
  }

  async getCursor(tenant: string, name: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM ledger_cursors WHERE tenant = $1 AND name = $2', [tenant, name]);
    return rows[0]?.value;
  }

  async setCursor(tenant: string, name: string, value: string): Promise<void> {
    if (typeof value !== 'string') throw new TypeError(`a cursor value is text; got ${JSON.stringify(value)}`);
    await this.pool.query(
      `INSERT INTO ledger_cursors (tenant, name, value, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [tenant, name, value, this.now()],
    );
  }

  async takeNext(tenant: string, name: string, floor: number): Promise<number> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ value: string }>('SELECT value FROM ledger_cursors WHERE tenant = $1 AND name = $2 FOR UPDATE', [tenant, name]);
      const value = nextCounterValue(rows[0]?.value, floor);
      await client.query(
        `INSERT INTO ledger_cursors (tenant, name, value, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        [tenant, name, String(value + 1), this.now()],
      );
      return value;
    });
  }

  /** The hub event inbox in the same database. */
  inbox(): EventInbox {
    const pool = this.pool;
    const batch = this.#batch;
    const now = () => this.now();
    return {
      // Through the group commit: a burst of deliveries shares one transaction, and a delivery is answered once its row is committed.
      record: (event: HubEvent) =>
        batch.run(async (client) => {
          const inserted = await client.query({
            name: 'll_record_event',
            text: `INSERT INTO hub_events (event_id, company_id, resource_name, event_type, resource_id, occurred_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (event_id) DO UPDATE SET deliveries = hub_events.deliveries + 1 RETURNING (xmax = 0) AS fresh`,
            values: [event.eventId, event.companyId, event.resourceName, event.eventType, event.resourceId, event.occurredAt, now()],
          });
          return { fresh: (inserted.rows[0] as { fresh?: boolean } | undefined)?.fresh === true };
        }),
      async markProcessed(eventId: string) {
        await batch.run((client) => client.query('UPDATE hub_events SET processed_at = $1 WHERE event_id = $2 AND processed_at IS NULL', [now(), eventId]));
      },
      async unprocessed(limit = 500) {
        const { rows } = await pool.query<EventRow>(UNPROCESSED_EVENTS_SQL.postgres, [limit]);
        return rows.map(eventFromRow);
      },
      async prune(before: Date) {
        const result = await pool.query('DELETE FROM hub_events WHERE processed_at IS NOT NULL AND processed_at < $1', [before.toISOString()]);
        return result.rowCount ?? 0;
      },
    };
  }

  /** The ERP Requests taken on, in the same database. */
  hubRequests(): HubRequests {
    const batch = this.#batch;
    return new PostgresHubRequests(this.pool, this.clock, {
      query: <R>(sql: string, params?: unknown[]) => batch.run(async (client) => (await client.query(sql, params)) as unknown as { rows: R[]; rowCount: number | null }),
    });
  }

  /** The rotated credentials, in the same database. */
  credentials(): PostgresCredentialTable {
    return new PostgresCredentialTable(this.pool, this.clock);
  }

  /** The cheapest round trip (`SELECT 1`): the database answers (readiness). */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  #closed: Promise<void> | undefined;

  /** Commits what is queued, then closes the pool. */
  async close(): Promise<void> {
    this.#closed ??= this.#batch.drained().then(() => this.pool.end());
    return this.#closed;
  }
}
