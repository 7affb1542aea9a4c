import type { Row } from './company.js';
import { childNames, element, elements, leaf, textOf, type Tree } from './sandbox-xml.js';

/**
 * Filtering for the sandbox's `query` (an XML filter tree: `<and>`, `<equalto><field/><value/></equalto>`...)
 * and `readByQuery` (Intacct's SQL-like `query` string: `STATE = 'Approved' AND RECORDNO IN (1,2)`).
 * Comparison follows the value: timestamps and `mm/dd/yyyy` dates by time, numbers by value, text as text.
 */

/** The fields each object offers (what `select`/`fields` may name). */
export const OBJECT_FIELDS: Record<string, string[]> = {
  APPYMT: [
    'RECORDNO', 'STATE', 'PAYMENTMETHOD', 'FINANCIALENTITY', 'VENDORID', 'VENDORNAME', 'DOCNUMBER', 'DESCRIPTION',
    'CURRENCY', 'BASECURR', 'AMOUNTTOPAY', 'TRX_TOTALENTERED', 'PAYMENTREQUESTMETHOD', 'GROUPPAYMENTS', 'PAYMENTCONTACT',
    'EXCH_RATE_DATE', 'EXCH_RATE_TYPE_ID', 'WHENCREATED', 'WHENMODIFIED',
  ],
  APPYMTDETAIL: ['RECORDNO', 'PAYMENTKEY', 'RECORDKEY', 'ENTRYKEY', 'TRX_PAYMENTAMOUNT', 'PAYMENTAMOUNT', 'DISCOUNTTOAPPLY', 'CREDITTOAPPLY', 'STATE'],
  APBILL: [
    'RECORDNO', 'RECORDID', 'VENDORID', 'VENDORNAME', 'TRX_TOTALENTERED', 'TRX_TOTALPAID', 'TRX_TOTALDUE', 'TRX_TOTALRETAINED', 'STATE',
    'PROJECTID', 'WHENCREATED', 'WHENDUE', 'DESCRIPTION',
  ],
  VENDOR: [
    'RECORDNO', 'VENDORID', 'NAME', 'STATUS', 'TAXID', 'WHENMODIFIED', 'DISPLAYCONTACT.PRINTAS', 'DISPLAYCONTACT.COMPANYNAME',
    'DISPLAYCONTACT.EMAIL1', 'DISPLAYCONTACT.PHONE1', 'DISPLAYCONTACT.MAILADDRESS.ADDRESS1', 'DISPLAYCONTACT.MAILADDRESS.CITY',
    'DISPLAYCONTACT.MAILADDRESS.STATE', 'DISPLAYCONTACT.MAILADDRESS.ZIP', 'DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE',
  ],
  CHECKINGACCOUNT: ['BANKACCOUNTID', 'BANKNAME'],
};

function sortKey(value: string): { kind: 'time' | 'number' | 'text'; key: number | string } {
  const stamp = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(value.trim());
  if (stamp) {
    const [, mm, dd, yyyy, h = '0', m = '0', s = '0'] = stamp;
    return { kind: 'time', key: Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd), Number(h), Number(m), Number(s)) };
  }
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return { kind: 'number', key: Number(value) };
  return { kind: 'text', key: value };
}

/** -1, 0 or 1; mixed kinds compare as text. */
export function compareValues(a: string, b: string): number {
  const left = sortKey(a);
  const right = sortKey(b);
  const [x, y] = left.kind === right.kind ? [left.key, right.key] : [a, b];
  return x < y ? -1 : x > y ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

export class QueryError extends Error {}

/** Evaluates a `<filter>` operator element against a row. */
export function matchesFilter(operatorName: string, node: Tree, row: Row, known: string[]): boolean {
  const fieldOf = (): string => {
    const field = leaf(node, 'field');
    if (field === undefined || !known.includes(field)) throw new QueryError(`Unknown field '${field ?? ''}' in filter.`);
    return field;
  };
  const values = (): string[] => elements(node, 'value').map((v) => textOf(v) ?? '');
  const value = (): string => values()[0] ?? '';
  switch (operatorName) {
    case 'and':
    case 'or': {
      const results = childNames(node).flatMap((name) => elements(node, name).map((inner) => matchesFilter(name, inner, row, known)));
      return operatorName === 'and' ? results.every(Boolean) : results.some(Boolean);
    }
    case 'equalto':
      return compareValues(row[fieldOf()] ?? '', value()) === 0;
    case 'notequalto':
      return compareValues(row[fieldOf()] ?? '', value()) !== 0;
    case 'lessthan':
      return compareValues(row[fieldOf()] ?? '', value()) < 0;
    case 'lessthanorequalto':
      return compareValues(row[fieldOf()] ?? '', value()) <= 0;
    case 'greaterthan':
      return compareValues(row[fieldOf()] ?? '', value()) > 0;
    case 'greaterthanorequalto':
      return compareValues(row[fieldOf()] ?? '', value()) >= 0;
    case 'between': {
      const [low = '', high = ''] = values();
      const actual = row[fieldOf()] ?? '';
      return compareValues(actual, low) >= 0 && compareValues(actual, high) <= 0;
    }
    case 'in':
    case 'notin': {
      const actual = row[fieldOf()] ?? '';
      const found = values().some((v) => compareValues(actual, v) === 0);
      return operatorName === 'in' ? found : !found;
    }
    case 'like':
    case 'notlike': {
      const found = likeToRegExp(value()).test(row[fieldOf()] ?? '');
      return operatorName === 'like' ? found : !found;
    }
    case 'isnull':
      return (row[fieldOf()] ?? '') === '';
    case 'isnotnull':
      return (row[fieldOf()] ?? '') !== '';
    default:
      throw new QueryError(`Unknown filter operator '${operatorName}'.`);
  }
}

/** Applies a `<filter>` element (one operator inside) to rows. */
export function filterRows(filter: Tree | undefined, rows: Row[], known: string[]): Row[] {
  if (filter === undefined) return rows;
  const [operatorName, ...extra] = childNames(filter);
  if (operatorName === undefined) return rows;
  if (extra.length > 0 || elements(filter, operatorName).length > 1) throw new QueryError('A filter holds one operator; combine several with <and> or <or>.');
  const node = element(filter, operatorName) as Tree;
  return rows.filter((row) => matchesFilter(operatorName, node, row, known));
}

/** Sorts rows by `<orderby><order><field/><ascending/>|<descending/></order>…`. */
export function orderRows(orderBy: Tree | undefined, rows: Row[], known: string[]): Row[] {
  const orders = elements(orderBy, 'order').map((order) => {
    const field = leaf(order, 'field') ?? '';
    if (!known.includes(field)) throw new QueryError(`Unknown field '${field}' in orderby.`);
    return { field, descending: element(order, 'descending') !== undefined };
  });
  if (orders.length === 0) return rows;
  return [...rows].sort((a, b) => {
    for (const { field, descending } of orders) {
      const diff = compareValues(a[field] ?? '', b[field] ?? '');
      if (diff !== 0) return descending ? -diff : diff;
    }
    return 0;
  });
}

// ---- readByQuery's SQL-like string ----

type Token = { type: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let text = '';
      i += 1;
      for (;;) {
        if (i >= source.length) throw new QueryError('Unterminated string in query.');
        if (source[i] === "'" && source[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (source[i] === "'") {
          i += 1;
          break;
        } else {
          text += source[i];
          i += 1;
        }
      }
      tokens.push({ type: 'string', text });
    } else if (/[<>=!]/.test(ch)) {
      const two = source.slice(i, i + 2);
      const op = ['<=', '>=', '<>', '!='].includes(two) ? two : ch;
      tokens.push({ type: 'op', text: op });
      i += op.length;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: 'punct', text: ch });
      i += 1;
    } else {
      const match = /^[A-Za-z0-9_.\-:]+/.exec(source.slice(i));
      if (!match) throw new QueryError(`Unexpected character '${ch}' in query.`);
      const text = match[0];
      tokens.push({ type: /^-?\d+(\.\d+)?$/.test(text) ? 'number' : 'word', text });
      i += text.length;
    }
  }
  return tokens;
}

type Predicate = (row: Row) => boolean;

/** Parses a readByQuery condition string into a predicate. Empty = every row. */
export function parseCondition(source: string, known: string[]): Predicate {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const keyword = (word: string): boolean => peek()?.type === 'word' && peek()?.text.toUpperCase() === word;
  const expect = (text: string): void => {
    if (peek()?.text.toUpperCase() !== text) throw new QueryError(`Expected '${text}' in query.`);
    at += 1;
  };
  const literal = (): string => {
    const token = peek();
    if (token === undefined || (token.type !== 'string' && token.type !== 'number')) throw new QueryError('Expected a value in query.');
    at += 1;
    return token.text;
  };

  const comparison = (): Predicate => {
    if (peek()?.text === '(') {
      at += 1;
      const inner = disjunction();
      expect(')');
      return inner;
    }
    const fieldToken = peek();
    if (fieldToken?.type !== 'word' || !known.includes(fieldToken.text.toUpperCase())) {
      throw new QueryError(`Unknown field '${fieldToken?.text ?? ''}' in query.`);
    }
    at += 1;
    const field = fieldToken.text.toUpperCase();
    const actual = (row: Row): string => row[field] ?? '';
    if (keyword('IS')) {
      at += 1;
      const negated = keyword('NOT');
      if (negated) at += 1;
      expect('NULL');
      return negated ? (row) => actual(row) !== '' : (row) => actual(row) === '';
    }
    const negated = keyword('NOT');
    if (negated) at += 1;
    if (keyword('IN')) {
      at += 1;
      expect('(');
      const values = [literal()];
      while (peek()?.text === ',') {
        at += 1;
        values.push(literal());
      }
      expect(')');
      return (row) => values.some((v) => compareValues(actual(row), v) === 0) !== negated;
    }
    if (keyword('LIKE')) {
      at += 1;
      const pattern = likeToRegExp(literal());
      return (row) => pattern.test(actual(row)) !== negated;
    }
    const op = peek();
    if (op?.type !== 'op') throw new QueryError(`Expected an operator after ${field}.`);
    at += 1;
    const value = literal();
    const test: Record<string, (diff: number) => boolean> = {
      '=': (d) => d === 0,
      '!=': (d) => d !== 0,
      '<>': (d) => d !== 0,
      '<': (d) => d < 0,
      '<=': (d) => d <= 0,
      '>': (d) => d > 0,
      '>=': (d) => d >= 0,
    };
    const check = test[op.text];
    if (check === undefined) throw new QueryError(`Unknown operator '${op.text}'.`);
    return (row) => check(compareValues(actual(row), value));
  };
  const conjunction = (): Predicate => {
    const parts = [comparison()];
    while (keyword('AND')) {
      at += 1;
      parts.push(comparison());
    }
    return (row) => parts.every((part) => part(row));
  };
  function disjunction(): Predicate {
    const parts = [conjunction()];
    while (keyword('OR')) {
      at += 1;
      parts.push(conjunction());
    }
    return (row) => parts.some((part) => part(row));
  }

  if (tokens.length === 0) return () => true;
  const predicate = disjunction();
  if (at !== tokens.length) throw new QueryError(`Unexpected '${tokens[at]?.text ?? ''}' in query.`);
  return predicate;
}
