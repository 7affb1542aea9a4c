import type { CacheRecord } from './xchange.js';

/** A filter of `cache/search`: a field compared with a value as text. */
export interface Filter {
  field: string;
  operator: 'eq' | 'gt';
  value: string;
}

/** What a continuation token holds: where the read is, and how many empty pages are still to come. */
interface TokenState {
  /** Position: records after this index of the read order of the filtered set. */
  after: string | null;
  empties: number;
}

/** Reads one page of the cache. Tokens are opaque to callers; a token that is not one of ours is refused. */
export function readPage(
  records: CacheRecord[],
  filters: Filter[],
  limit: number,
  token: string | null,
  emptyPagesFirst: number,
): { page: { data: CacheRecord[]; continuationToken: string | null } } | { error: string } {
  let state: TokenState;
  if (token === null) state = { after: null, empties: emptyPagesFirst };
  else {
    const decoded = decodeToken(token);
    if (decoded === undefined) return { error: 'The continuation token is not valid.' };
    state = decoded;
  }
  if (state.empties > 0) {
    // Cosmos may answer a partition with nothing and still hand out a token: callers must keep reading.
    return { page: { data: [], continuationToken: encodeToken({ after: state.after, empties: state.empties - 1 }) } };
  }
  const matching = records.filter((record) => filters.every((filter) => holds(record, filter)));
  const start = state.after === null ? 0 : matching.findIndex((record) => position(record) > (state.after as string));
  const rest = start < 0 ? [] : matching.slice(start);
  const data = rest.slice(0, limit);
  const more = rest.length > data.length;
  const last = data[data.length - 1];
  return { page: { data, continuationToken: more && last !== undefined ? encodeToken({ after: position(last), empties: 0 }) : null } };
}

export function parseFilters(value: unknown): Filter[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const filters: Filter[] = [];
  for (const entry of value as unknown[]) {
    const { field, operator, value: operand } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof field !== 'string' || (operator !== 'eq' && operator !== 'gt') || typeof operand !== 'string') return undefined;
    filters.push({ field, operator, value: operand });
  }
  return filters;
}

function holds(record: CacheRecord, filter: Filter): boolean {
  const raw = (record as unknown as Record<string, unknown>)[filter.field];
  if (raw === undefined || raw === null) return false;
  const text = String(raw);
  return filter.operator === 'eq' ? text === filter.value : text > filter.value;
}

/** The read order as one comparable string: LastUpdated, then KeyID (zero-padded). */
function position(record: CacheRecord): string {
  return `${record.LastUpdated}|${record.KeyID.padStart(12, '0')}`;
}

function encodeToken(state: TokenState): string {
  return Buffer.from(JSON.stringify({ a: state.after, e: state.empties }), 'utf8').toString('base64');
}

function decodeToken(token: string): TokenState | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { a?: unknown; e?: unknown };
    if ((value.a === null || typeof value.a === 'string') && typeof value.e === 'number' && Number.isInteger(value.e) && value.e >= 0) {
      return { after: value.a, empties: value.e };
    }
  } catch {
    // not ours
  }
  return undefined;
}
