/**
 * Summarises a V8 CPU profile (`.cpuprofile`, e.g. from BENCH_CPU_PROFILE): the functions with the most self time and
 * the most inclusive time (a function counted once per sample however deep it recurs), as shares of all samples.
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=30] [callers-of=<function name>]
 * `callers-of` lists who called the named function, with the share of samples under each caller. The last table
 * charges each sample to a file: the innermost frame's, or for a native frame (a SQLite statement, a socket write)
 * the nearest caller's that has one, so `sqlite-write-batch.ts` holds the statements its transaction ran.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [file, topArg, callersArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top] [callers-of=<function>]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg ?? 30);
const callersOf = callersArg?.startsWith('callers-of=') === true ? callersArg.slice('callers-of='.length) : undefined;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
/** A file's name with its package (`undici/client-h1.js`, `runner/sqlite-ledger.ts`, `node:net`). */
function fileOf(url: string): string {
  if (!url.includes('/')) return url;
  const parts = url.split('/');
  const modules = parts.lastIndexOf('node_modules');
  if (modules >= 0) return `${parts[modules + 1] ?? ''}/${parts.at(-1) ?? ''}`;
  const packages = parts.lastIndexOf('packages');
  return packages >= 0 ? `${parts[packages + 1] ?? ''}/${parts.at(-1) ?? ''}` : (parts.at(-1) ?? url);
}
const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url === '' ? '' : `${basename(url)}:${lineNumber + 1}`}`.trim();
};

const selfCount = new Map<string, number>();
const inclusive = new Map<string, number>();
const callers = new Map<string, number>();
const byFile = new Map<string, number>();
for (const sample of profile.samples) {
  const leaf = byId.get(sample);
  if (leaf === undefined) continue;
  let charged = leaf.callFrame.url === '' ? undefined : fileOf(leaf.callFrame.url);
  for (let id = parent.get(sample); charged === undefined && id !== undefined; id = parent.get(id)) {
    const url = byId.get(id)?.callFrame.url ?? '';
    if (url !== '') charged = fileOf(url);
  }
  charged ??= label(leaf);
  byFile.set(charged, (byFile.get(charged) ?? 0) + 1);
  selfCount.set(label(leaf), (selfCount.get(label(leaf)) ?? 0) + 1);
  const seen = new Set<string>();
  let callerCounted = false;
  for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
    const node = byId.get(id);
    if (node === undefined) break;
    const name = label(node);
    if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    seen.add(name);
    if (!callerCounted && callersOf !== undefined && node.callFrame.functionName === callersOf) {
      const up = parent.get(id);
      const caller = up === undefined ? '(root)' : label(byId.get(up) as ProfileNode);
      callers.set(caller, (callers.get(caller) ?? 0) + 1);
      callerCounted = true;
    }
  }
}

const total = profile.samples.length;
const print = (title: string, counts: Map<string, number>): void => {
  console.log(`${title} (of ${total} samples)`);
  for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
};
print('self time', selfCount);
print('inclusive time', inclusive);
print('by file (native frames charged to their caller)', byFile);
if (callersOf !== undefined) print(`callers of ${callersOf}`, callers);
