/**
 * Fuzzed deployment configs: examples/demo.yaml mutated (snippets of YAML and of the config's own syntax spliced
 * in, lines cut or repeated), and random YAML (alias bombs, self-references, deep nesting, huge scalars,
 * secret references to files that never end). Loading and validating must finish quickly, never throw, and
 * locate every problem as FILE:LINE:COL.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConfigProblem } from '../src/config/load-config.js';
import { validateDeployment } from '../src/config/validate-deployment.js';
import { BUILT_IN_CONNECTORS } from '../src/plugins/built-in-connectors.js';
import { ConnectorRegistry } from '../src/plugins/connector-registry.js';

const runs = (defaultRuns: number): number => Number(process.env.LEDGERLINK_FUZZ_RUNS ?? defaultRuns);
const timeout = (defaultRuns: number, msPerRun: number): number => 15_000 + runs(defaultRuns) * msPerRun;

/** No config may take longer than this to load and validate. */
const LIMIT_MS = 2_000;

const DEMO = readFileSync(resolve(import.meta.dirname, '../../../examples/demo.yaml'), 'utf8');

/** Every variable the demo reads, with a value of the shape its field wants. */
const ENV: NodeJS.ProcessEnv = Object.fromEntries(
  [...DEMO.matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map(([, name = '']) => [
    name,
    name.endsWith('_URL') ? 'http://127.0.0.1:9' : name.endsWith('REALM_ID') ? '9130350000000001' : name.endsWith('PORT') ? '9999' : name.endsWith('SHA256') ? 'a'.repeat(64) : 'fuzz-value-0123456789abcdef',
  ]),
);

const dir = mkdtempSync(join(tmpdir(), 'll-config-fuzz-'));
mkdirSync(join(dir, 'a-directory'));
writeFileSync(join(dir, 'secret.txt'), 'from-a-file\n');
writeFileSync(join(dir, 'override.yaml'), 'entities:\n  payment:\n    export:\n      fields:\n        Memo: { from: nowhere }\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const registry = new ConnectorRegistry(BUILT_IN_CONNECTORS);

const SNIPPETS = [
  '&a ', '*a', '*missing', '[', ']', '{', '}', ': ', '- ', '? ', '\t', '"', "'", '|', '#', '!!binary ', '!custom ', '.nan', '1e400', '~', 'null',
  '<<: *a', '---\n', '%YAML 1.1\n', '__proto__: 1', '${env:', '${env:NOT_SET}', '${env:}', '${file:secret.txt}', '${file:missing.txt}',
  '${file:a-directory}', '${file:/dev/zero}', '${file:/dev/null}', 'mappingOverride: override.yaml', 'mappingOverride: /dev/zero',
  'mappingOverride: a-directory', 'erp: nosuch', 'port: 99999', 'connection: 5', 'tenants: []', 'x'.repeat(2000), '\u0000', '\r\n',
];

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

const mutated = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((changes) => mutate(DEMO, changes));

function aliasBomb(width: number, depth: number): string {
  const lines = [`l0: &l0 [${Array.from({ length: width }, () => '"lol"').join(', ')}]`];
  for (let level = 1; level < depth; level++) lines.push(`l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(', ')}]`);
  lines.push(`tenants: *l${depth - 1}`);
  return lines.join('\n');
}

const nasty = fc.oneof(
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 })).map(([width, depth]) => aliasBomb(width, depth)),
  fc.constantFrom('tenants: &a [*a]', 'tenants: &a\n  - id: x\n    connection: *a', 'hub: &h { connection: *h }\ntenants: []'),
  fc.integer({ min: 10, max: 3000 }).map((depth) => `tenants: ${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 10, max: 2000 }).map((depth) => `tenants:\n  - id: a\n    erp: qbo\n    connection: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.integer({ min: 1_000, max: 100_000 }).map((size) => `tenants:\n  - id: ${'a'.repeat(size)}\n    erp: qbo\n    connection: {}`),
  fc.integer({ min: 10, max: 500 }).map((count) => `tenants:\n${Array.from({ length: count }, (_, i) => `  - { id: t${i % 7}, erp: qbo, connection: { clientSecret: inline } }`).join('\n')}`),
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
);

/** Every problem: a file, a line within the file (or just past it), a column, a message. */
function checkProblems(problems: ConfigProblem[], file: string, text: string): void {
  expect(problems.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const problem of problems) {
    expect(typeof problem.file === 'string' && problem.file !== '').toBe(true);
    expect(Number.isInteger(problem.line) && problem.line >= 1).toBe(true);
    if (problem.file === file) expect(problem.line).toBeLessThanOrEqual(lines + 1);
    expect(Number.isInteger(problem.col) && problem.col >= 1).toBe(true);
    expect(typeof problem.message === 'string' && problem.message !== '').toBe(true);
  }
}

let counter = 0;

/** Loads the text as a config and validates it as a deployment, both within the time limit. */
function exercise(text: string): void {
  counter += 1;
  const file = join(dir, `deploy-${counter % 16}.yaml`);
  writeFileSync(file, text);
  const started = performance.now();
  const parsed = parseConfig(text, file, ENV);
  if (!parsed.ok) checkProblems(parsed.problems, file, text);
  const validated = validateDeployment(file, registry, ENV);
  if (!validated.ok) checkProblems(validated.problems, file, text);
  const took = performance.now() - started;
  if (took > LIMIT_MS) throw new Error(`a config of ${text.length} characters took ${Math.round(took)} ms`);
}

describe('deployment config under fuzzed files', () => {
  it('accepts the demo config with its variables set', () => {
    const file = join(dir, 'demo.yaml');
    writeFileSync(file, DEMO);
    const validated = validateDeployment(file, registry, ENV);
    expect(validated.ok ? [] : validated.problems).toEqual([]);
  });

  it('loads and validates mutated demo configs without throwing, locating every problem', () => {
    fc.assert(fc.property(mutated, (text) => exercise(text)), { numRuns: runs(120) });
  }, timeout(120, 80));

  // Large documents by design: a tenth of the runs (50 in npm test, 2,000 in the bench).
  it('survives alias bombs, self-references, deep nesting and huge scalars, locating every problem', () => {
    fc.assert(fc.property(nasty, (text) => exercise(text)), { numRuns: Math.ceil(runs(500) / 10) });
  }, timeout(50, 300));

  it('refuses an alias bomb at an alias instead of throwing', () => {
    const text = aliasBomb(10, 10);
    const result = parseConfig(text, 'bomb.yaml', ENV);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.objectContaining({ file: 'bomb.yaml', line: 2, message: expect.stringMatching(/^the aliases expand too far/) })]);
  });

  it('refuses an alias inside the value it refers to, at the alias', () => {
    const result = parseConfig('tenants: &a [*a]', 'cycle.yaml', ENV);
    expect(result.ok ? [] : result.problems).toEqual([expect.objectContaining({ line: 1, col: 14, message: 'alias *a refers to a value that contains it' })]);
  });

  it('does not read a secret file that is not a plain file (it could never end)', () => {
    const text = DEMO.replace('${env:DEMO_WEBHOOK_SECRET}', '${file:/dev/zero}');
    const result = parseConfig(text, join(dir, 'zero.yaml'), ENV);
    expect(result.ok ? [] : result.problems.map((problem) => problem.message)).toEqual(['cannot read secret file /dev/zero: not a regular file']);
  });
});
