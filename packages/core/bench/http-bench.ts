/**
 * HTTP path benchmark (issue 15): what one ERP call costs this process through a lane and the keep-alive transport,
 * over loopback to a server in a child process (its CPU is not counted), each call made under a run signal as the
 * runtime makes them: `BENCH_HTTP_CALLS` calls, 8 at once, a JSON answer of about 1 KB with a Procore-like set of
 * headers, parsed. Lane-bench.ts gives the lane alone.
 * Run: cd packages/core && npx tsx bench/http-bench.ts  (add --cpu-prof to see where the time goes)
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Lane } from '../src/index.js';

const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 20_000);
const CONCURRENCY = 8;

if (process.env.BENCH_HTTP_SERVER === '1') {
  const body = JSON.stringify({ id: 17, status: 'open', items: Array.from({ length: 12 }, (_, i) => ({ id: i, name: `item ${i}`, amount: '100.25', origin_id: null })) });
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'x-rate-limit-limit': '3600',
        'x-rate-limit-remaining': '3500',
        'x-rate-limit-reset': '1767600000',
        'cache-control': 'no-cache',
        'x-request-id': 'abc123',
      });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 10_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
} else {
  const child = fork(fileURLToPath(import.meta.url), { env: { ...process.env, BENCH_HTTP_SERVER: '1' }, execArgv: process.execArgv.filter((flag) => !flag.startsWith('--cpu-prof')) });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (message) => resolve(message as { port: number })));
  const url = `http://127.0.0.1:${port}/rest/v1.0/companies/4264/erp_requests/17`;
  const headers = { authorization: 'Bearer 0123456789abcdef', accept: 'application/json', 'procore-company-id': '4264' };
  const lane = new Lane({ key: 'bench/http', rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: CONCURRENCY }, timeoutMs: 30_000 });
  const closing = new AbortController();
  const worker = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const response = await lane.withSignal(closing.signal, () => lane.http({ method: 'GET', url, headers }));
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      JSON.parse(response.body);
    }
  };
  const round = async (calls: number): Promise<number> => {
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(calls / CONCURRENCY)));
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / calls;
  };
  await round(2_000); // warm-up
  const results = [await round(CALLS), await round(CALLS), await round(CALLS)].sort((a, b) => a - b);
  console.log(`HTTP path: ${CALLS} calls, ${CONCURRENCY} at once: median ${results[1]?.toFixed(1)} µs CPU per call (min ${results[0]?.toFixed(1)}, max ${results[2]?.toFixed(1)})`);
  await lane.close();
  child.kill();
}
