/**
 * The sandbox's reading of the `$filter` parameter: comparisons (`eq ne gt ge lt le`) of a field with a
 * string (`'it''s'`), `datetimeoffset'…'`, number or boolean literal, joined by `and` / `or` / `not` and
 * parentheses. Strings compare without regard to case, as Acumatica's database does.
 */

export class FilterSyntaxError extends Error {}

type Literal = { kind: 'string'; value: string } | { kind: 'instant'; value: number; text: string } | { kind: 'number'; value: number } | { kind: 'boolean'; value: boolean } | { kind: 'null' };

type Node =
  | { kind: 'compare'; field: string; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; literal: Literal }
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node };

/** Reads a field's plain value off a stored record. */
export type FieldReader = (field: string) => unknown;
export type FilterPredicate = (read: FieldReader) => boolean;

type Token = { type: 'word' | 'string' | 'typed' | 'open' | 'close'; text: string; prefix?: string };

export function compileFilter(text: string): FilterPredicate {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const take = (): Token => {
    const token = tokens[position++];
    if (token === undefined) throw new FilterSyntaxError(`unexpected end of $filter "${text}"`);
    return token;
  };
  const keyword = (word: string): boolean => {
    const token = peek();
    if (token?.type === 'word' && token.text.toLowerCase() === word) {
      position++;
      return true;
    }
    return false;
  };

  const parseOr = (): Node => {
    let node = parseAnd();
    while (keyword('or')) node = { kind: 'or', left: node, right: parseAnd() };
    return node;
  };
  const parseAnd = (): Node => {
    let node = parseUnary();
    while (keyword('and')) node = { kind: 'and', left: node, right: parseUnary() };
    return node;
  };
  const parseUnary = (): Node => {
    if (keyword('not')) return { kind: 'not', inner: parseUnary() };
    const token = peek();
    if (token?.type === 'open') {
      position++;
      const node = parseOr();
      if (take().type !== 'close') throw new FilterSyntaxError(`missing ")" in $filter "${text}"`);
      return node;
    }
    const field = take();
    if (field.type !== 'word') throw new FilterSyntaxError(`expected a field name in $filter "${text}", found ${field.text}`);
    const op = take().text.toLowerCase();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw new FilterSyntaxError(`unknown operator "${op}" in $filter "${text}"`);
    return { kind: 'compare', field: field.text, op: op as 'eq', literal: literal(take(), text) };
  };

  const tree = parseOr();
  if (position !== tokens.length) throw new FilterSyntaxError(`unexpected "${tokens[position]?.text ?? ''}" in $filter "${text}"`);
  return (read) => evaluate(tree, read);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char === '(' ? 'open' : 'close', text: char });
      i++;
    } else if (char === "'") {
      const [value, next] = quoted(text, i);
      tokens.push({ type: 'string', text: value });
      i = next;
    } else {
      let end = i;
      while (end < text.length && !/[\s()']/.test(text[end] as string)) end++;
      const word = text.slice(i, end);
      if (text[end] === "'" && /^(datetimeoffset|datetime|guid)$/i.test(word)) {
        const [value, next] = quoted(text, end);
        tokens.push({ type: 'typed', text: value, prefix: word.toLowerCase() });
        i = next;
      } else {
        if (word === '') throw new FilterSyntaxError(`unexpected character "${char}" in $filter "${text}"`);
        tokens.push({ type: 'word', text: word });
        i = end;
      }
    }
  }
  return tokens;
}

/** A quoted literal starting at `start`: its text with `''` read as one quote, and where it ends. */
function quoted(text: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new FilterSyntaxError(`unterminated string in $filter "${text}"`);
    if (text[i] === "'") {
      if (text[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    value += text[i];
    i++;
  }
}

function literal(token: Token, text: string): Literal {
  if (token.type === 'string') return { kind: 'string', value: token.text };
  if (token.type === 'typed') {
    if (token.prefix === 'guid') return { kind: 'string', value: token.text };
    const instant = Date.parse(token.text);
    if (Number.isNaN(instant)) throw new FilterSyntaxError(`"${token.text}" is not a date and time in $filter "${text}"`);
    return { kind: 'instant', value: instant, text: token.text };
  }
  if (token.type === 'word') {
    const lower = token.text.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true' };
    if (lower === 'null') return { kind: 'null' };
    if (/^-?\d+(\.\d+)?$/.test(token.text)) return { kind: 'number', value: Number(token.text) };
  }
  throw new FilterSyntaxError(`expected a value in $filter "${text}", found "${token.text}"`);
}

function evaluate(node: Node, read: FieldReader): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, read) && evaluate(node.right, read);
    case 'or':
      return evaluate(node.left, read) || evaluate(node.right, read);
    case 'not':
      return !evaluate(node.inner, read);
    case 'compare':
      return compare(read(node.field), node.op, node.literal);
  }
}

function compare(actual: unknown, op: string, literal: Literal): boolean {
  if (literal.kind === 'null') return op === 'eq' ? actual === undefined || actual === null : actual !== undefined && actual !== null;
  if (actual === undefined || actual === null) return op === 'ne';
  let order: number;
  if (literal.kind === 'instant') {
    const value = typeof actual === 'string' ? Date.parse(actual) : Number.NaN;
    if (Number.isNaN(value)) return false;
    order = Math.sign(value - literal.value);
  } else if (literal.kind === 'string') {
    const left = String(actual).toLowerCase();
    const right = literal.value.toLowerCase();
    order = left === right ? 0 : left < right ? -1 : 1;
  } else if (literal.kind === 'number') {
    order = Math.sign(Number(actual) - literal.value);
  } else {
    order = actual === literal.value ? 0 : 1;
  }
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    default:
      return order <= 0;
  }
}
