import { SqliteWriteBatch } from '../src/store/sqlite-write-batch.js';
const proto = SqliteWriteBatch.prototype as unknown as { flush: () => void };
const flush = proto.flush;
let flushes = 0; let sizes = 0; const hist = new Map<number, number>();
proto.flush = function (this: { stats: { batches: number; writes: number } }) {
  const before = this.stats;
  flush.call(this);
  const after = this.stats;
  if (after.batches > before.batches) { flushes++; const n = after.writes - before.writes; sizes += n; hist.set(Math.min(n, 20), (hist.get(Math.min(n, 20)) ?? 0) + 1); }
};
process.on('exit', () => {
  const n = Number(process.env.BENCH_PAYMENTS ?? 2000);
  console.error(`commits per payment ${(flushes / n).toFixed(2)}, writes per payment ${(sizes / n).toFixed(2)}, writes per commit ${(sizes / flushes).toFixed(2)}`);
  console.error([...hist].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' '));
});
await import('./runner-bench.ts');
