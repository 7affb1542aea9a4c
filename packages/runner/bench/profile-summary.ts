/**
 * Summarises a V8 CPU profile (`.cpuprofile`, e.g. from BENCH_CPU_PROFILE): the functions with the most self time and
 * the most inclusive time (a function counted once per sample however deep it recurs), as shares of all samples.
 *   npx tsx bench/profile-summary.ts <file.cpuprofile | file.heapprofile> [top=30] [callers-of=<function name>]
 * An allocation profile (`.heapprofile`) is read the same way, each sample weighing its bytes.
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
/**
 * A sampled allocation profile (`.heapprofile`, BENCH_HEAP_PROFILE): a tree of frames with their samples' sizes. Read
 * as a CPU profile whose samples weigh their bytes: the tables are then shares of the bytes allocated.
 */
interface HeapNode {
  id: number;
  callFrame: ProfileNode['callFrame'];
  children: HeapNode[];
}
interface HeapProfile {
  head: HeapNode;
  samples: { size: number; nodeId: number }[];
}

function readProfile(text: string): { profile: Profile; weights: number[] | undefined } {
  const parsed = JSON.parse(text) as Profile | HeapProfile;
  if (!('head' in parsed)) return { profile: parsed, weights: undefined };
  const nodes: ProfileNode[] = [];
  const walk = (node: HeapNode): void => {
    nodes.push({ id: node.id, callFrame: node.callFrame, children: node.children.map((child) => child.id) });
    for (const child of node.children) walk(child);
  };
  walk(parsed.head);
  return { profile: { nodes, samples: parsed.samples.map((sample) => sample.nodeId) }, weights: parsed.samples.map((sample) => sample.size) };
}

const { profile, weights } = readProfile(readFileSync(file, 'utf8'));
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
for (const [index, sample] of profile.samples.entries()) {
  const weight = weights?.[index] ?? 1;
  const leaf = byId.get(sample);
  if (leaf === undefined) continue;
  let charged = leaf.callFrame.url === '' ? undefined : fileOf(leaf.callFrame.url);
  for (let id = parent.get(sample); charged === undefined && id !== undefined; id = parent.get(id)) {
    const url = byId.get(id)?.callFrame.url ?? '';
    if (url !== '') charged = fileOf(url);
  }
  charged ??= label(leaf);
  byFile.set(charged, (byFile.get(charged) ?? 0) + weight);
  selfCount.set(label(leaf), (selfCount.get(label(leaf)) ?? 0) + weight);
  const seen = new Set<string>();
  let callerCounted = false;
  for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
    const node = byId.get(id);
    if (node === undefined) break;
    const name = label(node);
    if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
    seen.add(name);
    if (!callerCounted && callersOf !== undefined && node.callFrame.functionName === callersOf) {
      const up = parent.get(id);
      const caller = up === undefined ? '(root)' : label(byId.get(up) as ProfileNode);
      callers.set(caller, (callers.get(caller) ?? 0) + weight);
      callerCounted = true;
    }
  }
}

const total = weights === undefined ? profile.samples.length : weights.reduce((sum, weight) => sum + weight, 0);
const unit = weights === undefined ? 'samples' : 'bytes allocated, sampled';
const print = (title: string, counts: Map<string, number>): void => {
  console.log(`${title} (of ${total} ${unit})`);
  for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
};
print('self time', selfCount);
print('inclusive time', inclusive);
print('by file (native frames charged to their caller)', byFile);
if (callersOf !== undefined) print(`callers of ${callersOf}`, callers);
