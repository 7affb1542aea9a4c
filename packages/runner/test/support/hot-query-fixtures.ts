import { REQUEST_COLUMNS } from '../../src/store/hub-requests.js';
import { COUNTS_SQL, ITEM_BY_SOURCE_SQL, ITEM_BY_TARGET_SQL, listQuery, unfinishedRequestsSql, UNPROCESSED_EVENTS_OF_SQL, UNPROCESSED_EVENTS_SQL, type Dialect } from '../../src/store/hot-queries.js';

/** One hot query as the store runs it, with parameters that find rows in the fixture (`fillSql`). */
export interface HotQuery {
  name: string;
  sql: string;
  params: unknown[];
  /** The index that must answer it (alternatives separated by `|`: SQLite and PostgreSQL name a UNIQUE constraint's index differently). */
  index: string;
}

/** The store's hot queries (the SQL the stores run, from src/store/hot-queries.ts). */
export function hotQueries(dialect: Dialect): HotQuery[] {
  const list = (name: string, filter: Parameters<typeof listQuery>[0], index: string, columns?: string): HotQuery => {
    const { sql, params } = listQuery(filter, dialect, columns);
    return { name, sql, params, index };
  };
  return [
    list('list: a tenant\'s pending exports', { tenant: 't3', direction: 'export', state: 'pending', limit: 100 }, 'ledger_items_tenant_direction_state'),
    // The settle tick's look (Ledger.listIds): the same index, ids only.
    list('listIds: a tenant\'s pending exports', { tenant: 't3', direction: 'export', state: 'pending', limit: 500 }, 'ledger_items_tenant_direction_state', 'id, seq'),
    list('list: a tenant\'s exporting payments', { tenant: 't3', entity: 'payment', direction: 'export', state: 'exporting', limit: 100 }, 'ledger_items_tenant_direction_state'),
    list('list: a tenant\'s imports', { tenant: 't3', direction: 'import', limit: 100 }, 'ledger_items_tenant_direction'),
    // PostgreSQL 15 sorts the merged branches (see listQuery): checked on SQLite only.
    ...(dialect === 'sqlite'
      ? [list('list: a tenant\'s pending and exporting imports', { tenant: 't3', direction: 'import', state: ['pending', 'exporting'], limit: 100 }, 'ledger_items_tenant_direction_state')]
      : []),
    // An operator's list of the items that need them (`ledgerlink list --state failed`): the partial index of those
    // states alone (the payments that go through never enter it; migration 7 on PostgreSQL, 8 on SQLite).
    list('list: failed items, any tenant', { state: 'failed', limit: 100 }, 'ledger_items_attention'),
    list('list: items awaiting approval, any tenant', { state: 'awaiting_approval', limit: 100 }, 'ledger_items_attention'),
    list('list: a tenant\'s failed exports', { tenant: 't3', direction: 'export', state: 'failed', limit: 100 }, 'ledger_items_tenant_direction_state|ledger_items_attention'),
    // Synced items have no entry in (tenant, direction, state, seq), which holds the work left: a list of them reads
    // the tenant's items in order, nearly all of which match.
    list('list: a tenant\'s synced imports', { tenant: 't3', direction: 'import', state: 'synced', limit: 100 }, 'ledger_items_tenant_direction'),
    // Ledger.counts (metrics, GET /tenants) on SQLite: the work left and the items by tenant, each from a narrow index.
    ...(dialect === 'sqlite'
      ? [
          { name: 'counts: the work left by tenant and state', sql: COUNTS_SQL.workLeft, params: [], index: 'ledger_items_tenant_direction_state' },
          { name: 'counts: the items by tenant', sql: COUNTS_SQL.byTenant, params: [], index: 'ledger_items_tenant_direction' },
        ]
      : []),
    { name: 'getBySource', sql: ITEM_BY_SOURCE_SQL[dialect], params: ['t3', 'payment', 'export', 'src-43'], index: 'sqlite_autoindex_ledger_items_2|ledger_items_tenant_entity_direction_source_id_key' },
    { name: 'getByTarget', sql: ITEM_BY_TARGET_SQL[dialect], params: ['t3', 'payment', 'export', 'erp-43'], index: 'ledger_items_target' },
    { name: 'hub_events unprocessed', sql: UNPROCESSED_EVENTS_SQL[dialect], params: [500], index: 'hub_events_unprocessed' },
    {
      name: "hub_events unprocessed, one replica's companies",
      sql: UNPROCESSED_EVENTS_OF_SQL[dialect],
      params: dialect === 'sqlite' ? ['["c1","c2"]', '["c1","c2","c3"]', 500] : [['c1', 'c2'], ['c1', 'c2', 'c3'], 500],
      index: 'hub_events_unprocessed',
    },
    { name: 'hub_requests unfinished', sql: unfinishedRequestsSql(REQUEST_COLUMNS, dialect), params: [500], index: 'hub_requests_open' },
  ];
}

/**
 * SQL that fills ledger_items, hub_events and hub_requests with `rows` rows each: 10 tenants (t0..t9), entities
 * payment 5/7, vendor and requisition 1/7 each, imports 2/11; states: synced 90/97, the rest pending, exporting,
 * failed, awaiting_approval, blocked; 0.1 % of events unprocessed and of requests open. The moduli are coprime, so
 * every combination the hot queries ask for has rows even in a few thousand.
 */
export function fillSql(rows: number, dialect: Dialect): string[] {
  const series = dialect === 'sqlite' ? `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) SELECT i FROM n` : `SELECT i FROM generate_series(1, ${rows}) AS i`;
  const cat = dialect === 'sqlite' ? (a: string, b: string) => `${a} || (${b})` : (a: string, b: string) => `${a} || (${b})::text`;
  const state = `CASE WHEN i % 97 < 2 THEN 'pending' WHEN i % 97 = 2 THEN 'exporting' WHEN i % 97 < 5 THEN 'failed' WHEN i % 97 = 5 THEN 'awaiting_approval' WHEN i % 97 = 6 THEN 'blocked' ELSE 'synced' END`;
  const stamp = dialect === 'sqlite' ? `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds')` : `to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return [
    `INSERT INTO ledger_items (id, tenant, entity, direction, source_id, state, record, target_id, revision, attempts, idempotency_key, search_text, created_at, updated_at)
     SELECT ${cat("'it-'", 'i')}, ${cat("'t'", 'i % 10')},
       CASE WHEN i % 7 < 5 THEN 'payment' WHEN i % 7 = 5 THEN 'vendor' ELSE 'requisition' END,
       CASE WHEN i % 11 < 2 THEN 'import' ELSE 'export' END,
       ${cat("'src-'", 'i')}, ${state}, '{}', CASE WHEN i % 97 > 6 THEN ${cat("'erp-'", 'i')} END, 1, 0, ${cat("'key-'", 'i')}, ${cat("'vendor '", 'i')}, ${stamp}, ${stamp}
     FROM (${series}) AS s`,
    `INSERT INTO hub_events (event_id, company_id, resource_name, event_type, resource_id, occurred_at, received_at, processed_at)
     SELECT ${cat("'ev-'", 'i')}, '1', 'ERP Requests', 'create', ${cat("'r-'", 'i')}, ${stamp}, ${stamp}, CASE WHEN i % 1000 = 0 THEN NULL ELSE ${stamp} END FROM (${series}) AS s`,
    `INSERT INTO hub_requests (company_id, request_id, request_name, tenant, item_id, close_status, close_sent_at, received_at, updated_at)
     SELECT '1', ${cat("'r-'", 'i')}, 'payment', 't1', ${cat("'it-'", 'i')}, CASE WHEN i % 1000 = 0 THEN NULL ELSE 'success' END, CASE WHEN i % 1000 = 0 THEN NULL ELSE ${stamp} END, ${stamp}, ${stamp}
     FROM (${series}) AS s`,
  ];
}
