import type { z } from 'zod';
import { Direction, Entity } from '../connector/capabilities.js';
import { ISO_DATETIME, parseDatePattern, runtime } from './formats.js';
import { article, childSchema, closest, describeSchema, resolvePath, type PathResolution, type SchemaInfo } from './model-paths.js';
import { MAPPING_MODELS, type ModelSide } from './models.js';
import type { PositionIndex, TreePath } from './positions.js';
import {
  DateFormatSchema,
  DirectionSchema,
  DocumentSchema,
  EntitySchema,
  FIELD_OPERATORS,
  FieldOperatorsSchema,
  GROUP_KEYS,
  GroupSchema,
  MoneyFormatSchema,
  NAMED_FORMATS,
  SOURCE_OPERATORS,
  WHEN_CONDITIONS,
  WhenSchema,
  splitPath,
  type DirectionSpec,
  type EntitiesSpec,
  type FieldSpec,
  type FieldsSpec,
  type FormatSpec,
  type GroupSpec,
  type WhenSpec,
} from './spec.js';
import { parseTemplate } from './template.js';
import { TargetTree } from './target-tree.js';
import type { MappingProblem } from './types.js';

/** The validated tree of a mapping document. */
export interface ValidatedTree {
  version?: 1;
  connector?: string;
  entities: EntitiesSpec;
}

interface Scope {
  name: string;
  /** Undefined when the input's shape is not known (an ERP record on import). */
  schema: z.ZodType | undefined;
}

interface FieldContext {
  direction: Direction;
  model: ModelSide;
  scopes: Scope[];
  inGroup: boolean;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

const FORMAT_HINT = 'money, string, integer, { money: { scale: N } } or { date: PATTERN }';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): SchemaInfo {
  let info = describeSchema(schema);
  for (const segment of path) {
    const child = childSchema(info, String(segment));
    if (!child) break;
    info = describeSchema(child);
  }
  return info;
}

function list(values: readonly unknown[]): string {
  return values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join(', ');
}

/**
 * Checks a whole mapping tree and collects every problem with its position: structure (zod schemas of the
 * operators), then meaning (paths against the canonical model, enum values, targets that collide).
 */
export class DocumentValidator {
  readonly problems: MappingProblem[] = [];

  constructor(
    private readonly positions: PositionIndex,
    private readonly override: boolean,
  ) {}

  private report(path: TreePath, which: 'key' | 'value', message: string): void {
    this.problems.push({ ...this.positions.at(path, which), message });
  }

  /** Runs a zod schema and turns its issues into positioned problems; undefined when it failed. */
  private zod<T>(
    schema: z.ZodType<T>,
    value: unknown,
    path: TreePath,
    unknownKey: (key: string, known: string[]) => string,
    labelPrefix?: string,
  ): T | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const relative = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
      const at = [...path, ...relative];
      const label = [...(labelPrefix === undefined ? [] : [labelPrefix]), ...relative].join('.');
      const prefix = label === '' ? '' : `${label}: `;
      const actual = valueAt(value, relative);
      switch (issue.code) {
        case 'unrecognized_keys': {
          const known = schemaAt(schema, relative).fields ?? [];
          for (const key of issue.keys) this.report([...at, key], 'key', unknownKey(key, known));
          break;
        }
        case 'invalid_type':
          if (actual === undefined) this.report(at, 'key', `missing '${label}'`);
          else this.report(at, 'value', `${prefix}expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${runtime.describe(actual)}`);
          break;
        case 'invalid_value':
          this.report(at, 'value', `${prefix}expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${runtime.describe(actual)}`);
          break;
        case 'invalid_union':
          this.report(at, 'value', `${prefix}${issue.message}, got ${runtime.describe(actual)}`);
          break;
        case 'too_small':
        case 'too_big':
          this.report(at, 'value', `${prefix}${issue.message}, got ${runtime.describe(actual)}`);
          break;
        default:
          this.report(at, 'value', `${prefix}${issue.message}`);
      }
    }
    return undefined;
  }

  private unknownKeyIn(where: string): (key: string, known: string[]) => string {
    return (key, known) => {
      const guess = closest(key, known);
      return `unknown key '${key}' in ${where}${guess ? ` (did you mean ${guess}?)` : ''}; known keys: ${known.join(', ')}`;
    };
  }

  validate(tree: unknown): ValidatedTree | undefined {
    if (!isRecord(tree)) {
      this.report([], 'value', 'a mapping file is a YAML mapping with version, connector and entities');
      return undefined;
    }
    const top = this.zod(DocumentSchema, tree, [], this.unknownKeyIn('the document'));
    if (!this.override && tree.connector === undefined) {
      this.report([], 'value', "missing 'connector': name the connector this mapping is for, such as connector: qbo");
    }
    const entities: EntitiesSpec = {};
    if (isRecord(tree.entities)) {
      if (Object.keys(tree.entities).length === 0) this.report(['entities'], 'key', 'entities: empty; add payment: { export: { fields: ... } }');
      for (const [name, value] of Object.entries(tree.entities)) {
        const entity = this.validateEntity(name, value);
        if (entity) entities[name] = entity;
      }
    }
    if (!top || this.problems.length > 0) return undefined;
    return {
      ...(top.version === undefined ? {} : { version: top.version }),
      ...(top.connector === undefined ? {} : { connector: top.connector }),
      entities,
    };
  }

  private validateEntity(name: string, value: unknown): Partial<Record<string, DirectionSpec>> | undefined {
    const path = ['entities', name];
    if (!(Entity.options as readonly string[]).includes(name)) {
      const guess = closest(name, Entity.options);
      this.report(path, 'key', `unknown entity '${name}'${guess ? ` (did you mean ${guess}?)` : ''}; known entities: ${Entity.options.join(', ')}`);
      return undefined;
    }
    const entity = name as Entity;
    const parsed = this.zod(EntitySchema, value, path, (key, known) => {
      const guess = closest(key, known);
      return `unknown direction '${key}' under ${entity}${guess ? ` (did you mean ${guess}?)` : ''}; known directions: ${known.join(', ')}`;
    });
    if (!isRecord(value)) return undefined;
    const result: Partial<Record<string, DirectionSpec>> = {};
    for (const direction of Direction.options) {
      if (value[direction] === undefined) continue;
      const spec = this.validateDirection(entity, direction, value[direction]);
      if (spec) result[direction] = spec;
    }
    if (parsed && value.export === undefined && value.import === undefined) {
      this.report(path, 'key', `${entity}: give an export or an import section (or both)`);
    }
    return parsed ? result : undefined;
  }

  private validateDirection(entity: Entity, direction: Direction, value: unknown): DirectionSpec | undefined {
    const path = ['entities', entity, direction];
    const parsed = this.zod(DirectionSchema, value, path, this.unknownKeyIn(`${entity}.${direction}`));
    if (!parsed) return undefined;
    const model = MAPPING_MODELS[entity][direction];
    if (model === undefined) {
      this.report(path, 'key', `${entity}.${direction}: ledgerlink has no ${entity} ${direction} direction (it has: ${Object.keys(MAPPING_MODELS[entity]).join(', ')})`);
      return undefined;
    }
    const fieldsPath = [...path, 'fields'];
    const fields = this.validateFields(parsed.fields, fieldsPath, { direction, model, scopes: [], inGroup: false });
    if (!this.override && Object.keys(parsed.fields).length === 0) {
      this.report(fieldsPath, 'key', `${entity}.${direction}.fields: empty; map at least one field`);
    }
    if (!this.override && direction === 'import') {
      const produced = new Set(Object.keys(parsed.fields).filter((target) => parsed.fields[target] !== null));
      const shape = describeSchema(model.schema);
      const missing = (shape.fields ?? []).filter((field) => {
        const schema = childSchema(shape, field);
        return schema !== undefined && !schema.safeParse(undefined).success && !produced.has(field);
      });
      if (missing.length > 0) {
        this.report(
          fieldsPath,
          'key',
          `${entity} import does not produce ${missing.join(', ')}, which ${model.label} requires (add ${missing[0]!}: { from: ... } or { const: ... })`,
        );
      }
    }
    return { fields };
  }

  private validateFields(value: Record<string, unknown>, path: TreePath, context: FieldContext): FieldsSpec {
    const result: FieldsSpec = {};
    const targets = new TargetTree();
    for (const [target, raw] of Object.entries(value)) {
      const fieldPath = [...path, target];
      const segments = splitPath(target);
      if (!segments) {
        this.report(fieldPath, 'key', `target '${target}' is not a dotted path such as CheckPayment.BankAccountRef.value`);
        continue;
      }
      if (/^\d+$/.test(segments[0]!)) {
        this.report(fieldPath, 'key', `target '${target}' starts with a list index; a target starts with a field name`);
        continue;
      }
      const conflict = targets.add(target, segments);
      if (conflict) this.report(fieldPath, 'key', conflict);
      if (raw === null) {
        result[target] = null;
        continue;
      }
      if (!isRecord(raw)) {
        this.report(fieldPath, 'value', `a field is a mapping of operators, such as { from: amountCents }, got ${runtime.describe(raw)}`);
        continue;
      }
      const group = 'each' in raw || 'fields' in raw;
      const targetInfo = this.checkTarget(target, segments, fieldPath, group, context);
      const spec = group
        ? this.validateGroup(raw, fieldPath, context)
        : this.validateField(raw, fieldPath, context, targetInfo);
      if (spec) result[target] = spec;
    }
    return result;
  }

  /** Import targets are fields of the canonical record the import produces. */
  private checkTarget(target: string, segments: string[], path: TreePath, group: boolean, context: FieldContext): SchemaInfo | undefined {
    if (context.direction !== 'import' || context.inGroup) return undefined;
    const resolved = resolvePath(context.model.schema, segments, context.model.label);
    if (!resolved.ok) {
      this.report(path, 'key', resolved.message);
      return undefined;
    }
    if (group && resolved.info.kind !== 'array' && resolved.info.kind !== 'unknown') {
      this.report(path, 'key', `a group builds a list, but ${context.model.label} field '${target}' is ${article(resolved.info.kind)}`);
    }
    return resolved.info;
  }

  private resolveSource(path: string, context: FieldContext): PathResolution | undefined {
    const segments = splitPath(path);
    if (!segments) return undefined;
    for (const scope of context.scopes) {
      if (segments[0] !== scope.name) continue;
      if (!scope.schema) return undefined;
      return resolvePath(scope.schema, segments.slice(1), scope.name, `${scope.name}.`);
    }
    if (context.direction === 'import') return undefined;
    return resolvePath(context.model.schema, segments, context.model.label);
  }

  /** A source must name a value; `leafOnly` refuses paths that end on an object (a `from`, a placeholder). */
  private checkSource(source: string, at: TreePath, context: FieldContext, leafOnly: boolean): SchemaInfo | undefined {
    const resolved = this.resolveSource(source, context);
    if (!resolved) return undefined;
    if (!resolved.ok) {
      this.report(at, 'value', resolved.message);
      return undefined;
    }
    const { info } = resolved;
    if (leafOnly && (info.kind === 'object' || info.kind === 'array')) {
      const hint = info.kind === 'object' ? `map one of its fields: ${(info.fields ?? []).join(', ')}` : 'repeat over it with a group (each)';
      this.report(at, 'value', `'${source}' is ${article(info.kind)}; ${hint}`);
      return undefined;
    }
    return info;
  }

  private validateField(raw: Record<string, unknown>, path: TreePath, context: FieldContext, target: SchemaInfo | undefined): FieldSpec | undefined {
    const parsed = this.zod(FieldOperatorsSchema, raw, path, (key, known) => {
      const guess = closest(key, known);
      return `unknown operator '${key}'${guess ? ` (did you mean ${guess}?)` : ''}; known operators: ${FIELD_OPERATORS.join(', ')}`;
    });
    const sources = SOURCE_OPERATORS.filter((operator) => raw[operator] !== undefined);
    if (sources.length === 0) this.report(path, 'key', 'a field needs one source: from, const or template');
    if (sources.length > 1) this.report(path, 'key', `a field takes one source, but this one has ${sources.join(' and ')}`);
    if (raw.default !== undefined && raw.map === undefined && raw.lookup === undefined) {
      this.report([...path, 'default'], 'key', 'default goes with map or lookup; this field has neither');
    }
    if (raw.map !== undefined && raw.lookup !== undefined) {
      this.report([...path, 'lookup'], 'key', 'a field takes map or lookup, not both (their default would be ambiguous)');
    }
    if (isRecord(raw.map) && Object.keys(raw.map).length === 0) this.report([...path, 'map'], 'value', 'map: empty; list the values to translate');
    const when = raw.when === undefined ? undefined : this.validateWhen(raw.when, [...path, 'when'], context);
    const format = raw.format === undefined ? undefined : this.validateFormat(raw.format, [...path, 'format'], context.direction);
    if (typeof raw.template === 'string') this.checkTemplate(raw.template, [...path, 'template'], context);

    let source: SchemaInfo | undefined;
    if (typeof raw.from === 'string') source = this.checkSource(raw.from, [...path, 'from'], context, true);
    if (source && format !== undefined) this.checkFormatSource(format, source, raw.from as string, [...path, 'format'], context);
    if (source?.kind === 'enum' && isRecord(raw.map) && raw.default === undefined) {
      const missing = (source.values ?? []).filter((value) => !Object.hasOwn(raw.map as object, value));
      if (missing.length > 0) {
        this.report(
          [...path, 'map'],
          'key',
          `map has no entry for ${list(missing.map((value) => `'${value}'`))} (${context.model.label}.${String(raw.from)} is one of ${list(source.values ?? [])}); add ${missing.length > 1 ? 'them' : 'it'} or a default`,
        );
      }
    }
    if (target) this.checkTargetValues(raw, path, target, format, context);

    if (!parsed || (raw.when !== undefined && !when) || (raw.format !== undefined && format === undefined)) return undefined;
    const spec: FieldSpec = { ...parsed } as FieldSpec;
    if (when) spec.when = when;
    else delete spec.when;
    if (format !== undefined) spec.format = format;
    else delete spec.format;
    return spec;
  }

  /** On import, what a field produces must fit the target: enum values, numbers for money. */
  private checkTargetValues(raw: Record<string, unknown>, path: TreePath, target: SchemaInfo, format: FormatSpec | undefined, context: FieldContext): void {
    const name = path[path.length - 1];
    if (target.kind === 'enum') {
      const allowed = target.values ?? [];
      const check = (value: unknown, at: TreePath) => {
        if (!allowed.includes(value as string)) {
          this.report(at, 'value', `${runtime.describe(value)} is not a valid ${context.model.label} ${String(name)} (expected one of: ${list(allowed)})`);
        }
      };
      if (isRecord(raw.map)) for (const [key, value] of Object.entries(raw.map)) check(value, [...path, 'map', key]);
      if (raw.default !== undefined) check(raw.default, [...path, 'default']);
      if (raw.const !== undefined && raw.map === undefined) check(raw.const, [...path, 'const']);
    }
    if (format === undefined) return;
    const produces = typeof format === 'object' && 'date' in format ? 'string' : format === 'string' ? 'string' : 'number';
    const fits = target.kind === 'unknown' || target.kind === produces || (produces === 'string' && target.kind === 'enum');
    if (!fits) {
      this.report([...path, 'format'], 'value', `this format gives ${article(produces)}, but ${context.model.label} field '${String(name)}' is ${article(target.kind)}`);
    }
  }

  private checkFormatSource(format: FormatSpec, source: SchemaInfo, from: string, at: TreePath, context: FieldContext): void {
    if (context.direction !== 'export' || source.kind === 'unknown') return;
    const money = format === 'money' || (typeof format === 'object' && 'money' in format);
    const date = typeof format === 'object' && 'date' in format;
    if (money && source.kind !== 'number') {
      this.report(at, 'value', `format money needs an amount in integer cents, but ${context.model.label}.${from} is ${article(source.kind)}`);
    }
    if (date && source.kind !== 'string') {
      this.report(at, 'value', `format date needs an ISO date, but ${context.model.label}.${from} is ${article(source.kind)}`);
    }
  }

  private checkTemplate(template: string, at: TreePath, context: FieldContext): void {
    const parsed = parseTemplate(template);
    if (!parsed.ok) {
      this.report(at, 'value', parsed.message);
      return;
    }
    for (const part of parsed.parts) if ('path' in part) this.checkSource(part.path, at, context, true);
  }

  private validateWhen(raw: unknown, path: TreePath, context: FieldContext): WhenSpec | undefined {
    const parsed = this.zod(WhenSchema, raw, path, this.unknownKeyIn('when'), 'when');
    if (!isRecord(raw)) return undefined;
    const conditions = WHEN_CONDITIONS.filter((condition) => raw[condition] !== undefined);
    if (conditions.length === 0) this.report(path, 'key', 'when needs one condition: equals, notEquals, in or exists');
    if (conditions.length > 1) this.report(path, 'key', `when takes one condition, but this one has ${conditions.join(' and ')}`);
    if (typeof raw.path === 'string') this.checkSource(raw.path, [...path, 'path'], context, raw.exists === undefined);
    return parsed && conditions.length === 1 ? (parsed as WhenSpec) : undefined;
  }

  private validateFormat(raw: unknown, path: TreePath, direction: Direction): FormatSpec | undefined {
    if (typeof raw === 'string') {
      if ((NAMED_FORMATS as readonly string[]).includes(raw)) return raw as FormatSpec;
      const guess = closest(raw, NAMED_FORMATS);
      this.report(path, 'value', `unknown format '${raw}'${guess ? ` (did you mean ${guess}?)` : ''}; known formats: ${FORMAT_HINT}`);
      return undefined;
    }
    if (isRecord(raw) && 'money' in raw) {
      return this.zod(MoneyFormatSchema, raw, path, this.unknownKeyIn('format'), 'format');
    }
    if (isRecord(raw) && 'date' in raw) {
      const parsed = this.zod(DateFormatSchema, raw, path, this.unknownKeyIn('format'), 'format');
      if (!parsed) return undefined;
      if (parsed.date === ISO_DATETIME) {
        if (direction === 'import') return parsed;
        this.report([...path, 'date'], 'value', `format.date: ${ISO_DATETIME} reads a date-time on import; on export give a pattern such as YYYY-MM-DD`);
        return undefined;
      }
      const pattern = parseDatePattern(parsed.date);
      if (pattern.ok) return parsed;
      this.report([...path, 'date'], 'value', pattern.message);
      return undefined;
    }
    this.report(path, 'value', `format: expected ${FORMAT_HINT}, got ${runtime.describe(raw)}`);
    return undefined;
  }

  private validateGroup(raw: Record<string, unknown>, path: TreePath, context: FieldContext): GroupSpec | undefined {
    const parsed = this.zod(GroupSchema, raw, path, (key, known) => {
      const guess = closest(key, known);
      return `unknown key '${key}' in a group${guess ? ` (did you mean ${guess}?)` : ''}; known keys: ${GROUP_KEYS.join(', ')}`;
    });
    const when = raw.when === undefined ? undefined : this.validateWhen(raw.when, [...path, 'when'], context);
    const name = typeof raw.as === 'string' ? raw.as : 'item';
    let item: z.ZodType | undefined;
    if (typeof raw.each === 'string') {
      const resolved = this.resolveSource(raw.each, context);
      if (resolved && !resolved.ok) this.report([...path, 'each'], 'value', resolved.message);
      if (resolved?.ok) {
        const { info } = resolved;
        if (info.kind === 'array') item = info.element;
        else if (info.kind === 'object' || info.kind === 'unknown') item = info.schema;
        else this.report([...path, 'each'], 'value', `each needs a list or an object, but '${raw.each}' is ${article(info.kind)}`);
      }
    }
    if (context.direction === 'export' && !context.inGroup) {
      const root = describeSchema(context.model.schema);
      if (root.fields?.includes(name)) {
        this.report([...path, typeof raw.as === 'string' ? 'as' : 'each'], 'value', `as: '${name}' hides ${context.model.label}.${name} inside the group; choose another name`);
      }
    }
    if (!isRecord(raw.fields)) return undefined;
    if (Object.keys(raw.fields).length === 0) this.report([...path, 'fields'], 'key', 'fields: empty; map at least one field of each item');
    const scopes = [{ name, schema: context.direction === 'export' || context.inGroup ? item : undefined }, ...context.scopes];
    const fields = this.validateFields(raw.fields, [...path, 'fields'], { ...context, scopes, inGroup: true });
    if (!parsed || (raw.when !== undefined && !when)) return undefined;
    return { ...parsed, as: name, fields, ...(when ? { when } : {}) } as GroupSpec;
  }
}

/** Validates a whole tree; the problems are empty exactly when the tree came back. */
export function validateTree(tree: unknown, positions: PositionIndex, override: boolean): { tree?: ValidatedTree; problems: MappingProblem[] } {
  const validator = new DocumentValidator(positions, override);
  const result = validator.validate(tree);
  return result && validator.problems.length === 0 ? { tree: result, problems: [] } : { problems: validator.problems };
}
