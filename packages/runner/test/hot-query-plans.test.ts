import { randomBytes } from 'node:crypto';
import type { LedgerPage } from '@ledgerlink/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteLedger, type SqliteLedger } from '../src/store/sqlite-ledger.js';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { fillSql, hotQueries } from './support/hot-query-fixtures.js';

/**
 * Issue 12 item 3: the hot queries (the flows' ledger lists, getBySource, getByTarget, the unprocessed webhook
 * deliveries, the unfinished ERP Requests) are answered by an index that returns their rows in the order asked for:
 * no sort and no table scan, so they cost the same at a million items (figures: bench/hot-queries.ts). The SQL is the
 * stores' own (src/store/hot-queries.ts). A small table suffices: a plan that needs a sort or a scan shows it at any
 * size; on PostgreSQL, sorts, sequential and bitmap scans are discouraged first, so the plan is the ordered index
 * path if one exists, and a Sort or Seq Scan node if none does.
 */
const url = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = 5_000;

/** Every id `list` returns, page after page. */
async function pageThrough(list: (cursor: string | undefined) => Promise<LedgerPage>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

describe('hot queries read an index in order (SQLite)', () => {
  let ledger: SqliteLedger;
  beforeAll(() => {
    ledger = openSqliteLedger({ path: ':memory:' });
    for (const sql of fillSql(ROWS, 'sqlite')) ledger.database.exec(sql);
    ledger.database.exec('ANALYZE');
  });
  afterAll(() => ledger.close());

  it('a list of several states (merged branches) pages through exactly the matching items, in seq order', async () => {
    const ids = await pageThrough((cursor) => ledger.list({ tenant: 't3', direction: 'import', state: ['pending', 'exporting', 'failed'], limit: 2, ...(cursor === undefined ? {} : { cursor }) }));
    const expected = ledger.database
      .prepare("SELECT id FROM ledger_items WHERE tenant = 't3' AND direction = 'import' AND state IN ('pending', 'exporting', 'failed') ORDER BY seq")
      .pluck()
      .all();
    expect(expected.length).toBeGreaterThan(2);
    expect(ids).toEqual(expected);
  });

  for (const query of hotQueries('sqlite')) {
    it(`${query.name}: ${query.index.split('|')[0]}, no sort`, () => {
      const plan = (ledger.database.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[]).map((row) => row.detail);
      expect(plan.join(' ; ')).toMatch(new RegExp(`USING (COVERING )?INDEX (${query.index})\\b`));
      expect(plan.filter((detail) => detail.includes('TEMP B-TREE'))).toEqual([]);
      // The query finds the fixture's rows: the plan is of a query that answers something.
      expect(ledger.database.prepare(query.sql).all(...query.params).length).toBeGreaterThan(0);
    });
  }
});

describe('hot queries read an index in order (PostgreSQL)', () => {
  const schema = `ll_h12_state_plans_${randomBytes(4).toString('hex')}`;
  let ledger: PostgresLedger;
  let client: pg.Client;
  beforeAll(async () => {
    ledger = await PostgresLedger.open({ url, schema });
    client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await client.connect();
    for (const sql of fillSql(ROWS, 'postgres')) await client.query(sql);
    await client.query('ANALYZE');
    await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
  }, 120_000);
  afterAll(async () => {
    await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client?.end();
    await ledger?.close();
  });

  it('a list of several states pages through exactly the matching items, in seq order', async () => {
    const ids = await pageThrough((cursor) => ledger.list({ tenant: 't3', direction: 'import', state: ['pending', 'exporting', 'failed'], limit: 2, ...(cursor === undefined ? {} : { cursor }) }));
    const { rows } = await client.query<{ id: string }>("SELECT id FROM ledger_items WHERE tenant = 't3' AND direction = 'import' AND state IN ('pending', 'exporting', 'failed') ORDER BY seq");
    expect(rows.length).toBeGreaterThan(2);
    expect(ids).toEqual(rows.map((row) => row.id));
  });

  for (const query of hotQueries('postgres')) {
    it(`${query.name}: ${query.index.split('|').pop() ?? ''}, no sort`, async () => {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.sql}`, query.params);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toMatch(new RegExp(`Index (Only )?Scan using (${query.index}) on`));
      expect(plan).not.toMatch(/\bSort\b|Seq Scan/);
      expect((await client.query(query.sql, query.params)).rows.length).toBeGreaterThan(0);
    });
  }
});
