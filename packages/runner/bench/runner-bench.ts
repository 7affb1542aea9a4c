/**
 * Runner benchmark (issues 5, 9 and 15, "Figures"): the whole path on Procore's ERP Platform, on SQLite: Procore Pay
 * funds a payment, the ERP Request is delivered to the runner's webhook, fetched, exported, written back with External
 * Data and closed out. The sandboxes run in a child process of their own (`sandbox-host.ts`); this process holds the
 * runner alone, as a customer runs it, so its CPU time is the runner's (plus this file's small driver: an event
 * counter, one ledger count a second, the IPC messages).
 *   1. throughput: payments funded as fast as the hub can, each exported through the runner to the QuickBooks
 *      Online sandbox (unthrottled): payments per second (ledger synced), ERP and hub calls per exported payment
 *      (hub calls by endpoint), runner CPU ms per payment (`process.cpuUsage` of this process);
 *   2. latency at a steady 50 events/s: from funding (the ERP Request raised and delivered) to the ERP record (the ledger
 *      says synced): p50, p99 and max;
 *   3. under a real limit: the Intacct sandbox enforcing its published rate and concurrency (60 requests/s, 2 at
 *      once): the achieved request rate as a share of that limit, and how often the limit was broken (0).
 *
 * Run: npm run bench (Nx `bench` target of @ledgerlink/runner). Figures go to stdout; copy them to the README.
 * The throughput phase runs once per store (BENCH_STORES, default `sqlite-full,sqlite-normal,postgres`; PostgreSQL at
 * LEDGERLINK_TEST_POSTGRES_URL, schema BENCH_POSTGRES_SCHEMA, dropped first) and compares them; BENCH_STORE_ROUNDS
 * rounds of them (default 1), alternating the order, give median ratios.
 * BENCH_COMMIT_INTERVAL (ms): the SQLite stores' group-commit interval under load (default: the store's, 4 ms).
 * BENCH_WARMUP (default 3000): payments the measured runner exports first, on the same store, before the clock
 * starts: what is measured is a runner that has run for a while, not one still compiling its payment path.
 * Sizes: BENCH_PAYMENTS, BENCH_LATENCY_PAYMENTS, BENCH_THROTTLED_PAYMENTS; the latency phase's rate: BENCH_LATENCY_RATE
 * (events/s, default 50; above what the runner sustains on the machine, it measures a growing queue instead).
 * BENCH_RUNNER_CPU (cores, e.g. 0.5): caps this process (the runner) with a cgroup CPU quota of its own, the sandboxes'
 * process and PostgreSQL left uncapped: the runner as if the database and the ERPs had machines of their own, so the
 * stores compare by what each costs the runner (needs root and the cgroup v1 cpu controller; default: no cap).
 * BENCH_CPU_PROFILE (a directory): writes a V8 CPU profile of the measured window alone (not the warm-up) of each
 * throughput run there, `<store>.cpuprofile`, for Chrome DevTools or `bench/profile-summary.ts`; BENCH_HEAP_PROFILE (a
 * directory): the same window's allocations, sampled, `<store>.heapprofile` (profile-summary.ts reads it too).
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { INTACCT_SANDBOX_CREDENTIALS } from '@ledgerlink/connector-intacct/sandbox';
import { bearerFor } from '@ledgerlink/connector-procore';
import type { ProcoreSandboxStats } from '@ledgerlink/connector-procore/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH } from '@ledgerlink/connector-qbo/sandbox';
import { maxInWindow, silentLogger, type SandboxStats } from '@ledgerlink/core';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/load-config.js';
import { Runner } from '../src/daemon.js';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { SqliteLedger } from '../src/store/sqlite-ledger.js';
import { sqliteWriteBatch } from '../src/store/sqlite-write-batch.js';
import { createServer } from '../src/server/create-server.js';
import { dropSchema, POSTGRES_URL } from '../test/support/postgres.js';
import { countClientTraffic, printServerCost, readServer, type ServerReading } from './postgres-cost.js';
import { CpuCaps } from './cpu-caps.js';
import { median } from './figures.js';
import { HEAP_PROFILE_DIR, PROFILE_DIR, startAllocationProfile, startProfile } from './cpu-profile.js';
import { procIo, threadCpu, voluntarySwitches, type ProcIo } from './proc-stats.js';
import type { HostOptions } from './sandbox-host.js';

const COMPANY = 4264;
/**
 * Subcontractors the funded payments go round (BENCH_VENDORS, default 50: a company's pay run pays the same subs
 * again and again, so a vendor read is shared by the payments of a few seconds); `each`: a vendor of its own per
 * payment, the worst case (one vendor read per payment), as the bench measured before issue 15's second half.
 */
const VENDORS = process.env.BENCH_VENDORS === 'each' ? undefined : Number(process.env.BENCH_VENDORS ?? 50);
const SECRET = 'bench-webhook-secret-0123456789';

const RUNNER_CPU = process.env.BENCH_RUNNER_CPU === undefined ? undefined : Number(process.env.BENCH_RUNNER_CPU);
if (RUNNER_CPU !== undefined && !(RUNNER_CPU > 0 && RUNNER_CPU <= 64)) throw new Error(`BENCH_RUNNER_CPU must be a number of cores above 0, got ${process.env.BENCH_RUNNER_CPU}`);
/** The runner's CPU cap (BENCH_RUNNER_CPU), set before any sandbox process is forked. */
const caps = RUNNER_CPU === undefined ? undefined : capRunner(RUNNER_CPU);

function capRunner(cores: number): CpuCaps {
  const opened = CpuCaps.open(`ledgerlink-runner-bench-${process.pid}`);
  if (typeof opened === 'string') throw new Error(`BENCH_RUNNER_CPU: ${opened}`);
  opened.cap('runner', process.pid, cores);
  process.once('exit', () => {
    opened.release(process.pid);
    opened.close();
  });
  return opened;
}

interface HostReady {
  hub: { url: string; tokenUrl: string; clientId: string; clientSecret: string };
  erp: { url: string };
  ids: number[];
}

interface HostStats {
  hub: ProcoreSandboxStats;
  erp: SandboxStats;
  cpu: NodeJS.CpuUsage;
}

/** The sandboxes' process, seen from here: a request/answer channel over IPC. */
class SandboxHost {
  private seq = 0;
  private readonly waiting = new Map<number, (answer: Record<string, unknown>) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const answer = raw as Record<string, unknown>;
      const resolve = typeof answer.seq === 'number' ? this.waiting.get(answer.seq) : undefined;
      if (resolve !== undefined) {
        this.waiting.delete(answer.seq as number);
        resolve(answer);
      }
    });
  }

  static async start(options: HostOptions): Promise<{ host: SandboxHost; ready: HostReady }> {
    // The child gets tsx's loader and `--conditions=source` from this process, not a CPU profile flag.
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--cpu-prof'));
    const child = fork(fileURLToPath(new URL('./sandbox-host.ts', import.meta.url)), [JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // The sandboxes are not the runner: out of its CPU cap.
    if (caps !== undefined && child.pid !== undefined) caps.release(child.pid);
    const ready = await new Promise<HostReady>((resolve, reject) => {
      child.once('message', (message) => resolve(message as HostReady));
      child.once('exit', (code) => reject(new Error(`the sandbox host exited (${code}) before it was ready`)));
    });
    child.removeAllListeners('exit');
    return { host: new SandboxHost(child), ready };
  }

  private request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.child.send({ ...message, seq });
    });
  }

  async fund(ids: number[]): Promise<void> {
    await this.request({ op: 'fund', ids });
  }

  async resetStats(): Promise<void> {
    await this.request({ op: 'resetStats' });
  }

  async stats(): Promise<HostStats> {
    return (await this.request({ op: 'stats' })) as unknown as HostStats;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request({ op: 'close' });
    await exited;
  }
}

interface Stack {
  runner: Runner;
  host: SandboxHost;
  close(): Promise<void>;
}

/** Where the runner keeps its ledger in a run: SQLite with full durability (the default), SQLite NORMAL, PostgreSQL. */
type StoreKind = 'sqlite-full' | 'sqlite-normal' | 'postgres';
const POSTGRES_SCHEMA = process.env.BENCH_POSTGRES_SCHEMA ?? 'bench_runner';
/** BENCH_COMMIT_INTERVAL (ms): the SQLite stores' `commitIntervalMs` (default: the store's own, 4). */
const COMMIT_INTERVAL = process.env.BENCH_COMMIT_INTERVAL === undefined ? undefined : Number(process.env.BENCH_COMMIT_INTERVAL);
if (COMMIT_INTERVAL !== undefined && !(Number.isInteger(COMMIT_INTERVAL) && COMMIT_INTERVAL >= 0)) throw new Error(`BENCH_COMMIT_INTERVAL must be a whole number of ms, got ${process.env.BENCH_COMMIT_INTERVAL}`);

/** The config's `store` for a run; PostgreSQL's schema is dropped first, so every run starts from an empty ledger. */
async function storeConfig(store: StoreKind): Promise<Record<string, unknown>> {
  if (store !== 'postgres') return { sqlite: { path: 'ledger.db', synchronous: store === 'sqlite-full' ? 'FULL' : 'NORMAL', ...(COMMIT_INTERVAL === undefined ? {} : { commitIntervalMs: COMMIT_INTERVAL }) } };
  await dropSchema(POSTGRES_SCHEMA);
  return { postgres: { url: POSTGRES_URL, schema: POSTGRES_SCHEMA, credentialsDir: 'credentials' } };
}

async function stack(kind: 'qbo' | 'intacct', count: number, enforce: boolean, store: StoreKind = 'sqlite-full'): Promise<{ stack: Stack; ids: number[] }> {
  const { host, ready } = await SandboxHost.start({ kind, count, companyId: COMPANY, enforce, ...(VENDORS === undefined ? {} : { vendors: VENDORS }) });
  const dir = mkdtempSync(join(tmpdir(), 'll-bench-'));
  const env = {
    PROCORE_SECRET: ready.hub.clientSecret,
    WEBHOOK_SECRET: SECRET,
    QBO_SECRET: QBO_SANDBOX_APP.clientSecret,
    QBO_REFRESH: QBO_SANDBOX_APP.refreshToken,
    INTACCT_SENDER_PASSWORD: INTACCT_SANDBOX_CREDENTIALS.senderPassword,
    INTACCT_USER_PASSWORD: INTACCT_SANDBOX_CREDENTIALS.userPassword,
  };
  const erpUrl = ready.erp.url;
  const connection =
    kind === 'qbo'
      ? { baseUrl: erpUrl, tokenUrl: `${erpUrl}${QBO_SANDBOX_TOKEN_PATH}`, realmId: QBO_SANDBOX_APP.realmId, clientId: QBO_SANDBOX_APP.clientId, clientSecret: '${env:QBO_SECRET}', refreshToken: '${env:QBO_REFRESH}' }
      : {
          endpointUrl: erpUrl,
          senderId: INTACCT_SANDBOX_CREDENTIALS.senderId,
          senderPassword: '${env:INTACCT_SENDER_PASSWORD}',
          companyId: INTACCT_SANDBOX_CREDENTIALS.companyId,
          userId: INTACCT_SANDBOX_CREDENTIALS.userId,
          userPassword: '${env:INTACCT_USER_PASSWORD}',
        };
  const file = join(dir, 'bench.yaml');
  writeFileSync(
    file,
    stringify({
      store: await storeConfig(store),
      hub: {
        connector: 'procore',
        connection: { apiBaseUrl: ready.hub.url, tokenUrl: ready.hub.tokenUrl, clientId: ready.hub.clientId, clientSecret: '${env:PROCORE_SECRET}', companyIds: [String(COMPANY)] },
        webhookSecret: '${env:WEBHOOK_SECRET}',
        pollSeconds: 0,
        rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: 16, allowAboveDeclared: true },
      },
      tenants: [
        {
          id: 'bench',
          erp: kind,
          hubCompanyId: String(COMPANY),
          connection,
          schedules: { import: { everyMinutes: 0 } },
          // Unthrottled run: the QBO lane is opened up; the throttled run keeps Intacct's declared limit.
          ...(kind === 'qbo' ? { rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: 16, allowAboveDeclared: true } } : {}),
        },
      ],
      runner: { settleMs: 1000, maxInFlight: 400 },
    }),
  );
  const loaded = loadConfig(file, env);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const runner = new Runner({ loaded: loaded.loaded, logger: silentLogger });
  await runner.start();
  const server = createServer(runner);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  // The company's setup, as `ledgerlink procore connect` makes it: hook with its bearer, ERP Requests trigger.
  const context = { signal: AbortSignal.timeout(30_000) };
  const client = runner.hub?.client;
  if (client === undefined) throw new Error('the bench config has no hub');
  await client.setup.ensureConnection(String(COMPANY), { settings: { labels: { name: kind } } }, context);
  const hook = await client.setup.ensureHook(String(COMPANY), { destinationUrl: `${url}/webhooks/procore`, bearer: bearerFor(SECRET, String(COMPANY)) }, context);
  await client.setup.ensureTrigger(String(COMPANY), hook.id, context);
  return {
    ids: ready.ids,
    stack: {
      runner,
      host,
      async close() {
        await server.close();
        await runner.stop();
        await host.close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

/**
 * Waits until `count` exports are synced; returns when the last one was (ms since epoch). It counts the runner's
 * `exported` events (a counter, nothing read) and looks at the ledger once a second and at the end: a count of the
 * whole ledger every few milliseconds would be the driver's CPU charged to the runner.
 */
async function allSynced(runner: Runner, count: number, timeoutMs: number, before = 0): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exported = 0;
  let lastAt = Date.now();
  const onExported = (): void => {
    exported += 1;
    lastAt = Date.now();
  };
  runner.events.on('exported', onExported);
  try {
    for (let look = 0; ; look++) {
      if (exported >= count || look % 50 === 49) {
        const counts = await runner.ledger.counts();
        const synced = counts.filter((row) => row.state === 'synced').reduce((sum, row) => sum + row.count, 0);
        if (synced >= before + count) return exported >= count ? lastAt : Date.now();
        const failed = counts.filter((row) => row.state === 'failed').reduce((sum, row) => sum + row.count, 0);
        if (failed > 0) {
          const first = (await runner.ledger.list({ state: 'failed', limit: 1 })).items[0];
          throw new Error(`${failed} export(s) failed during the benchmark; the first: ${JSON.stringify(first?.lastError)}`);
        }
      }
      if (Date.now() > deadline) throw new Error(`only ${exported} of ${count} synced in time`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    runner.events.off('exported', onExported);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** The ledger's group-commit counters so far (both stores keep them). */
function groupCommits(runner: Runner): { batches: number; writes: number; syncs?: number } | undefined {
  const ledger = runner.ledger;
  if (ledger instanceof SqliteLedger) return sqliteWriteBatch(ledger.database).stats;
  if (ledger instanceof PostgresLedger) return ledger.groupCommitStats;
  return undefined;
}

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

/** One throughput run's figures, for the comparison between stores. */
interface ThroughputFigures {
  store: StoreKind;
  perSecond: number;
  cpuMsPerPayment: number;
  /** The runner's CPU over the sandboxes' process's in the same run: the machine's speed taken out. */
  overSandboxes: number;
}

async function throughput(count: number, store: StoreKind): Promise<ThroughputFigures> {
  // PostgreSQL's side of the run (bench/postgres-cost.ts): the server's CPU, WAL, rows and index growth, statements.
  if (store === 'postgres') countClientTraffic();
  const { stack: s, ids: all } = await stack('qbo', WARMUP + count, false, store);
  let server: { before: ServerReading; ended: ServerReading } | undefined;
  let runnerCpuMs = 0;
  try {
    if (WARMUP > 0) await warmUp(s, all.slice(0, WARMUP), store);
    const ids = all.slice(WARMUP);
    await s.host.resetStats();
    const hostBefore = (await s.host.stats()).cpu;
    const serverBefore = store === 'postgres' ? await readServer(POSTGRES_URL, POSTGRES_SCHEMA) : undefined;
    const commitsBefore = groupCommits(s.runner);
    const ioBefore = procIo();
    const sleepsBefore = voluntarySwitches('self', 'main');
    const threadsBefore = threadCpu();
    const cpuBefore = process.cpuUsage();
    const loopBefore = performance.eventLoopUtilization();
    const profile = PROFILE_DIR === undefined ? undefined : await startProfile();
    const allocations = HEAP_PROFILE_DIR === undefined ? undefined : await startAllocationProfile();
    const started = Date.now();
    await s.host.fund(ids);
    const ended = await allSynced(s.runner, count, 300_000, WARMUP);
    const cpu = process.cpuUsage(cpuBefore);
    if (profile !== undefined && PROFILE_DIR !== undefined) console.log(`  CPU profile of the measured window: ${await profile.stop(join(PROFILE_DIR, `${store}.cpuprofile`))}`);
    if (allocations !== undefined && HEAP_PROFILE_DIR !== undefined) console.log(`  allocation profile of the measured window: ${await allocations.stop(join(HEAP_PROFILE_DIR, `${store}.heapprofile`))}`);
    const loop = performance.eventLoopUtilization(loopBefore);
    const threads = threadCpu();
    runnerCpuMs = cpuMs(cpu);
    if (serverBefore !== undefined) server = { before: serverBefore, ended: await readServer(POSTGRES_URL, POSTGRES_SCHEMA) };
    const stats = await s.host.stats();
    const seconds = (ended - started) / 1000;
    const hostMs = cpuMs(stats.cpu) - cpuMs(hostBefore);
    console.log(`throughput (QBO sandbox unthrottled, ${store}, ${VENDORS ?? 'a vendor per payment, ' + count} subcontractors${RUNNER_CPU === undefined ? '' : `, runner capped at ${RUNNER_CPU} core`}): ${count} payments in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} payments/s`);
    console.log(`  calls per exported payment: ERP ${(stats.erp.requests / count).toFixed(2)}, hub ${(stats.hub.requests / count).toFixed(2)} (token calls ${stats.hub.tokenRequests})`);
    const endpoints = Object.entries(stats.hub.byEndpoint).sort((a, b) => b[1] - a[1]);
    for (const [endpoint, calls] of endpoints) console.log(`    hub ${(calls / count).toFixed(2)} ${endpoint}`);
    console.log(
      `  runner CPU per payment: ${(cpuMs(cpu) / count).toFixed(2)} ms (user ${(cpu.user / 1000 / count).toFixed(2)}, system ${(cpu.system / 1000 / count).toFixed(2)}) = ` +
        `${((1000 * count) / cpuMs(cpu)).toFixed(0)} payments per CPU-second; sandboxes' process ${(hostMs / count).toFixed(2)} ms per payment`,
    );
    // The sandboxes do the same work per payment whatever the runner's code: on a shared machine whose speed moves
    // by a third within minutes, the runner's CPU over theirs compares two runs more steadily than either figure.
    console.log(`  runner CPU ÷ sandboxes' CPU: ${(cpuMs(cpu) / hostMs).toFixed(2)} (the same machine's speed in both: compare runs by this)`);
    if (threads !== undefined && threadsBefore !== undefined) {
      const main = ((threads.main - threadsBefore.main) * 1000) / count;
      const helpers = ((threads.helpers - threadsBefore.helpers) * 1000) / count;
      console.log(`  of which (/proc, 10 ms ticks): main thread ${main.toFixed(2)} ms, other threads (V8's GC and compiler, libuv's pool) ${helpers.toFixed(2)} ms`);
    }
    // The event loop's busy time (CPU on the main thread, plus what blocks it: an fsync inside a commit) caps one
    // process's throughput; CPU on libuv's threads (a log sync) does not.
    console.log(`  event loop busy per payment: ${(loop.active / count).toFixed(2)} ms (utilisation ${(loop.utilization * 100).toFixed(0)}%)`);
    const sleeps = voluntarySwitches('self', 'main');
    if (sleeps !== undefined && sleepsBefore !== undefined) console.log(`  event loop sleeps per payment (the main thread's voluntary context switches): ${((sleeps - sleepsBefore) / count).toFixed(2)}`);
    const io = procIo();
    if (io !== undefined && ioBefore !== undefined) {
      const per = (field: keyof ProcIo) => (io[field] - ioBefore[field]) / count;
      console.log(`  system calls per payment (/proc/self/io): ${per('syscw').toFixed(1)} writes (${(per('wchar') / 1024).toFixed(1)} KiB, sockets and files), ${per('syscr').toFixed(1)} reads; ${(per('write_bytes') / 1024).toFixed(1)} KiB to storage`);
    }
    const commits = groupCommits(s.runner);
    if (commits !== undefined && commitsBefore !== undefined) {
      const transactions = commits.batches - commitsBefore.batches;
      const writes = commits.writes - commitsBefore.writes;
      const syncs = commits.syncs === undefined || commitsBefore.syncs === undefined ? '' : `, ${((commits.syncs - commitsBefore.syncs) / count).toFixed(2)} log syncs`;
      console.log(`  group commit per payment: ${(writes / count).toFixed(2)} writes in ${(transactions / count).toFixed(2)} transactions (${(writes / Math.max(1, transactions)).toFixed(1)} writes each)${syncs}`);
    }
    return { store, perSecond: count / seconds, cpuMsPerPayment: cpuMs(cpu) / count, overSandboxes: cpuMs(cpu) / Math.max(0.001, hostMs) };
  } finally {
    await s.close();
    if (server !== undefined) {
      // Row and WAL counters are flushed by a backend when it ends (the pool is closed now); CPU, statements and the
      // WAL position are those of the run itself.
      const closed = await readServer(POSTGRES_URL, POSTGRES_SCHEMA);
      printServerCost(server.before, { ...closed, cpuMs: server.ended.cpuMs, walLsn: server.ended.walLsn, statements: server.ended.statements, writes: server.ended.writes, reads: server.ended.reads }, count, { runner: runnerCpuMs });
    }
  }
}

/**
 * Payments the measured runner exports before the clock starts (BENCH_WARMUP, default 3,000; 0: none), on its own
 * store and sandboxes, with the same runner: V8 compiles a payment's path (its optimizing compiler on helper threads,
 * whose CPU this process's figure counts) over the first few thousand payments a runner exports, and a runner built
 * anew compiles some of it again (closures of its own). A throw-away runner warmed before the measured one, as this
 * bench did until 2026-12-07, left the measured runner compiling: 560 optimizing compilations in its
 * 3,000 payments against 290-320 in the next runs of the same process, and 1.98 ms of CPU per payment against
 * 1.19-1.38. A deployed runner is measured by the later figure: it runs for days on one stack.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3_000);
if (!(Number.isInteger(WARMUP) && WARMUP >= 0)) throw new Error(`BENCH_WARMUP must be a whole number of payments, got ${process.env.BENCH_WARMUP}`);

async function warmUp(s: Stack, ids: number[], store: StoreKind): Promise<void> {
  const started = Date.now();
  await s.host.fund(ids);
  await allSynced(s.runner, ids.length, 300_000);
  console.log(`warm-up (${store}): ${ids.length} payments exported by the measured runner in ${((Date.now() - started) / 1000).toFixed(1)} s (not measured)`);
}

/** The throughput of every store in one run, and each one's ratio to SQLite with full durability. */
/**
 * The throughput of every store, and each one's ratio to SQLite with full durability: BENCH_STORE_ROUNDS rounds
 * (default 1), the stores in turn within each and the order reversed every other round, so that a machine that slows
 * down or speeds up during the run (these shared 2-core machines move by a third within minutes) weighs on every
 * store alike. Each round gives each store's ratio to the round's SQLite FULL; the medians are printed, and beside the
 * payments a second, the ratio of the runner's CPU over the sandboxes' (the same work in every run), which tells what
 * a store costs the runner with the machine's speed taken out.
 */
async function throughputByStore(count: number): Promise<void> {
  const stores = (process.env.BENCH_STORES ?? 'sqlite-full,sqlite-normal,postgres').split(',') as StoreKind[];
  const rounds = Number(process.env.BENCH_STORE_ROUNDS ?? 1);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`BENCH_STORE_ROUNDS must be a whole number from 1, got ${process.env.BENCH_STORE_ROUNDS}`);
  const byRound: ThroughputFigures[][] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? stores : [...stores].reverse();
    const figures: ThroughputFigures[] = [];
    for (const store of order) figures.push(await throughput(count, store));
    byRound.push(figures);
  }
  const base = stores.includes('sqlite-full') ? 'sqlite-full' : stores[0];
  if (base === undefined) return;
  console.log(`stores compared (${count} payments each, ${rounds} round(s); ratio to ${base}, the median of the rounds' ratios when more than one):`);
  for (const store of stores) {
    const pairs = byRound.map((figures) => ({ own: figures.find((figure) => figure.store === store), base: figures.find((figure) => figure.store === base) }));
    const rows = pairs.filter((pair): pair is { own: ThroughputFigures; base: ThroughputFigures } => pair.own !== undefined && pair.base !== undefined);
    const perSecond = median(rows.map((row) => row.own.perSecond));
    const ratio = median(rows.map((row) => row.own.perSecond / row.base.perSecond));
    const cpu = median(rows.map((row) => row.own.cpuMsPerPayment));
    const cpuRatio = median(rows.map((row) => row.own.cpuMsPerPayment / row.base.cpuMsPerPayment));
    const normalised = median(rows.map((row) => row.own.overSandboxes / row.base.overSandboxes));
    const each = rows.length > 1 ? ` [rounds: ${rows.map((row) => (row.own.perSecond / row.base.perSecond).toFixed(2)).join(', ')}]` : '';
    console.log(
      `  ${store.padEnd(13)} ${perSecond.toFixed(0).padStart(5)} payments/s (${ratio.toFixed(2)}x${each}), runner CPU ${cpu.toFixed(2)} ms per payment (${cpuRatio.toFixed(2)}x; ` +
        `over the sandboxes' CPU ${normalised.toFixed(2)}x)`,
    );
  }
}

async function latency(count: number, perSecond: number): Promise<void> {
  const { stack: s, ids } = await stack('qbo', count, false);
  try {
    const funded = new Map<string, number>();
    const latencies: number[] = [];
    s.runner.events.on('exported', ({ itemId }) => {
      void s.runner.ledger.get(itemId).then((item) => {
        const at = item === undefined ? undefined : funded.get(item.sourceId);
        if (at !== undefined) latencies.push(performance.now() - at);
      });
    });
    const gap = 1000 / perSecond;
    const start = performance.now();
    for (let i = 0; i < ids.length; i++) {
      const due = start + i * gap;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      funded.set(String(ids[i]), performance.now());
      void s.host.fund([ids[i] as number]);
    }
    await allSynced(s.runner, count, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    latencies.sort((a, b) => a - b);
    console.log(
      `latency at ${perSecond} events/s (${latencies.length} payments), Funding Complete -> ERP record: p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms`,
    );
  } finally {
    await s.close();
  }
}

/**
 * The runner at an everyday pace (BENCH_PHASES=paced): payments funded one by one at `perSecond` (BENCH_PACED_RATE,
 * default 30) on each store of BENCH_STORES, the measured runner warmed first as in the throughput phase. What a
 * payment costs the runner when its writes and answers come alone, not in a burst's batches: per payment, runner CPU,
 * the group commit's transactions, and the event loop's wake-ups.
 */
async function paced(count: number, perSecond: number): Promise<void> {
  if (!(Number.isFinite(perSecond) && perSecond > 0)) throw new Error(`BENCH_PACED_RATE must be payments a second above 0, got ${perSecond}`);
  for (const store of (process.env.BENCH_STORES ?? 'sqlite-full,postgres').split(',') as StoreKind[]) {
    const { stack: s, ids: all } = await stack('qbo', WARMUP + count, false, store);
    try {
      if (WARMUP > 0) await warmUp(s, all.slice(0, WARMUP), store);
      const ids = all.slice(WARMUP);
      const commitsBefore = groupCommits(s.runner);
      const sleepsBefore = voluntarySwitches('self', 'main');
      const hostBefore = (await s.host.stats()).cpu;
      const cpuBefore = process.cpuUsage();
      const gap = 1000 / perSecond;
      const start = performance.now();
      for (let i = 0; i < ids.length; i++) {
        const wait = start + i * gap - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        void s.host.fund([ids[i] as number]);
      }
      await allSynced(s.runner, count, 120_000, WARMUP);
      const cpu = process.cpuUsage(cpuBefore);
      const hostMs = cpuMs((await s.host.stats()).cpu) - cpuMs(hostBefore);
      const sleeps = voluntarySwitches('self', 'main');
      const commits = groupCommits(s.runner);
      const transactions = commits === undefined || commitsBefore === undefined ? '' : `, ${((commits.batches - commitsBefore.batches) / count).toFixed(2)} group-commit transactions`;
      const wakeUps = sleeps === undefined || sleepsBefore === undefined ? '' : `, ${((sleeps - sleepsBefore) / count).toFixed(1)} event-loop wake-ups`;
      console.log(
        `paced (${store}, ${perSecond} payments/s, ${count} payments): runner CPU per payment ${(cpuMs(cpu) / count).toFixed(2)} ms (user ${(cpu.user / 1000 / count).toFixed(2)}, system ${(cpu.system / 1000 / count).toFixed(2)})` +
          `${transactions}${wakeUps}; sandboxes' process ${(hostMs / count).toFixed(2)} ms`,
      );
    } finally {
      await s.close();
    }
  }
}

async function throttled(count: number): Promise<void> {
  const { stack: s, ids } = await stack('intacct', count, true);
  try {
    const limit = s.runner.tenant('bench').runtime.rateLimit;
    await s.host.resetStats();
    const started = Date.now();
    await s.host.fund(ids);
    const ended = await allSynced(s.runner, count, 600_000);
    const stats = (await s.host.stats()).erp;
    const seconds = (ended - started) / 1000;
    // The sustained rate: arrivals after the first full window (a sliding window lets the first one burst).
    const sorted = [...stats.arrivals].sort((a, b) => a - b);
    const first = sorted[0] ?? started;
    const last = sorted.at(-1) ?? ended;
    const sustained = sorted.filter((at) => at >= first + limit.intervalMs).length;
    const ratePerSecond = sustained / Math.max(0.001, (last - first - limit.intervalMs) / 1000);
    const limitPerSecond = (limit.requests / limit.intervalMs) * 1000;
    const busiest = maxInWindow(stats.arrivals, limit.intervalMs);
    console.log(
      `under Intacct's limit (${limit.requests} per ${limit.intervalMs} ms, ${limit.concurrency} at once, enforced by the sandbox): ${count} payments, ` +
        `${stats.requests} requests in ${seconds.toFixed(1)} s; sustained ${ratePerSecond.toFixed(1)}/s after the first window = ${((100 * ratePerSecond) / limitPerSecond).toFixed(1)}% of the limit; ` +
        `busiest window ${busiest}/${limit.requests}; most at once ${stats.maxConcurrent}/${limit.concurrency}; limit violations (throttle answers) ${stats.throttled}`,
    );
  } finally {
    await s.close();
  }
}

// BENCH_PHASES narrows a run (e.g. `throughput` alone while profiling the store).
const phases = new Set((process.env.BENCH_PHASES ?? 'throughput,latency,throttled').split(','));
if (phases.has('throughput')) await throughputByStore(Number(process.env.BENCH_PAYMENTS ?? 2000));
if (phases.has('latency')) await latency(Number(process.env.BENCH_LATENCY_PAYMENTS ?? 1000), Number(process.env.BENCH_LATENCY_RATE ?? 50));
if (phases.has('paced')) await paced(Number(process.env.BENCH_PACED_PAYMENTS ?? 900), Number(process.env.BENCH_PACED_RATE ?? 30));
if (phases.has('throttled')) await throttled(Number(process.env.BENCH_THROTTLED_PAYMENTS ?? 600));
