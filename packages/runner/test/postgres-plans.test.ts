import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_BY_ID, ITEM_BY_SOURCE, PostgresLedger } from '../src/store/postgres-ledger.js';
import { OPEN_FOR_ITEM, REQUEST_BY_KEY } from '../src/store/postgres-hub-requests.js';
import { PipelinedReader } from '../src/store/postgres-read-batch.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';

/**
 * Issue 15: the prepared statements' plans on a new ledger. PostgreSQL keeps one generic plan per prepared statement
 * and connection, made from the statistics it has when it is made; a new ledger has none, and the plans made then
 * (sequential scans, the wrong index) stayed while the ledger grew: on the runner bench each payment read about
 * 1,900 rows more than it needed by the end of 2,000 payments.
 */
const actor = { kind: 'hub', id: 'hub' } as const;

function newItem(index: number) {
  return { tenant: 't', entity: 'payment', direction: 'export', sourceId: `p-${index}`, record: { id: `p-${index}` } } as const;
}

describe('PostgreSQL ledger: plans on a new ledger', () => {
  const schema = `ll_plans_${randomBytes(6).toString('hex')}`;
  let ledger: PostgresLedger;
  let client: pg.Client;
  beforeAll(async () => {
    ledger = await PostgresLedger.open({ url: POSTGRES_URL, schema });
    client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await ledger?.close();
    await dropSchema(schema);
  });

  /** The plan of `read`, prepared as `name` on the test's connection and explained for `params` (SQL literals). */
  async function genericPlan(name: string, read: string, params: string): Promise<string> {
    await client.query(`PREPARE ${name} AS ${read}`);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${name}(${params})`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it('reads of many items (by id, by source key) and ERP Requests (by key, by item) probe the key index per key in their generic plan, without statistics', async () => {
    for (let index = 0; index < 20; index++) await ledger.upsert(newItem(index), actor);
    await client.query('SET plan_cache_mode = force_generic_plan');
    const plans: string[] = [];
    for (const [name, read, params] of [
      ['by_id', ITEM_BY_ID.many.text, "'{a,b}'"],
      ['by_source', ITEM_BY_SOURCE.many.text, "'{t,t}', '{payment,payment}', '{export,export}', '{p-1,p-2}'"],
    ] as const) {
      plans.push(await genericPlan(name, read, params));
    }
    const [byId, bySource] = plans as [string, string];
    expect(byId).toMatch(/Index Scan using ledger_items_id_key on ledger_items/);
    expect(bySource).toMatch(/Index Scan using \w+ on ledger_items/);
    for (const plan of plans) expect(plan).not.toMatch(/Seq Scan on ledger_items|Hash Join/);
    // The ERP Requests read by key and by item, the same way.
    const requests = ledger.hubRequests();
    for (let index = 0; index < 20; index++) {
      await requests.take({ companyId: '1', requestId: `r-${index}`, requestName: 'payment' });
      await requests.linkItem('1', `r-${index}`, `item-${index}`);
    }
    for (const [name, read, params] of [
      ['requests', REQUEST_BY_KEY.many.text, "'{1,1}', '{r-1,r-2}'"],
      ['open', OPEN_FOR_ITEM.many.text, "'{item-1,item-2}'"],
    ] as const) {
      const plan = await genericPlan(name, read, params);
      expect(plan).toMatch(new RegExp(`Index Scan using ${name === 'open' ? 'hub_requests_item' : 'hub_requests_pkey'} on hub_requests`));
      expect(plan).not.toMatch(/Seq Scan on hub_requests|Hash Join|Bitmap/);
    }
    const open = await client.query<{ request_id: string }>({ text: OPEN_FOR_ITEM.many.text, values: [['item-3', 'item-1', 'none']] });
    expect(open.rows.map((row) => row.request_id)).toEqual(['r-1', 'r-3']);
    // The statements still answer what they are asked.
    const { rows } = await client.query<{ source_id: string }>({ text: ITEM_BY_SOURCE.many.text, values: [['t', 't'], ['payment', 'payment'], ['export', 'export'], ['p-1', 'p-9']] });
    expect(rows.map((row) => row.source_id).sort()).toEqual(['p-1', 'p-9']);
  });

  it("plans the reads by key once per connection (their generic plan), and gives the connection back planning as the pool's others do", async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, options: `-c search_path=${schema}` });
    try {
      const reader = new PipelinedReader(pool);
      // A custom plan (the keys' count known) looks cheaper to PostgreSQL than the generic one, so it planned the
      // many-keys reads again at every run: as much CPU as running them.
      const { rows } = await reader.query<{ plan_cache_mode: string }>({ text: 'SHOW plan_cache_mode' });
      expect(rows[0]?.plan_cache_mode).toBe('force_generic_plan');
      await reader.close();
      // Lists are planned with their parameters (a partial index is chosen by the state asked for).
      const back = await pool.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
      expect(back.rows[0]?.plan_cache_mode).toBe('auto');
    } finally {
      await pool.end();
    }
  });

  it('is analyzed once it has taken 1,000 writes, so the plans made later know its shape', async () => {
    const analyzed = async () =>
      (await client.query<{ at: Date | null }>('SELECT last_analyze AS at FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2', [schema, 'ledger_items'])).rows[0]?.at ?? null;
    expect(await analyzed()).toBeNull();
    // Upserts of one turn share a transaction; 1,000 writes in all (20 were written above).
    for (let first = 20; first < 1_020; first += 100) await Promise.all(Array.from({ length: 100 }, (_, offset) => ledger.upsert(newItem(first + offset), actor)));
    const deadline = Date.now() + 10_000;
    while ((await analyzed()) === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await analyzed()).not.toBeNull();
    const { rows } = await client.query<{ tuples: number }>("SELECT reltuples::int AS tuples FROM pg_class WHERE oid = 'ledger_items'::regclass");
    expect(rows[0]?.tuples).toBeGreaterThanOrEqual(1_000);
  }, 60_000);
});
