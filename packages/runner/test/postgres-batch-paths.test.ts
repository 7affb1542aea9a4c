import { randomBytes } from 'node:crypto';
import { ErrorCodes, isLedgerlinkError, type Actor } from '@ledgerlink/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { PostgresWriteBatch } from '../src/store/postgres-write-batch.js';
import { PostgresTenantLeases } from '../src/store/tenant-leases.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';

/**
 * The PostgreSQL store's batch paths (issue 15): the writes of one turn run side by side in one transaction on a
 * pipelined connection, and the reads of one turn are one statement per table. A write refused before it wrote is
 * refused alone and the others commit without a rerun; a failed statement (which aborts the whole transaction) and
 * a write that throws after writing roll the batch back and rerun it one write per savepoint; writes of one key keep
 * their order; batched reads answer each caller as a read of its own would.
 */
const url = POSTGRES_URL;
const schema = `h15_pg_paths_${randomBytes(4).toString('hex')}`;
const hub: Actor = { kind: 'hub', id: 'webhook' };
const runner: Actor = { kind: 'system', id: 'runner' };

let ledger: PostgresLedger;
let leases: PostgresTenantLeases;

beforeAll(async () => {
  ledger = await PostgresLedger.open({ url, schema });
  leases = new PostgresTenantLeases({ url, schema, queryTimeoutMs: 10_000 });
});

afterAll(async () => {
  await leases.close();
  await ledger.close();
  await dropSchema(schema);
});

async function items(tenant: string, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n += 1) ids.push((await ledger.upsert({ tenant, entity: 'payment', direction: 'export', sourceId: `${prefix}-${n}`, record: { n } }, hub)).item.id);
  return ids;
}

describe('PostgreSQL group commit, side by side', () => {
  it('a write refused by its fence is refused alone, the others commit in the same transaction, nothing is rerun', async () => {
    const ids = await items('fenced-a', 6, 'pay');
    const [stale] = await items('fenced-b', 1, 'pay');
    const [lease] = await leases.claim('replica-a', ['fenced-a'], 1, 60_000);
    const [lost] = await leases.claim('replica-a', ['fenced-b'], 1, 60_000);
    if (lease === undefined || lost === undefined || stale === undefined) throw new Error('the test could not claim its leases');
    // Another replica takes fenced-b over: this one's epoch is stale.
    await leases.expire('replica-a');
    const [taken] = await leases.claim('replica-b', ['fenced-b'], 1, 60_000);
    expect(taken?.epoch).toBe(lost.epoch + 1);

    const before = ledger.groupCommitStats;
    const results = await Promise.allSettled([
      ...ids.map((id) => ledger.beginAttempt(id, runner, { epoch: lease.epoch })),
      ledger.beginAttempt(stale, runner, { epoch: lost.epoch }),
    ]);
    const after = ledger.groupCommitStats;
    expect(after.batches - before.batches).toBe(1);
    expect(after.writes - before.writes).toBe(ids.length);
    expect(after.redone).toBe(before.redone);

    const refused = results.at(-1);
    expect(refused?.status).toBe('rejected');
    const error = refused?.status === 'rejected' ? (refused.reason as unknown) : undefined;
    expect(isLedgerlinkError(error) && error.code).toBe(ErrorCodes.LEASE_LOST);
    expect(String((error as Error).message)).toContain(`epoch ${lost.epoch + 1}`);
    for (const id of ids) expect(await ledger.get(id)).toMatchObject({ state: 'exporting', attempts: 1 });
    // LL_LEASE_LOST wrote nothing: no attempt, no audit entry, the state as it was.
    expect(await ledger.get(stale)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await ledger.attempts(stale)).toEqual([]);
    expect((await ledger.audit(stale)).map((entry) => entry.action)).toEqual(['created']);
  }, 60_000);

  it('a failed statement rolls the batch back; rerun one write per savepoint, it alone fails and the rest commit', async () => {
    const ids = await items('sql-error', 4, 'pay');
    const requests = ledger.hubRequests();
    await requests.take({ companyId: '1', requestId: 'r-bad', requestName: 'Sync Payments' });
    const before = ledger.groupCommitStats;
    const results = await Promise.allSettled([
      ...ids.map((id) => ledger.beginAttempt(id, runner)),
      // A close-out status the table's CHECK refuses: the statement fails, which aborts the whole transaction.
      requests.decide('1', 'r-bad', { status: 'bogus' as never, messages: [] }),
    ]);
    expect(ledger.groupCommitStats.redone).toBe(before.redone + 1);
    expect(results.slice(0, ids.length).every((result) => result.status === 'fulfilled')).toBe(true);
    const failed = results.at(-1);
    expect(failed?.status === 'rejected' && (failed.reason as { code?: string }).code).toBe('23514');
    for (const id of ids) {
      expect(await ledger.get(id)).toMatchObject({ state: 'exporting', attempts: 1 });
      expect((await ledger.audit(id)).map((entry) => [entry.seq, entry.action])).toEqual([
        [1, 'created'],
        [2, 'attempt'],
      ]);
    }
    expect((await requests.get('1', 'r-bad'))?.closeOut).toBeUndefined();
  }, 60_000);

  it('a write that throws after writing is rolled back with its batch and rerun alone; the others commit', async () => {
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, pipeline: true, max: 2 });
    const batch = new PostgresWriteBatch(pool);
    try {
      await pool.query('CREATE TABLE scratch (name TEXT PRIMARY KEY)');
      const results = await Promise.allSettled([
        batch.run((client) => client.query("INSERT INTO scratch VALUES ('first')"), 'first'),
        batch.run(async (client) => {
          await client.query("INSERT INTO scratch VALUES ('half')");
          throw new Error('changed its mind after writing');
        }, 'half'),
        batch.run((client) => client.query("INSERT INTO scratch VALUES ('last')"), 'last'),
      ]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(batch.stats.redone).toBe(1);
      const { rows } = await pool.query<{ name: string }>('SELECT name FROM scratch ORDER BY name');
      expect(rows.map((row) => row.name)).toEqual(['first', 'last']);
    } finally {
      await batch.drained();
      await pool.end();
    }
  }, 60_000);

  it('a one-statement write alone in its batch goes without BEGIN and COMMIT; with others it joins their transaction', async () => {
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, pipeline: true, max: 2 });
    // What the batch sends, recorded on the real connections it is given (the statements still run).
    const sent: string[] = [];
    const recording = new WeakSet<pg.PoolClient>();
    pool.on('acquire', (client) => {
      if (recording.has(client)) return;
      recording.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: typeof query }).query = (...args) => {
        const config = args[0];
        sent.push(typeof config === 'string' ? config : ((config as pg.QueryConfig).text ?? ''));
        return query(...args);
      };
    });
    const batch = new PostgresWriteBatch(pool);
    const look = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await look.connect();
    try {
      await pool.query('CREATE TABLE alone (name TEXT PRIMARY KEY)');
      sent.length = 0;
      // Alone: PostgreSQL runs it as a transaction of its own; in one, transaction_timestamp() is the BEGIN's time.
      const alone = await batch.statement<{ own: boolean }>({ text: "INSERT INTO alone VALUES ('one') RETURNING transaction_timestamp() = statement_timestamp() AS own" });
      expect(alone.rows[0]?.own).toBe(true);
      expect(sent).toEqual(["INSERT INTO alone VALUES ('one') RETURNING transaction_timestamp() = statement_timestamp() AS own"]);
      // Committed when it answers: another connection sees it.
      expect((await look.query("SELECT count(*)::int AS n FROM alone WHERE name = 'one'")).rows[0]).toEqual({ n: 1 });

      // Refused alone (a duplicate key): the caller is told, nothing is left open on the connection.
      await expect(batch.statement({ text: "INSERT INTO alone VALUES ('one')" })).rejects.toMatchObject({ code: '23505' });

      // Two in one turn: one transaction for both.
      sent.length = 0;
      await Promise.all([batch.statement({ text: "INSERT INTO alone VALUES ('two')" }, 'two'), batch.statement({ text: "INSERT INTO alone VALUES ('three')" }, 'three')]);
      expect(sent).toEqual(['BEGIN', "INSERT INTO alone VALUES ('two')", "INSERT INTO alone VALUES ('three')", 'COMMIT']);
      expect((await look.query<{ name: string }>('SELECT name FROM alone ORDER BY name')).rows.map((row) => row.name)).toEqual(['one', 'three', 'two']);
    } finally {
      await look.end();
      await batch.drained();
      await pool.end();
    }
  }, 60_000);

  it("keeps one key's writes in order within a batch: a close-out decided, then marked sent, in one turn", async () => {
    const requests = ledger.hubRequests();
    await requests.take({ companyId: '1', requestId: 'r-order', requestName: 'Sync Payments' });
    await Promise.all([requests.decide('1', 'r-order', { status: 'success', messages: ['exported'] }), requests.markSent('1', 'r-order', 'success')]);
    const row = await requests.get('1', 'r-order');
    expect(row?.closeOut).toEqual({ status: 'success', messages: ['exported'] });
    expect(row?.closeOutSentAt).toBeDefined();
  }, 60_000);

  it('takes one request twice and upserts one source twice in one turn: one fresh, one not, both the same row', async () => {
    const requests = ledger.hubRequests();
    const [first, second] = await Promise.all([
      requests.take({ companyId: '2', requestId: 'r-twice', requestName: 'Sync Payments', tenant: 'acme' }),
      requests.take({ companyId: '2', requestId: 'r-twice', requestName: 'Sync Payments', tenant: 'acme' }),
    ]);
    expect([first.fresh, second.fresh]).toEqual([true, false]);
    expect(second.row).toEqual(first.row);
    expect(first.row).toMatchObject({ companyId: '2', requestId: 'r-twice', tenant: 'acme' });

    const input = { tenant: 'twice', entity: 'payment', direction: 'export', sourceId: 'pay-1', record: { n: 1 } } as const;
    const [one, two] = await Promise.all([ledger.upsert(input, hub), ledger.upsert(input, hub)]);
    expect([one.created, two.created]).toEqual([true, false]);
    expect(two.item).toEqual(one.item);
    expect((await ledger.audit(one.item.id)).map((entry) => [entry.seq, entry.action])).toEqual([[1, 'created']]);
  }, 60_000);
});

describe('PostgreSQL reads by key, a turn at a time', () => {
  it('answers every get, getBySource, request get and openForItem of one turn as a read of its own would', async () => {
    const ids = await items('reads', 5, 'pay');
    const requests = ledger.hubRequests();
    for (const [index, id] of ids.entries()) {
      for (const part of ['a', 'b']) {
        await requests.take({ companyId: '3', requestId: `r-${index}-${part}`, requestName: 'Sync Payments' });
        await requests.linkItem('3', `r-${index}-${part}`, id);
      }
    }
    await requests.decide('3', 'r-0-a', { status: 'success', messages: [] });

    const asked = [...ids, 'no-such-item', ids[0] as string];
    const [got, bySource, rows, open] = await Promise.all([
      Promise.all(asked.map((id) => ledger.get(id))),
      Promise.all(['pay-1', 'pay-5', 'pay-404'].map((sourceId) => ledger.getBySource('reads', 'payment', 'export', sourceId))),
      Promise.all([requests.get('3', 'r-1-a'), requests.get('3', 'r-404'), requests.get('3', 'r-4-b')]),
      Promise.all(ids.map((id) => requests.openForItem(id))),
    ]);
    expect(got.map((item) => item?.id)).toEqual([...ids, undefined, ids[0]]);
    // Two callers of one key get equal items, not one shared object.
    expect(got.at(-1)).toEqual(got[0]);
    expect(got.at(-1)).not.toBe(got[0]);
    expect(bySource.map((item) => item?.id)).toEqual([ids[0], ids[4], undefined]);
    expect(rows.map((row) => row?.requestId)).toEqual(['r-1-a', undefined, 'r-4-b']);
    expect(rows[0]?.itemId).toBe(ids[1]);
    // r-0-a is decided (final): only r-0-b is open for the first item; the others have both, oldest first.
    expect(open.map((list) => list.map((row) => row.requestId))).toEqual(ids.map((_, index) => (index === 0 ? ['r-0-b'] : [`r-${index}-a`, `r-${index}-b`])));
  }, 60_000);
});
