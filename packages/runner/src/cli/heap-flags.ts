import { setFlagsFromString } from 'node:v8';

/**
 * How much V8's old generation may grow past what the last major GC left live before the next major GC, for
 * `ledgerlink import`: 20% (a factor of 1.2), where V8 itself picks 1.1 to 4 from how fast its GCs are and would
 * let an import's heap reach 2–3 times its live size. An import promotes every ERP page it works on (a thousand
 * payments, each mapped and held for a ledger commit and a hub call, survive two scavenges) and drops it a second
 * later, so its old generation was a sawtooth of 45–125 MB in use and the process peaked at 263–274 MB (VmHWM) with
 * 175–210 MB between the peaks (issue 15). At 20% the heap stays at 73–79 MB and the import's peak is its flat line:
 * 169 MB at 100,000 payments, runner CPU 0.50 ms per payment against 0.44–0.48 before (load average 4.5 on 2 cores,
 * within run-to-run noise). Measured with `packages/runner/bench/import-bench.ts` (see the README's Import paragraph).
 */
export const IMPORT_HEAP_GROWING_PERCENT = 20;

/** The V8 flags a command runs with, set by the CLI before it loads anything else (none but for `import`). */
export function heapFlagsFor(argv: readonly string[]): string[] {
  return argv[0] === 'import' ? [`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`] : [];
}

/**
 * Sets them in this process. `--heap-growing-percent` is read each time V8 sizes the old generation after a major GC,
 * so setting it once the process runs takes effect from the next GC on: the installed `ledgerlink` (the bin imports
 * dist/cli.js into its own process) and `node dist/cli.js` need no flag on their command line.
 */
export function applyHeapFlags(argv: readonly string[]): void {
  for (const flag of heapFlagsFor(argv)) setFlagsFromString(flag);
}
