import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCodes, isLedgerlinkError, Outcomes, type Ledger } from '@ledgerlink/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { holderIsGone } from '../src/replicas/lease-keeper.js';
import { TenantLease } from '../src/replicas/tenant-lease.js';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { FENCE_SQL, PostgresTenantLeases, SqliteTenantLeases, type TenantLeases } from '../src/store/tenant-leases.js';
import { tempDir } from './support/runner-harness.js';
import { dropSchema } from './support/postgres.js';

/**
 * The tenant leases and the fencing they give, on both stores. The PostgreSQL half needs a server:
 * LEDGERLINK_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test; without one it fails, saying so.
 */
const url = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Store {
  ledger: Ledger;
  /** Two views of one store, as two replicas have. */
  a: TenantLeases;
  b: TenantLeases;
  /** The PostgreSQL schema (PostgreSQL only). */
  schema?: string;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function sqliteStore(): Promise<Store> {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'ledger.db');
  const one = openSqliteLedger({ path });
  const two = openSqliteLedger({ path });
  return {
    ledger: one,
    a: new SqliteTenantLeases(one.database),
    b: new SqliteTenantLeases(two.database),
    close: async () => {
      await one.close();
      await two.close();
      cleanup();
    },
  };
}

async function postgresStore(): Promise<Store> {
  const schema = `ll_leases_${randomBytes(6).toString('hex')}`;
  const ledger = await PostgresLedger.open({ url, schema }).catch((error: Error) => {
    throw new Error(`these tests need PostgreSQL at ${url} (set LEDGERLINK_TEST_POSTGRES_URL): ${error.message}`);
  });
  const a = new PostgresTenantLeases({ url, schema, queryTimeoutMs: 5_000 });
  const b = new PostgresTenantLeases({ url, schema, queryTimeoutMs: 5_000 });
  return {
    ledger,
    a,
    b,
    schema,
    close: async () => {
      await a.close();
      await b.close();
      await ledger.close();
      await dropSchema(schema, url);
    },
  };
}

const TENANTS = ['t1', 't2', 't3', 't4'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function leaseLostCode(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return isLedgerlinkError(error) ? error.code : String(error);
  }
}

describe.each([
  ['SQLite', sqliteStore],
  ['PostgreSQL', postgresStore],
])('tenant leases on %s', (_name, open) => {
  it('claims split the tenants between replicas; each claim bumps the epoch; renewals keep them; a release frees one at once', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    const first = await store.a.claim('replica-a', TENANTS, 2, 60_000);
    const second = await store.b.claim('replica-b', TENANTS, 4, 60_000);
    expect(first.map((grant) => grant.tenant).sort()).toHaveLength(2);
    // The other replica gets only what is free: never a tenant the first holds.
    expect(second.map((grant) => grant.tenant).sort()).toEqual(TENANTS.filter((tenant) => !first.some((grant) => grant.tenant === tenant)).sort());
    for (const grant of [...first, ...second]) {
      expect(grant.epoch).toBe(1);
      expect(grant.previous).toBeUndefined();
    }
    expect((await store.a.renew('replica-a', 60_000, TENANTS)).map((grant) => grant.tenant).sort()).toEqual(first.map((grant) => grant.tenant).sort());
    expect(await store.a.claim('replica-a', TENANTS, 4, 60_000)).toEqual([]);

    const given = first[0];
    if (given === undefined) throw new Error('no grant');
    await store.a.release('replica-a', given.tenant, given.epoch);
    const retaken = await store.b.claim('replica-b', TENANTS, 4, 60_000);
    // Given back cleanly: the next holder has no predecessor's calls to wait for.
    expect(retaken).toEqual([{ tenant: given.tenant, epoch: 2 }]);
  });

  it('an expired lease is claimed at a new epoch, naming its previous holder; the old holder can no longer renew, admit or write', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    const [grant] = await store.a.claim('replica-a', ['t1'], 1, 300);
    expect(grant?.epoch).toBe(1);
    const { item } = await store.ledger.upsert({ tenant: 't1', entity: 'payment', direction: 'export', sourceId: 'p-1', record: { id: 'p-1' } }, { kind: 'system', id: 'test' });
    expect(await store.a.admit('t1', 'replica-a', 1)).toBe(true);
    const begun = await store.ledger.beginAttempt(item.id, { kind: 'system', id: 'a' }, { epoch: 1 });

    await sleep(400);
    // Expired: not admitted any more, even before anyone claims it.
    expect(await store.a.admit('t1', 'replica-a', 1)).toBe(false);
    const [taken] = await store.b.claim('replica-b', ['t1'], 1, 60_000);
    expect(taken?.epoch).toBe(2);
    expect(taken?.previous?.holder).toBe('replica-a');
    expect(taken?.previous?.expiredMsAgo).toBeGreaterThanOrEqual(0);
    expect(await store.a.renew('replica-a', 60_000, ['t1'])).toEqual([]);
    expect(await store.a.admit('t1', 'replica-a', 1)).toBe(false);
    expect(await store.b.admit('t1', 'replica-b', 2)).toBe(true);

    // The old holder's answer arrives late: its write is refused whole, the attempt stays open for the new holder.
    expect(await leaseLostCode(store.ledger.completeAttempt(item.id, begun.attempt.number, Outcomes.synced('ERP-1'), { kind: 'system', id: 'a' }, { epoch: 1 }))).toBe(
      ErrorCodes.LEASE_LOST,
    );
    expect(await leaseLostCode(store.ledger.beginAttempt(item.id, { kind: 'system', id: 'a' }, { epoch: 1 }))).toBe(ErrorCodes.LEASE_LOST);
    const after = await store.ledger.get(item.id);
    expect(after?.state).toBe('exporting');
    expect(after?.targetId).toBeUndefined();
    expect((await store.ledger.attempts(item.id)).at(-1)?.outcome).toBeUndefined();
    // The new holder writes under its own epoch.
    const again = await store.ledger.beginAttempt(item.id, { kind: 'system', id: 'b' }, { epoch: 2 });
    const done = await store.ledger.completeAttempt(item.id, again.attempt.number, Outcomes.synced('ERP-1'), { kind: 'system', id: 'b' }, { epoch: 2 });
    expect(done.state).toBe('synced');
  });

  it('a lease its holder gave up on is not renewed by it again, ends now, and its next holder is told to wait', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    const [grant] = await store.a.claim('replica-a', ['t1', 't2'], 2, 60_000);
    if (grant === undefined) throw new Error('no grant');
    // Renewals name only what the holder still works on.
    expect((await store.a.renew('replica-a', 60_000, ['t2'])).map((g) => g.tenant)).toEqual(['t2']);
    await store.a.abandon('replica-a', 't1', grant.epoch);
    expect(await store.a.renew('replica-a', 60_000, ['t1'])).toEqual([]);
    const [taken] = await store.b.claim('replica-b', ['t1'], 1, 60_000);
    expect(taken).toMatchObject({ tenant: 't1', epoch: 2, previous: { holder: 'replica-a' } });
    expect(taken?.previous?.expiredMsAgo).toBeLessThan(10_000);
  });

  it('keeps the calls admitted under any lease, so a new holder starts with the window its predecessor used', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    await store.a.claim('replica-a', ['t1'], 1, 60_000);
    for (let i = 0; i < 5; i++) expect(await store.a.admit('t1', 'replica-a', 1)).toBe(true);
    const ages = await store.b.recentCalls('t1', 60_000);
    expect(ages).toHaveLength(5);
    for (const age of ages) expect(age).toBeLessThan(10_000);
    expect(await store.b.recentCalls('t2', 60_000)).toEqual([]);
  });

  it('records each of the calls admitted at once, and refuses every one asked for at a stale epoch', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    await store.a.claim('replica-a', ['t1'], 1, 60_000);
    const admitted = await Promise.all(Array.from({ length: 20 }, () => store.a.admit('t1', 'replica-a', 1)));
    expect(admitted).toEqual(Array.from({ length: 20 }, () => true));
    expect(await store.b.recentCalls('t1', 60_000)).toHaveLength(20);
    const stale = await Promise.all(Array.from({ length: 5 }, () => store.a.admit('t1', 'replica-a', 0)));
    expect(stale).toEqual(Array.from({ length: 5 }, () => false));
    expect(await store.b.recentCalls('t1', 60_000)).toHaveLength(20);
  });

  it('heartbeats list the live replicas; a replica that leaves is gone from the list; a dead holder is expired at once', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    expect(await store.a.heartbeat('replica-a', 60_000)).toEqual(['replica-a']);
    expect(await store.b.heartbeat('replica-b', 60_000)).toEqual(['replica-a', 'replica-b']);
    await store.a.leave('replica-a');
    expect(await store.b.heartbeat('replica-b', 60_000)).toEqual(['replica-b']);

    await store.a.claim('replica-a', ['t1'], 1, 60_000);
    expect(await store.a.expire('replica-a')).toBe(1);
    const [taken] = await store.b.claim('replica-b', ['t1'], 1, 60_000);
    // Its process is known dead: nothing of it can still be in flight, so the wait is long over.
    expect(taken?.previous?.expiredMsAgo).toBeGreaterThan(60_000);
    expect((await store.b.holders()).find((row) => row.tenant === 't1')).toMatchObject({ holder: 'replica-b', epoch: 2 });
  });

  it('hands out each check number once when replicas take them at the same time', async () => {
    const store = await open();
    cleanups.push(() => store.close());
    const taken = await Promise.all(Array.from({ length: 40 }, () => store.ledger.takeNext('t1', 'checkNumber:95', 10_000)));
    expect(new Set(taken).size).toBe(40);
    expect(Math.min(...taken)).toBe(10_000);
    expect(Math.max(...taken)).toBe(10_039);
    // Raising the floor skips ahead; a lower one never goes back.
    expect(await store.ledger.takeNext('t1', 'checkNumber:95', 20_000)).toBe(20_000);
    expect(await store.ledger.takeNext('t1', 'checkNumber:95', 5)).toBe(20_001);
  });
});

describe('tenant leases on PostgreSQL beside fenced ledger writes', () => {
  it('a write fenced at the epoch holds a takeover off until it commits, never a renewal, an admit or an abandon', async () => {
    const store = await postgresStore();
    cleanups.push(() => store.close());
    await store.a.claim('replica-a', ['t1'], 1, 60_000);
    // A group-commit transaction that passed the fence of t1 at epoch 1 and has not committed yet.
    const writer = new pg.Client({ connectionString: url, options: `-c search_path=${store.schema ?? 'public'}` });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      expect((await writer.query(FENCE_SQL.postgres, ['t1', 1])).rowCount).toBe(1);
      // The holder's own statements on the lease row go through meanwhile: a renewal waiting for the ledger's
      // transactions (as with FOR SHARE) would hang here until its statement timeout and fail the test.
      expect(await store.a.renew('replica-a', 60_000, ['t1'])).toEqual([{ tenant: 't1', epoch: 1 }]);
      expect(await store.a.admit('t1', 'replica-a', 1)).toBe(true);
      await store.a.abandon('replica-a', 't1', 1);
      // Expired now, yet not claimable while the fenced write is open: a takeover never overtakes it.
      expect(await store.b.claim('replica-b', ['t1'], 1, 60_000)).toEqual([]);
      await writer.query('COMMIT');
      const [taken] = await store.b.claim('replica-b', ['t1'], 1, 60_000);
      expect(taken).toMatchObject({ tenant: 't1', epoch: 2, previous: { holder: 'replica-a' } });
      // The old epoch's fence refuses from here on.
      expect((await writer.query(FENCE_SQL.postgres, ['t1', 1])).rowCount).toBe(0);
    } finally {
      // Ended first: the schema is dropped after, and an open transaction would hold that drop up.
      await writer.end();
    }
  });
});

describe('a lease as its holder sees it', () => {
  it('refuses calls by its own clock once its time is up, before the store could let anyone else in', async () => {
    const store = await sqliteStore();
    cleanups.push(() => store.close());
    let now = 1_000;
    const [grant] = await store.a.claim('replica-a', ['t1'], 1, 10_000);
    const lease = new TenantLease('t1', 'replica-a', grant?.epoch ?? 0, store.a, 10_000, now, () => now);
    const lost: string[] = [];
    lease.onLost((reason) => lost.push(reason));
    await lease.admit();
    now += 9_000;
    lease.renewed(now);
    now += 9_000;
    await lease.admit();
    // Past renewal + TTL (less the clock margin): refused unsent, without asking the store.
    now += 1_000;
    expect(lease.valid).toBe(false);
    expect(await leaseLostCode(lease.admit())).toBe(ErrorCodes.LEASE_LOST);
    expect(lost).toEqual(['not renewed in time']);
    // A renewal that comes back late does not revive it.
    lease.renewed(now);
    expect(lease.valid).toBe(false);
  });

  it('stops at once when the store says another replica holds the tenant', async () => {
    const store = await sqliteStore();
    cleanups.push(() => store.close());
    const [grant] = await store.a.claim('replica-a', ['t1'], 1, 100);
    const lease = new TenantLease('t1', 'replica-a', grant?.epoch ?? 0, store.a, 60_000, performance.now());
    await sleep(150);
    await store.b.claim('replica-b', ['t1'], 1, 60_000);
    // Its own clock still says yes (its TTL is long), the store says no: the store wins.
    expect(await leaseLostCode(lease.admit())).toBe(ErrorCodes.LEASE_LOST);
    expect(lease.valid).toBe(false);
  });

  it('takes a pid as a hint only within its own PID namespace on its own host', () => {
    const self = 'host-a:4026531836:100:aaaa';
    // A pid that cannot exist here, in this namespace: gone.
    expect(holderIsGone('host-a:4026531836:999999999:bbbb', self)).toBe(true);
    // The same pid in another namespace (a container with the host's name): says nothing.
    expect(holderIsGone('host-a:4026532000:999999999:bbbb', self)).toBe(false);
    expect(holderIsGone('host-b:4026531836:999999999:bbbb', self)).toBe(false);
    // This very process is alive.
    expect(holderIsGone(`host-a:4026531836:${process.pid}:cccc`, self)).toBe(false);
  });
});
