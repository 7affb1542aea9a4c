import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { DeploymentConfig } from './schema.js';

/** One problem in a config file, printed `file:line:col message`. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted path in the config (`tenants[2].connection.clientSecret`). */
  path: string;
  message: string;
}

export function formatConfigProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

/** A parsed config plus what the runner needs to keep it honest: positions and the secret values to redact. */
export interface LoadedConfig {
  file: string;
  config: DeploymentConfig;
  /** Every resolved secret value, for log redaction. */
  secrets: string[];
  /** Finds where a config path is in the file (for errors found after loading, e.g. by a connector schema). */
  locate(path: (string | number)[], atKey?: boolean): { line: number; col: number };
  /** Resolves a path written in the config (mapping overrides) against the config's directory. */
  resolvePath(path: string): string;
}

export type LoadConfigResult = { ok: true; loaded: LoadedConfig } | { ok: false; problems: ConfigProblem[] };

/** Keys whose values are secrets: they must be `${env:NAME}` or `${file:PATH}` references, never inline. */
const SECRET_KEY = /(password|secret|refreshtoken|accesstoken|agenttoken|apikey|applicationkey|privatekey)$/i;
const REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Loads and validates a deployment config. Reports every problem at once, each with its position and how to
 * fix it; never throws for a problem in the file.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, problems: [{ file, line: 1, col: 1, path: '', message: `cannot read the config: ${(error as Error).message}` }] };
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: ConfigProblem[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    const position = lineCounter.linePos(error.pos[0]);
    problems.push({ file, line: position.line, col: position.col, path: '', message: error.message.split('\n')[0] ?? error.message });
  }
  if (problems.length > 0) return { ok: false, problems };

  const locate = (path: (string | number)[], atKey = false) => locateNode(doc, lineCounter, path, atKey);
  const baseDir = dirname(resolve(file));
  const secrets: string[] = [];
  const plain = plainValue(doc, lineCounter, file);
  if (!plain.ok) return { ok: false, problems: [plain.problem] };
  const raw = resolveReferences(plain.value, [], { file, env, baseDir, secrets, problems, locate });

  const parsed = DeploymentConfig.safeParse(raw);
  if (!parsed.success) problems.push(...issuesToProblems(parsed.error.issues, file, locate));
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return {
    ok: true,
    loaded: {
      file,
      config: parsed.data,
      secrets,
      locate,
      resolvePath: (path) => (isAbsolute(path) ? path : resolve(baseDir, path)),
    },
  };
}

/** A config is small: more aliases than this is an alias bomb, not a deployment. */
const MAX_ALIASES = 100;

/**
 * The document as plain values. An alias inside the value it names would make a cycle, and many aliases
 * repeating aliases would expand to millions of values: both are refused, at the alias, before `toJS`
 * (whose own refusals carry no position).
 */
function plainValue(doc: Document, lineCounter: LineCounter, file: string): { ok: true; value: unknown } | { ok: false; problem: ConfigProblem } {
  let problem: ConfigProblem | undefined;
  let aliases = 0;
  const at = (node: Node, message: string): ConfigProblem => ({ file, ...lineCounter.linePos(node.range?.[0] ?? 0), path: '', message });
  visit(doc, {
    Alias(_key, node, path) {
      aliases += 1;
      if (aliases > MAX_ALIASES) {
        problem = at(node, `more than ${MAX_ALIASES} aliases; write the values out`);
        return visit.BREAK;
      }
      if (path.some((ancestor) => (ancestor as { anchor?: string }).anchor === node.source)) {
        problem = at(node, `alias *${node.source} refers to a value that contains it`);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (problem !== undefined) return { ok: false, problem };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown };
  } catch (error) {
    const alias = firstAlias(doc);
    const where = alias?.range?.[0] ?? 0;
    return {
      ok: false,
      problem: {
        file,
        ...lineCounter.linePos(where),
        path: '',
        message: /alias/i.test(String(error))
          ? `the aliases expand too far (aliases repeating aliases); write the values out (${error instanceof Error ? error.message : String(error)})`
          : `cannot read the config: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
}

function firstAlias(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  locate: (path: (string | number)[], atKey?: boolean) => { line: number; col: number },
  prefix: (string | number)[] = [],
): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.filter((s): s is string | number => typeof s !== 'symbol')];
    // One of several shapes (the store: sqlite or postgres): when one branch's keys are the ones written, its own
    // issues say what is wrong (`store.sqlite.synchronous: …`) where the union would say only "Invalid input".
    if (issue.code === 'invalid_union') {
      const matching = issue.errors.filter((branch) => !branch.some((inner) => inner.path.length === 0 && (inner.code === 'unrecognized_keys' || inner.code === 'invalid_type')));
      const [branch] = matching;
      if (matching.length === 1 && branch !== undefined && branch.length > 0) return issuesToProblems(branch, file, locate, path);
    }
    // An unknown key is best pointed at itself, not at the object that holds it.
    const where =
      issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? locate([...path, issue.keys[0]], true) : locate(path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = `is required (${issue.message})`;
    return [{ file, ...where, path: formatPath(path), message }];
  });
}

interface ResolveContext {
  file: string;
  env: NodeJS.ProcessEnv;
  baseDir: string;
  secrets: string[];
  problems: ConfigProblem[];
  locate: (path: (string | number)[]) => { line: number; col: number };
}

function resolveReferences(value: unknown, path: (string | number)[], context: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((item, index) => resolveReferences(item, [...path, index], context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, resolveReferences(item, [...path, key], context)]),
    );
  }
  const key = path[path.length - 1];
  const isSecret = typeof key === 'string' && SECRET_KEY.test(key);
  if (typeof value !== 'string') return value;
  const match = REFERENCE.exec(value.trim());
  if (!match) {
    if (isSecret && value !== '') {
      context.problems.push({
        file: context.file,
        ...context.locate(path),
        path: formatPath(path),
        message: 'secrets must not be written inline: use ${env:NAME} or ${file:PATH}',
      });
    }
    return value;
  }
  const [, kind, name = ''] = match;
  let resolved: string | undefined;
  if (kind === 'env') {
    resolved = context.env[name];
    if (resolved === undefined || resolved === '') {
      context.problems.push({
        file: context.file,
        ...context.locate(path),
        path: formatPath(path),
        message: `environment variable ${name} is not set: set ${name}, or change ${formatPath(path)}`,
      });
      return undefined;
    }
  } else {
    const target = isAbsolute(name) ? name : resolve(context.baseDir, name);
    try {
      resolved = readSecretFile(target);
    } catch (error) {
      context.problems.push({
        file: context.file,
        ...context.locate(path),
        path: formatPath(path),
        message: `cannot read secret file ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
      return undefined;
    }
  }
  if (isSecret || kind === 'file') context.secrets.push(resolved);
  return resolved;
}

/** A secret is a line or a PEM: anything bigger, or not a plain file (a FIFO, /dev/zero), is refused unread. */
const MAX_SECRET_BYTES = 64 * 1024;

function readSecretFile(target: string): string {
  const stat = statSync(target);
  if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: stat.isDirectory() ? 'EISDIR' : 'not a regular file' });
  if (stat.size > MAX_SECRET_BYTES) throw Object.assign(new Error('too large'), { code: `larger than ${MAX_SECRET_BYTES} bytes` });
  return readFileSync(target, 'utf8').trim();
}

function locateNode(doc: Document, lineCounter: LineCounter, path: (string | number)[], atKey: boolean): { line: number; col: number } {
  // Walk as deep as the document goes: a missing key points at its parent.
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      best = (isScalar(pair.key) ? pair.key : best) as Node;
      if (atKey && index === path.length - 1) break;
      node = pair.value;
      if (node && (isMap(node) || isSeq(node) || isScalar(node))) best = isScalar(node) ? node : best;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) break;
      node = item;
      best = item as Node;
    } else break;
  }
  const offset = best?.range?.[0] ?? 0;
  const position = lineCounter.linePos(offset);
  return { line: position.line, col: position.col };
}
