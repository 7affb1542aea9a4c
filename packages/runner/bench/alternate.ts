/**
 * Two checkouts' runner benches, alternated: the machines these figures come from change speed by tens of percent
 * from one minute to the next, so a change is measured in pairs (the other checkout, then this one, run after run),
 * and compared by the figures that take the machine's speed out: the runner's CPU over the sandboxes' process, and
 * with two stores the second store's throughput as a share of the first's.
 *   npx tsx bench/alternate.ts <other checkout's root> [pairs=4]
 * Every BENCH_* variable is passed to both (default here: BENCH_PHASES=throughput BENCH_PAYMENTS=3000). The other
 * checkout needs its dependencies, e.g. a worktree of the commit to compare with:
 *   git worktree add ../before <commit> && ln -s "$PWD/node_modules" ../before/node_modules \
 *     && ln -s "$PWD/packages/runner/node_modules" ../before/packages/runner/node_modules
 * Its workspace packages then resolve to this checkout's: only its runner's own sources differ.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median } from './figures.js';

const [otherRoot, pairsArg] = process.argv.slice(2);
if (otherRoot === undefined) throw new Error('usage: npx tsx bench/alternate.ts <other checkout root> [pairs=4]');
const pairs = Number(pairsArg ?? 4);
if (!(Number.isInteger(pairs) && pairs >= 1)) throw new Error(`pairs must be a whole number, 1 or more, got ${pairsArg}`);
const sides = [
  { name: 'other', dir: join(resolve(otherRoot), 'packages', 'runner') },
  { name: 'this', dir: resolve(import.meta.dirname, '..') },
] as const;
for (const side of sides) {
  if (!existsSync(join(side.dir, 'bench', 'runner-bench.ts'))) throw new Error(`${side.dir} has no bench/runner-bench.ts: give the root of a ledgerlink checkout`);
}

interface Figures {
  /** The runner's CPU over the sandboxes' process, per store in the order run. */
  overSandboxes: number[];
  /** Each store's payments a second as a share of the first store's ("stores compared"), when two or more ran. */
  shares: Map<string, number>;
}

/** The figures a runner bench printed. */
function readFigures(output: string): Figures {
  const overSandboxes = [...output.matchAll(/runner CPU ÷ sandboxes' CPU: ([0-9.]+)/g)].map((match) => Number(match[1]));
  const shares = new Map<string, number>();
  for (const match of output.matchAll(/^ {2}(\S+)\s+\d+ payments\/s \(([0-9.]+)x/gm)) shares.set(match[1] as string, Number(match[2]));
  return { overSandboxes, shares };
}

const env = { BENCH_PHASES: 'throughput', BENCH_PAYMENTS: '3000', ...process.env };
const results = new Map<string, Figures[]>(sides.map((side) => [side.name, []]));
for (let pair = 1; pair <= pairs; pair += 1) {
  for (const side of sides) {
    const run = spawnSync('npx', ['tsx', '--conditions=source', 'bench/runner-bench.ts'], { cwd: side.dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`the ${side.name} checkout's bench failed (exit ${run.status}):\n${run.stderr.slice(-2000)}`);
    const figures = readFigures(run.stdout);
    results.get(side.name)?.push(figures);
    const shares = [...figures.shares].map(([store, share]) => `${store} ${share.toFixed(2)}x`).join(', ');
    console.log(`pair ${pair} ${side.name}: runner CPU over the sandboxes' ${figures.overSandboxes.map((value) => value.toFixed(2)).join(', ')}${shares === '' ? '' : `; ${shares}`}`);
  }
}
for (const side of sides) {
  const runs = results.get(side.name) ?? [];
  const stores = runs[0]?.overSandboxes.length ?? 0;
  const over = Array.from({ length: stores }, (_, store) => median(runs.map((figures) => figures.overSandboxes[store] ?? Number.NaN)).toFixed(2));
  const storeNames = [...(runs[0]?.shares.keys() ?? [])];
  const shares = storeNames.map((store) => `${store} ${median(runs.map((figures) => figures.shares.get(store) ?? Number.NaN)).toFixed(2)}x`);
  console.log(`${side.name} (median of ${runs.length}): runner CPU over the sandboxes' ${over.join(', ')}${shares.length > 1 ? `; ${shares.join(', ')}` : ''}`);
}
