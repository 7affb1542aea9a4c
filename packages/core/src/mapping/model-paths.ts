import type { z } from 'zod';

/** What a path resolves to in a zod schema, as far as the mapping language cares. */
export type SchemaKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'enum' | 'unknown';

export interface SchemaInfo {
  kind: SchemaKind;
  schema: z.ZodType;
  /** Field names, for `object`. */
  fields?: string[];
  /** Allowed values, for `enum`. */
  values?: string[];
  /** The item schema, for `array`. */
  element?: z.ZodType;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  entries?: Record<string, string>;
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Looks through optional/default/nullable/pipe wrappers to the schema that says what a value is. */
export function describeSchema(schema: z.ZodType): SchemaInfo {
  let current = schema;
  for (let guard = 0; guard < 32; guard++) {
    const def = defOf(current);
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else break;
  }
  const def = defOf(current);
  switch (def.type) {
    case 'object':
      return { kind: 'object', schema: current, fields: Object.keys(def.shape ?? {}) };
    case 'array':
      return { kind: 'array', schema: current, ...(def.element ? { element: def.element } : {}) };
    case 'enum':
      return { kind: 'enum', schema: current, values: Object.values(def.entries ?? {}) };
    case 'string':
    case 'number':
    case 'boolean':
      return { kind: def.type, schema: current };
    default:
      return { kind: 'unknown', schema: current };
  }
}

export function childSchema(info: SchemaInfo, segment: string): z.ZodType | undefined {
  if (info.kind === 'object') return (defOf(info.schema).shape ?? {})[segment];
  if (info.kind === 'array' && /^\d+$/.test(segment)) return info.element;
  return undefined;
}

/**
 * Optimal string alignment distance: a swapped pair of letters ("nmae") counts as one edit. Three rows of a
 * typed array, not a full matrix: a long word typed by mistake (or a fuzzer) must not allocate len × len cells.
 */
function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  let before = new Uint32Array(cols);
  let previous = Uint32Array.from({ length: cols }, (_, j) => j);
  let current = new Uint32Array(cols);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/** The candidate closest to `word`, when one is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    // The distance is at least the difference in length: a candidate that far off is never suggested.
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  // "amount" for "amountCents": a name that starts with what was written, when only one does.
  const lower = word.toLowerCase();
  const extended = lower.length >= 3 ? candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower)) : [];
  return extended.length === 1 ? extended[0] : undefined;
}

export type PathResolution = { ok: true; info: SchemaInfo } | { ok: false; message: string };

/**
 * Resolves a dotted path in a schema: `vendor.erpId` in `Payment`. On a miss, says which part is unknown and
 * what was probably meant: "payment has no field 'vendor.nmae' (did you mean vendor.name?)".
 */
export function resolvePath(schema: z.ZodType, segments: readonly string[], label: string, prefix = ''): PathResolution {
  let info = describeSchema(schema);
  const written = segments.join('.');
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (info.kind === 'unknown') return { ok: true, info };
    const child = childSchema(info, segment);
    if (child) {
      info = describeSchema(child);
      continue;
    }
    const before = segments.slice(0, index).join('.');
    const at = before === '' ? label : `${label}.${before}`;
    if (info.kind === 'object') {
      const guess = closest(segment, info.fields ?? []);
      const hint = guess
        ? `did you mean ${prefix}${[...segments.slice(0, index), guess, ...segments.slice(index + 1)].join('.')}?`
        : `${at} has: ${(info.fields ?? []).join(', ')}`;
      return { ok: false, message: `${label} has no field '${written}' (${hint})` };
    }
    if (info.kind === 'array') {
      return { ok: false, message: `${label} has no field '${written}' (${at} is a list: use an index, as in ${prefix}${[...segments.slice(0, index), '0'].join('.')})` };
    }
    return { ok: false, message: `${label} has no field '${written}' (${at} is ${article(info.kind)})` };
  }
  return { ok: true, info };
}

export function article(kind: SchemaKind): string {
  switch (kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'enum':
      return 'one of a fixed set of values';
    case 'unknown':
      return 'a value';
    default:
      return `a ${kind}`;
  }
}
