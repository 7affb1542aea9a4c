/**
 * Lane overhead benchmark (issue 15): what a lane adds per call, over a transport that answers at once in memory (no
 * socket), so the figure is the lane's own CPU: `concurrency` calls in flight, `BENCH_LANE_CALLS` calls in all, under a
 * limit wide enough never to wait (1,000,000 per minute, as the runner bench opens its lanes).
 * Run: cd packages/core && npx tsx bench/lane-bench.ts  (add --cpu-prof to see where the time goes)
 */
import { Lane } from '../src/index.js';
import type { HttpResponse } from '../src/index.js';

const CALLS = Number(process.env.BENCH_LANE_CALLS ?? 200_000);
const CONCURRENCY = 16;
const answer: HttpResponse = { status: 200, headers: {}, body: '{}' };

async function round(): Promise<number> {
  const lane = new Lane({
    key: 'bench/lane',
    rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: CONCURRENCY },
    transport: () => Promise.resolve(answer),
  });
  const cpu = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < CALLS) {
      next += 1;
      await lane.http({ method: 'GET', url: 'http://127.0.0.1/x' });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(cpu);
  await lane.close();
  return (used.user + used.system) / CALLS;
}

await round(); // warm-up
const results = [await round(), await round(), await round()].sort((a, b) => a - b);
console.log(`lane overhead: ${CALLS} calls, ${CONCURRENCY} at once: median ${results[1]?.toFixed(2)} µs CPU per call (min ${results[0]?.toFixed(2)}, max ${results[2]?.toFixed(2)})`);
