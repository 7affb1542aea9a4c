import type { Database } from 'better-sqlite3';

/** One step of the schema: applied once, in order, in its own transaction, and recorded. */
export interface Migration {
  /** 1, 2, 3...: the schema version after this step. Never reused, never edited once released. */
  version: number;
  name: string;
  sql: string;
}

/** Thrown when a database cannot be used with this code's schema. */
export class SchemaVersionError extends Error {
  constructor(
    message: string,
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

/** The ledger's schema, oldest step first. Append new steps; never change a released one. */
export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger tables',
    sql: `
      CREATE TABLE ledger_items (
        -- creation order: the list order and what a page cursor points at
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        id              TEXT NOT NULL UNIQUE,
        tenant          TEXT NOT NULL,
        entity          TEXT NOT NULL,
        direction       TEXT NOT NULL,
        source_id       TEXT NOT NULL,
        state           TEXT NOT NULL
                        CHECK (state IN ('pending', 'awaiting_approval', 'blocked', 'exporting', 'synced', 'failed')),
        record          TEXT NOT NULL CHECK (json_valid(record)),
        target_id       TEXT,
        revision        INTEGER NOT NULL,
        attempts        INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL,
        last_error      TEXT CHECK (last_error IS NULL OR json_valid(last_error)),
        blocked_reason  TEXT,
        -- vendor name, invoice number, check number, lower-cased by the shared rules
        search_text     TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (tenant, entity, direction, source_id)
      );
      CREATE INDEX ledger_items_tenant_state ON ledger_items (tenant, state, seq);
      CREATE INDEX ledger_items_state ON ledger_items (state, seq);
      CREATE INDEX ledger_items_tenant_direction ON ledger_items (tenant, direction, seq);

      CREATE TABLE ledger_attempts (
        item_id         TEXT NOT NULL REFERENCES ledger_items (id),
        number          INTEGER NOT NULL,
        idempotency_key TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        outcome         TEXT CHECK (outcome IS NULL OR json_valid(outcome)),
        PRIMARY KEY (item_id, number)
      ) WITHOUT ROWID;

      CREATE TABLE ledger_audit (
        item_id    TEXT NOT NULL REFERENCES ledger_items (id),
        seq        INTEGER NOT NULL,
        at         TEXT NOT NULL,
        actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'system', 'hub')),
        actor_id   TEXT NOT NULL,
        action     TEXT NOT NULL,
        detail     TEXT CHECK (detail IS NULL OR json_valid(detail)),
        PRIMARY KEY (item_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE ledger_cursors (
        tenant     TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tenant, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'hub event inbox',
    sql: `
      -- Every hub webhook event once, by the hub's own event id: a delivery repeated by the hub is recognised
      -- and answered without acting twice; an event received but not yet acted on survives a restart.
      CREATE TABLE hub_events (
        event_id     TEXT PRIMARY KEY,
        company_id   TEXT NOT NULL,
        type         TEXT NOT NULL,
        resource_id  TEXT NOT NULL,
        occurred_at  TEXT NOT NULL,
        received_at  TEXT NOT NULL,
        processed_at TEXT,
        deliveries   INTEGER NOT NULL DEFAULT 1
      ) WITHOUT ROWID;
      CREATE INDEX hub_events_unprocessed ON hub_events (received_at) WHERE processed_at IS NULL;
    `,
  },
  {
    version: 3,
    name: 'items by target id',
    sql: `
      -- An import recognises a payment ledgerlink exported itself by its ERP id.
      CREATE INDEX ledger_items_target ON ledger_items (tenant, entity, direction, target_id) WHERE target_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'runner lease',
    sql: `
      -- Which runner process may send: one holder at a time, renewed while it lives (expires_at in ms since epoch).
      CREATE TABLE runner_leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: 'ERP Requests: inbox by resource, hub_requests',
    sql: `
      -- Procore's ERP Platform: a delivery names a resource (resource_name "ERP Requests", resource_id = the
      -- request id) and an event_type. Events of the retired disbursements path are settled: nothing acts on them.
      ALTER TABLE hub_events RENAME COLUMN type TO resource_name;
      ALTER TABLE hub_events ADD COLUMN event_type TEXT NOT NULL DEFAULT 'create';
      UPDATE hub_events SET processed_at = received_at WHERE processed_at IS NULL;

      -- One row per ERP Request ledgerlink took on: which ledger item it is about and how its Request Detail was
      -- closed out. close_status set and close_sent_at NULL = decided, not yet told to the hub (sent again after
      -- a crash or a failed call); close_status NULL or in_progress = the work is not finished.
      CREATE TABLE hub_requests (
        company_id     TEXT NOT NULL,
        request_id     TEXT NOT NULL,
        request_name   TEXT NOT NULL,
        detail_id      TEXT,
        tenant         TEXT,
        item_id        TEXT,
        close_status   TEXT CHECK (close_status IS NULL OR close_status IN ('in_progress', 'success', 'failed', 'stale')),
        close_messages TEXT CHECK (close_messages IS NULL OR json_valid(close_messages)),
        close_sent_at  TEXT,
        received_at    TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (company_id, request_id)
      ) WITHOUT ROWID;
      CREATE INDEX hub_requests_item ON hub_requests (item_id) WHERE item_id IS NOT NULL;
      CREATE INDEX hub_requests_open ON hub_requests (received_at) WHERE close_status IS NULL OR close_status = 'in_progress' OR close_sent_at IS NULL;
    `,
  },
  {
    version: 6,
    name: 'tenant leases, live replicas, admitted ERP calls',
    sql: `
      -- One lease per tenant (see TenantLeases): holder NULL = free; epoch bumped by every claim (the fencing
      -- token); times in ms since the epoch on this machine's clock.
      CREATE TABLE tenant_leases (
        tenant     TEXT PRIMARY KEY,
        holder     TEXT,
        epoch      INTEGER NOT NULL DEFAULT 0,
        expires_at INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE runner_replicas (
        holder     TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL,
        started_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Each ERP call admitted under a lease: a tenant's rate-limit budget survives a handover.
      CREATE TABLE tenant_calls (
        tenant TEXT NOT NULL,
        at     INTEGER NOT NULL
      );
      CREATE INDEX tenant_calls_at ON tenant_calls (tenant, at);
    `,
  },
  {
    version: 7,
    name: 'rotated credentials in the store; ledger list by tenant, direction and state',
    sql: `
      -- Rotated credentials (single-use OAuth refresh tokens) of each tenant and of the hub, shared by every replica;
      -- written compare-and-swap on version (see StoreCredentials). Secrets: never copied into the ledger.
      CREATE TABLE credentials (
        scope      TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        version    INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (scope, name)
      ) WITHOUT ROWID;
      -- The flows' list (a tenant's exports or imports in one state, by seq): rows in order, no other state read.
      CREATE INDEX ledger_items_tenant_direction_state ON ledger_items (tenant, direction, state, seq);
    `,
  },
  {
    version: 8,
    name: 'cheaper ledger writes: partial state indexes',
    sql: `
      -- A payment writes three versions of its item (pending, exporting, synced), each with another state, and every
      -- index with the state in its key took an entry out and another in each time. (tenant, state, seq) and
      -- (state, seq) served the operator's lists by state; no flow reads them. One partial index holds the states an
      -- operator looks for (ledgerlink list --state failed, the items awaiting approval): a payment that goes through
      -- never enters it. The flows list a tenant's work left (pending, exporting); synced items, nine in ten of a
      -- ledger and the last version of every payment, need no entry there: a list of synced items reads
      -- (tenant, direction, seq), where nearly every row matches. A partial index answers a query only if the query's
      -- WHERE repeats its predicate (SQLite plans before it sees the bound state): listQuery adds them
      -- (ATTENTION_STATES_WHERE, WORK_LEFT_WHERE in hot-queries.ts), word for word.
      DROP INDEX ledger_items_tenant_state;
      DROP INDEX ledger_items_state;
      CREATE INDEX ledger_items_attention ON ledger_items (state, seq) WHERE state IN ('awaiting_approval', 'blocked', 'failed');
      DROP INDEX ledger_items_tenant_direction_state;
      CREATE INDEX ledger_items_tenant_direction_state ON ledger_items (tenant, direction, state, seq) WHERE state <> 'synced';
    `,
  },
];

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}; expected ${index + 1}: versions run 1, 2, 3... with no gap`);
    }
  });
}

/** The schema version a database is at (0 for a new one). */
export function schemaVersion(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Brings a database to the newest version: each pending step in its own IMMEDIATE transaction, so two processes
 * opening one new file apply each step once, and a failing step leaves the version before it. A database newer
 * than the code is refused: an older runner must not write into a schema it does not know.
 */
export function applyMigrations(
  db: Database,
  options: { migrations?: readonly Migration[]; now?: () => Date; file?: string } = {},
): number[] {
  const migrations = options.migrations ?? LEDGER_MIGRATIONS;
  const now = options.now ?? (() => new Date());
  checkOrder(migrations);
  const known = migrations.length;
  const found = schemaVersion(db);
  if (found > known) {
    throw new SchemaVersionError(
      `the ledger database${options.file ? ` ${options.file}` : ''} is at schema version ${found}, but this ledgerlink knows versions ` +
        `up to ${known}: it was written by a newer ledgerlink. Run that newer version, or point the store at a backup taken before the upgrade.`,
      found,
      known,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    const step = db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now().toISOString(),
      );
      applied.push(migration.version);
    });
    step.immediate();
  }
  return applied;
}
