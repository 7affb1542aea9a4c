/**
 * The store's hot queries at a million ledger items (issue 12 item 3): fills a SQLite file and a PostgreSQL schema
 * with HOT_ROWS items (default 1 000 000; 10 tenants, 7 % of items not synced), as many hub_events (0.1 %
 * unprocessed) and hub_requests (0.1 % open): test/support/hot-query-fixtures.ts, then prints each hot query's plan and its time (best of 5), and the
 * time of the old readiness query (`counts()`) next to `SELECT 1`.
 * Run: npx tsx --conditions=source bench/hot-queries.ts (PostgreSQL at LEDGERLINK_TEST_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test, schema ll_hot_bench, dropped at the end).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { hotQueries, fillSql } from '../test/support/hot-query-fixtures.js';

const rows = Number(process.env.HOT_ROWS ?? 1_000_000);
const url = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function best(run: () => Promise<unknown> | unknown): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

const dir = mkdtempSync(join(tmpdir(), 'll-hot-'));
const sqlite = openSqliteLedger({ path: join(dir, 'ledger.db') });
const db = sqlite.database;
let started = performance.now();
for (const sql of fillSql(rows, 'sqlite')) db.exec(sql);
db.exec('ANALYZE');
console.log(`SQLite: ${rows} rows per table filled in ${Math.round(performance.now() - started)} ms`);
for (const query of hotQueries('sqlite')) {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[];
  const ms = await best(() => db.prepare(query.sql).all(...query.params));
  console.log(`  ${query.name}: ${ms.toFixed(3)} ms  | ${plan.map((row) => row.detail).join(' ; ')}`);
}
console.log(`  readiness before (counts()): ${(await best(() => sqlite.counts())).toFixed(1)} ms; now (SELECT 1): ${(await best(() => db.prepare('SELECT 1').get())).toFixed(3)} ms`);
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

const schema = 'll_hot_bench';
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
const ledger = await PostgresLedger.open({ url, schema });
const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
await client.connect();
started = performance.now();
for (const sql of fillSql(rows, 'postgres')) await client.query(sql);
await client.query('ANALYZE');
console.log(`PostgreSQL: ${rows} rows per table filled in ${Math.round(performance.now() - started)} ms`);
for (const query of hotQueries('postgres')) {
  const { rows: plan } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.sql}`, query.params);
  const ms = await best(() => client.query(query.sql, query.params));
  console.log(`  ${query.name}: ${ms.toFixed(3)} ms  | ${plan.map((row) => row['QUERY PLAN'].trim()).join(' ; ')}`);
}
console.log(`  readiness before (counts()): ${(await best(() => ledger.counts())).toFixed(1)} ms; now (SELECT 1): ${(await best(() => ledger.ping())).toFixed(3)} ms`);
await client.end();
await ledger.close();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await admin.end();
