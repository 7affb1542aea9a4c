import { LEDGER_STATES, type LedgerFilter, type LedgerItem, type LedgerState } from './types.js';

/** Page size when a filter gives none, and the most one page holds. */
export const LEDGER_PAGE_DEFAULT = 50;
export const LEDGER_PAGE_MAX = 500;

/** The page size a filter asks for, kept within 1..LEDGER_PAGE_MAX. */
export function ledgerPageSize(filter: Pick<LedgerFilter, 'limit'> = {}): number {
  const limit = filter.limit;
  if (limit === undefined || !Number.isFinite(limit)) return LEDGER_PAGE_DEFAULT;
  return Math.min(LEDGER_PAGE_MAX, Math.max(1, Math.floor(limit)));
}

/** The states a filter asks for; undefined when it does not filter on state (an empty list included). */
export function ledgerFilterStates(filter: Pick<LedgerFilter, 'state'> = {}): LedgerState[] | undefined {
  if (filter.state === undefined) return undefined;
  const states = Array.isArray(filter.state) ? filter.state : [filter.state];
  for (const state of states) {
    if (!(LEDGER_STATES as readonly string[]).includes(state)) {
      throw new TypeError(`unknown ledger state "${String(state)}" in a filter; states are ${LEDGER_STATES.join(', ')}`);
    }
  }
  return states.length === 0 ? undefined : [...new Set(states)];
}

/** The lower-cased search needle of a filter; undefined when it does not search. */
export function ledgerFilterText(filter: Pick<LedgerFilter, 'text'> = {}): string | undefined {
  const text = filter.text?.trim().toLowerCase();
  return text === undefined || text === '' ? undefined : text;
}

function pick(record: Record<string, unknown>, path: string[]): string | undefined {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * Where `text` searches: vendor name, invoice number, check number (payments exported and imported), a requisition's
 * own invoice `number`, a vendor's `name` and `code`. Written with each item, so a row stored before a path was added
 * is found by the paths of its day.
 */
const SEARCHED_PATHS = [['vendor', 'name'], ['vendorName'], ['invoice', 'number'], ['invoiceNumber'], ['checkNumber'], ['number'], ['name'], ['code']];

/**
 * The text a filter's `text` is searched in, lower-cased once here so every store matches the same way (SQLite's
 * `lower()` only folds ASCII). Fields are joined with a newline so a search never matches across two of them.
 */
export function ledgerSearchText(record: Record<string, unknown>): string {
  return SEARCHED_PATHS.map((path) => pick(record, path))
    .filter((value): value is string => value !== undefined)
    .join('\n')
    .toLowerCase();
}

/** Whether an item passes a filter's tenant, entity, direction, state and text (not the cursor). */
export function matchesLedgerFilter(item: LedgerItem, filter: LedgerFilter = {}): boolean {
  if (filter.tenant !== undefined && item.tenant !== filter.tenant) return false;
  if (filter.entity !== undefined && item.entity !== filter.entity) return false;
  if (filter.direction !== undefined && item.direction !== filter.direction) return false;
  const states = ledgerFilterStates(filter);
  if (states !== undefined && !states.includes(item.state)) return false;
  const text = ledgerFilterText(filter);
  return text === undefined || ledgerSearchText(item.record).includes(text);
}

const CURSOR_PREFIX = 'll1:';

/**
 * Pages are in creation order; a cursor is the creation sequence of the page's last item, so items written
 * while a caller pages neither repeat nor shift what is left.
 */
export function encodeLedgerCursor(sequence: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${sequence}`, 'utf8').toString('base64url');
}

/**
 * One page of a listing read with one row more than the page (`limit + 1`, as every store reads): the page's rows, and
 * the cursor to the next page when that extra row came (`{}` otherwise), to spread into a `LedgerPage` or `LedgerIdPage`.
 */
export function ledgerPageOf<R>(rows: readonly R[], limit: number, sequenceOf: (row: R) => number): { page: R[]; cursor: { nextCursor?: string } } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, cursor: rows.length > limit && last !== undefined ? { nextCursor: encodeLedgerCursor(sequenceOf(last)) } : {} };
}

/** The creation sequence a cursor resumes after (0 for none). */
export function decodeLedgerCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sequence = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new TypeError(`"${cursor}" is not a ledger cursor: pass the nextCursor of the previous page unchanged, or none for the first page`);
  }
  return sequence;
}

/** Orders `counts()` rows: by tenant, then by state in LEDGER_STATES order. */
export function compareLedgerCounts(a: { tenant: string; state: LedgerState }, b: { tenant: string; state: LedgerState }): number {
  if (a.tenant !== b.tenant) return a.tenant < b.tenant ? -1 : 1;
  return LEDGER_STATES.indexOf(a.state) - LEDGER_STATES.indexOf(b.state);
}
