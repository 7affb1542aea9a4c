import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { sqliteWriteBatch } from './sqlite-write-batch.js';
import { POOL_IDLE_MS } from './postgres-pool.js';

/**
 * Which replica sends for which tenant. Every runner process of a deployment shares one store; each tenant has
 * one lease, held by at most one replica, so N replicas carry the tenants between them and none sends for a
 * tenant another replica holds. Patterned on how PostgreSQL job queues (River, graphile-worker, pg-boss) claim
 * work: claims are `FOR UPDATE SKIP LOCKED`, expiry is measured on the store's clock, and every claim bumps the
 * tenant's `epoch`, the fencing token that the ledger's attempt writes and every ERP call carry (`admit`).
 *
 * Nothing here trusts a process id: a holder is alive only while it renews.
 */
export interface TenantLeases {
  /**
   * Says this replica is alive until `ttlMs` from now and answers the replicas alive now (this one included),
   * oldest first: the fair share of tenants is `ceil(tenants / replicas)`.
   */
  heartbeat(holder: string, ttlMs: number): Promise<string[]>;
  /** Removes this replica from the live list (a clean stop), so the others rebalance at once. */
  leave(holder: string): Promise<void>;
  /**
   * Extends the leases of `tenants` that `holder` still has to `ttlMs` from now; answers those leases. A lease that
   * expired is not renewed (another replica may have claimed it in between): the holder has lost it. Only the
   * tenants the holder still works on are named: a lease it gave up on is never kept alive by a later renewal.
   */
  renew(holder: string, ttlMs: number, tenants: readonly string[]): Promise<LeaseGrant[]>;
  /**
   * Ends a lease its holder can no longer vouch for (it stopped the tenant's work after its own clock ran out): it
   * expires now, still naming the holder, so the next one waits for the calls it may have had in flight.
   */
  abandon(holder: string, tenant: string, epoch: number): Promise<void>;
  /** Claims up to `max` of `tenants` whose lease is free or expired, each at a new epoch. */
  claim(holder: string, tenants: readonly string[], max: number, ttlMs: number): Promise<LeaseGrant[]>;
  /** Gives a lease back (its work stopped): another replica may claim it at once, with no wait. */
  release(holder: string, tenant: string, epoch: number): Promise<void>;
  /**
   * Right before an ERP call: records the call against the tenant's rate-limit budget if and only if `holder`
   * holds the tenant's lease at `epoch` and it has not expired. False: the call must not be sent.
   */
  admit(tenant: string, holder: string, epoch: number): Promise<boolean>;
  /** How long ago (ms) the tenant's calls of the last `windowMs` were admitted, newest first. */
  recentCalls(tenant: string, windowMs: number): Promise<number[]>;
  /** Every tenant's lease as the store has it (readiness, the console). */
  holders(): Promise<LeaseRow[]>;
  /**
   * Ends every lease of a holder known to be dead (its process is gone): they are free at once, and a claim of one
   * waits for no call of it still in flight, since a dead process sends nothing more. Its replica row goes too.
   */
  expire(holder: string): Promise<number>;
  close(): Promise<void>;
}

/** A lease held: its tenant, its epoch (the fencing token), and what the previous holder left. */
export interface LeaseGrant {
  tenant: string;
  epoch: number;
  /**
   * Set when the lease was taken over from a holder that did not give it back (it died, was paused or was cut
   * off): how long ago its lease expired. Items it left in flight may still reach the ERP from it for up to its
   * longest call timeout after that; they are settled only once that time has passed.
   */
  previous?: { holder: string; expiredMsAgo: number };
}

export interface LeaseRow {
  tenant: string;
  holder: string | null;
  epoch: number;
  /** Milliseconds until it expires (negative: expired). */
  remainingMs: number;
}

/** Admits of one lease waiting for the one on the wire (PostgresTenantLeases.admit). */
interface AdmitGroup {
  busy: boolean;
  waiting: { resolve(admitted: boolean): void; reject(error: unknown): void }[];
}

/** The most calls one admit statement records (a lane's concurrency is far below it). */
const MAX_ADMITS_AT_ONCE = 256;

/** How long the store keeps admitted call times: the longest rate-limit window any connector declares is shorter. */
const CALL_HISTORY_MS = 3_600_000;

/**
 * The fencing check of an attempt's ledger write: the tenant's lease is still held at `epoch`.
 *
 * On PostgreSQL the row is locked `FOR KEY SHARE` until the write's transaction ends. That is the weakest lock that
 * still conflicts with the claim's `FOR UPDATE`: no other replica can take the tenant (bump the epoch) while a write
 * fenced at the old epoch is uncommitted, so every such write commits before the takeover or is refused after it.
 * It does not conflict with a plain UPDATE of `expires_at` (renew, abandon, release, expire: `FOR NO KEY UPDATE`).
 * `FOR SHARE` did: a renewal waited for every group-commit transaction holding a fenced write of the tenant, and on
 * a loaded machine it timed out and the replica lost leases it held (measured: renewals waiting up to the 1 s
 * timeout in half of the samples of pg_stat_activity, about one lease lost per tenant every few seconds).
 */
export const FENCE_SQL = {
  postgres: 'SELECT 1 FROM tenant_leases WHERE tenant = $1 AND epoch = $2 AND holder IS NOT NULL FOR KEY SHARE',
  sqlite: 'SELECT epoch FROM tenant_leases WHERE tenant = ? AND holder IS NOT NULL',
} as const;

/** The current epoch of a tenant's lease, for the message of a refused fenced write. */
export const CURRENT_EPOCH_SQL = {
  postgres: 'SELECT epoch FROM tenant_leases WHERE tenant = $1',
  sqlite: 'SELECT epoch FROM tenant_leases WHERE tenant = ?',
} as const;

/** The store's clock in milliseconds since the epoch: one clock for every replica, whatever theirs say. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** Admitted ERP calls of one lease, $4 of them, inserted only while the lease is held at the epoch (see `admit`). */
const ADMIT_CALLS_SQL = `WITH lease AS (
    SELECT tenant FROM tenant_leases WHERE tenant = $1 AND holder = $2 AND epoch = $3 AND expires_at > ${NOW_MS} FOR KEY SHARE
  )
  INSERT INTO tenant_calls (tenant, at) SELECT lease.tenant, ${NOW_MS} FROM lease, generate_series(1, $4::int)`;

export interface PostgresTenantLeasesOptions {
  url: string;
  schema: string;
  /**
   * How long one lease query may take before it is abandoned (statement and client side). A replica cut off from
   * the database learns it this way, instead of waiting on a socket that never answers, and stops sending when its
   * lease runs out.
   */
  queryTimeoutMs: number;
}

/**
 * Tenant leases on PostgreSQL. Renewals and claims run on a connection of their own, so a busy ledger pool never
 * delays a renewal; the per-call `admit` runs on a small pool of its own. Both time out (`queryTimeoutMs`).
 */
export class PostgresTenantLeases implements TenantLeases {
  readonly #keeper: pg.Pool;
  readonly #admits: pg.Pool;

  constructor(options: PostgresTenantLeasesOptions) {
    const common = {
      connectionString: options.url,
      // As the ledger pool (postgresPoolConfig): a transaction left open by a replica cut off ends on the server.
      options: `-c search_path=${options.schema} -c statement_timeout=${options.queryTimeoutMs} -c idle_in_transaction_session_timeout=${2 * options.queryTimeoutMs}`,
      query_timeout: options.queryTimeoutMs,
      connectionTimeoutMillis: options.queryTimeoutMs,
      idleTimeoutMillis: POOL_IDLE_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: Math.max(1_000, options.queryTimeoutMs),
    };
    this.#keeper = new pg.Pool({ ...common, max: 1 });
    // The admits' pool runs one statement, whose custom plan (it knows how many calls) PostgreSQL would otherwise
    // make again at every admit: its generic plan is the same lease lookup.
    this.#admits = new pg.Pool({ ...common, options: `${common.options} -c plan_cache_mode=force_generic_plan`, max: 4 });
    // A dropped connection is an error event on an idle client: the pool replaces it; the next query says so.
    this.#keeper.on('error', () => undefined);
    this.#admits.on('error', () => undefined);
  }

  async heartbeat(holder: string, ttlMs: number): Promise<string[]> {
    const { rows } = await this.#keeper.query<{ holder: string }>(
      `WITH seen AS (
         INSERT INTO runner_replicas (holder, expires_at, started_at) VALUES ($1, ${NOW_MS} + $2, ${NOW_MS})
         ON CONFLICT (holder) DO UPDATE SET expires_at = excluded.expires_at
       ), gone AS (
         DELETE FROM runner_replicas WHERE expires_at < ${NOW_MS} - 600000
       )
       SELECT holder FROM runner_replicas WHERE expires_at > ${NOW_MS} OR holder = $1 ORDER BY started_at, holder`,
      [holder, ttlMs],
    );
    const live = rows.map((row) => row.holder);
    return live.includes(holder) ? live : [...live, holder];
  }

  async leave(holder: string): Promise<void> {
    await this.#keeper.query('DELETE FROM runner_replicas WHERE holder = $1', [holder]);
  }

  async renew(holder: string, ttlMs: number, tenants: readonly string[]): Promise<LeaseGrant[]> {
    if (tenants.length === 0) return [];
    const { rows } = await this.#keeper.query<{ tenant: string; epoch: string }>(
      `UPDATE tenant_leases SET expires_at = ${NOW_MS} + $2 WHERE holder = $1 AND tenant = ANY($3) AND expires_at > ${NOW_MS} RETURNING tenant, epoch`,
      [holder, ttlMs, tenants],
    );
    return rows.map((row) => ({ tenant: row.tenant, epoch: Number(row.epoch) }));
  }

  async abandon(holder: string, tenant: string, epoch: number): Promise<void> {
    await this.#keeper.query(`UPDATE tenant_leases SET expires_at = LEAST(expires_at, ${NOW_MS}) WHERE tenant = $1 AND holder = $2 AND epoch = $3`, [tenant, holder, epoch]);
  }

  async claim(holder: string, tenants: readonly string[], max: number, ttlMs: number): Promise<LeaseGrant[]> {
    if (max <= 0 || tenants.length === 0) return [];
    const client = await this.#keeper.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO tenant_leases (tenant) SELECT unnest($1::text[]) ON CONFLICT (tenant) DO NOTHING', [tenants]);
      const { rows } = await client.query<{ tenant: string; epoch: string; previous: string | null; expired_ms_ago: string }>(
        `WITH free AS (
           SELECT tenant, holder, expires_at FROM tenant_leases
           WHERE tenant = ANY($1) AND (holder IS NULL OR expires_at <= ${NOW_MS})
           ORDER BY tenant LIMIT $2 FOR UPDATE SKIP LOCKED
         )
         UPDATE tenant_leases AS lease SET holder = $3, epoch = lease.epoch + 1, expires_at = ${NOW_MS} + $4
         FROM free WHERE lease.tenant = free.tenant
         RETURNING lease.tenant, lease.epoch, free.holder AS previous, ${NOW_MS} - free.expires_at AS expired_ms_ago`,
        [tenants, max, holder, ttlMs],
      );
      // Rows from a replica that left cleanly are gone; a crashed one's row stays until it expires a while.
      await client.query(`DELETE FROM tenant_calls WHERE at < ${NOW_MS} - $1`, [CALL_HISTORY_MS]);
      await client.query('COMMIT');
      return rows.map((row) => ({
        tenant: row.tenant,
        epoch: Number(row.epoch),
        ...(row.previous === null ? {} : { previous: { holder: row.previous, expiredMsAgo: Number(row.expired_ms_ago) } }),
      }));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async release(holder: string, tenant: string, epoch: number): Promise<void> {
    await this.#keeper.query(`UPDATE tenant_leases SET holder = NULL, expires_at = ${NOW_MS} WHERE tenant = $1 AND holder = $2 AND epoch = $3`, [tenant, holder, epoch]);
  }

  /**
   * The admits of one lease asked for while its previous admit was on the wire go together, as one statement that
   * inserts one `tenant_calls` row per call, all or none: one round trip and one commit (one WAL flush) for the
   * lot, where each ERP call used to cost its own. Each is still checked after it was asked for and before its
   * call is sent, against the lease as the store has it at that moment.
   */
  admit(tenant: string, holder: string, epoch: number): Promise<boolean> {
    const key = JSON.stringify([tenant, holder, epoch]);
    let group = this.#admitting.get(key);
    if (group === undefined) {
      group = { busy: false, waiting: [] };
      this.#admitting.set(key, group);
    }
    const answer = new Promise<boolean>((resolve, reject) => group.waiting.push({ resolve, reject }));
    if (!group.busy) void this.#admitGroup(key, group, tenant, holder, epoch);
    return answer;
  }

  readonly #admitting = new Map<string, AdmitGroup>();

  async #admitGroup(key: string, group: AdmitGroup, tenant: string, holder: string, epoch: number): Promise<void> {
    group.busy = true;
    while (group.waiting.length > 0) {
      const calls = group.waiting.splice(0, MAX_ADMITS_AT_ONCE);
      try {
        // FOR KEY SHARE, as the fence: a claim (FOR UPDATE) cannot slip between the check and the insert, a renewal can.
        // Prepared once per connection (about one admit per two payments): parsed and planned once, not each time.
        const result = await this.#admits.query({ name: 'll_admit_calls', text: ADMIT_CALLS_SQL, values: [tenant, holder, epoch, calls.length] });
        const admitted = result.rowCount === calls.length;
        for (const call of calls) call.resolve(admitted);
      } catch (error) {
        for (const call of calls) call.reject(error);
      }
    }
    group.busy = false;
    this.#admitting.delete(key);
  }

  async recentCalls(tenant: string, windowMs: number): Promise<number[]> {
    const { rows } = await this.#keeper.query<{ age: string }>(
      `SELECT ${NOW_MS} - at AS age FROM tenant_calls WHERE tenant = $1 AND at > ${NOW_MS} - $2 ORDER BY at DESC LIMIT 100000`,
      [tenant, windowMs],
    );
    return rows.map((row) => Math.max(0, Number(row.age)));
  }

  async holders(): Promise<LeaseRow[]> {
    const { rows } = await this.#keeper.query<{ tenant: string; holder: string | null; epoch: string; remaining: string }>(
      `SELECT tenant, holder, epoch, expires_at - ${NOW_MS} AS remaining FROM tenant_leases ORDER BY tenant`,
    );
    return rows.map((row) => ({ tenant: row.tenant, holder: row.holder, epoch: Number(row.epoch), remainingMs: Number(row.remaining) }));
  }

  async expire(holder: string): Promise<number> {
    const result = await this.#keeper.query(`UPDATE tenant_leases SET expires_at = ${NOW_MS} - $2 WHERE holder = $1`, [holder, CALL_HISTORY_MS]);
    await this.#keeper.query('DELETE FROM runner_replicas WHERE holder = $1', [holder]);
    return result.rowCount ?? 0;
  }

  #closed: Promise<void> | undefined;

  close(): Promise<void> {
    this.#closed ??= Promise.all([this.#keeper.end(), this.#admits.end()]).then(() => undefined);
    return this.#closed;
  }
}

/**
 * Tenant leases in the SQLite file, for processes sharing it on one machine (their clock is the machine's). Each
 * change is one IMMEDIATE transaction; SQLite's single writer serialises claims.
 */
export class SqliteTenantLeases implements TenantLeases {
  readonly #statements: ReturnType<typeof prepare>;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.#statements = prepare(db);
  }

  async heartbeat(holder: string, ttlMs: number): Promise<string[]> {
    const now = this.nowMs();
    return this.db
      .transaction(() => {
        this.#statements.seen.run(holder, now + ttlMs, now);
        this.#statements.forget.run(now - 600_000);
        const live = this.#statements.live.all(now, holder).map((row) => row.holder);
        return live.includes(holder) ? live : [...live, holder];
      })
      .immediate();
  }

  async leave(holder: string): Promise<void> {
    if (this.db.open) this.#statements.leave.run(holder);
  }

  async renew(holder: string, ttlMs: number, tenants: readonly string[]): Promise<LeaseGrant[]> {
    if (tenants.length === 0) return [];
    const now = this.nowMs();
    return this.#statements.renew.all(now + ttlMs, holder, now, JSON.stringify(tenants)).map((row) => ({ tenant: row.tenant, epoch: row.epoch }));
  }

  async abandon(holder: string, tenant: string, epoch: number): Promise<void> {
    if (this.db.open) this.#statements.abandon.run(this.nowMs(), tenant, holder, epoch);
  }

  async claim(holder: string, tenants: readonly string[], max: number, ttlMs: number): Promise<LeaseGrant[]> {
    if (max <= 0 || tenants.length === 0) return [];
    const now = this.nowMs();
    return this.db
      .transaction(() => {
        for (const tenant of tenants) this.#statements.ensure.run(tenant);
        const wanted = new Set(tenants);
        const free = this.#statements.free.all(now).filter((row) => wanted.has(row.tenant)).slice(0, max);
        const grants: LeaseGrant[] = [];
        for (const row of free) {
          const taken = this.#statements.take.get(holder, now + ttlMs, row.tenant);
          if (taken === undefined) continue;
          grants.push({
            tenant: row.tenant,
            epoch: taken.epoch,
            ...(row.holder === null ? {} : { previous: { holder: row.holder, expiredMsAgo: now - row.expires_at } }),
          });
        }
        this.#statements.prune.run(now - CALL_HISTORY_MS);
        return grants;
      })
      .immediate();
  }

  async release(holder: string, tenant: string, epoch: number): Promise<void> {
    if (this.db.open) this.#statements.release.run(this.nowMs(), tenant, holder, epoch);
  }

  /**
   * Through the ledger connection's group commit (SqliteWriteBatch): with `synchronous = FULL` an admit of its own
   * would be one fsync per ERP call; batched, the calls admitted in one turn share the commit of the attempts begun
   * in it. The lease is checked when the batch runs (within the turn), under the write lock.
   */
  async admit(tenant: string, holder: string, epoch: number): Promise<boolean> {
    return sqliteWriteBatch(this.db).run(() => {
      const now = this.nowMs();
      return this.#statements.admit.run(tenant, now, tenant, holder, epoch, now).changes === 1;
    });
  }

  async recentCalls(tenant: string, windowMs: number): Promise<number[]> {
    const now = this.nowMs();
    return this.#statements.recent.all(tenant, now - windowMs).map((row) => Math.max(0, now - row.at));
  }

  async holders(): Promise<LeaseRow[]> {
    const now = this.nowMs();
    return this.#statements.holders.all().map((row) => ({ tenant: row.tenant, holder: row.holder, epoch: row.epoch, remainingMs: row.expires_at - now }));
  }

  async expire(holder: string): Promise<number> {
    if (!this.db.open) return 0;
    const changed = this.#statements.expire.run(this.nowMs() - CALL_HISTORY_MS, holder).changes;
    this.#statements.leave.run(holder);
    return changed;
  }

  async close(): Promise<void> {
    // The database belongs to the ledger, which closes it.
  }
}

function prepare(db: BetterSqlite3.Database) {
  return {
    seen: db.prepare<[string, number, number]>(
      'INSERT INTO runner_replicas (holder, expires_at, started_at) VALUES (?, ?, ?) ON CONFLICT (holder) DO UPDATE SET expires_at = excluded.expires_at',
    ),
    forget: db.prepare<[number]>('DELETE FROM runner_replicas WHERE expires_at < ?'),
    live: db.prepare<[number, string], { holder: string }>('SELECT holder FROM runner_replicas WHERE expires_at > ? OR holder = ? ORDER BY started_at, holder'),
    leave: db.prepare<[string]>('DELETE FROM runner_replicas WHERE holder = ?'),
    renew: db.prepare<[number, string, number, string], { tenant: string; epoch: number }>(
      'UPDATE tenant_leases SET expires_at = ? WHERE holder = ? AND expires_at > ? AND tenant IN (SELECT value FROM json_each(?)) RETURNING tenant, epoch',
    ),
    abandon: db.prepare<[number, string, string, number]>('UPDATE tenant_leases SET expires_at = min(expires_at, ?) WHERE tenant = ? AND holder = ? AND epoch = ?'),
    ensure: db.prepare<[string]>('INSERT INTO tenant_leases (tenant) VALUES (?) ON CONFLICT (tenant) DO NOTHING'),
    free: db.prepare<[number], { tenant: string; holder: string | null; expires_at: number }>(
      'SELECT tenant, holder, expires_at FROM tenant_leases WHERE holder IS NULL OR expires_at <= ? ORDER BY tenant',
    ),
    take: db.prepare<[string, number, string], { epoch: number }>(
      'UPDATE tenant_leases SET holder = ?, epoch = epoch + 1, expires_at = ? WHERE tenant = ? RETURNING epoch',
    ),
    expire: db.prepare<[number, string]>('UPDATE tenant_leases SET expires_at = ? WHERE holder = ?'),
    prune: db.prepare<[number]>('DELETE FROM tenant_calls WHERE at < ?'),
    release: db.prepare<[number, string, string, number]>('UPDATE tenant_leases SET holder = NULL, expires_at = ? WHERE tenant = ? AND holder = ? AND epoch = ?'),
    admit: db.prepare<[string, number, string, string, number, number]>(
      'INSERT INTO tenant_calls (tenant, at) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM tenant_leases WHERE tenant = ? AND holder = ? AND epoch = ? AND expires_at > ?)',
    ),
    recent: db.prepare<[string, number], { at: number }>('SELECT at FROM tenant_calls WHERE tenant = ? AND at > ? ORDER BY at DESC LIMIT 100000'),
    holders: db.prepare<[], { tenant: string; holder: string | null; epoch: number; expires_at: number }>(
      'SELECT tenant, holder, epoch, expires_at FROM tenant_leases ORDER BY tenant',
    ),
  };
}
