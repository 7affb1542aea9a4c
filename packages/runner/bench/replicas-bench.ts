/**
 * Replica benchmark (issue 12, "a bench figure"): `ledgerlink run` processes on one PostgreSQL store, measured from the
 * sandboxes' side with the multi-replica harness (`test/replicas/harness.ts`).
 *   1. throughput with 1, 2 and 3 replicas in one run: every tenant's payments funded at once, timed until each has
 *      landed in its ERP and shows synced in the hub; payments per second and the ratio to 1 replica (the goal: ≈ N×);
 *   2. takeover: payments funded steadily while the replica running a tenant is SIGKILLed (or SIGSTOPped, and resumed
 *      only after the measurement): the time from the fault until that tenant's next payment lands in its ERP.
 *
 * Needs PostgreSQL (LEDGERLINK_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test).
 * Run: npm run bench (runner package), or `npx tsx --conditions=source bench/replicas-bench.ts` in packages/runner.
 * Sizes: BENCH_REPLICA_PAYMENTS (per tenant, default 60), BENCH_REPLICA_TENANTS (default 6: half Yardi, half QBO),
 * BENCH_LEASE_TTL_MS (default 3000), BENCH_REPLICA_COUNTS (default "1,2,3"; "none": takeover only), BENCH_TAKEOVER=0 (throughput only),
 * BENCH_REPLICA_LOG_LEVEL (replica logs, default warn; LEDGERLINK_KEEP_REPLICA_LOGS keeps them),
 * BENCH_REPLICA_CPU (cores per replica, e.g. 0.25: each replica's runner process gets a cgroup CPU quota of its own,
 * as if each ran on a machine of its own; needs root and the cgroup v1 cpu controller; default: no cap),
 * BENCH_REPLICA_WARMUP (payments per replica exported before the clock starts, default 3000, spread over the tenants
 * and run before the CPU caps are set: every replica process compiles its payment path on them, as a runner that has
 * run for a while has; 0: measure from cold),
 * BENCH_REPLICA_RATE (payments a second, all tenants together, funded steadily instead of all at once: below what the
 * replicas sustain, the CPU per payment of 1, 2 and 3 replicas compares without the machine's own contention),
 * BENCH_REPLICA_SUSTAINED=1 (instead of the burst and the takeover: the highest steady rate 1, 2 and 3 replicas keep up
 * with, searched in steps of 10%: BENCH_SUSTAIN_SECONDS a step (default 15), BENCH_SUSTAIN_START payments a second per
 * replica to begin with (default 30: low enough that the first steps warm the replicas), BENCH_SUSTAIN_STEPS at most
 * (default 14), BENCH_SUSTAIN_LAG_SECONDS of payments allowed not closed out when a step's funding ends (default 2)),
 * BENCH_REPLICA_ROUNDS (default 1: the counts run that many times over, 1,2,3,1,2,3…; each run's ratio is to its own
 * round's single replica, and the median ratio per count is printed: a slow patch of a shared machine spoils a round,
 * not the figure).
 *
 * CPU: each replica's runner process, the sandbox host and PostgreSQL's processes are read from /proc over the
 * measured interval (seconds of CPU, and the share of one core), with the machine's busy share: whether the figure
 * is bound by CPU or by waiting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CpuCaps } from './cpu-caps.js';
import { median } from './figures.js';
import { cpuTimes, procIo, threadCpu, voluntarySwitches } from './proc-stats.js';
import { Cluster, requirePostgres, sleep, holderOf, waitFor, type ClusterOptions, type HostStats, type ReplicaErp } from '../test/replicas/harness.js';

/** Progress on stderr: the figures alone go to stdout. */
const progress = (text: string): void => void process.stderr.write(`[replicas-bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

const PER_TENANT = Number(process.env.BENCH_REPLICA_PAYMENTS ?? 60);
const TENANTS = Number(process.env.BENCH_REPLICA_TENANTS ?? 6);
const LEASE_TTL_MS = Number(process.env.BENCH_LEASE_TTL_MS ?? 3_000);
const COUNTS = (process.env.BENCH_REPLICA_COUNTS ?? '1,2,3').split(',').map(Number).filter((count) => count > 0);
const TAKEOVER = process.env.BENCH_TAKEOVER !== '0';
const ROUNDS = Number(process.env.BENCH_REPLICA_ROUNDS ?? 1);
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error(`BENCH_REPLICA_ROUNDS must be a whole number of rounds, 1 or more, got ${process.env.BENCH_REPLICA_ROUNDS}`);
const LOG_LEVEL = process.env.BENCH_REPLICA_LOG_LEVEL ?? 'warn';
/**
 * Warm-up payments per replica (BENCH_REPLICA_WARMUP). V8 compiles a runner's payment path over its first few thousand
 * payments, on helper threads whose CPU the replica's figure counts. Counted per tenant, as until 2026-12-07 (50 each),
 * one replica warmed on 300 payments and each of three on 100: the three went on compiling through the measured
 * burst, and charged it to scaling. Counted per replica, every replica process is measured equally warm.
 */
const WARMUP = Number(process.env.BENCH_REPLICA_WARMUP ?? 3_000);
if (!(Number.isInteger(WARMUP) && WARMUP >= 0)) throw new Error(`BENCH_REPLICA_WARMUP must be a whole number of payments per replica, got ${process.env.BENCH_REPLICA_WARMUP}`);
/** Warm-up payments per tenant for a cluster of `replicas`: WARMUP for each replica, shared by the tenants. */
const warmupPerTenant = (replicas: number): number => Math.ceil((WARMUP * replicas) / TENANTS);
const RATE = process.env.BENCH_REPLICA_RATE === undefined ? undefined : Number(process.env.BENCH_REPLICA_RATE);
if (RATE !== undefined && !(RATE > 0)) throw new Error(`BENCH_REPLICA_RATE must be a number of payments a second above 0, got ${process.env.BENCH_REPLICA_RATE}`);
const CPU_PER_REPLICA = process.env.BENCH_REPLICA_CPU === undefined ? undefined : Number(process.env.BENCH_REPLICA_CPU);
if (CPU_PER_REPLICA !== undefined && !(CPU_PER_REPLICA > 0 && CPU_PER_REPLICA <= 64)) throw new Error(`BENCH_REPLICA_CPU must be a number of cores above 0, got ${process.env.BENCH_REPLICA_CPU}`);
/** The sustained-rate search (BENCH_REPLICA_SUSTAINED=1): seconds per step, first rate per replica, steps at most, lag allowed. */
const SUSTAINED = process.env.BENCH_REPLICA_SUSTAINED === '1';
const SUSTAIN_SECONDS = Number(process.env.BENCH_SUSTAIN_SECONDS ?? 15);
const SUSTAIN_START = Number(process.env.BENCH_SUSTAIN_START ?? 30);
const SUSTAIN_MAX_STEPS = Number(process.env.BENCH_SUSTAIN_STEPS ?? 14);
const SUSTAIN_LAG = Number(process.env.BENCH_SUSTAIN_LAG_SECONDS ?? 2);
for (const [name, value] of Object.entries({ BENCH_SUSTAIN_SECONDS: SUSTAIN_SECONDS, BENCH_SUSTAIN_START: SUSTAIN_START, BENCH_SUSTAIN_STEPS: SUSTAIN_MAX_STEPS, BENCH_SUSTAIN_LAG_SECONDS: SUSTAIN_LAG })) {
  if (!(value > 0)) throw new Error(`${name} must be a number above 0, got ${process.env[name]}`);
}
/** A process's CPU seconds so far (user + system), 0 when it is gone. */
function cpuSeconds(pid: number | undefined): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** A process's CPU seconds so far in its own code and in the kernel's (system calls: sockets, disk), zeros when it is gone. */
function cpuSplit(pid: number | undefined): { user: number; system: number } {
  return pid === undefined ? { user: 0, system: 0 } : cpuTimes(`/proc/${pid}/stat`);
}

/** CPU seconds of each PostgreSQL process on this machine (other users of the server included), by pid. */
function postgresCpuSeconds(): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') seconds.set(Number(entry), cpuSeconds(Number(entry)));
    } catch {
      // Gone meanwhile.
    }
  }
  return seconds;
}

/** PostgreSQL's CPU between two readings: processes alive at the end (a backend that ended meanwhile is not counted). */
function postgresDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += Math.max(0, seconds - (before.get(pid) ?? 0));
  return total;
}

/** The machine's busy and total jiffies (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((sum, n) => sum + n, 0);
  // idle + iowait are not busy.
  return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total };
}

/**
 * A process's system calls and sleeps so far, summed over its threads: read and write calls (`/proc/<pid>/io`) and
 * voluntary context switches (each a wait for the next event: a socket, a timer). Work that gathers into fewer, larger
 * turns makes fewer of each per payment. Zeros when it is gone.
 */
function wakeups(pid: number | undefined): { reads: number; writes: number; switches: number } {
  const io = pid === undefined ? undefined : procIo(pid);
  const switches = pid === undefined ? undefined : voluntarySwitches(pid, 'threads');
  return { reads: io?.syscr ?? 0, writes: io?.syscw ?? 0, switches: switches ?? 0 };
}

const sumWakeups = (pids: (number | undefined)[]) =>
  pids.map(wakeups).reduce((sum, w) => ({ reads: sum.reads + w.reads, writes: sum.writes + w.writes, switches: sum.switches + w.switches }), { reads: 0, writes: 0, switches: 0 });

interface CpuSnapshot {
  /** The replicas' read and write calls and voluntary context switches, all together. */
  wakeups: { reads: number; writes: number; switches: number };
  replicas: number[];
  /** The replicas' system time (in the kernel), all together. */
  replicasSystem: number;
  /** The replicas' CPU on threads other than their main one (V8's GC and compiler, libuv's pool), all together. */
  replicasHelpers: number;
  host: number;
  /** This process: the webhook balancer and the replicas' database proxies. */
  bench: number;
  postgres: Map<number, number>;
  machine: { busy: number; total: number };
}

async function cpuSnapshot(cluster: Cluster): Promise<CpuSnapshot> {
  const pids = await Promise.all(cluster.replicas.map((replica) => replica.runnerPid()));
  return { wakeups: sumWakeups(pids), replicas: pids.map(cpuSeconds), replicasSystem: pids.reduce((sum, pid) => sum + cpuSplit(pid).system, 0), replicasHelpers: pids.reduce((sum, pid) => sum + (pid === undefined ? 0 : (threadCpu(pid)?.helpers ?? 0)), 0), host: cpuSeconds(cluster.host.pid), bench: cpuSeconds(process.pid), postgres: postgresCpuSeconds(), machine: machineTicks() };
}

/**
 * The throughput phase runs the runner's default schedules (settle every 2 s, recovery every minute, the hub's fallback
 * poll every minute), as a deployment would: the suite's fast ones (250 ms, 2 s, 2 s) cost an idle replica about 45 ms
 * of CPU a second, charged to every payment. The takeover phase keeps the suite's.
 */
const DEPLOYMENT_SCHEDULES = { schedules: { settleMs: 2_000, recoveryMs: 60_000 }, pollSeconds: 60 } as const;

function options(perTenant: number): ClusterOptions {
  const erps: ReplicaErp[] = ['yardi', 'qbo'];
  return {
    tenants: Array.from({ length: TENANTS }, (_, index) => {
      const erp = erps[index % 2] as ReplicaErp;
      return { id: `${erp}-${index}`, erp, payments: perTenant };
    }),
    // Limits above what one replica reaches here: the replicas' own capacity is what is measured.
    limits: { yardi: { requests: 500, intervalMs: 1_000, concurrency: 4 }, qbo: { requests: 500, intervalMs: 1_000, concurrency: 10 } },
    leaseTtlMs: LEASE_TTL_MS,
    logLevel: LOG_LEVEL,
  };
}

/** The world being measured, ended on Ctrl-C too: no replica outlives the bench. */
let current: Cluster | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    current?.killAll();
    process.exit(130);
  });
}

interface Throughput {
  replicas: number;
  payments: number;
  seconds: number;
  perSecond: number;
  duplicates: number;
  lost: number;
  /** Synced in the ERP but closed out as failed in the hub (a second sender's refusal). */
  hubFailed: number;
  /** Replicas whose /readyz said they ran at least one tenant at the end. */
  working: number;
  /** The tenants each replica's /readyz said it ran at the end, in the order of `cpu.replicas`. */
  tenantsOf: string[][];
  /** CPU seconds over the measured interval: each replica's runner, the sandbox host, PostgreSQL (all of it). */
  cpu: { replicas: number[]; replicasSystem: number; replicasHelpers: number; host: number; bench: number; postgres: number };
  /** The replicas' read and write calls and voluntary context switches over the interval, all together. */
  wakeups: { reads: number; writes: number; switches: number };
  /** The machine's busy share over the interval (1 = every core busy). */
  machineBusy: number;
  /** With BENCH_REPLICA_CPU: how long each replica was held back by its quota over the interval (ms). */
  throttledMs?: number[];
  /** Each replica's CPU with nothing to do, just before the clock started (ms a second: its timers, leases, sweeps). */
  idleMsPerSecond: number[];
  /** What the sandboxes saw over the interval. */
  traffic: HostStats;
  /** The statements all replicas sent PostgreSQL over the interval, by name (PgProxy's count). */
  statements: ReadonlyMap<string, number>;
}

/** A cluster of `replicas` replicas on its own schema, each capped as BENCH_REPLICA_CPU says, warmed up; `close` ends it. */
async function openCluster(replicas: number, perTenant: number): Promise<{ cluster: Cluster; caps: CpuCaps | undefined; close: () => Promise<void> }> {
  const warmup = warmupPerTenant(replicas);
  const cluster = await Cluster.start({ ...options(perTenant + warmup), ...DEPLOYMENT_SCHEDULES });
  current = cluster;
  let caps: CpuCaps | undefined;
  const close = async () => {
    await cluster.close();
    caps?.close();
  };
  try {
    await Promise.all([cluster.startReplicas(replicas), cluster.connectHub()]);
    // Warmed without the caps (the warm-up is not measured, and at a cap it would take minutes), capped after.
    if (warmup > 0) {
      await Promise.all(cluster.tenants.map((tenant) => cluster.fund(tenant.id, warmup)));
      const warm = await cluster.settle(300_000);
      if (!warm.settled) throw new Error(`${replicas} replica(s): the warm-up payments did not all close out within 300 s\n${await cluster.describe()}`);
      progress(`${replicas} replica(s) warmed up on ${warmup * TENANTS} payments`);
    }
    if (CPU_PER_REPLICA !== undefined) {
      const opened = CpuCaps.open(`ledgerlink-bench-${process.pid}`);
      if (typeof opened === 'string') throw new Error(`BENCH_REPLICA_CPU: ${opened}`);
      caps = opened;
      for (const replica of cluster.replicas) caps.cap(replica.name, await replica.runnerPid(), CPU_PER_REPLICA);
    }
    return { cluster, caps, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function throughput(replicas: number): Promise<Throughput> {
  const { cluster, caps, close } = await openCluster(replicas, PER_TENANT);
  try {
    progress(`${replicas} replica(s) started${caps === undefined ? '' : `, ${CPU_PER_REPLICA} core each`}; funding ${PER_TENANT * TENANTS} payments`);
    // Each replica settles on its role (and, with per-tenant leases, its share) before the clock starts; what they
    // spend meanwhile, with nothing to do, is what every second of a replica costs whatever it does.
    const idleBefore = await cpuSnapshot(cluster);
    const idleStarted = Date.now();
    await sleep(LEASE_TTL_MS);
    const idleAfter = await cpuSnapshot(cluster);
    const idleMsPerSecond = idleAfter.replicas.map((seconds, index) => (1000 * (seconds - (idleBefore.replicas[index] ?? 0))) / ((Date.now() - idleStarted) / 1000));
    await cluster.host.resetStats();
    for (const replica of cluster.replicas) replica.proxy.resetStatements();
    const throttledBefore = cluster.replicas.map((replica) => caps?.throttledMs(replica.name) ?? 0);
    const before = await cpuSnapshot(cluster);
    const started = Date.now();
    if (RATE === undefined) await Promise.all(cluster.tenants.map((tenant) => cluster.fund(tenant.id, PER_TENANT)));
    else await fundSteadily(cluster, RATE);
    const { tallies, at } = await cluster.settle(300_000);
    const after = await cpuSnapshot(cluster);
    const traffic = await cluster.host.stats();
    const statements = new Map<string, number>();
    for (const replica of cluster.replicas) for (const [name, count] of replica.proxy.statements) statements.set(name, (statements.get(name) ?? 0) + count);
    progress(`${replicas} replica(s): every payment closed out after ${((at - started) / 1000).toFixed(1)} s`);
    if (tallies.some((t) => t.landed < t.funded || t.hubSynced + t.hubFailed < t.funded)) throw new Error(`${replicas} replica(s): not every payment closed out within 300 s\n${await cluster.describe()}`);
    const tenantsOf: string[][] = [];
    for (const replica of cluster.replicas) tenantsOf.push([...((await replica.runningTenants()) ?? [])].sort());
    const working = tenantsOf.filter((tenants) => tenants.length > 0).length;
    // The warm-up's payments closed out before the clock started: only the measured ones count.
    const payments = PER_TENANT * TENANTS;
    const seconds = (at - started) / 1000;
    return {
      replicas,
      payments,
      seconds,
      perSecond: payments / seconds,
      duplicates: tallies.reduce((sum, t) => sum + t.duplicates, 0),
      lost: tallies.reduce((sum, t) => sum + t.funded - t.landed, 0),
      hubFailed: tallies.reduce((sum, t) => sum + t.hubFailed, 0),
      working,
      tenantsOf,
      cpu: {
        replicas: after.replicas.map((seconds, index) => seconds - (before.replicas[index] ?? 0)),
        replicasSystem: after.replicasSystem - before.replicasSystem,
        replicasHelpers: after.replicasHelpers - before.replicasHelpers,
        host: after.host - before.host,
        bench: after.bench - before.bench,
        postgres: postgresDelta(before.postgres, after.postgres),
      },
      wakeups: { reads: after.wakeups.reads - before.wakeups.reads, writes: after.wakeups.writes - before.wakeups.writes, switches: after.wakeups.switches - before.wakeups.switches },
      idleMsPerSecond,
      machineBusy: (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.total - before.machine.total),
      traffic,
      statements,
      ...(caps === undefined ? {} : { throttledMs: cluster.replicas.map((replica, index) => (caps?.throttledMs(replica.name) ?? 0) - (throttledBefore[index] ?? 0)) }),
    };
  } finally {
    await close();
  }
}

/** Funds `total` payments (default: PER_TENANT of each tenant) round the tenants at `perSecond` in all, in ticks of 100 ms. */
async function fundSteadily(cluster: Cluster, perSecond: number, total = PER_TENANT * TENANTS): Promise<void> {
  const left = new Map(cluster.tenants.map((tenant) => [tenant.id, Math.ceil(total / TENANTS)]));
  const started = Date.now();
  let funded = 0;
  let turn = 0;
  while (funded < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * perSecond) + 1);
    const batch = new Map<string, number>();
    for (; funded < due; funded++) {
      let tenant = cluster.tenants[turn++ % TENANTS]?.id as string;
      while ((left.get(tenant) ?? 0) === 0) tenant = cluster.tenants[turn++ % TENANTS]?.id as string;
      left.set(tenant, (left.get(tenant) ?? 0) - 1);
      batch.set(tenant, (batch.get(tenant) ?? 0) + 1);
    }
    await Promise.all([...batch].map(([tenant, count]) => cluster.fund(tenant, count)));
    await sleep(100);
  }
}

/** One step of the sustained-rate search: a rate held for SUSTAIN_SECONDS, and whether the replicas kept up with it. */
interface SustainStep {
  rate: number;
  /** Payments funded in the step but not closed out in the hub when its funding ended. */
  behind: number;
  keptUp: boolean;
  /** The replicas' CPU per payment over the step (funding and the drain after it), ms. */
  cpuMs: number;
}

/**
 * The highest steady rate `replicas` replicas keep up with: payments funded round the tenants at a rate for
 * SUSTAIN_SECONDS, starting at SUSTAIN_START a second per replica and 10% more each step, until one step ends with more
 * than SUSTAIN_LAG seconds' worth of its payments not closed out in the hub (they pile up: the rate is above what
 * the replicas do). Between steps the backlog drains. A burst (`throughput`) measures how fast a backlog drains; this
 * measures the rate a deployment can be sized for.
 */
async function sustained(replicas: number): Promise<{ replicas: number; steps: SustainStep[]; best: number }> {
  const rates: number[] = [];
  for (let rate = SUSTAIN_START * replicas; rates.length < SUSTAIN_MAX_STEPS; rate *= 1.1) rates.push(Math.round(rate * 10) / 10);
  const perTenant = Math.ceil(rates.reduce((sum, rate) => sum + Math.ceil(rate * SUSTAIN_SECONDS) + TENANTS, 0) / TENANTS);
  const { cluster, close } = await openCluster(replicas, perTenant);
  const steps: SustainStep[] = [];
  try {
    await sleep(LEASE_TTL_MS);
    for (const rate of rates) {
      const count = Math.ceil(rate * SUSTAIN_SECONDS);
      const closedBefore = (await cluster.host.tally()).reduce((sum, t) => sum + t.hubSynced + t.hubFailed, 0);
      const before = await cpuSnapshot(cluster);
      await fundSteadily(cluster, rate, count);
      const closedAtEnd = (await cluster.host.tally()).reduce((sum, t) => sum + t.hubSynced + t.hubFailed, 0);
      const behind = count - (closedAtEnd - closedBefore);
      const drained = await cluster.settle(300_000);
      if (!drained.settled) throw new Error(`${replicas} replica(s) at ${rate}/s: not every payment closed out within 300 s of the step\n${await cluster.describe()}`);
      const after = await cpuSnapshot(cluster);
      const cpu = after.replicas.reduce((sum, seconds, index) => sum + seconds - (before.replicas[index] ?? 0), 0);
      const keptUp = behind <= rate * SUSTAIN_LAG;
      steps.push({ rate, behind, keptUp, cpuMs: (1000 * cpu) / count });
      progress(`${replicas} replica(s) at ${rate} payments/s: ${behind} behind when funding ended (${keptUp ? 'kept up' : 'fell behind'}), ${((1000 * cpu) / count).toFixed(1)} ms CPU per payment`);
      if (!keptUp) break;
    }
  } finally {
    await close();
  }
  const kept = steps.filter((step) => step.keptUp);
  return { replicas, steps, best: kept.length === 0 ? 0 : Math.max(...kept.map((step) => step.rate)) };
}

/** Time from the fault to the tenant's next payment in its ERP, with payments funded steadily meanwhile. */
async function takeover(fault: 'SIGKILL' | 'SIGSTOP'): Promise<{ fault: string; ms: number; tenant: string }> {
  const perTenant = 200;
  const cluster = await Cluster.start(options(perTenant));
  current = cluster;
  let stop = false;
  try {
    await Promise.all([cluster.startReplicas(3), cluster.connectHub()]);
    await sleep(LEASE_TTL_MS);
    const tenant = cluster.tenants[0]?.id as string;
    // Two payments per tenant every 200 ms: there is always one waiting when the fault hits.
    const funding = (async () => {
      for (let funded = 0; !stop && funded + 2 <= perTenant; funded += 2) {
        await Promise.all(cluster.tenants.map((t) => cluster.fund(t.id, 2)));
        await sleep(200);
      }
    })();
    await waitFor(() => `no payment of ${tenant} landed within 30 s`, 30_000, async () => ((await cluster.host.tally([tenant]))[0]?.landed ?? 0) >= 5 || undefined);
    const holder = await waitFor(() => `no replica's /readyz says it runs ${tenant}`, 30_000, () => holderOf(cluster.replicas, tenant));
    await cluster.host.watchLandings(tenant);
    const at = Date.now();
    progress(`${fault} to ${holder.name}, which runs ${tenant}`);
    if (fault === 'SIGKILL') await holder.kill();
    else await holder.pause();
    // The scan notes a payment within 20 ms of its arrival: one noted in the first 50 ms may have been sent before.
    const landed = await waitFor(() => `no payment of ${tenant} landed within 60 s of the ${fault}\n`, 60_000, () => cluster.host.landedAfter(tenant, at + 50), 50);
    if (fault === 'SIGSTOP') await holder.resume();
    stop = true;
    await funding;
    return { fault, ms: landed - at, tenant };
  } finally {
    stop = true;
    await cluster.close();
  }
}

await requirePostgres();
if (SUSTAINED) {
  const runs: Awaited<ReturnType<typeof sustained>>[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) for (const count of COUNTS) runs.push(await sustained(count));
  console.log(
    `sustained rate: payments funded steadily for ${SUSTAIN_SECONDS} s a step, from ${SUSTAIN_START}/s per replica, 10% more a step; kept up = no more than ${SUSTAIN_LAG} s of payments not closed out when funding ended` +
      `${CPU_PER_REPLICA === undefined ? '' : `; each replica capped at ${CPU_PER_REPLICA} core`}`,
  );
  console.log('| replicas | highest rate kept up with (payments/s) | ratio to 1 replica | steps (rate: behind, CPU ms per payment) |');
  console.log('|---:|---:|---:|---|');
  runs.forEach((run, index) => {
    const round = Math.floor(index / COUNTS.length);
    const base = runs.slice(round * COUNTS.length, (round + 1) * COUNTS.length).find((r) => r.replicas === 1)?.best;
    const ratio = base === undefined || base === 0 || run.best === 0 ? 'n/a' : `${(run.best / base).toFixed(2)}× (${(run.best / base / run.replicas).toFixed(2)}·N)`;
    const best = run.best === 0 ? `below ${run.steps[0]?.rate ?? SUSTAIN_START * run.replicas}` : String(run.best);
    console.log(`| ${run.replicas} | ${best} | ${ratio} | ${run.steps.map((step) => `${step.rate}: ${step.behind}, ${step.cpuMs.toFixed(1)}`).join('; ')} |`);
  });
  process.exit(0);
}
const results: (Throughput & { round: number })[] = [];
for (let round = 1; round <= ROUNDS; round += 1) for (const count of COUNTS) results.push({ ...(await throughput(count)), round });
/** Each run's ratio is to the 1-replica run of its own round: a slow patch of a shared machine spoils one round, not all. */
const baseOf = (round: number) => results.find((r) => r.round === round && r.replicas === 1)?.perSecond;
console.log(
  `replicas on one PostgreSQL store: ${TENANTS} tenants (half Yardi, half QBO), ${PER_TENANT} payments each, lease TTL ${LEASE_TTL_MS} ms` +
    `${CPU_PER_REPLICA === undefined ? '' : `, each replica capped at ${CPU_PER_REPLICA} core`}${RATE === undefined ? ', funded all at once' : `, funded at ${RATE} payments/s`}` +
    `, after ${WARMUP} warm-up payments per replica`,
);
console.log('| replicas | payments | seconds | payments/s | ratio to 1 | replicas running tenants | duplicates | lost | failed in hub |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const base = baseOf(r.round);
  const ratio = base === undefined ? 'n/a' : `${(r.perSecond / base).toFixed(2)}×`;
  console.log(`| ${r.replicas} | ${r.payments} | ${r.seconds.toFixed(1)} | ${r.perSecond.toFixed(1)} | ${ratio} | ${r.working} | ${r.duplicates} | ${r.lost} | ${r.hubFailed} |`);
}
if (ROUNDS > 1) {
  for (const count of COUNTS.filter((count) => count !== 1)) {
    const ratios = results.filter((r) => r.replicas === count && baseOf(r.round) !== undefined).map((r) => r.perSecond / (baseOf(r.round) as number));
    if (ratios.length > 0) console.log(`${count} replicas: median ratio ${median(ratios).toFixed(2)}× over ${ratios.length} rounds (${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')}) = ${(median(ratios) / count).toFixed(2)}·N`);
  }
}
console.log('CPU over the measured interval: seconds (share of one core), each replica with the tenants it ran at the end; PostgreSQL counts every client of the server');
console.log(`| replicas | each replica | ms per payment (replicas) | of which in the kernel | of which other threads | idle, ms a second each | sandbox host | balancer and database proxies | PostgreSQL | machine busy |${CPU_PER_REPLICA === undefined ? '' : ' held back by the cap |'}`);
console.log(`|---:|---|---:|---:|---:|---|---:|---:|---:|---:|${CPU_PER_REPLICA === undefined ? '' : '---|'}`);
for (const r of results) {
  const share = (seconds: number) => `${seconds.toFixed(1)} (${Math.round((100 * seconds) / r.seconds)}%)`;
  const replicaMs = (1000 * r.cpu.replicas.reduce((sum, s) => sum + s, 0)) / r.payments;
  const held = r.throttledMs === undefined ? '' : ` ${r.throttledMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} |`;
  const each = r.cpu.replicas.map((seconds, index) => `${share(seconds)} [${(r.tenantsOf[index] ?? []).join(' ')}]`);
  console.log(`| ${r.replicas} | ${each.join(', ')} | ${replicaMs.toFixed(1)} | ${((1000 * r.cpu.replicasSystem) / r.payments).toFixed(1)} | ${((1000 * r.cpu.replicasHelpers) / r.payments).toFixed(1)} | ${r.idleMsPerSecond.map((ms) => ms.toFixed(0)).join(', ')} | ${share(r.cpu.host)} | ${share(r.cpu.bench)} | ${share(r.cpu.postgres)} | ${Math.round(100 * r.machineBusy)}% |${held}`);
}
console.log('Per payment, the replicas together: read and write system calls, and waits for an event (voluntary context switches, all threads)');
console.log('| replicas | reads | writes | waits |');
console.log('|---:|---:|---:|---:|');
for (const r of results) console.log(`| ${r.replicas} | ${(r.wakeups.reads / r.payments).toFixed(1)} | ${(r.wakeups.writes / r.payments).toFixed(1)} | ${(r.wakeups.switches / r.payments).toFixed(1)} |`);
console.log('Per payment, as the sandboxes saw it: webhook deliveries (attempts: a retry after a timeout counts again), ERP requests, hub calls');
console.log('| replicas | deliveries | delivery attempts | ERP requests | hub calls | hub calls by endpoint |');
console.log('|---:|---:|---:|---:|---:|---|');
for (const r of results) {
  const per = (n: number) => (n / r.payments).toFixed(2);
  const hubCalls = Object.values(r.traffic.hub).reduce((sum, n) => sum + n, 0);
  const byEndpoint = Object.entries(r.traffic.hub)
    .sort((a, b) => b[1] - a[1])
    .map(([endpoint, n]) => `${per(n)} ${endpoint.replace('/rest/v1.0/', '')}`)
    .join('; ');
  console.log(`| ${r.replicas} | ${per(r.traffic.deliveries)} | ${per(r.traffic.deliveryAttempts)} | ${per(r.traffic.erp)} | ${per(hubCalls)} | ${byEndpoint} |`);
}
console.log('PostgreSQL statements per payment, all replicas together (each statement by name, as the replicas\' database proxies saw them):');
const names = [...new Set(results.flatMap((r) => [...r.statements.keys()]))].sort((a, b) => (results[0]?.statements.get(b) ?? 0) - (results[0]?.statements.get(a) ?? 0));
console.log(`| statement | ${results.map((r) => `${r.replicas} replica(s)`).join(' | ')} |`);
console.log(`|---|${results.map(() => '---:').join('|')}|`);
const perPayment = (r: Throughput, n: number) => (n / r.payments).toFixed(2);
console.log(`| all | ${results.map((r) => perPayment(r, [...r.statements.values()].reduce((sum, n) => sum + n, 0))).join(' | ')} |`);
for (const name of names) console.log(`| ${name} | ${results.map((r) => perPayment(r, r.statements.get(name) ?? 0)).join(' | ')} |`);
if (!TAKEOVER) process.exit(0);
const takeovers = [await takeover('SIGKILL'), await takeover('SIGSTOP')];
console.log(`takeover (3 replicas, lease TTL ${LEASE_TTL_MS} ms): fault to the tenant's next payment in its ERP`);
console.log('| fault | tenant | takeover ms |');
console.log('|---|---|---:|');
for (const t of takeovers) console.log(`| ${t.fault} | ${t.tenant} | ${t.ms} |`);
