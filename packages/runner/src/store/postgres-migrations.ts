import type pg from 'pg';
import { SchemaVersionError } from './migrations.js';

/** The PostgreSQL schema, oldest step first: the same tables as SQLite's, in PostgreSQL's types. Append only. */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'ledger tables',
    sql: `
      CREATE TABLE ledger_items (
        seq             INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        tenant          TEXT NOT NULL,
        entity          TEXT NOT NULL,
        direction       TEXT NOT NULL,
        source_id       TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'awaiting_approval', 'blocked', 'exporting', 'synced', 'failed')),
        record          TEXT NOT NULL,
        target_id       TEXT,
        revision        INTEGER NOT NULL,
        attempts        INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL,
        last_error      TEXT,
        blocked_reason  TEXT,
        search_text     TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (tenant, entity, direction, source_id)
      );
      CREATE INDEX ledger_items_tenant_state ON ledger_items (tenant, state, seq);
      CREATE INDEX ledger_items_state ON ledger_items (state, seq);
      CREATE INDEX ledger_items_target ON ledger_items (tenant, entity, direction, target_id) WHERE target_id IS NOT NULL;
      CREATE TABLE ledger_attempts (
        item_id         TEXT NOT NULL REFERENCES ledger_items (id),
        number          INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        outcome         TEXT,
        PRIMARY KEY (item_id, number)
      );
      CREATE TABLE ledger_audit (
        item_id    TEXT NOT NULL REFERENCES ledger_items (id),
        seq        INTEGER NOT NULL,
        at         TEXT NOT NULL,
        actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'system', 'hub')),
        actor_id   TEXT NOT NULL,
        action     TEXT NOT NULL,
        detail     TEXT,
        PRIMARY KEY (item_id, seq)
      );
      CREATE TABLE ledger_cursors (
        tenant     TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, name)
      );
    `,
  },
  {
    version: 2,
    name: 'hub event inbox',
    sql: `
      CREATE TABLE hub_events (
        event_id     TEXT PRIMARY KEY,
        company_id   TEXT NOT NULL,
        type         TEXT NOT NULL,
        resource_id  TEXT NOT NULL,
        occurred_at  TEXT NOT NULL,
        received_at  TEXT NOT NULL,
        processed_at TEXT,
        deliveries   INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX hub_events_unprocessed ON hub_events (received_at) WHERE processed_at IS NULL;
    `,
  },
  {
    version: 3,
    name: 'runner lease',
    sql: `
      CREATE TABLE runner_leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'ERP Requests: inbox by resource, hub_requests',
    sql: `
      ALTER TABLE hub_events RENAME COLUMN type TO resource_name;
      ALTER TABLE hub_events ADD COLUMN event_type TEXT NOT NULL DEFAULT 'create';
      UPDATE hub_events SET processed_at = received_at WHERE processed_at IS NULL;
      CREATE TABLE hub_requests (
        company_id     TEXT NOT NULL,
        request_id     TEXT NOT NULL,
        request_name   TEXT NOT NULL,
        detail_id      TEXT,
        tenant         TEXT,
        item_id        TEXT,
        close_status   TEXT CHECK (close_status IS NULL OR close_status IN ('in_progress', 'success', 'failed', 'stale')),
        close_messages TEXT,
        close_sent_at  TEXT,
        received_at    TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (company_id, request_id)
      );
      CREATE INDEX hub_requests_item ON hub_requests (item_id) WHERE item_id IS NOT NULL;
      CREATE INDEX hub_requests_open ON hub_requests (received_at) WHERE close_status IS NULL OR close_status = 'in_progress' OR close_sent_at IS NULL;
    `,
  },
  {
    version: 5,
    name: 'tenant leases, live replicas, admitted ERP calls',
    sql: `
      CREATE TABLE tenant_leases (
        tenant     TEXT PRIMARY KEY,
        holder     TEXT,
        epoch      BIGINT NOT NULL DEFAULT 0,
        expires_at BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE runner_replicas (
        holder     TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL,
        started_at BIGINT NOT NULL
      );
      CREATE TABLE tenant_calls (
        tenant TEXT NOT NULL,
        at     BIGINT NOT NULL
      );
      CREATE INDEX tenant_calls_at ON tenant_calls (tenant, at);
    `,
  },
  {
    version: 6,
    name: 'rotated credentials in the store; ledger list by tenant, direction and state',
    sql: `
      CREATE TABLE credentials (
        scope      TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        version    BIGINT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, name)
      );
      -- The flows' list (a tenant's exports or imports in one state, by seq) and the API's list by tenant and
      -- direction: rows in order, no sort. SQLite has the second since version 1.
      CREATE INDEX ledger_items_tenant_direction_state ON ledger_items (tenant, direction, state, seq);
      CREATE INDEX ledger_items_tenant_direction ON ledger_items (tenant, direction, seq);
      -- getByTarget orders by seq: in the index (SQLite's has it as the rowid), so its first row is the answer.
      DROP INDEX ledger_items_target;
      CREATE INDEX ledger_items_target ON ledger_items (tenant, entity, direction, target_id, seq) WHERE target_id IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'cheaper ledger writes: indexes no hot query reads, foreign keys the writes already guarantee',
    sql: `
      -- A payment writes three versions of its item (pending, exporting, synced); each changes the state, so none is a
      -- HOT update and every index of ledger_items takes an entry for every version. Two of those indexes no flow
      -- reads: (tenant, state, seq) and (state, seq) served the operator's lists by state (ledgerlink list --state
      -- failed, items awaiting approval). One partial index holds just the states an operator looks for: a payment
      -- that goes through never enters it.
      DROP INDEX ledger_items_tenant_state;
      DROP INDEX ledger_items_state;
      CREATE INDEX ledger_items_attention ON ledger_items (state, seq) WHERE state IN ('awaiting_approval', 'blocked', 'failed');
      -- The flows list a tenant's exports or imports in a state that is not 'synced' (pending, exporting: the work
      -- left). Synced items, nine in ten of a ledger and the last version of every payment, need no entry: a list of
      -- synced items reads ledger_items_tenant_direction (nearly every row matches). Unnamed statements are planned
      -- with their parameters, so the planner sees that state = 'pending' is inside the predicate.
      DROP INDEX ledger_items_tenant_direction_state;
      CREATE INDEX ledger_items_tenant_direction_state ON ledger_items (tenant, direction, state, seq) WHERE state <> 'synced';
      -- Attempts and audit entries are written only by statements that insert their item or hold its row lock
      -- (UPSERT_ITEM, LOCK_ITEM then applySql), and items are never deleted: the foreign keys re-checked what the
      -- statement had just proved, one trigger and one locking probe of the item per row.
      ALTER TABLE ledger_attempts DROP CONSTRAINT ledger_attempts_item_id_fkey;
      ALTER TABLE ledger_audit DROP CONSTRAINT ledger_audit_item_id_fkey;
    `,
  },
];

/** Serialises migrations of one database across processes (runner replicas starting together). */
const MIGRATION_LOCK = 7_265_001;

/** Brings the schema on the connection's search_path to the newest version; refuses a newer one. */
export async function applyPostgresMigrations(client: pg.PoolClient, clock: () => Date): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const found = rows[0]?.version ?? 0;
    const known = POSTGRES_MIGRATIONS.length;
    if (found > known) {
      throw new SchemaVersionError(
        `the ledger database is at schema version ${found}, but this ledgerlink knows versions up to ${known}: it was written by a newer ledgerlink`,
        found,
        known,
      );
    }
    const applied: number[] = [];
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= found) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, clock().toISOString()]);
        await client.query('COMMIT');
        applied.push(migration.version);
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
