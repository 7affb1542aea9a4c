import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ErrorCodes, isLedgerlinkError, type Actor, type Ledger, type LedgerFence } from '@ledgerlink/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteEventInbox } from '../src/store/event-inbox.js';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { sqliteWriteBatch, type LogSync } from '../src/store/sqlite-write-batch.js';
import { PostgresTenantLeases, SqliteTenantLeases, type TenantLeases } from '../src/store/tenant-leases.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';
import { tempDir } from './support/runner-harness.js';

/**
 * Group commit (issue 15): the writes asked for in one turn of the event loop share one transaction, each in its own
 * savepoint. N concurrent `beginAttempt`s commit together; one refused for its state and one for a stale fence are
 * rolled back alone; and a process killed mid-batch leaves every item either fully begun or untouched.
 */
const repo = resolve(import.meta.dirname, '../../..');
const url = POSTGRES_URL;
const schema = `h15_store_batch_${randomBytes(4).toString('hex')}`;
const hub: Actor = { kind: 'hub', id: 'webhook' };
const runner: Actor = { kind: 'system', id: 'runner' };
const dir = tempDir('ll-batch-');
const N = 12;

afterAll(async () => {
  dir.cleanup();
  await dropSchema(schema);
});

/** N pending items of tenant `acme`, one of them moved to `blocked` (a wrong state for an attempt), and one of tenant `other`. */
async function seed(ledger: Ledger): Promise<{ ids: string[]; blocked: string; fenced: string }> {
  const ids: string[] = [];
  for (let n = 1; n <= N; n += 1) {
    const { item } = await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: `pay-${n}`, record: { n } }, hub);
    ids.push(item.id);
  }
  const blocked = ids[3] as string;
  await ledger.transition(blocked, { from: ['pending'], to: 'blocked', action: 'blocked', blockedReason: 'its invoice is not in the ERP' }, runner);
  const { item } = await ledger.upsert({ tenant: 'other', entity: 'payment', direction: 'export', sourceId: 'pay-x', record: {} }, hub);
  return { ids, blocked, fenced: item.id };
}

/**
 * Begins every item at once (one turn: one batch), fenced at each tenant's lease epoch, the `other` tenant's at a
 * stale one; checks the refusals and that everything else committed with its audit trail.
 */
async function beginAllAtOnce(ledger: Ledger, leases: TenantLeases): Promise<void> {
  const { ids, blocked, fenced } = await seed(ledger);
  const [acme] = await leases.claim('replica-a', ['acme'], 1, 60_000);
  const [other] = await leases.claim('replica-a', ['other'], 1, 60_000);
  if (acme === undefined || other === undefined) throw new Error('the test could not claim its leases');
  const fenceOf = (id: string): LedgerFence => (id === fenced ? { epoch: other.epoch - 1 } : { epoch: acme.epoch });
  const all = [...ids, fenced];
  const results = await Promise.allSettled(all.map((id) => ledger.beginAttempt(id, runner, fenceOf(id))));

  const refusals = results.flatMap((result, index) => (result.status === 'rejected' ? [{ id: all[index], error: result.reason as unknown }] : []));
  expect(refusals.map((refusal) => refusal.id).sort()).toEqual([blocked, fenced].sort());
  const codeOf = (id: string) => {
    const error = refusals.find((refusal) => refusal.id === id)?.error;
    return isLedgerlinkError(error) ? error.code : String(error);
  };
  expect(codeOf(blocked)).toBe(ErrorCodes.LEDGER_TRANSITION);
  expect(codeOf(fenced)).toBe(ErrorCodes.LEASE_LOST);
  for (const id of ids.filter((id) => id !== blocked)) {
    expect(await ledger.get(id)).toMatchObject({ state: 'exporting', attempts: 1 });
    expect((await ledger.attempts(id)).map((attempt) => attempt.number)).toEqual([1]);
    expect((await ledger.audit(id)).map((entry) => [entry.seq, entry.action])).toEqual([
      [1, 'created'],
      [2, 'attempt'],
    ]);
  }
  // The refused ones: nothing written.
  expect(await ledger.get(blocked)).toMatchObject({ state: 'blocked', attempts: 0 });
  expect(await ledger.get(fenced)).toMatchObject({ state: 'pending', attempts: 0 });
  expect(await ledger.attempts(fenced)).toEqual([]);
  expect((await ledger.audit(fenced)).map((entry) => entry.action)).toEqual(['created']);

  // The second round completes them together; the numbering goes on without a lookup and stays dense.
  const begun = ids.filter((id) => id !== blocked);
  await Promise.all(begun.map((id) => ledger.completeAttempt(id, 1, { kind: 'accepted' }, runner, { epoch: acme.epoch })));
  for (const id of begun) expect((await ledger.audit(id)).map((entry) => entry.seq)).toEqual([1, 2, 3]);
}

describe('group commit on SQLite', () => {
  it('begins N items in one transaction; one refused for its state and one for a stale fence roll back alone', async () => {
    const ledger = openSqliteLedger({ path: join(dir.dir, 'batch.db') });
    const batch = sqliteWriteBatch(ledger.database);
    await seed(ledger);
    const before = batch.stats;
    const ids = (await ledger.list({ tenant: 'acme', state: 'pending' })).items.map((item) => item.id);
    await Promise.all(ids.map((id) => ledger.beginAttempt(id, runner)));
    expect(batch.stats.batches - before.batches).toBe(1);
    expect(batch.stats.writes - before.writes).toBe(ids.length);
    // No write refused: the batch ran once, without a savepoint per write.
    expect(batch.stats.retried - before.retried).toBe(0);
    await ledger.close();

    const fresh = openSqliteLedger({ path: join(dir.dir, 'batch-2.db') });
    const freshBatch = sqliteWriteBatch(fresh.database);
    const leases = new SqliteTenantLeases(fresh.database);
    const retriedBefore = freshBatch.stats.retried;
    await beginAllAtOnce(fresh, leases);
    // The two refusals rolled the first run back; the batch ran again write by write.
    expect(freshBatch.stats.retried - retriedBefore).toBeGreaterThanOrEqual(1);
    await fresh.close();
  });

  it('answers each inbox delivery of a burst from one commit, a repeated one as not fresh', async () => {
    const ledger = openSqliteLedger({ path: join(dir.dir, 'inbox.db') });
    const inbox = new SqliteEventInbox(ledger.database);
    const batch = sqliteWriteBatch(ledger.database);
    const event = (n: number) => ({ eventId: `ev-${n % 5}`, companyId: '1', resourceName: 'ERP Requests', eventType: 'create', resourceId: String(n), occurredAt: new Date(0).toISOString() });
    const before = batch.stats;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => inbox.record(event(n))));
    expect(batch.stats.batches - before.batches).toBe(1);
    expect(answers.filter((answer) => answer.fresh)).toHaveLength(5);
    expect(await inbox.unprocessed()).toHaveLength(5);
    await ledger.close();
  });

  it('a process killed mid-batch leaves every item either fully begun or untouched', async () => {
    const path = join(dir.dir, 'crash.db');
    const ledger = openSqliteLedger({ path });
    const ids: string[] = [];
    for (let n = 1; n <= 60; n += 1) ids.push((await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: `pay-${n}`, record: { n } }, hub)).item.id);
    await ledger.close();

    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(repo, 'packages/runner/test/support/batch-crash-child.ts'), path, ids.join(',')], {
      cwd: repo,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(repo, 'packages/runner/tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolveExit) => child.once('exit', (_code, signal) => resolveExit(signal)));
    // A few rounds committed, then SIGKILL at an arbitrary moment: most of a round is inside its transaction.
    await new Promise<void>((resolveRounds, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (/round 3\b/.test(chunk.toString())) resolveRounds();
      });
      child.once('exit', () => reject(new Error(`the child exited before 3 rounds: ${output}`)));
    });
    await new Promise((resolveWait) => setTimeout(resolveWait, 5 + Math.floor(Math.random() * 40)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const after = openSqliteLedger({ path });
    const attempts = new Set<number>();
    for (const id of ids) {
      const item = await after.get(id);
      const rows = await after.attempts(id);
      const audited = (await after.audit(id)).filter((entry) => entry.action === 'attempt');
      // Each item on its own is whole: its count, its attempt rows and its audit agree.
      expect(rows.map((row) => row.number)).toEqual(Array.from({ length: item?.attempts ?? -1 }, (_, index) => index + 1));
      expect(audited).toHaveLength(item?.attempts ?? -1);
      expect(item?.state).toBe((item?.attempts ?? 0) > 0 ? 'exporting' : 'pending');
      attempts.add(item?.attempts ?? -1);
    }
    // And every round was all or nothing: all items went through the same number of rounds.
    expect([...attempts]).toHaveLength(1);
    expect([...attempts][0]).toBeGreaterThanOrEqual(3);
    await after.close();
  }, 120_000);
});

describe('durability without blocking the event loop (SQLite FULL: the log synced off the loop)', () => {
  /** A log sync the test finishes by hand: how many began, and a way to end the oldest (or fail it). */
  function heldSyncs(): { began: number; finish(error?: Error): void; sync: LogSync } {
    const pending: ((error?: Error | null) => void)[] = [];
    const held = {
      began: 0,
      finish(error?: Error) {
        const done = pending.shift();
        if (done === undefined) throw new Error('no log sync is running');
        done(error ?? null);
      },
      sync: (done: (error?: Error | null) => void) => {
        held.began += 1;
        pending.push(done);
      },
    };
    return held;
  }
  const settledYet = async (promise: Promise<unknown>): Promise<boolean> => {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
    return settled;
  };

  it('opens a durable ledger at synchronous NORMAL with its log synced by the batch, and NORMAL without', async () => {
    const full = openSqliteLedger({ path: join(dir.dir, 'full.db') });
    const normal = openSqliteLedger({ path: join(dir.dir, 'normal.db'), synchronous: 'NORMAL' });
    for (const ledger of [full, normal]) await ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-1', record: {} }, hub);
    expect(full.database.pragma('synchronous', { simple: true })).toBe(1);
    expect(sqliteWriteBatch(full.database).stats.syncs).toBeGreaterThan(0);
    expect(sqliteWriteBatch(normal.database).stats.syncs).toBe(0);
    await full.close();
    await normal.close();
    const again = openSqliteLedger({ path: join(dir.dir, 'full.db') });
    expect(await again.getBySource('acme', 'payment', 'export', 'pay-1')).toMatchObject({ state: 'pending' });
    await again.close();
  });

  it('acknowledges a write only after a log sync that began after its commit; writes made meanwhile share the next commit and sync', async () => {
    const ledger = openSqliteLedger({ path: join(dir.dir, 'held.db'), synchronous: 'NORMAL' });
    const batch = sqliteWriteBatch(ledger.database);
    const syncs = heldSyncs();
    batch.syncLogWith(syncs.sync);
    const first = ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-1', record: {} }, hub);
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
    // Committed (a reader sees it), not acknowledged: its sync is running.
    expect(syncs.began).toBe(1);
    expect(await ledger.getBySource('acme', 'payment', 'export', 'pay-1')).toBeDefined();
    expect(await settledYet(first)).toBe(false);

    // Written while the sync runs: held for the commit after it, all three in one batch.
    const later = [2, 3, 4].map((n) => ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: `pay-${n}`, record: {} }, hub));
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
    expect(await ledger.getBySource('acme', 'payment', 'export', 'pay-2')).toBeUndefined();
    const batchesBefore = batch.stats.batches;
    syncs.finish();
    expect((await first).created).toBe(true);
    expect(batch.stats.batches).toBe(batchesBefore + 1);
    expect(syncs.began).toBe(2);
    expect(await settledYet(Promise.all(later))).toBe(false);
    syncs.finish();
    expect((await Promise.all(later)).map((result) => result.created)).toEqual([true, true, true]);
    await ledger.close();
  });

  it('a failed log sync rejects the writes waiting on it with what to do, and the ledger refuses every later write', async () => {
    const ledger = openSqliteLedger({ path: join(dir.dir, 'failing.db'), synchronous: 'NORMAL' });
    const syncs = heldSyncs();
    sqliteWriteBatch(ledger.database).syncLogWith(syncs.sync);
    const waiting = ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-1', record: {} }, hub);
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
    syncs.finish(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(waiting).rejects.toThrow(/could not be made durable \(EIO: i\/o error, fdatasync\).*refuses further writes.*restart the runner/);
    await expect(ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-2', record: {} }, hub)).rejects.toThrow(/could not be made durable/);
    expect(await ledger.getBySource('acme', 'payment', 'export', 'pay-2')).toBeUndefined();
    expect(syncs.began).toBe(1);
    await ledger.close();
  });
});

describe('the commit interval (SQLite): a busy ledger commits at most once per interval, a quiet one at once', () => {
  const payment = (n: number) => ({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: `pay-${n}`, record: { n } }) as const;
  const sleep = (ms: number) => new Promise((resolveLater) => setTimeout(resolveLater, ms));

  it('after a busy commit (eight writes or more), the writes of the next interval wait for its end and share one commit', async () => {
    // NORMAL: no log sync, so the commits' timing is the interval's alone.
    const ledger = openSqliteLedger({ path: join(dir.dir, 'interval-busy.db'), synchronous: 'NORMAL', commitIntervalMs: 300 });
    const batch = sqliteWriteBatch(ledger.database);
    expect(batch.commitIntervalMs).toBe(300);
    // A commit of eight writes: the ledger is busy.
    await Promise.all(Array.from({ length: 8 }, (_, n) => ledger.upsert(payment(100 + n), hub)));
    const busySince = performance.now();
    const before = batch.stats.batches;
    const third = ledger.upsert(payment(3), hub);
    await sleep(30);
    const fourth = ledger.upsert(payment(4), hub);
    await sleep(30);
    // Without the interval, each would have been committed at the end of its own turn.
    expect(await ledger.getBySource('acme', 'payment', 'export', 'pay-3')).toBeUndefined();
    expect(batch.stats.batches).toBe(before);
    await Promise.all([third, fourth]);
    expect(performance.now() - busySince).toBeGreaterThanOrEqual(250);
    expect(batch.stats.batches).toBe(before + 1);
    expect(await ledger.getBySource('acme', 'payment', 'export', 'pay-4')).toMatchObject({ state: 'pending' });
    await ledger.close();
  });

  it('a quiet ledger is not delayed: writes a few at a time commit each at the end of their turn', async () => {
    const ledger = openSqliteLedger({ path: join(dir.dir, 'interval-quiet.db'), synchronous: 'NORMAL', commitIntervalMs: 10_000 });
    const batch = sqliteWriteBatch(ledger.database);
    const started = performance.now();
    for (let n = 1; n <= 20; n += 1) await Promise.all([ledger.upsert(payment(n), hub), ledger.upsert(payment(100 + n), hub)]);
    // Twenty intervals would be 200 s; each commit held two writes, below the busy mark, so none waited.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(batch.stats.batches).toBeGreaterThanOrEqual(20);
    await ledger.close();
  });

  it('closing commits a write waiting for the interval at once, and it is on disk', async () => {
    const path = join(dir.dir, 'interval-close.db');
    const ledger = openSqliteLedger({ path, commitIntervalMs: 10_000 });
    await Promise.all(Array.from({ length: 8 }, (_, n) => ledger.upsert(payment(100 + n), hub)));
    const waiting = ledger.upsert(payment(3), hub);
    await sleep(20);
    expect(await ledger.getBySource('acme', 'payment', 'export', 'pay-3')).toBeUndefined();
    const started = performance.now();
    await ledger.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await waiting).created).toBe(true);
    const again = openSqliteLedger({ path });
    expect(await again.getBySource('acme', 'payment', 'export', 'pay-3')).toMatchObject({ state: 'pending' });
    await again.close();
  });

  it('defaults to 4 ms, takes 0 for a commit per turn, and refuses a negative interval', () => {
    const ledger = openSqliteLedger({ path: ':memory:' });
    expect(sqliteWriteBatch(ledger.database).commitIntervalMs).toBe(4);
    sqliteWriteBatch(ledger.database).commitEvery(0);
    expect(sqliteWriteBatch(ledger.database).commitIntervalMs).toBe(0);
    expect(() => sqliteWriteBatch(ledger.database).commitEvery(-1)).toThrow(/commit interval must be a number of milliseconds from 0, got -1/);
    void ledger.close();
  });
});

describe('group commit on PostgreSQL', () => {
  it('begins N items in one transaction; one refused for its state and one for a stale fence roll back alone', async () => {
    const ledger = await PostgresLedger.open({ url, schema });
    const leases = new PostgresTenantLeases({ url, schema, queryTimeoutMs: 10_000 });
    try {
      await beginAllAtOnce(ledger, leases);
      // One transaction for N items.
      const ids = (await ledger.list({ tenant: 'acme', state: 'exporting' })).items.map((item) => item.id);
      const before = ledger.groupCommitStats;
      await Promise.all(ids.map((id) => ledger.beginAttempt(id, runner)));
      expect(ledger.groupCommitStats.batches - before.batches).toBe(1);
      expect(ledger.groupCommitStats.writes - before.writes).toBe(ids.length);
    } finally {
      await leases.close();
      await ledger.close();
    }
  }, 60_000);
});
