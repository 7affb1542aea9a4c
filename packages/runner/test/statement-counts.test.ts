import BetterSqlite3 from 'better-sqlite3';
import { ErrorCodes, isLedgerlinkError, Outcomes } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_COMPANY, startApiStack, type ApiStack } from './api-harness.js';
import { openSqliteLedger, type SqliteLedger } from '../src/store/sqlite-ledger.js';
import { SqliteTenantLeases } from '../src/store/tenant-leases.js';
import { eventually, tempDir } from './support/runner-harness.js';

/**
 * Statements per exported payment on the SQLite ledger (issue 15: every statement is runner CPU, and on PostgreSQL
 * server CPU too). better-sqlite3's own statements are counted as they run, by their SQL, per connection: nothing of
 * the runner is replaced, the counts are of what it really ran on its real file. A change that adds a read to a
 * payment's path fails here; one that saves some lowers the figures below.
 */

type Counts = Map<string, number>;
const counted = new WeakMap<BetterSqlite3.Database, Counts>();
function countsOf(db: BetterSqlite3.Database): Counts {
  let counts = counted.get(db);
  if (counts === undefined) counted.set(db, (counts = new Map()));
  return counts;
}

const prepare = BetterSqlite3.prototype.prepare;
// Every statement prepared from here on counts its runs (run, get, all, iterate) under its SQL, on its connection.
BetterSqlite3.prototype.prepare = function (this: BetterSqlite3.Database, sql: string) {
  const statement = prepare.call(this, sql) as BetterSqlite3.Statement;
  const counts = countsOf(this);
  const key = sql.replace(/\s+/g, ' ').trim();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method] as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return original.apply(this, args);
    };
  }
  return statement;
} as typeof BetterSqlite3.prototype.prepare;

function matching(counts: Counts, start: string): number {
  let total = 0;
  for (const [sql, count] of counts) if (sql.startsWith(start)) total += count;
  return total;
}

function total(counts: Counts): number {
  return [...counts.values()].reduce((sum, count) => sum + count, 0);
}

describe('statements per exported payment (hub request -> SQLite ledger -> ERP -> close-out)', () => {
  let stack: ApiStack;
  let db: BetterSqlite3.Database;
  /** A connection of the test's own to the same file: its polling is not counted as the runner's. */
  let look: BetterSqlite3.Database;

  beforeAll(async () => {
    // No settle tick (its listing of pending items would read some of them again) and no hub poll or close-out pass.
    stack = await startApiStack({ runnerConfig: { runner: { settleMs: 600_000, recoveryMs: 600_000 } } });
    await stack.connectHooks();
    db = (stack.runner.ledger as SqliteLedger).database;
    look = new BetterSqlite3(db.name, { readonly: true });
  }, 60_000);
  afterAll(async () => {
    look?.close();
    await stack?.close();
  });

  /** Funds one payment and waits until its close-out is recorded as sent (the last write of its path). */
  async function onePayment(): Promise<void> {
    const paid = stack.hubPayment();
    const { request } = stack.hub.fundPayment(paid.contractPaymentId);
    const sent = look.prepare<[string, string], { close_status: string | null; close_sent_at: string | null }>(
      'SELECT close_status, close_sent_at FROM hub_requests WHERE company_id = ? AND request_id = ?',
    );
    await eventually(`payment ${paid.contractPaymentId} exported and closed out`, () => {
      const row = sent.get(String(HUB_COMPANY), String(request.id));
      return row?.close_sent_at === null || row?.close_sent_at === undefined ? undefined : row;
    });
    expect(sent.get(String(HUB_COMPANY), String(request.id))?.close_status).toBe('success');
  }

  it('one payment, start to close-out: each read of its path made once', async () => {
    // The first payment prepares the statements and takes the tokens: not counted.
    await onePayment();
    // Writes that finish after the close-out (none expected) would land in the next window: let them.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const payments = 4;
    countsOf(db).clear();
    for (let i = 0; i < payments; i += 1) {
      await onePayment();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const counts = countsOf(db);
    const per = (start: string) => matching(counts, start) / payments;
    // The item by id, and the item with its attempt: never read from the file on a payment's path. The link's look at
    // the item, the begin of its attempt and its end find the item as the ledger's last write left it (RecentItems),
    // once `PRAGMA data_version` said no other connection committed since: one look outside a transaction (the link's),
    // one per group-commit transaction (here each write has one of its own: one payment at a time).
    expect(per('SELECT * FROM ledger_items WHERE id = ?')).toBe(0);
    expect(per('SELECT item.*, attempt.number AS attempt_number')).toBe(0);
    expect(per('SELECT * FROM ledger_attempts WHERE item_id = ? AND number = ?')).toBe(0);
    expect(per('PRAGMA data_version')).toBe(3);
    // By source: the intake's look for a known record; a new item is inserted without a second look.
    expect(per('SELECT * FROM ledger_items WHERE tenant = ? AND entity = ? AND direction = ? AND source_id = ?')).toBe(1);
    // The requests waiting on the item: listed once, when it has a close-out to give (synced), not while pending.
    expect(per('SELECT company_id, request_id, request_name, detail_id, tenant, item_id, close_status, close_messages, close_sent_at, received_at FROM hub_requests WHERE item_id = ?')).toBe(1);
    // A request taken on comes back from its insert: no read by key.
    expect(per('SELECT company_id, request_id, request_name, detail_id, tenant, item_id, close_status, close_messages, close_sent_at, received_at FROM hub_requests WHERE company_id = ? AND request_id = ?')).toBe(0);
    // One payment at a time: its begin and its end are in transactions of their own, a fence read each.
    expect(per('SELECT epoch FROM tenant_leases WHERE tenant = ? AND holder IS NOT NULL')).toBe(2);
    // The close-out follows from the synced item: recorded with the time it was sent, in one update, not decided
    // first (issue 15).
    expect(per('UPDATE hub_requests SET close_status = ?, close_messages = ?, close_sent_at = NULL')).toBe(0);
    expect(per('UPDATE hub_requests SET close_status = ?, close_messages = ?, close_sent_at = ?')).toBe(1);
    // All of it, but the inbox sweep's listing (a timer's, once a second, not the payment's): 23 before issue 15's
    // last two changes, 21 after them; still 21, but 3 of them are now `PRAGMA data_version` (no table read) in
    // place of 3 reads of the item's row and its JSON.
    expect((total(counts) - matching(counts, 'SELECT event_id')) / payments).toBe(21);
  }, 60_000);
});

describe('the SQLite fence reads the lease once per tenant per group-commit transaction', () => {
  it('writes of one turn share one read; the next transaction reads it again, and a lease lost in between is seen', async () => {
    const { dir, cleanup } = tempDir('ll-fence-count-');
    const ledger = openSqliteLedger({ path: `${dir}/ledger.db` });
    try {
      const leases = new SqliteTenantLeases(ledger.database);
      const actor = { kind: 'system', id: 'test' } as const;
      const items = await Promise.all(
        Array.from({ length: 5 }, (_, i) => ledger.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: `fence-${i}`, record: { id: `fence-${i}` } }, actor)),
      );
      const [lease] = await leases.claim('replica-a', ['acme'], 1, 60_000);
      const fence = { epoch: lease?.epoch ?? -1 };
      const counts = countsOf(ledger.database);
      const fenceReads = () => matching(counts, 'SELECT epoch FROM tenant_leases WHERE tenant = ? AND holder IS NOT NULL');
      const before = fenceReads();
      // Five fenced writes in one turn: one transaction, one read of the lease.
      await Promise.all(items.map(({ item }) => ledger.beginAttempt(item.id, actor, fence)));
      expect(fenceReads() - before).toBe(1);
      // The next transaction reads it again: the lease was released in between, and the fence refuses.
      await leases.release('replica-a', 'acme', fence.epoch);
      const refused = await Promise.allSettled(items.map(({ item }, i) => ledger.completeAttempt(item.id, 1, Outcomes.synced(`erp-${i}`), actor, fence)));
      expect(refused.map((result) => (result.status === 'rejected' && isLedgerlinkError(result.reason) ? result.reason.code : result.status))).toEqual(
        Array.from({ length: 5 }, () => ErrorCodes.LEASE_LOST),
      );
      // The batch's first run (refused at its first write, rolled back) and its rerun write by write: a read each.
      expect(fenceReads() - before).toBe(1 + 2);
      for (const { item } of items) expect(await ledger.get(item.id)).toMatchObject({ state: 'exporting', attempts: 1 });
    } finally {
      await ledger.close();
      cleanup();
    }
  });
});
