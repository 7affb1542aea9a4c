/**
 * The sandbox's reading of QuickBooks' query language, as far as bill payments need it:
 *   SELECT * | count(*) FROM Entity [WHERE cond {AND cond}] [ORDERBY field [ASC|DESC] {, …}]
 *   [STARTPOSITION n] [MAXRESULTS n]
 * with cond = field (= | < | > | <= | >= | !=) value, field IN (value, …), or field LIKE 'text%'. Keywords are
 * case-insensitive; strings are single-quoted with backslash escapes; STARTPOSITION counts from 1 and MAXRESULTS
 * is at most 1000 (100 when absent).
 */

export type QueryValue = string | number | boolean;

export interface Condition {
  field: string;
  operator: '=' | '<' | '>' | '<=' | '>=' | '!=' | 'in' | 'like';
  values: QueryValue[];
}

export interface ParsedQuery {
  entity: string;
  count: boolean;
  where: Condition[];
  orderBy: { field: string; descending: boolean }[];
  startPosition: number;
  maxResults: number;
}

/** A statement the sandbox cannot read; the server answers it as QuickBooks' QueryParserError. */
export class QuerySyntaxError extends Error {
  constructor(
    message: string,
    readonly code: '4000' | '4001' = '4000',
  ) {
    super(message);
  }
}

export const MAX_RESULTS = 1000;
const DEFAULT_RESULTS = 100;

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string };

function tokenize(statement: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < statement.length) {
    const character = statement[at] as string;
    if (/\s/.test(character)) {
      at++;
    } else if (character === "'") {
      let text = '';
      at++;
      for (;;) {
        if (at >= statement.length) throw new QuerySyntaxError('QueryParserError: Encountered unterminated string literal');
        const next = statement[at] as string;
        if (next === '\\' && at + 1 < statement.length) {
          text += statement[at + 1];
          at += 2;
        } else if (next === "'") {
          at++;
          break;
        } else {
          text += next;
          at++;
        }
      }
      tokens.push({ kind: 'string', text });
    } else if ('<>!='.includes(character)) {
      const two = statement.slice(at, at + 2);
      const text = ['<=', '>=', '!=', '<>'].includes(two) ? two : character;
      tokens.push({ kind: 'symbol', text: text === '<>' ? '!=' : text });
      at += text.length;
    } else if ('(),*'.includes(character)) {
      tokens.push({ kind: 'symbol', text: character });
      at++;
    } else if (/[0-9-]/.test(character)) {
      const start = at;
      at++;
      while (at < statement.length && /[0-9.]/.test(statement[at] as string)) at++;
      tokens.push({ kind: 'number', text: statement.slice(start, at) });
    } else if (/[A-Za-z_]/.test(character)) {
      const start = at;
      while (at < statement.length && /[A-Za-z0-9_.]/.test(statement[at] as string)) at++;
      tokens.push({ kind: 'word', text: statement.slice(start, at) });
    } else {
      throw new QuerySyntaxError(`QueryParserError: Encountered " ${character} " at position ${at + 1}`);
    }
  }
  return tokens;
}

export function parseQuery(statement: string): ParsedQuery {
  const tokens = tokenize(statement);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isWord = (word: string): boolean => peek()?.kind === 'word' && peek()?.text.toLowerCase() === word;
  const fail = (expected: string): never => {
    const token = peek();
    throw new QuerySyntaxError(`QueryParserError: Encountered ${token === undefined ? '<EOF>' : `"${token.text}"`}; expected ${expected}`);
  };
  const expectWord = (word: string): void => {
    if (!isWord(word)) fail(word.toUpperCase());
    at++;
  };
  const expectSymbol = (symbol: string): void => {
    if (peek()?.kind !== 'symbol' || peek()?.text !== symbol) fail(`"${symbol}"`);
    at++;
  };
  const field = (): string => {
    const token = peek();
    if (token?.kind !== 'word') return fail('a property name');
    at++;
    return token.text;
  };
  const value = (): QueryValue => {
    const token = peek();
    if (token === undefined) return fail('a value');
    at++;
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'word' && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === 'true';
    return fail('a value');
  };
  const integer = (name: string): number => {
    const token = peek();
    if (token?.kind !== 'number' || !/^\d+$/.test(token.text)) return fail(`a whole number after ${name}`);
    at++;
    return Number(token.text);
  };

  expectWord('select');
  let count = false;
  if (peek()?.text === '*') at++;
  else if (isWord('count')) {
    at++;
    expectSymbol('(');
    expectSymbol('*');
    expectSymbol(')');
    count = true;
  } else fail('"*" or count(*)');
  expectWord('from');
  const entity = field();

  const where: Condition[] = [];
  if (isWord('where')) {
    at++;
    for (;;) {
      const name = field();
      if (isWord('in')) {
        at++;
        expectSymbol('(');
        const values = [value()];
        while (peek()?.text === ',') {
          at++;
          values.push(value());
        }
        expectSymbol(')');
        where.push({ field: name, operator: 'in', values });
      } else if (isWord('like')) {
        at++;
        where.push({ field: name, operator: 'like', values: [value()] });
      } else {
        const token = peek();
        if (token?.kind !== 'symbol' || !['=', '<', '>', '<=', '>=', '!='].includes(token.text)) fail('an operator');
        at++;
        where.push({ field: name, operator: token!.text as Condition['operator'], values: [value()] });
      }
      if (!isWord('and')) break;
      at++;
    }
  }

  const orderBy: ParsedQuery['orderBy'] = [];
  if (isWord('orderby')) {
    at++;
    for (;;) {
      const name = field();
      let descending = false;
      if (isWord('asc') || isWord('desc')) {
        descending = isWord('desc');
        at++;
      }
      orderBy.push({ field: name, descending });
      if (peek()?.text !== ',') break;
      at++;
    }
  }

  let startPosition = 1;
  let maxResults = DEFAULT_RESULTS;
  for (let clause = 0; clause < 2; clause++) {
    if (isWord('startposition')) {
      at++;
      startPosition = Math.max(1, integer('STARTPOSITION'));
    } else if (isWord('maxresults')) {
      at++;
      maxResults = integer('MAXRESULTS');
    }
  }
  if (at < tokens.length) fail('the end of the statement');
  if (maxResults > MAX_RESULTS) {
    throw new QuerySyntaxError(`QueryValidationError: value ${maxResults} is too large. Max allowed value is ${MAX_RESULTS}`, '4001');
  }
  return { entity, count, where, orderBy, startPosition, maxResults };
}

/** Reads a dotted property path (`MetaData.LastUpdatedTime`, `VendorRef.value`) of a stored record. */
export function readPath(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    const object = current as Record<string, unknown>;
    const key = Object.keys(object).find((name) => name.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : object[key];
  }
  // A reference (`VendorRef = '56'`) compares by its value, as QuickBooks' query language does.
  if (typeof current === 'object' && current !== null && !Array.isArray(current) && 'value' in current) return (current as { value: unknown }).value;
  return current;
}

/** Compares a stored value with a query value: times as instants, numbers as numbers, else as text. */
function compare(stored: unknown, wanted: QueryValue): number | undefined {
  if (stored === undefined || stored === null) return undefined;
  if (typeof stored === 'number') {
    const number = typeof wanted === 'number' ? wanted : Number(wanted);
    return Number.isNaN(number) ? undefined : stored - number;
  }
  if (typeof stored === 'boolean') return stored === wanted ? 0 : 1;
  const text = String(stored);
  if (typeof wanted === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(text) && /^\d{4}-\d{2}-\d{2}/.test(wanted)) {
    const left = Date.parse(text);
    const right = Date.parse(wanted);
    if (!Number.isNaN(left) && !Number.isNaN(right)) return left - right;
  }
  const other = String(wanted);
  return text < other ? -1 : text > other ? 1 : 0;
}

export function matches(record: unknown, condition: Condition): boolean {
  const stored = readPath(record, condition.field);
  const [first] = condition.values;
  if (first === undefined) return false;
  switch (condition.operator) {
    case 'in':
      return condition.values.some((wanted) => compare(stored, wanted) === 0);
    case 'like': {
      if (typeof stored !== 'string') return false;
      const [head, ...rest] = String(first).split('%');
      if (rest.length === 0) return stored === head;
      return stored.startsWith(head ?? '') && stored.endsWith(rest[rest.length - 1] ?? '');
    }
    default: {
      const order = compare(stored, first);
      if (order === undefined) return false;
      if (condition.operator === '=') return order === 0;
      if (condition.operator === '!=') return order !== 0;
      if (condition.operator === '<') return order < 0;
      if (condition.operator === '>') return order > 0;
      if (condition.operator === '<=') return order <= 0;
      return order >= 0;
    }
  }
}

/** Runs a parsed query over records (in insertion order): filter, stable sort, then the page. */
export function runQuery<T>(records: T[], query: ParsedQuery): { page: T[]; total: number } {
  const selected = records.filter((record) => query.where.every((condition) => matches(record, condition)));
  const sorted = [...selected].sort((left, right) => {
    for (const { field, descending } of query.orderBy) {
      const rightValue = readPath(right, field);
      const order = compare(readPath(left, field), rightValue === undefined ? '' : (rightValue as QueryValue)) ?? 0;
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
  return { page: sorted.slice(query.startPosition - 1, query.startPosition - 1 + query.maxResults), total: selected.length };
}

/**
 * `runQuery` over records already in ascending order of the query's one ORDERBY field (the sandbox's bill payments by
 * MetaData.LastUpdatedTime): the same page, without filtering and sorting every record. A `>=`, `>` or `=` condition
 * on that field starts a binary search; the scan stops once the page is full. Answers no count (`total`).
 */
export function runSortedQuery<T>(records: readonly T[], query: ParsedQuery): T[] {
  const [order] = query.orderBy;
  if (order === undefined || order.descending || query.orderBy.length !== 1) throw new Error('runSortedQuery: one ascending ORDERBY field is required');
  const field = order.field.toLowerCase();
  let start = 0;
  for (const condition of query.where) {
    const [value] = condition.values;
    if (condition.field.toLowerCase() !== field || value === undefined || !['>=', '>', '='].includes(condition.operator)) continue;
    // The first record not below the value: every one before it fails the condition.
    let low = 0;
    let high = records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const below = compare(readPath(records[middle], condition.field), value);
      if (below !== undefined && below < 0) low = middle + 1;
      else high = middle;
    }
    start = Math.max(start, low);
  }
  const skip = query.startPosition - 1;
  // Every record from `start` on passes a `>=` on the ordered field (they ascend): when that is the only kind of
  // condition, the page is a slice, and STARTPOSITION inside a long run of payments sharing one second (a million
  // seeded at once) costs nothing instead of a test of each record stepped over, on every page.
  if (query.where.every((condition) => condition.field.toLowerCase() === field && condition.operator === '>=')) {
    return records.slice(start + skip, start + skip + query.maxResults);
  }
  const page: T[] = [];
  let matched = 0;
  for (let index = start; index < records.length && page.length < query.maxResults; index++) {
    const record = records[index] as T;
    if (!query.where.every((condition) => matches(record, condition))) continue;
    if (matched >= skip) page.push(record);
    matched += 1;
  }
  return page;
}
