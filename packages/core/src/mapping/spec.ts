import { z } from 'zod';
import { FORBIDDEN_KEYS } from './yaml-tree.js';

/**
 * The validated shape of a mapping document (see README.md). Internal: users hold a `MappingDocument` and
 * hand it to `compileMapping`.
 */
export type ScalarValue = string | number | boolean;

export type FormatSpec = 'money' | 'string' | 'integer' | { money: { scale: number } } | { date: string };

export interface WhenSpec {
  path: string;
  equals?: ScalarValue;
  notEquals?: ScalarValue;
  in?: ScalarValue[];
  exists?: boolean;
}

export interface FieldSpec {
  from?: string;
  const?: ScalarValue;
  template?: string;
  when?: WhenSpec;
  map?: Record<string, ScalarValue>;
  default?: ScalarValue;
  lookup?: string;
  format?: FormatSpec;
  required?: boolean;
}

export interface GroupSpec {
  each: string;
  as?: string;
  fields: FieldsSpec;
  when?: WhenSpec;
  required?: boolean;
}

/** Target path -> field, group, or `null` (an override removing the field). */
export type FieldsSpec = Record<string, FieldSpec | GroupSpec | null>;

export interface DirectionSpec {
  fields: FieldsSpec;
}

export type EntitiesSpec = Partial<Record<string, Partial<Record<string, DirectionSpec>>>>;

export function isGroup(spec: FieldSpec | GroupSpec): spec is GroupSpec {
  return 'each' in spec;
}

/** The operators of a field, in the order the README lists them. */
export const FIELD_OPERATORS = ['from', 'const', 'template', 'when', 'map', 'default', 'lookup', 'format', 'required'] as const;
export const GROUP_KEYS = ['each', 'as', 'fields', 'when', 'required'] as const;
export const SOURCE_OPERATORS = ['from', 'const', 'template'] as const;
export const WHEN_CONDITIONS = ['equals', 'notEquals', 'in', 'exists'] as const;
export const NAMED_FORMATS = ['money', 'string', 'integer'] as const;

/** Splits a dotted path; `undefined` when a segment is empty, padded with spaces, or reaches a prototype. */
export function splitPath(path: string): string[] | undefined {
  const segments = path.split('.');
  const valid = segments.every((segment) => segment !== '' && segment.trim() === segment && !FORBIDDEN_KEYS.has(segment));
  return valid ? segments : undefined;
}

export const PATH_HINT = 'expected a dotted path such as vendor.erpId';

const Scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, a number or true/false' });
const DottedPath = z.string().refine((value) => splitPath(value) !== undefined, PATH_HINT);
const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'expected a name of letters, digits, _ and -');

/** A field's operators. `when` and `format` are checked on their own, for messages that say exactly what is wrong. */
export const FieldOperatorsSchema = z.strictObject({
  from: DottedPath.optional(),
  const: Scalar.optional(),
  template: z.string().optional(),
  when: z.unknown().optional(),
  map: z.record(z.string(), Scalar).optional(),
  default: Scalar.optional(),
  lookup: Name.optional(),
  format: z.unknown().optional(),
  required: z.boolean().optional(),
});

export const GroupSchema = z.strictObject({
  each: DottedPath,
  as: Name.optional(),
  fields: z.record(z.string(), z.unknown()),
  when: z.unknown().optional(),
  required: z.boolean().optional(),
});

export const WhenSchema = z.strictObject({
  path: DottedPath,
  equals: Scalar.optional(),
  notEquals: Scalar.optional(),
  in: z.array(Scalar).min(1, 'expected at least one value').optional(),
  exists: z.boolean().optional(),
});

export const MoneyFormatSchema = z.strictObject({
  money: z.strictObject({
    scale: z.number().int('expected a whole number').min(0, 'expected 0 to 6').max(6, 'expected 0 to 6'),
  }),
});

export const DateFormatSchema = z.strictObject({ date: z.string() });

export const DocumentSchema = z.strictObject({
  version: z.literal(1).optional(),
  connector: z.string().min(1, 'must not be empty').optional(),
  entities: z.record(z.string(), z.unknown()),
});

export const EntitySchema = z.strictObject({ export: z.unknown().optional(), import: z.unknown().optional() });

export const DirectionSchema = z.strictObject({ fields: z.record(z.string(), z.unknown()) });
