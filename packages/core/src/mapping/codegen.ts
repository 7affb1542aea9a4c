import { ISO_DATETIME, parseDatePattern, type DatePart } from './formats.js';
import type { ModelSide } from './models.js';
import { isGroup, splitPath, type FieldSpec, type FieldsSpec, type FormatSpec, type GroupSpec, type ScalarValue, type WhenSpec } from './spec.js';
import { parseTemplate } from './template.js';

/** A name in scope inside a group (`as: bill`) and the variable that holds the current item. */
interface CodeScope {
  name: string;
  variable: string;
}

/** Builds a JS expression that names a field in errors (`"Line." + i0 + ".Amount"` inside a group). */
type NameOf = (target: string) => string;

const literal = (value: ScalarValue | string): string => JSON.stringify(value);
const isIndex = (segment: string): boolean => /^\d+$/.test(segment);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Generates the body of a mapping's transform: straight-line JavaScript with every path a precomputed
 * property access and every literal embedded with JSON.stringify. The returned source is the body of
 * `new Function('h', source)`, where `h` is the runtime in formats.ts; calling it returns
 * `transform(record, lookups, recordId) => MappingResult`.
 */
export class TransformGenerator {
  // The hot helpers as constants of the closure, not property loads on `h` per record.
  private readonly prologue: string[] = ['"use strict";', 'const formatCents = h.formatCents, hasOwn = h.hasOwn, isoDate = h.isoDate;'];
  private readonly body: string[] = [];
  private readonly tables = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly direction: 'export' | 'import',
    private readonly model: ModelSide,
  ) {}

  generate(fields: FieldsSpec): string {
    this.emitFields(fields, 'out', [], literal, 2);
    const idSource = this.direction === 'import' ? fields[this.model.idField] : undefined;
    const idRead =
      idSource && !isGroup(idSource) && idSource.from !== undefined
        ? [
            `    if (recordId === undefined) {`,
            `      w = ${this.read(idSource.from, [])};`,
            `      if (typeof w === "string" || typeof w === "number") recordId = String(w);`,
            `    }`,
          ]
        : [];
    const tables = [...this.tables].map(([name, variable]) => `    const ${variable} = h.lookupTable(lookups, ${literal(name)});`);
    return [
      ...this.prologue,
      'return function transform(r, lookups, recordId) {',
      '    let errors, v, w, m, x;',
      ...tables,
      ...idRead,
      '    const out = {};',
      ...this.body,
      '    return errors === undefined ? { ok: true, value: out } : { ok: false, errors };',
      '};',
    ].join('\n');
  }

  private line(depth: number, text: string): void {
    this.body.push(`${'  '.repeat(depth)}${text}`);
  }

  private next(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  /** `r["vendor"]?.["erpId"]`, or `s0?.["erpId"]` for `bill.erpId` inside a group over `as: bill`. */
  private read(path: string, scopes: readonly CodeScope[]): string {
    const segments = splitPath(path) ?? [path];
    const scope = scopes.find((candidate) => candidate.name === segments[0]);
    const base = scope ? scope.variable : 'r';
    const rest = scope ? segments.slice(1) : segments;
    return rest.reduce((expression, segment, index) => `${expression}${scope || index > 0 ? '?.' : ''}[${literal(segment)}]`, base);
  }

  /** The assignment target for a dotted target path, creating objects and lists on the way. */
  private write(out: string, target: string): string {
    const segments = splitPath(target) ?? [target];
    const key = (segment: string) => (isIndex(segment) ? String(Number(segment)) : literal(segment));
    let expression = out;
    for (let index = 0; index < segments.length - 1; index++) {
      const container = isIndex(segments[index + 1]!) ? '[]' : '{}';
      expression = `(${expression}[${key(segments[index]!)}] ??= ${container})`;
    }
    return `${expression}[${key(segments[segments.length - 1]!)}]`;
  }

  private table(name: string): string {
    let variable = this.tables.get(name);
    if (!variable) {
      variable = `L${this.tables.size}`;
      this.tables.set(name, variable);
    }
    return variable;
  }

  private emitFields(fields: FieldsSpec, out: string, scopes: readonly CodeScope[], nameOf: NameOf, depth: number): void {
    for (const [target, spec] of Object.entries(fields)) {
      if (spec === null) continue;
      if (isGroup(spec)) this.emitGroup(target, spec, out, scopes, nameOf, depth);
      else this.emitField(target, spec, out, scopes, nameOf, depth);
    }
  }

  private condition(when: WhenSpec): string {
    if (when.equals !== undefined) return `w === ${literal(when.equals)}`;
    if (when.notEquals !== undefined) return `w !== ${literal(when.notEquals)}`;
    if (when.in !== undefined) return when.in.map((value) => `w === ${literal(value)}`).join(' || ');
    return when.exists ? 'w != null' : 'w == null';
  }

  private emitWhen(when: WhenSpec | undefined, scopes: readonly CodeScope[], label: string, depth: number): void {
    if (!when) return;
    this.line(depth, `w = ${this.read(when.path, scopes)};`);
    this.line(depth, `if (!(${this.condition(when)})) break ${label};`);
  }

  private emitField(target: string, spec: FieldSpec, out: string, scopes: readonly CodeScope[], nameOf: NameOf, depth: number): void {
    const label = this.next('f');
    const name = nameOf(target);
    const source = spec.from === undefined ? 'undefined' : literal(spec.from);
    const fail = (message: string, from = source) => `{ errors = h.fail(errors, recordId, ${name}, ${from}, ${message}); break ${label}; }`;
    const d = depth + 1;
    this.line(depth, `${label}: {`);
    this.emitWhen(spec.when, scopes, label, d);

    if (spec.from !== undefined) {
      this.line(d, `v = ${this.read(spec.from, scopes)};`);
      this.line(d, `if (v == null) ${spec.required ? fail(`h.requiredMissing(${source})`) : `break ${label};`}`);
    } else if (spec.const !== undefined) {
      this.line(d, `v = ${literal(spec.const)};`);
    } else if (spec.template !== undefined) {
      const parsed = parseTemplate(spec.template);
      const parts = parsed.ok ? parsed.parts : [{ text: spec.template }];
      const pieces: string[] = [];
      for (const part of parts) {
        if ('text' in part) {
          pieces.push(literal(part.text));
          continue;
        }
        const variable = this.next('p');
        this.line(d, `const ${variable} = ${this.read(part.path, scopes)};`);
        this.line(d, `if (${variable} == null || typeof ${variable} === "object") ${fail(`h.placeholder(${variable}, ${literal(part.path)})`, literal(part.path))}`);
        pieces.push(variable);
      }
      if (pieces.length === 0 || !pieces[0]!.startsWith('"')) pieces.unshift('""');
      this.line(d, `v = ${pieces.join(' + ')};`);
    }

    if (spec.map !== undefined) {
      const variable = this.next('M');
      this.prologue.push(`const ${variable} = Object.assign(Object.create(null), JSON.parse(${literal(JSON.stringify(spec.map))}));`);
      const known = Object.keys(spec.map).join(', ');
      this.line(d, `m = ${variable}[v];`);
      this.line(d, `if (m !== undefined) v = m;`);
      this.line(d, spec.default !== undefined ? `else v = ${literal(spec.default)};` : `else ${fail(`h.unmapped(v, ${literal(known)})`)}`);
    }
    if (spec.lookup !== undefined) {
      const table = this.table(spec.lookup);
      this.line(d, `if (${table} !== undefined) {`);
      this.line(d + 1, `m = hasOwn(${table}, v) ? ${table}[v] : undefined;`);
      this.line(d + 1, `if (m !== undefined) v = m;`);
      this.line(d + 1, spec.default !== undefined ? `else v = ${literal(spec.default)};` : `else ${fail(`h.notInLookup(v, ${literal(spec.lookup)})`)}`);
      this.line(d, '}');
    }
    if (spec.format !== undefined) this.emitFormat(spec.format, fail, d);
    // Blank counts as empty: an id of spaces ("  ") names nothing, and must not settle or link a payment.
    if (spec.required) this.line(d, `if (typeof v === "string" && v.trim() === "") ${fail('h.requiredEmpty()')}`);
    this.line(d, `${this.write(out, target)} = v;`);
    this.line(depth, '}');
  }

  private emitFormat(format: FormatSpec, fail: (message: string) => string, d: number): void {
    const exporting = this.direction === 'export';
    if (format === 'money' || (typeof format === 'object' && 'money' in format)) {
      const scale = format === 'money' ? 2 : format.money.scale;
      if (!exporting) {
        this.line(d, `m = h.centsIn(v);`);
        this.line(d, `if (m === undefined) ${fail('h.centsInProblem(v)')}`);
        this.line(d, `v = m;`);
      } else if (scale >= 2) {
        this.line(d, `if (typeof v !== "number" || !Number.isSafeInteger(v)) ${fail(`h.moneyOutProblem(v, ${scale})`)}`);
        this.line(d, `v = formatCents(v, ${scale});`);
      } else {
        this.line(d, `m = h.moneyOut(v, ${scale});`);
        this.line(d, `if (m === undefined) ${fail(`h.moneyOutProblem(v, ${scale})`)}`);
        this.line(d, `v = m;`);
      }
      return;
    }
    if (format === 'string') {
      this.line(d, `if (typeof v !== "string") {`);
      this.line(d + 1, `m = h.toText(v);`);
      this.line(d + 1, `if (m === undefined) ${fail('h.notText(v)')}`);
      this.line(d + 1, `v = m;`);
      this.line(d, `}`);
      return;
    }
    if (format === 'integer') {
      this.line(d, `if (typeof v !== "number" || !Number.isSafeInteger(v)) {`);
      this.line(d + 1, `m = h.toInteger(v);`);
      this.line(d + 1, `if (m === undefined) ${fail('h.notInteger(v)')}`);
      this.line(d + 1, `v = m;`);
      this.line(d, `}`);
      return;
    }
    this.emitDate(format.date, fail, d);
  }

  private emitDate(pattern: string, fail: (message: string) => string, d: number): void {
    const parsed = pattern === ISO_DATETIME ? undefined : parseDatePattern(pattern);
    const parts: DatePart[] = parsed?.ok ? parsed.parts : ['YYYY', { text: '-' }, 'MM', { text: '-' }, 'DD'];
    if (this.direction === 'export') {
      this.line(d, `if (typeof v !== "string" || !isoDate.test(v)) ${fail(`h.notDate(v, "YYYY-MM-DD")`)}`);
      if (pattern === 'YYYY-MM-DD') return;
      const slices = { YYYY: 'v.slice(0, 4)', MM: 'v.slice(5, 7)', DD: 'v.slice(8, 10)' } as const;
      this.line(d, `v = ${parts.map((part) => (typeof part === 'string' ? slices[part] : literal(part.text))).join(' + ')};`);
      return;
    }
    const variable = this.next('D');
    let expression: string;
    if (pattern === ISO_DATETIME) {
      this.prologue.push(`const ${variable} = /^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ].*)?$/;`);
      expression = 'x[1] + "-" + x[2] + "-" + x[3]';
    } else {
      const source = parts.map((part) => (typeof part === 'string' ? (part === 'YYYY' ? '(\\d{4})' : '(\\d{2})') : escapeRegExp(part.text))).join('');
      this.prologue.push(`const ${variable} = new RegExp(${literal(`^${source}$`)});`);
      const groups = parts.filter((part): part is 'YYYY' | 'MM' | 'DD' => typeof part === 'string');
      const group = (token: 'YYYY' | 'MM' | 'DD') => `x[${groups.indexOf(token) + 1}]`;
      expression = `${group('YYYY')} + "-" + ${group('MM')} + "-" + ${group('DD')}`;
    }
    this.line(d, `x = typeof v === "string" ? ${variable}.exec(v.trim()) : null;`);
    this.line(d, `if (x === null) ${fail(`h.notDate(v, ${literal(pattern)})`)}`);
    this.line(d, `m = ${expression};`);
    this.line(d, `if (!h.isCalendarDate(m)) ${fail('h.notCalendarDate(v)')}`);
    this.line(d, `v = m;`);
  }

  private emitGroup(target: string, spec: GroupSpec, out: string, scopes: readonly CodeScope[], nameOf: NameOf, depth: number): void {
    const label = this.next('g');
    const id = this.counter++;
    const [each, items, list, index, item, object] = ['e', 'a', 'l', 'i', 's', 'o'].map((prefix) => `${prefix}${id}`) as [string, string, string, string, string, string];
    const name = nameOf(target);
    const source = literal(spec.each);
    const fail = (message: string) => `{ errors = h.fail(errors, recordId, ${name}, ${source}, ${message}); break ${label}; }`;
    const d = depth + 1;
    this.line(depth, `${label}: {`);
    this.emitWhen(spec.when, scopes, label, d);
    this.line(d, `const ${each} = ${this.read(spec.each, scopes)};`);
    this.line(d, `if (${each} == null) ${spec.required ? fail(`h.requiredMissing(${source})`) : `break ${label};`}`);
    this.line(d, `if (typeof ${each} !== "object") ${fail(`h.notGroup(${each})`)}`);
    this.line(d, `const ${items} = Array.isArray(${each}) ? ${each} : [${each}];`);
    this.line(d, `const ${list} = [];`);
    this.line(d, `for (let ${index} = 0; ${index} < ${items}.length; ${index}++) {`);
    this.line(d + 1, `const ${item} = ${items}[${index}];`);
    this.line(d + 1, `const ${object} = {};`);
    const inner: CodeScope[] = [{ name: spec.as ?? 'item', variable: item }, ...scopes];
    const innerName: NameOf = (sub) => `${name} + "." + ${index} + ${literal(`.${sub}`)}`;
    this.emitFields(spec.fields, object, inner, innerName, d + 1);
    this.line(d + 1, `${list}.push(${object});`);
    this.line(d, '}');
    if (spec.required) this.line(d, `if (${list}.length === 0) ${fail('h.requiredEmpty()')}`);
    this.line(d, `${this.write(out, target)} = ${list};`);
    this.line(depth, '}');
  }
}
