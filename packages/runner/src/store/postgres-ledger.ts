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
  type AuditDraft,
  type AuditEntry,
  type Direction,
  type EditableField,
  type Entity,
  type HubEvent,
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
import pg from 'pg';
import { eventFromRow, type EventInbox, type EventRow, type InboxScope } from './event-inbox.js';
import type { HubRequests } from './hub-requests.js';
import { ITEM_BY_SOURCE_SQL, ITEM_BY_TARGET_SQL, listQuery, UNPROCESSED_EVENTS_OF_SQL, UNPROCESSED_EVENTS_SQL } from './hot-queries.js';
import { applyPostgresMigrations } from './postgres-migrations.js';
import { PostgresCredentialTable } from './store-credentials.js';
import { PostgresBatchedHubRequests } from './postgres-hub-requests.js';
import { PipelinedReader, PostgresReadBatch, type BatchedRead } from './postgres-read-batch.js';
import { PostgresWriteBatch, type BatchClient } from './postgres-write-batch.js';
import { RECENT_ITEMS, RecentItems, type RecentItem, type RowVersions } from './recent-items.js';
import { POOL_IDLE_MS } from './postgres-pool.js';
import { CURRENT_EPOCH_SQL } from './tenant-leases.js';
import {
  attemptBeside,
  attemptFromRow,
  attemptParams,
  auditFromRow,
  ITEM_COLUMNS,
  itemFromRow,
  itemParams,
  itemStateParams,
  MUTABLE_COLUMNS,
  STATE_COLUMNS,
  type AttemptRow,
  type AuditRow,
  type ItemRow,
  type ItemWithAttemptRow,
} from './sqlite-rows.js';

/**
 * A new item and its audit entries (numbered 1…n), in one statement. `created` says whether it was inserted; if not,
 * the row already there for its source key comes back with it (absent only if another transaction committed it after
 * this statement began: then it is read again).
 */
const UPSERT_ITEM = `WITH inserted AS (
    INSERT INTO ledger_items (${ITEM_COLUMNS.join(', ')}) VALUES (${ITEM_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (tenant, entity, direction, source_id) DO NOTHING RETURNING id, xmin::text AS version
  ), audit AS (
    INSERT INTO ledger_audit (item_id, seq, at, actor_kind, actor_id, action, detail)
    SELECT inserted.id, entry.seq, entry.at, entry.actor_kind, entry.actor_id, entry.action, entry.detail
    FROM inserted CROSS JOIN unnest(${auditArrays(ITEM_COLUMNS.length + 1, true)}) AS entry (seq, at, actor_kind, actor_id, action, detail)
  )
  SELECT EXISTS (SELECT 1 FROM inserted) AS created, (SELECT version FROM inserted) AS created_version, existing.*, existing.xmin::text AS existing_version
  FROM (SELECT 1) AS one
  LEFT JOIN ledger_items AS existing ON existing.tenant = $2 AND existing.entity = $3 AND existing.direction = $4 AND existing.source_id = $5`;

/** What UPSERT_ITEM answers: whether it inserted, the new row's version, and the row already there with its version. */
interface UpsertedRow extends ItemRow {
  created: boolean;
  created_version: string | null;
  existing_version: string | null;
}

/**
 * An item locked for a change (`FOR UPDATE`), with in the same round trip its tenant's fence and the attempt asked
 * for, and the versions of both rows (`xmin`: see applySql). `fenced` is true when no fence was given ($2 NULL) or
 * the tenant's lease is held at epoch $2; that lease row is then locked `FOR KEY SHARE` until the transaction ends,
 * so no claim (`FOR UPDATE`) can bump the epoch between this check and the write, while a renewal is not held up by
 * it (see FENCE_SQL in tenant-leases.ts). The item's row is locked before the lease's, as every fenced write does.
 */
const LOCK_ITEM = `WITH item AS MATERIALIZED (SELECT *, xmin::text AS item_version FROM ledger_items WHERE id = $1 FOR UPDATE)
  SELECT item.*,
    ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM tenant_leases WHERE tenant = item.tenant AND epoch = $2 AND holder IS NOT NULL FOR KEY SHARE)) AS fenced,
    attempt.number AS attempt_number, attempt.idempotency_key AS attempt_idempotency_key, attempt.started_at AS attempt_started_at,
    attempt.finished_at AS attempt_finished_at, attempt.outcome AS attempt_outcome, attempt.xmin::text AS attempt_version
  FROM item LEFT JOIN ledger_attempts AS attempt ON attempt.item_id = item.id AND attempt.number = $3`;

/** What LOCK_ITEM answers: the item, whether its fence holds, and the attempt asked for (all null if none), with their versions. */
interface LockedRow extends ItemWithAttemptRow {
  fenced: boolean;
  item_version: string;
  attempt_version: string | null;
}

/**
 * `unnest(...)` of the audit entries' columns as array parameters from `$first` on (the numbers too when `numbered`):
 * any number of entries in one statement.
 */
function auditArrays(first: number, numbered: boolean): string {
  const columns = [...(numbered ? ['int'] : []), 'text', 'text', 'text', 'text', 'text'];
  return columns.map((type, i) => `$${first + i}::${type}[]`).join(', ');
}

/** The audit drafts as the array parameters of auditArrays (without numbers). */
function auditColumns(drafts: readonly AuditDraft[]): unknown[][] {
  return [
    drafts.map((draft) => draft.at),
    drafts.map((draft) => draft.actor.kind),
    drafts.map((draft) => draft.actor.id),
    drafts.map((draft) => draft.action),
    drafts.map((draft) => (draft.detail === undefined ? null : JSON.stringify(draft.detail))),
  ];
}

/**
 * A plan written in one statement, applied only if the rows it was made from are still as they were: the item (its
 * state only, or with its record when the plan changed the record), the attempt begun or completed if any, and the
 * audit entries numbered after the item's last one.
 *
 * What it was made from is named by row version: PostgreSQL's `xmin`, the transaction that wrote the row as it is
 * now. Any change to a row (this ledger's, another replica's, an operator's SQL) writes a new version with the
 * writer's transaction id, so a row still at the version remembered is the row remembered; within one transaction
 * its versions share the id, and the one writer of an item in a transaction is the one holding its lock. The
 * statement locks the item (`FOR UPDATE`) at the version given ($V), then checks the tenant's fence ($E, as LOCK_ITEM)
 * and, when an attempt was given ($N), that attempt's row at its version ($A); any of them failing, it changes
 * nothing and answers no row (the caller locks and reads the item, and plans again). Applied, it answers the new
 * versions of the item and of the attempt written.
 *
 * The audit number is looked up in the statement itself: every audited change holds the item's row lock, so no other
 * writer can take it in between, and the lookup is one probe of the (item_id, seq) key the insert checks anyway.
 */
function applySql(withRecord: boolean, withAttempt: boolean): string {
  const columns = withRecord ? MUTABLE_COLUMNS : STATE_COLUMNS;
  const sets = columns.map((column, i) => `${column} = $${i + 2}`).join(', ');
  const guard = columns.length + 2;
  let next = guard + 4;
  const parts = [
    `locked AS MATERIALIZED (SELECT id, tenant FROM ledger_items WHERE id = $1 AND xmin = $${guard}::xid FOR UPDATE)`,
    `ready AS MATERIALIZED (
      SELECT locked.id FROM locked
      WHERE ($${guard + 1}::bigint IS NULL OR EXISTS (SELECT 1 FROM tenant_leases WHERE tenant = locked.tenant AND epoch = $${guard + 1} AND holder IS NOT NULL FOR KEY SHARE))
        AND ($${guard + 2}::int IS NULL OR EXISTS (SELECT 1 FROM ledger_attempts WHERE item_id = $1 AND number = $${guard + 2} AND xmin = $${guard + 3}::xid))
    )`,
    `item AS (UPDATE ledger_items SET ${sets} FROM ready WHERE ledger_items.id = ready.id RETURNING ledger_items.xmin::text AS version)`,
  ];
  if (withAttempt) {
    const at = next;
    next += 5;
    parts.push(`attempt AS (
      INSERT INTO ledger_attempts (item_id, number, idempotency_key, started_at, finished_at, outcome)
      SELECT $1, $${at}::int, $${at + 1}::text, $${at + 2}::text, $${at + 3}::text, $${at + 4}::text FROM item
      ON CONFLICT (item_id, number) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome
      RETURNING xmin::text AS version
    )`);
  }
  parts.push(`audit AS (
    INSERT INTO ledger_audit (item_id, seq, at, actor_kind, actor_id, action, detail)
    SELECT $1, last.seq + entry.n, entry.at, entry.actor_kind, entry.actor_id, entry.action, entry.detail
    FROM item CROSS JOIN (SELECT coalesce(max(seq), 0) AS seq FROM ledger_audit WHERE item_id = $1) AS last
    CROSS JOIN unnest(${auditArrays(next, false)}) WITH ORDINALITY AS entry (at, actor_kind, actor_id, action, detail, n)
  )`);
  const attemptVersion = withAttempt ? '(SELECT version FROM attempt)' : 'NULL::text';
  return `WITH ${parts.join(',\n  ')}
  SELECT item.version AS item_version, ${attemptVersion} AS attempt_version FROM item`;
}

/** What applySql answers when it applied the plan (no row when it did not). */
interface AppliedRow {
  item_version: string;
  attempt_version: string | null;
}

/**
 * Items by id, read a turn's worth at a time (PostgresReadBatch). The many-keys statement is one probe of the id
 * index per key (a LATERAL subquery that is not flattened, `OFFSET 0`), whatever the statistics say: planned once
 * (generic, 10 keys assumed) while the table was small, `id = ANY($1)` was a sequential scan, kept as it grew.
 */
export const ITEM_BY_ID: BatchedRead<string, ItemRow> = {
  one: { name: 'll_get', text: 'SELECT * FROM ledger_items WHERE id = $1' },
  many: {
    name: 'll_get_many',
    text: 'SELECT item.* FROM unnest($1::text[]) AS wanted (id) CROSS JOIN LATERAL (SELECT * FROM ledger_items WHERE ledger_items.id = wanted.id OFFSET 0) AS item',
  },
  params: (id) => [id],
  manyParams: (ids) => [ids],
  keyText: (id) => id,
  rowKey: (row) => row.id,
};

type SourceKey = readonly [tenant: string, entity: Entity, direction: Direction, sourceId: string];

/**
 * Items by their source record, read a turn's worth at a time: each key is a probe of the UNIQUE source index (a
 * LATERAL subquery per key, as ITEM_BY_ID, where a join could be planned as a hash join over the whole table).
 */
export const ITEM_BY_SOURCE: BatchedRead<SourceKey, ItemRow> = {
  one: { name: 'll_get_by_source', text: ITEM_BY_SOURCE_SQL.postgres },
  many: {
    name: 'll_get_by_source_many',
    text: `SELECT item.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS wanted (tenant, entity, direction, source_id)
      CROSS JOIN LATERAL (
        SELECT * FROM ledger_items AS one
        WHERE one.tenant = wanted.tenant AND one.entity = wanted.entity AND one.direction = wanted.direction AND one.source_id = wanted.source_id OFFSET 0
      ) AS item`,
  },
  params: (key) => [...key],
  manyParams: (keys) => [0, 1, 2, 3].map((column) => keys.map((key) => key[column])),
  keyText: (key) => JSON.stringify(key),
  rowKey: (row) => JSON.stringify([row.tenant, row.entity, row.direction, row.source_id]),
};

/** The four shapes of a plan's statement, each prepared once per connection under its name. */
const APPLY = {
  state: { name: 'll_apply_state', text: applySql(false, false) },
  record: { name: 'll_apply_record', text: applySql(true, false) },
  stateAttempt: { name: 'll_apply_state_attempt', text: applySql(false, true) },
  recordAttempt: { name: 'll_apply_record_attempt', text: applySql(true, true) },
} as const;

/**
 * The ledger pool's settings. Every query times out: a replica cut off from the database learns it instead of waiting
 * on a dead socket. The server's side of such a cut: a transaction the replica left open (its COMMIT lost on the way)
 * would keep its row locks (an item's, a lease's: the next holder's claim waits on it) until TCP noticed, hours later;
 * PostgreSQL ends a session idle in a transaction for `idleInTransactionTimeoutMs` (the runner: the lease TTL; default
 * twice the query timeout, which a live replica's transactions never idle for), and keepalives find a dead client sooner.
 */
export function postgresPoolConfig(options: PostgresLedgerOptions & { schema: string }): pg.PoolConfig {
  const timeoutMs = options.queryTimeoutMs ?? 30_000;
  return {
    connectionString: options.url,
    max: options.poolSize ?? 8,
    options: `-c search_path=${options.schema} -c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs ?? 2 * timeoutMs}`,
    query_timeout: timeoutMs,
    connectionTimeoutMillis: timeoutMs,
    idleTimeoutMillis: options.idleConnectionMs ?? POOL_IDLE_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: Math.max(1_000, timeoutMs),
    // A group commit's statements are sent without waiting for the answers before them (PostgresWriteBatch).
    pipeline: true,
  };
}

/** The tables whose statements are prepared once per connection and run for every payment. */
const HOT_TABLES = ['ledger_items', 'ledger_attempts', 'ledger_audit', 'hub_events', 'hub_requests'] as const;

/**
 * Committed writes after which a new ledger (tables never analyzed) is analyzed: each time four times as many, up to
 * the last (autovacuum's analyze takes over from there).
 */
const FIRST_ANALYZE_AFTER = 1_000;
const LAST_ANALYZE_AFTER = 64_000;

export interface PostgresLedgerOptions {
  /** `postgres://user@host:5432/database`. */
  url: string;
  /** A schema of its own (default `public`): created if missing. */
  schema?: string;
  clock?: () => Date;
  /** Connections in the pool (default 8: up to 2 group-commit transactions and the pipelined reader at once, the rest for other reads). */
  poolSize?: number;
  /** How long one query may take, connecting included, before it fails (default 30 s). */
  queryTimeoutMs?: number;
  /**
   * How long PostgreSQL lets a session of the pool sit idle inside a transaction before it ends the session (default
   * twice the query timeout). The runner sets the lease TTL: a group commit holds its tenant's lease row locked (the
   * fence), and a replica paused or cut off mid-commit kept the next holder from claiming the tenant until then.
   */
  idleInTransactionTimeoutMs?: number;
  /** How long a connection of the pool may sit unused before it is closed (default POOL_IDLE_MS, 5 minutes). */
  idleConnectionMs?: number;
}

/**
 * The Ledger on PostgreSQL, for deployments that outgrow one machine: the same rules as the SQLite store (the
 * shared `plan*` functions), each change locking the item's row (`SELECT … FOR UPDATE`) before it reads it, so two
 * runner replicas cannot both act on what they read. Changes go through the group commit (PostgresWriteBatch): a
 * change is two statements (lock and read; write), whatever its shape, and the changes of one batch run side by side.
 */
export class PostgresLedger implements Ledger {
  readonly #batch: PostgresWriteBatch;
  readonly #reader: PipelinedReader;
  readonly #byId: PostgresReadBatch<string, ItemRow>;
  readonly #bySource: PostgresReadBatch<SourceKey, ItemRow>;
  /**
   * Items as this ledger last wrote or read them, with their rows' versions: a change starts from one of them and is
   * written in one statement that applies it only if the rows are still at those versions (applySql), instead of
   * locking and reading the item first. Forgotten when a batch rolls back (its versions never were committed).
   */
  readonly #recent = new RecentItems(RECENT_ITEMS);

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => Date,
    neverAnalyzed: boolean,
  ) {
    this.#batch = new PostgresWriteBatch(pool);
    this.#reader = new PipelinedReader(pool);
    this.#byId = new PostgresReadBatch(this.#reader, ITEM_BY_ID);
    this.#bySource = new PostgresReadBatch(this.#reader, ITEM_BY_SOURCE);
    this.#batch.onRollback(() => this.#recent.clear());
    if (neverAnalyzed) this.#analyzeWhileYoung();
  }

  /**
   * A new ledger's statistics, early. The hot statements are prepared once per connection, and after five runs
   * PostgreSQL keeps one generic plan for each, made from the statistics it has then. A new ledger's tables have none
   * (autovacuum first analyzes them a minute or more later), so every equality looks like one row in a few: a lookup
   * by source key was planned on (tenant, direction, seq) and read every item of the tenant, a webhook's
   * `processed_at` update read every unprocessed delivery, a read of items by id scanned the table, and each
   * payment's cost grew with the ledger (the runner bench read 1,900 rows per payment over 2,000 payments). An
   * ANALYZE of the hot tables after 1,000, 4,000, 16,000 and 64,000 committed writes gives the planner the
   * real shape (one tenant, unique source keys) and invalidates the plans made without it.
   */
  #analyzeWhileYoung(): void {
    let next = FIRST_ANALYZE_AFTER;
    let running = false;
    this.#batch.onCommit((writes) => {
      if (writes < next || running || next > LAST_ANALYZE_AFTER) return;
      running = true;
      next *= 4;
      this.#analyzing = this.pool
        .query(`ANALYZE ${HOT_TABLES.join(', ')}`)
        // Statistics are an optimisation: a role that may not analyze (not the tables' owner) is left to autovacuum.
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          running = false;
        });
    });
  }

  #analyzing: Promise<void> = Promise.resolve();

  /** Opens a pool, creates the schema if needed and brings it to the newest version. */
  static async open(options: PostgresLedgerOptions): Promise<PostgresLedger> {
    const schema = options.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema "${schema}" must be a plain lower-case identifier`);
    const pool = new pg.Pool(postgresPoolConfig({ ...options, schema }));
    pool.on('error', () => undefined);
    let neverAnalyzed = false;
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
        // reltuples is -1 until the table is first analyzed or vacuumed (PostgreSQL 14 and later).
        const { rows } = await client.query<{ fresh: boolean }>("SELECT reltuples < 0 AS fresh FROM pg_class WHERE oid = 'ledger_items'::regclass");
        neverAnalyzed = rows[0]?.fresh === true;
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresLedger(pool, options.clock ?? (() => new Date()), neverAnalyzed);
  }

  /** Group-commit transactions committed, the writes they carried, and batches run again one write at a time. */
  get groupCommitStats(): { batches: number; writes: number; redone: number } {
    return this.#batch.stats;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * Runs `work` in the current group-commit transaction (see PostgresWriteBatch); resolves once it is committed.
   * `key`: the row it reads before it writes; writes of one key in one batch run one after another.
   */
  private transaction<T>(key: string, work: (client: BatchClient) => Promise<T>): Promise<T> {
    return this.#batch.run(work, key);
  }

  /**
   * Locks and reads the item, checks its fence in the same round trip (see LOCK_ITEM) and reads attempt
   * `attemptNumber` with it. A refused fence throws LL_LEASE_LOST having written nothing.
   */
  private async lockedItem(client: BatchClient, id: string, fence?: LedgerFence, attemptNumber?: number): Promise<RecentItem & { versions: RowVersions }> {
    const { rows } = await client.read<LockedRow>({ name: 'll_lock_item', text: LOCK_ITEM, values: [id, fence?.epoch ?? null, attemptNumber ?? null] });
    const row = rows[0];
    const item = requireLedgerItem(row === undefined ? undefined : itemFromRow(row), id);
    const locked = row as LockedRow;
    if (!locked.fenced && fence !== undefined) {
      const current = await client.read<{ epoch: string }>({ name: 'll_current_epoch', text: CURRENT_EPOCH_SQL.postgres, values: [item.tenant] });
      throw leaseLost(item.tenant, fence.epoch, current.rows[0] === undefined ? undefined : Number(current.rows[0].epoch));
    }
    const attempt = attemptBeside(locked);
    if (attempt === undefined) return { item, versions: { item: locked.item_version } };
    return { item, attempt, versions: { item: locked.item_version, attempt: locked.attempt_version as string } };
  }

  /**
   * One change of an item: `plan` made from the item (and attempt `attemptNumber`, when given) and written in one
   * statement (applySql).
   * - From the item as this ledger last wrote or read it (RecentItems), the statement applies the plan only if the
   *   item's row (and the attempt's) is still at the version remembered and the fence holds: one statement and one
   *   round trip, the lock taken by the write itself.
   * - Otherwise (nothing remembered, the rows moved on, a refused fence, a plan that refuses or changes nothing from
   *   what was remembered): the item is locked and read (LOCK_ITEM) and the plan made again from what is there.
   * What a plan refuses is refused from the row as it is in the database, never from the one remembered.
   */
  private change<T>(
    id: string,
    fence: LedgerFence | undefined,
    attemptNumber: number | undefined,
    plan: (item: LedgerItem, attempt: AttemptRecord | undefined) => LedgerPlan,
    answer: (plan: LedgerPlan) => T,
  ): Promise<T> {
    return this.transaction(`item:${id}`, async (client) => {
      try {
        const known = this.#recent.get(id);
        const versions = known?.versions;
        if (known !== undefined && versions !== undefined && (attemptNumber === undefined || (known.attempt?.number === attemptNumber && versions.attempt !== undefined))) {
          const attempt = attemptNumber === undefined ? undefined : known.attempt;
          const guess = planOrNothing(() => plan(known.item, attempt));
          if (guess?.changed === true && (await this.apply(client, guess, known.item, versions, fence, attempt))) return answer(guess);
        }
        const locked = await this.lockedItem(client, id, fence, attemptNumber);
        const fresh = plan(locked.item, locked.attempt);
        if (!fresh.changed) {
          this.#recent.set(locked.item, locked.attempt, locked.versions);
          return answer(fresh);
        }
        // Locked and fenced by this transaction: the rows are at these versions until it ends.
        if (!(await this.apply(client, fresh, locked.item, locked.versions, fence, locked.attempt))) {
          throw new Error(`ledger item ${id} changed while this transaction held its lock; try again`);
        }
        return answer(fresh);
      } catch (error) {
        this.#recent.delete(id);
        throw error;
      }
    });
  }

  /**
   * Writes a plan made from `before` (and `attempt`, when given), whose rows were at `versions` (applySql): the
   * record's JSON only when the plan changed it. False: nothing was written (a row moved on or the fence is refused).
   */
  private async apply(
    client: BatchClient,
    plan: LedgerPlan,
    before: LedgerItem,
    versions: RowVersions,
    fence: LedgerFence | undefined,
    attempt: AttemptRecord | undefined,
  ): Promise<boolean> {
    const withRecord = plan.item.record !== before.record;
    const values: unknown[] = [plan.item.id];
    if (withRecord) {
      const params = itemParams(plan.item);
      values.push(...MUTABLE_COLUMNS.map((column) => params[column]));
    } else {
      const params = itemStateParams(plan.item);
      values.push(...STATE_COLUMNS.map((column) => params[column]));
    }
    const guarded = attempt !== undefined && versions.attempt !== undefined;
    values.push(versions.item, fence?.epoch ?? null, guarded ? attempt.number : null, guarded ? versions.attempt : null);
    if (plan.attempt !== undefined) {
      const written = attemptParams(plan.attempt);
      values.push(written.number, written.idempotency_key, written.started_at, written.finished_at, written.outcome);
    }
    values.push(...auditColumns(plan.audit));
    const statement = plan.attempt === undefined ? (withRecord ? APPLY.record : APPLY.state) : withRecord ? APPLY.recordAttempt : APPLY.stateAttempt;
    const { rows } = await client.guarded<AppliedRow>({ ...statement, values });
    const applied = rows[0];
    if (applied === undefined) return false;
    const written = applied.attempt_version === null ? { item: applied.item_version } : { item: applied.item_version, attempt: applied.attempt_version };
    this.#recent.set(plan.item, plan.attempt, written);
    return true;
  }

  async upsert(input: NewLedgerItem, actor: Actor): Promise<{ item: LedgerItem; created: boolean }> {
    const plan = planNewItem(input, actor, this.now());
    const { tenant, entity, direction, sourceId } = plan.item;
    const params = itemParams(plan.item);
    const values = [...ITEM_COLUMNS.map((column) => params[column]), plan.audit.map((_, index) => index + 1), ...auditColumns(plan.audit)];
    const { rows } = await this.#batch.statement<UpsertedRow>({ name: 'll_upsert_item', text: UPSERT_ITEM, values }, `source:${JSON.stringify([tenant, entity, direction, sourceId])}`);
    const answer = rows[0];
    if (answer?.created === true) {
      this.#recent.set(plan.item, undefined, { item: answer.created_version as string });
      return { item: plan.item, created: true };
    }
    if (answer !== undefined && answer.id !== null) {
      const existing = itemFromRow(answer);
      this.#recent.set(existing, undefined, { item: answer.existing_version as string });
      return { item: existing, created: false };
    }
    // Committed by another transaction after the statement began: there now.
    const existing = await this.getBySource(tenant, entity, direction, sourceId);
    if (existing === undefined) throw new Error(`ledger item for ${sourceId} was neither created nor found; try again`);
    return { item: existing, created: false };
  }

  async get(id: string): Promise<LedgerItem | undefined> {
    const row = await this.#byId.get(id);
    return row === undefined ? undefined : itemFromRow(row);
  }

  async getBySource(tenant: string, entity: Entity, direction: Direction, sourceId: string): Promise<LedgerItem | undefined> {
    const row = await this.#bySource.get([tenant, entity, direction, sourceId]);
    return row === undefined ? undefined : itemFromRow(row);
  }

  async getByTarget(tenant: string, entity: Entity, direction: Direction, targetId: string): Promise<LedgerItem | undefined> {
    const { rows } = await this.pool.query<ItemRow>({ name: 'll_get_by_target', text: ITEM_BY_TARGET_SQL.postgres, values: [tenant, entity, direction, targetId] });
    return rows[0] === undefined ? undefined : itemFromRow(rows[0]);
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerPage> {
    const { sql, params, limit } = listQuery(filter, 'postgres');
    const { rows } = await this.pool.query<ItemRow>(sql, params);
    const { page, cursor } = ledgerPageOf(rows, limit, (row) => row.seq);
    return { items: page.map(itemFromRow), ...cursor };
  }

  async listIds(filter: LedgerFilter = {}): Promise<LedgerIdPage> {
    const { sql, params, limit } = listQuery(filter, 'postgres', 'id, seq');
    const { rows } = await this.pool.query<{ id: string; seq: number }>(sql, params);
    const { page, cursor } = ledgerPageOf(rows, limit, (row) => row.seq);
    return { ids: page.map((row) => row.id), ...cursor };
  }

  async counts(): Promise<{ tenant: string; state: LedgerState; count: number }[]> {
    const { rows } = await this.pool.query<{ tenant: string; state: LedgerState; count: number }>(
      'SELECT tenant, state, count(*)::int AS count FROM ledger_items GROUP BY tenant, state',
    );
    return rows.sort(compareLedgerCounts);
  }

  async transition(id: string, change: LedgerTransition, actor: Actor): Promise<LedgerItem> {
    return this.change(id, undefined, undefined, (item) => planTransition(item, change, actor, this.now()), (plan) => plan.item);
  }

  async beginAttempt(id: string, actor: Actor, fence?: LedgerFence): Promise<{ item: LedgerItem; attempt: AttemptRecord }> {
    return this.change(id, fence, undefined, (item) => planBeginAttempt(item, actor, this.now()), (plan) => ({ item: plan.item, attempt: plan.attempt as AttemptRecord }));
  }

  async completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor, fence?: LedgerFence): Promise<LedgerItem> {
    return this.change(id, fence, attemptNumber, (item, attempt) => planCompleteAttempt(item, attempt, outcome, actor, this.now(), attemptNumber), (plan) => plan.item);
  }

  async edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem> {
    return this.change(id, undefined, undefined, (item) => planEdit(item, changes, actor, this.now()), (plan) => plan.item);
  }

  async audit(id: string): Promise<AuditEntry[]> {
    await this.requireItem(id);
    const { rows } = await this.pool.query<AuditRow>('SELECT * FROM ledger_audit WHERE item_id = $1 ORDER BY seq', [id]);
    return rows.map(auditFromRow);
  }

  async attempts(id: string): Promise<AttemptRecord[]> {
    await this.requireItem(id);
    const { rows } = await this.pool.query<AttemptRow>({ name: 'll_attempts', text: 'SELECT * FROM ledger_attempts WHERE item_id = $1 ORDER BY number', values: [id] });
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
    return this.transaction(`cursor:${JSON.stringify([tenant, name])}`, async (client) => {
      const { rows } = await client.read<{ value: string }>('SELECT value FROM ledger_cursors WHERE tenant = $1 AND name = $2 FOR UPDATE', [tenant, name]);
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
      async record(event: HubEvent) {
        const inserted = await batch.statement<{ fresh?: boolean }>(
          {
            name: 'll_record_event',
            text: `INSERT INTO hub_events (event_id, company_id, resource_name, event_type, resource_id, occurred_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (event_id) DO UPDATE SET deliveries = hub_events.deliveries + 1 RETURNING (xmax = 0) AS fresh`,
            values: [event.eventId, event.companyId, event.resourceName, event.eventType, event.resourceId, event.occurredAt, now()],
          },
          `event:${event.eventId}`,
        );
        return { fresh: inserted.rows[0]?.fresh === true };
      },
      async markProcessed(eventId: string) {
        const at = now();
        await batch.statement({ name: 'll_event_processed', text: 'UPDATE hub_events SET processed_at = $1 WHERE event_id = $2 AND processed_at IS NULL', values: [at, eventId] }, `event:${eventId}`);
      },
      async unprocessed(limit = 500, scope?: InboxScope) {
        const { rows } =
          scope === undefined
            ? await pool.query<EventRow>(UNPROCESSED_EVENTS_SQL.postgres, [limit])
            : await pool.query<EventRow>(UNPROCESSED_EVENTS_OF_SQL.postgres, [[...scope.held], [...scope.configured], limit]);
        return rows.map(eventFromRow);
      },
      async prune(before: Date) {
        const result = await pool.query('DELETE FROM hub_events WHERE processed_at IS NOT NULL AND processed_at < $1', [before.toISOString()]);
        return result.rowCount ?? 0;
      },
    };
  }

  /** The ERP Requests taken on, in the same database, written through the group commit. */
  hubRequests(): HubRequests {
    return new PostgresBatchedHubRequests(this.pool, this.#batch, this.#reader, this.clock);
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
    this.#closed ??= this.#batch
      .drained()
      .then(() => this.#analyzing)
      .then(() => this.#reader.close())
      .then(() => this.pool.end());
    return this.#closed;
  }
}

/** A plan made from a remembered item, or nothing if it refuses: a refusal is decided from the row in the database. */
function planOrNothing(plan: () => LedgerPlan): LedgerPlan | undefined {
  try {
    return plan();
  } catch {
    return undefined;
  }
}
