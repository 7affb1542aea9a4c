import { decodeLedgerCursor, ledgerFilterStates, ledgerFilterText, ledgerPageSize, type LedgerFilter, type LedgerState } from '@ledgerlink/core';

/**
 * The store's hot queries, as both stores run them and as the plan checks EXPLAIN them (test/hot-query-plans.test.ts,
 * bench/hot-queries.ts): each is answered from an index that hands its rows over in the order asked for, so none
 * sorts or scans at a million items. Change one here and the checks see the change.
 */
export type Dialect = 'sqlite' | 'postgres';

/** A ledger item by its source record: the UNIQUE (tenant, entity, direction, source_id) index. */
export const ITEM_BY_SOURCE_SQL = {
  sqlite: 'SELECT * FROM ledger_items WHERE tenant = ? AND entity = ? AND direction = ? AND source_id = ?',
  postgres: 'SELECT * FROM ledger_items WHERE tenant = $1 AND entity = $2 AND direction = $3 AND source_id = $4',
} as const;

/** The first ledger item with an ERP id: ledger_items_target (tenant, entity, direction, target_id, seq). */
export const ITEM_BY_TARGET_SQL = {
  sqlite: 'SELECT * FROM ledger_items WHERE tenant = ? AND entity = ? AND direction = ? AND target_id = ? ORDER BY seq LIMIT 1',
  postgres: 'SELECT * FROM ledger_items WHERE tenant = $1 AND entity = $2 AND direction = $3 AND target_id = $4 ORDER BY seq LIMIT 1',
} as const;

/** Webhook deliveries not acted on yet, oldest first: the partial index hub_events_unprocessed. */
export const UNPROCESSED_EVENTS_SQL = {
  sqlite: 'SELECT event_id, company_id, resource_name, event_type, resource_id, occurred_at FROM hub_events WHERE processed_at IS NULL ORDER BY received_at LIMIT ?',
  postgres: 'SELECT event_id, company_id, resource_name, event_type, resource_id, occurred_at FROM hub_events WHERE processed_at IS NULL ORDER BY received_at LIMIT $1',
} as const;

/**
 * The same, for one replica's sweep: the deliveries of the hub companies it holds a tenant of, and of companies no
 * tenant is connected to (any replica answers those). The oldest 500 of every company would be a backlog another
 * replica holds, and this one would never reach its own. Parameters: held companies, configured companies (JSON
 * arrays in SQLite, text arrays in PostgreSQL), limit.
 */
export const UNPROCESSED_EVENTS_OF_SQL = {
  sqlite:
    'SELECT event_id, company_id, resource_name, event_type, resource_id, occurred_at FROM hub_events WHERE processed_at IS NULL ' +
    'AND (company_id IN (SELECT value FROM json_each(?)) OR company_id NOT IN (SELECT value FROM json_each(?))) ORDER BY received_at LIMIT ?',
  postgres:
    'SELECT event_id, company_id, resource_name, event_type, resource_id, occurred_at FROM hub_events WHERE processed_at IS NULL ' +
    'AND (company_id = ANY($1::text[]) OR NOT (company_id = ANY($2::text[]))) ORDER BY received_at LIMIT $3',
} as const;

/**
 * The predicates of SQLite's partial state indexes (migration 8), word for word: a query answered by one repeats it,
 * since SQLite chooses its plan before it sees the bound state. ledger_items_attention holds the states an operator
 * looks for; ledger_items_tenant_direction_state the work left (every state but synced).
 */
const ATTENTION_STATES: readonly string[] = ['awaiting_approval', 'blocked', 'failed'];
export const ATTENTION_STATES_WHERE = `state IN (${ATTENTION_STATES.map((state) => `'${state}'`).join(', ')})`;
export const WORK_LEFT_WHERE = "state <> 'synced'";

/**
 * `Ledger.counts` on SQLite from two index scans, now that no index has the state of every item (migration 8): the
 * work left by tenant, direction and state from ledger_items_tenant_direction_state (every state but synced, in that
 * order: no sort), and the items by tenant from ledger_items_tenant_direction. Synced is the rest (countsByState).
 * A GROUP BY tenant, state would read every row of the table, its record's JSON with it, at every metrics scrape.
 */
export const COUNTS_SQL = {
  workLeft: `SELECT tenant, state, count(*) AS count FROM ledger_items WHERE ${WORK_LEFT_WHERE} GROUP BY tenant, direction, state`,
  byTenant: 'SELECT tenant, count(*) AS count FROM ledger_items GROUP BY tenant',
} as const;

/** The counts by tenant and state from COUNTS_SQL's two answers: synced is each tenant's items less its work left. */
export function countsByState(
  workLeft: readonly { tenant: string; state: LedgerState; count: number }[],
  byTenant: readonly { tenant: string; count: number }[],
): { tenant: string; state: LedgerState; count: number }[] {
  const counts = new Map<string, { tenant: string; state: LedgerState; count: number }>();
  const left = new Map<string, number>();
  for (const row of workLeft) {
    // One row per direction: summed by tenant and state.
    const key = JSON.stringify([row.tenant, row.state]);
    const known = counts.get(key);
    if (known === undefined) counts.set(key, { tenant: row.tenant, state: row.state, count: row.count });
    else known.count += row.count;
    left.set(row.tenant, (left.get(row.tenant) ?? 0) + row.count);
  }
  const synced = byTenant.map((row) => ({ tenant: row.tenant, state: 'synced' as const, count: row.count - (left.get(row.tenant) ?? 0) })).filter((row) => row.count > 0);
  return [...counts.values(), ...synced];
}

/** hub_requests_open's predicate: the rows it holds (every unfinished request is among them). */
export const OPEN_REQUESTS_INDEX_WHERE = "close_status IS NULL OR close_status = 'in_progress' OR close_sent_at IS NULL";

/** Final close-outs already sent are done; everything else the pass looks at again. */
export const UNFINISHED_WHERE = `(close_status IS NOT NULL AND close_sent_at IS NULL) OR (item_id IS NOT NULL AND (close_status IS NULL OR close_status = 'in_progress'))`;

/**
 * The unfinished ERP Requests, oldest first. The index's predicate is repeated word for word: SQLite uses a partial
 * index only when the query's WHERE contains its terms as written (it proves no implication between OR-terms), so
 * without it the pass read the whole table and sorted it.
 */
export function unfinishedRequestsSql(columns: string, dialect: Dialect): string {
  return `SELECT ${columns} FROM hub_requests WHERE (${OPEN_REQUESTS_INDEX_WHERE}) AND (${UNFINISHED_WHERE}) ORDER BY received_at LIMIT ${dialect === 'sqlite' ? '?' : '$1'}`;
}

/** One page of `Ledger.list`: the statement, its parameters (the page size + 1 last) and the page size. */
export interface ListQuery {
  sql: string;
  params: unknown[];
  limit: number;
}

/**
 * `Ledger.list`'s query (`columns`: what each row holds, every column by default; `Ledger.listIds` asks for `id, seq`,
 * the seq kept for the union's order): the filter's columns, then `ORDER BY seq LIMIT page + 1` (one more row says a next page
 * exists). With a tenant, direction and one state (the flows' lists) it reads ledger_items_tenant_direction_state
 * (tenant, direction, state, seq) in order; with a tenant and direction only, ledger_items_tenant_direction. Several
 * states on SQLite (the importer's pending + exporting): one branch per state, merged in seq order (SQLite's
 * MERGE (UNION ALL) of two ordered index searches) instead of every matching row sorted. PostgreSQL 15 plans the
 * same union as an Append and a Sort, so it keeps `state = ANY(...)` and chooses by its statistics.
 */
export function listQuery(filter: LedgerFilter, dialect: Dialect, columns = '*'): ListQuery {
  const limit = ledgerPageSize(filter);
  const params: unknown[] = [];
  const next = (value: unknown): string => {
    params.push(value);
    return dialect === 'sqlite' ? '?' : `$${params.length}`;
  };
  const states = ledgerFilterStates(filter);
  const text = ledgerFilterText(filter);
  /** The WHERE of one select: the filter's columns and `state` (one, or a list). */
  const where = (state: string | readonly string[] | undefined): string => {
    const terms = [`seq > ${next(decodeLedgerCursor(filter.cursor))}`];
    for (const [column, value] of [
      ['tenant', filter.tenant],
      ['entity', filter.entity],
      ['direction', filter.direction],
    ] as const) {
      if (value !== undefined) terms.push(`${column} = ${next(value)}`);
    }
    if (typeof state === 'string') {
      terms.push(`state = ${next(state)}`);
      if (dialect === 'sqlite' && state !== 'synced') terms.push(ATTENTION_STATES.includes(state) ? `${WORK_LEFT_WHERE} AND ${ATTENTION_STATES_WHERE}` : WORK_LEFT_WHERE);
    } else if (state !== undefined && dialect === 'sqlite') terms.push(`state IN (${state.map((one) => next(one)).join(', ')})`);
    else if (state !== undefined) terms.push(`state = ANY(${next(state)})`);
    // instr/strpos, not LIKE: the needle is plain text (no wildcards), and both sides are lower-cased by the shared rules.
    if (text !== undefined) terms.push(`${dialect === 'sqlite' ? 'instr' : 'strpos'}(search_text, ${next(text)}) > 0`);
    return terms.join(' AND ');
  };
  const select =
    states !== undefined && states.length > 1 && dialect === 'sqlite'
      ? states.map((state) => `SELECT ${columns} FROM ledger_items WHERE ${where(state)}`).join(' UNION ALL ')
      : `SELECT ${columns} FROM ledger_items WHERE ${where(states?.length === 1 ? states[0] : states)}`;
  return { sql: `${select} ORDER BY seq LIMIT ${next(limit + 1)}`, params, limit };
}
