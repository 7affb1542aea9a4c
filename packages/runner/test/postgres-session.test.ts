import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresLedger, postgresPoolConfig } from '../src/store/postgres-ledger.js';
import { POOL_IDLE_MS } from '../src/store/postgres-pool.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';

/**
 * The server's side of a replica cut off mid-transaction (needs PostgreSQL at LEDGERLINK_TEST_POSTGRES_URL): a
 * transaction the replica can no longer finish must not keep its row locks until TCP notices. With the ledger pool's
 * settings, PostgreSQL ends a session idle in a transaction after the idle limit (the runner sets its lease TTL: found
 * with the replica bench, where a paused replica's group commit held its tenant's lease row and no replica could claim
 * the tenant for a minute), and the lock is free.
 */
const schema = `ll_session_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  await dropSchema(schema);
});

describe('PostgreSQL sessions of the ledger pool', () => {
  it('a transaction left open holding an item lock ends after the idle limit (the runner: its lease TTL), and another replica takes the lock', async () => {
    const ledger = await PostgresLedger.open({ url: POSTGRES_URL, schema });
    const { item } = await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-1', record: {} }, { kind: 'hub', id: 'webhook' });
    await ledger.close();

    // The replica that is cut off: its pool, its transaction holding the item's row, then silence.
    // The runner's setting: the lease TTL (here 800 ms), whatever the query timeout (the default 30 s).
    const cutOff = new pg.Pool(postgresPoolConfig({ url: POSTGRES_URL, schema, idleInTransactionTimeoutMs: 800 }));
    const ended = new Promise<Error>((resolve) => cutOff.on('error', resolve));
    const held = await cutOff.connect();
    const heldEnded = new Promise<Error>((resolve) => held.on('error', resolve));
    await held.query('BEGIN');
    await held.query('SELECT id FROM ledger_items WHERE id = $1 FOR UPDATE', [item.id]);

    const other = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await other.connect();
    try {
      const started = Date.now();
      await other.query('BEGIN');
      const locked = await other.query<{ id: string }>('SELECT id FROM ledger_items WHERE id = $1 FOR UPDATE', [item.id]);
      const waitedMs = Date.now() - started;
      await other.query('COMMIT');
      expect(locked.rows.map((row) => row.id)).toEqual([item.id]);
      // Not at once (the lock was held), and within the 800 ms idle limit plus scheduling slack.
      expect(waitedMs).toBeGreaterThanOrEqual(600);
      expect(waitedMs).toBeLessThan(10_000);
      const error = await Promise.race([heldEnded, ended]);
      expect(error.message).toMatch(/idle-in-transaction timeout/);
    } finally {
      await other.end();
      held.release(true);
      await cutOff.end();
    }
  }, 30_000);

  it("keeps a connection left unused for the pool's idle time, past pg's own 10 s by default, and closes it after", async () => {
    // The default: longer than pg's 10 s, so a runner at an everyday pace keeps its sessions (and their prepared
    // statements) between payments.
    expect(postgresPoolConfig({ url: POSTGRES_URL, schema }).idleTimeoutMillis).toBe(POOL_IDLE_MS);
    expect(POOL_IDLE_MS).toBeGreaterThan(10_000);
    const backend = async (pool: pg.Pool) => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const kept = new pg.Pool(postgresPoolConfig({ url: POSTGRES_URL, schema, idleConnectionMs: 5_000 }));
    const closed = new pg.Pool(postgresPoolConfig({ url: POSTGRES_URL, schema, idleConnectionMs: 200 }));
    try {
      const [keptBefore, closedBefore] = [await backend(kept), await backend(closed)];
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Idle for 1 s: within 5 s the session is the same one; past 200 ms it was closed and a new one opened.
      expect(kept.totalCount).toBe(1);
      expect(closed.totalCount).toBe(0);
      expect(await backend(kept)).toBe(keptBefore);
      expect(await backend(closed)).not.toBe(closedBefore);
    } finally {
      await kept.end();
      await closed.end();
    }
  }, 30_000);
});
