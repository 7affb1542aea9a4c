/**
 * Fuzzed mapping documents: the connectors' own mapping.yaml files mutated (snippets of YAML syntax spliced
 * in, lines cut, dropped or repeated), and random YAML (alias bombs, self-referencing anchors, deep nesting,
 * huge scalars, odd tags and types). Parsing, validating, merging and compiling must finish quickly, and every
 * refusal must be a MappingFileError whose every problem carries `file:line:col`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Direction, Entity } from '../src/connector/capabilities.js';
import { isLedgerlinkError } from '../src/errors.js';
import { compileMapping, MappingFileError, mergeMapping, parseMapping, type MappingDocument } from '../src/mapping/index.js';

const runs = (defaultRuns: number): number => Number(process.env.LEDGERLINK_FUZZ_RUNS ?? defaultRuns);
const timeout = (defaultRuns: number, msPerRun: number): number => 15_000 + runs(defaultRuns) * msPerRun;

/** No single document may take longer than this to parse, validate and compile (the issue: inputs over 2 s). */
const LIMIT_MS = 2_000;

const PACKAGES = resolve(import.meta.dirname, '../..');
const SEEDS = readdirSync(PACKAGES)
  .filter((name) => name.startsWith('connector-'))
  .flatMap((name) => {
    try {
      return [readFileSync(join(PACKAGES, name, 'mapping.yaml'), 'utf8')];
    } catch {
      return [];
    }
  });

/** Pieces of YAML that break or bend a document where they land. */
const SNIPPETS = [
  '&a ', '*a', '*missing', '&a [*a, *a]', '[', ']', '{', '}', ': ', '- ', '? ', '\t', '"', "'", '|', '>', '#', '!!binary ', '!!set ', '!custom ',
  '!!str ', '!!int ', '!!float ', '.nan', '.inf', '-.inf', '0x1F', '1e400', '~', 'null', 'true', '<<: *a', '---\n', '...\n', '%YAML 1.1\n',
  '__proto__: 1', 'constructor: {}', 'format: { date: ', 'format: { money: { scale: 9 } }', 'template: "{{ a..b }}"', 'template: "{{"',
  'from: vendor.__proto__', 'map: {}', 'each: invoice', 'when: { path: x }', 'lookup: "bad name"', 'x'.repeat(2000), '\u0000', '\ufeff', '\r\n',
];

/** A text mutation: splice a snippet in, cut a slice out, or repeat a line. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 3 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const change of mutations) {
    const at = out.length === 0 ? 0 : change.at % out.length;
    if (change.kind === 'insert') out = out.slice(0, at) + change.text + out.slice(at);
    else if (change.kind === 'cut') out = out.slice(0, at) + out.slice(at + change.length);
    else {
      const lines = out.split('\n');
      const index = at % Math.max(1, lines.length);
      lines.splice(index, 0, ...Array.from({ length: change.times }, () => lines[index] ?? ''));
      out = lines.join('\n');
    }
  }
  return out;
}

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, changes]) => mutate(seed, changes));

/** An anchor per level, each level referring to the one below `width` times: width^depth nodes once expanded. */
function aliasBomb(width: number, depth: number, where: 'entities' | 'fields'): string {
  const lines = ['version: 1', 'connector: bomb', 'anchors:', `  l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(', ')}]`];
  for (let level = 1; level < depth; level++) {
    lines.push(`  l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(', ')}]`);
  }
  lines.push(where === 'entities' ? `entities: *l${depth - 1}` : `entities: { payment: { export: { fields: { A: { from: id, map: *l${depth - 1} } } } } }`);
  return lines.join('\n');
}

const nasty = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom<'entities' | 'fields'>('entities', 'fields')).map(([w, d, where]) => aliasBomb(w, d, where)),
  fc.constantFrom(
    'entities: &a { payment: *a }',
    'a: &a [*a, *a, *a]\nentities: *a',
    'entities: &e\n  payment: { export: { fields: { x: *e } } }',
  ),
  fc.integer({ min: 10, max: 5000 }).map((depth) => `entities: ${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 10, max: 3000 }).map((depth) => `entities: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.integer({ min: 10, max: 400 }).map((depth) => `entities:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1`),
  fc.integer({ min: 1_000, max: 100_000 }).map((size) => `connector: ${'x'.repeat(size)}\nentities: {}`),
  fc.integer({ min: 1_000, max: 100_000 }).map((size) => `version: 1\nconnector: c\nentities:\n  ${'p'.repeat(size)}: {}`),
  fc.integer({ min: 100, max: 800 }).map((count) => `version: 1\nconnector: c\nentities:\n  payment:\n    export:\n      fields:\n${Array.from({ length: count }, (_, i) => `        F${i}: { from: nonsense${i} }`).join('\n')}`),
  fc.integer({ min: 100, max: 5_000 }).map((count) => `a: &a x\nentities: [${Array.from({ length: count }, () => '*a').join(', ')}]`),
  fc.json({ maxDepth: 5 }),
  fc.string({ maxLength: 200 }),
);

/** What the property accepts: a document, or a MappingFileError whose every problem is located in the file. */
function checkRefusal(error: unknown, file: string, text: string): void {
  if (!(error instanceof MappingFileError)) {
    const what = isLedgerlinkError(error) ? `${error.code} without positions` : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`refused with ${what.slice(0, 300)}`, { cause: error });
  }
  expect(error.problems.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const problem of error.problems) {
    expect(problem.file).toBe(file);
    expect(Number.isInteger(problem.line) && problem.line >= 1 && problem.line <= lines + 1).toBe(true);
    expect(Number.isInteger(problem.col) && problem.col >= 1).toBe(true);
    expect(problem.message.length).toBeLessThan(2_000);
  }
}

/** Parses (as a mapping and as an override), merges onto a real mapping, compiles every section it has. */
function exercise(text: string): void {
  const started = performance.now();
  for (const override of [false, true]) {
    let document: MappingDocument;
    try {
      document = parseMapping(text, 'fuzz.yaml', { override });
    } catch (error) {
      checkRefusal(error, 'fuzz.yaml', text);
      continue;
    }
    const target = override ? merged(document) : document;
    if (target === undefined) continue;
    for (const entity of Entity.options) {
      for (const direction of Direction.options) {
        if (target.entities[entity]?.[direction] === undefined) continue;
        const compiled = compileMapping(target, entity, direction);
        expect(compiled({}).ok === true || compiled({}).ok === false).toBe(true);
      }
    }
  }
  const took = performance.now() - started;
  if (took > LIMIT_MS) throw new Error(`a document of ${text.length} characters took ${Math.round(took)} ms`);
}

function refusal(text: string): MappingFileError {
  try {
    parseMapping(text, 'fuzz.yaml');
  } catch (error) {
    checkRefusal(error, 'fuzz.yaml', text);
    return error as MappingFileError;
  }
  throw new Error('the document was accepted');
}

const BASE = parseMapping(SEEDS[0] ?? '', 'base.yaml');

function merged(override: MappingDocument): MappingDocument | undefined {
  try {
    return mergeMapping(BASE, override);
  } catch (error) {
    if (!(error instanceof MappingFileError)) throw error;
    for (const problem of error.problems) {
      expect(['base.yaml', 'fuzz.yaml']).toContain(problem.file);
      expect(problem.line >= 1 && problem.col >= 1).toBe(true);
    }
    return undefined;
  }
}

describe('mapping language under fuzzed documents', () => {
  it('has the connectors mapping files to start from', () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(7);
  });

  it('parses, validates and compiles mutated connector mappings quickly, locating every problem', () => {
    fc.assert(fc.property(mutated, (text) => exercise(text)), { numRuns: runs(150) });
  }, timeout(150, 60));

  // These documents are large by design: a tenth of the runs (60 in npm test, 2,000 in the bench).
  it('survives alias bombs, self-references, deep nesting and huge scalars, locating every problem', () => {
    fc.assert(fc.property(nasty, (text) => exercise(text)), { numRuns: Math.ceil(runs(600) / 10) });
  }, timeout(60, 300));

  it('stops a billion laughs at the alias that overflows, with its position', () => {
    const started = performance.now();
    const error = refusal(aliasBomb(10, 10, 'entities'));
    expect(performance.now() - started).toBeLessThan(LIMIT_MS);
    expect(error.problems.some((problem) => /expands to more than|more than 1000 aliases/.test(problem.message) && problem.line >= 4)).toBe(true);
  });

  it('refuses an alias inside the value it refers to, at the alias', () => {
    const error = refusal('version: 1\nconnector: c\nentities: &a { payment: *a }');
    expect(error.problems).toContainEqual(expect.objectContaining({ line: 3, col: 25, message: 'alias *a refers to a value that contains it' }));
  });

  it('reads many aliases in linear time', () => {
    const text = `a: &a x\nentities: [${Array.from({ length: 900 }, () => '*a').join(', ')}]`;
    const started = performance.now();
    refusal(text);
    expect(performance.now() - started).toBeLessThan(LIMIT_MS);
  });
});
