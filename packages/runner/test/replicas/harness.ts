/**
 * The multi-replica harness (issue 12): N `ledgerlink run` processes on one PostgreSQL store, as an operator runs
 * them, driven only through what is observable from outside: the sandboxes' own records, each replica's `/readyz`,
 * its exit code. Used by `replicas.test.ts` and `bench/replicas-bench.ts`.
 *
 *   sandbox host (own process) ── hub deliveries ──> balancer ──> replica 0..N-1 ──> PgProxy i ──> PostgreSQL
 *                              <── ERP calls ──────────────────── replica 0..N-1
 *
 * Each replica is `ledgerlink run --config replica-i.yaml` with its own server port; its store URL points at a TCP
 * proxy of its own, so a test can cut that replica (and only it) from the database. By default the CLI runs from a
 * bundle of the workspace's sources built once per test process (`bundle.ts`: a start costs a third of the CPU),
 * and the runner is the spawned process itself; with `launch: 'bin'` (or LEDGERLINK_REPLICAS_LAUNCH=bin) it is
 * `node bin/ledgerlink.mjs`, which in the workspace runs the CLI in a child (tsx). Faults go to the runner's own
 * process (a signal to the bin's wrapper would not stop the runner): `runnerPid` is that process, the one whose pid
 * is in its lease holder id.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '@ledgerlink/connector-testkit';
import pg from 'pg';
import { stringify } from 'yaml';
import { harnessBundles } from './bundle.js';

export { removeHarnessBundles } from './bundle.js';
import type { HostOptions, HostReady, HostRequest, HostStats, HostTenant, LaneLimit, ReplicaErp, TenantTally } from './sandbox-host.js';

export type { HostStats, HostTenant, LaneLimit, ReplicaErp, TenantTally } from './sandbox-host.js';

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(PACKAGE_DIR, 'bin', 'ledgerlink.mjs');
const WEBHOOK_SECRET = 'replicas-webhook-secret-0123456789';

import { dropSchema, POSTGRES_URL } from '../support/postgres.js';

export { dropSchema, POSTGRES_URL } from '../support/postgres.js';

/** Fails, saying PostgreSQL is needed, when it does not answer. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`the multi-replica suite needs PostgreSQL at ${POSTGRES_URL} (set LEDGERLINK_TEST_POSTGRES_URL): ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}


const TRACING = process.env.LEDGERLINK_REPLICAS_TRACE !== undefined;
const TRACE_T0 = Date.now();

/**
 * LEDGERLINK_REPLICAS_TRACE=1: where a scenario's wall time goes (world start, each replica ready, the settle's
 * progress once a second, each process's CPU at close), on stderr, seconds since the test process loaded this.
 */
export function trace(label: string): void {
  if (TRACING) process.stderr.write(`[replicas ${((Date.now() - TRACE_T0) / 1000).toFixed(2)}] ${label}\n`);
}

/** A process's CPU so far (user + system, seconds), from /proc; '?' once it is gone. */
function cpuSeconds(pid: number | undefined): string {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) / 100).toFixed(1);
  } catch {
    return '?';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, or fails with `what()` at the deadline. */
export async function waitFor<T>(what: () => string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(everyMs);
  }
}

/**
 * How the harness starts its processes: `bundle` (the default) runs the CLI and the sandbox host from bundles of the
 * workspace's sources; `bin` runs `bin/ledgerlink.mjs` and the host under tsx, exactly as in the workspace.
 */
export type Launch = 'bundle' | 'bin';

/** LEDGERLINK_REPLICAS_LAUNCH=bin runs a suite through the bin instead; anything else, the bundle. */
function defaultLaunch(): Launch {
  return process.env.LEDGERLINK_REPLICAS_LAUNCH === 'bin' ? 'bin' : 'bundle';
}

/** tsx's loader, as the bin finds it: the sandbox host runs from its TypeScript source. */
function tsxImport(): string[] {
  const loader = createRequire(join(PACKAGE_DIR, 'package.json')).resolve('tsx');
  return ['--import', pathToFileURL(loader).href, '--conditions=source'];
}

/** The sandboxes' process, seen from here: a request/answer channel over IPC. */
export class SandboxHost {
  #seq = 0;
  readonly #waiting = new Map<number, { resolve(answer: Record<string, unknown>): void; reject(error: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: HostReady,
  ) {
    child.on('message', (raw) => {
      const answer = raw as Record<string, unknown>;
      const waiter = typeof answer.seq === 'number' ? this.#waiting.get(answer.seq) : undefined;
      if (waiter === undefined) return;
      this.#waiting.delete(answer.seq as number);
      if (typeof answer.error === 'string') waiter.reject(new Error(`sandbox host: ${answer.error}`));
      else waiter.resolve(answer);
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.#waiting.values()) waiter.reject(new Error(`the sandbox host exited (${code ?? signal}) with a request unanswered`));
      this.#waiting.clear();
    });
  }

  static async start(options: HostOptions, launch: Launch = defaultLaunch()): Promise<SandboxHost> {
    const args = [JSON.stringify(options)];
    const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
    const child =
      launch === 'bundle'
        ? fork((await harnessBundles()).sandboxHost, args, { execArgv: [], stdio })
        : fork(fileURLToPath(new URL('./sandbox-host.ts', import.meta.url)), args, {
            execArgv: tsxImport(),
            env: { ...process.env, TSX_TSCONFIG_PATH: join(PACKAGE_DIR, 'tsconfig.json') },
            stdio,
          });
    const ready = await new Promise<HostReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the sandbox host was not ready within 60 s')), 60_000);
      child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as HostReady);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox host exited (${code}) before it was ready`));
      });
    });
    child.removeAllListeners('exit');
    return new SandboxHost(child, ready);
  }

  private request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      this.child.send({ ...message, seq } as HostRequest);
    });
  }

  async fund(tenant: string, ids: number[]): Promise<void> {
    await this.request({ op: 'fund', tenant, ids });
  }

  /** Per tenant, its funded payments the hub does not show closed out (synced or failed) yet: cheap to poll. */
  async open(): Promise<Record<string, number>> {
    return (await this.request({ op: 'open' })).open as Record<string, number>;
  }

  async tally(tenants?: string[]): Promise<TenantTally[]> {
    return (await this.request({ op: 'tally', ...(tenants === undefined ? {} : { tenants }) })).tallies as TenantTally[];
  }

  /** Starts noting when each of the tenant's ERP payments lands (call it before the fault `landedAfter` times). */
  async watchLandings(tenant: string): Promise<void> {
    await this.request({ op: 'watch', tenant });
  }

  /** When the tenant's first ERP payment at or after `after` landed (ms since epoch), if one has; see `watchLandings`. */
  async landedAfter(tenant: string, after: number): Promise<number | undefined> {
    const at = (await this.request({ op: 'landedAfter', tenant, after })).at;
    return typeof at === 'number' ? at : undefined;
  }

  async resetStats(): Promise<void> {
    await this.request({ op: 'resetStats' });
  }

  /** Hub calls, webhook deliveries and ERP requests since the last `resetStats`. */
  async stats(): Promise<HostStats> {
    return ((await this.request({ op: 'stats' })) as unknown as { stats: HostStats }).stats;
  }

  /** The host's process id (the bench and the trace read its CPU time from /proc). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const answered = this.request({ op: 'close' }).catch(() => undefined);
    await Promise.race([Promise.all([answered, exited]), sleep(10_000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Last resort (afterAll on a failure): no IPC, just gone. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Counts a PostgreSQL client's messages into `counts` as they pass (protocol 3: the startup packet has no type byte,
 * every later message is a type byte and a 32-bit length that counts itself): a Bind counts under its statement's
 * name, a simple query under its first words.
 */
function firstWords(text: Buffer): string {
  return text.subarray(0, 60).toString().trim().split(/\s+/).slice(0, 4).join(' ');
}

function frontendCounter(counts: Map<string, number>): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let started = false;
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    for (;;) {
      if (!started) {
        if (pending.length - at < 4) break;
        const length = pending.readInt32BE(at);
        if (pending.length - at < length) break;
        // An SSLRequest or GSSENCRequest is followed by the real startup packet, also without a type byte.
        const code = pending.readInt32BE(at + 4);
        if (code !== 80877103 && code !== 80877104) started = true;
        at += length;
        continue;
      }
      if (pending.length - at < 5) break;
      const type = String.fromCharCode(pending[at] as number);
      const length = pending.readInt32BE(at + 1);
      if (pending.length - at < 1 + length) break;
      const body = pending.subarray(at + 5, at + 1 + length);
      if (type === 'B') {
        // Bind: the portal's name, then the statement's (an unnamed statement counts at its Parse).
        const portalEnd = body.indexOf(0);
        const name = body.subarray(portalEnd + 1, body.indexOf(0, portalEnd + 1)).toString();
        if (name !== '') add(name);
      } else if (type === 'P') {
        const nameEnd = body.indexOf(0);
        if (nameEnd === 0) add(firstWords(body.subarray(1, body.indexOf(0, 1))));
      } else if (type === 'Q') add(firstWords(body.subarray(0, body.length - 1)));
      at += 1 + length;
    }
    pending = at >= pending.length ? Buffer.alloc(0) : pending.subarray(at);
  };
}

/**
 * A TCP proxy between one replica and PostgreSQL, with two ways to cut it:
 *   - `cut('reset')`: every connection destroyed, new ones destroyed on accept (the replica sees errors at once);
 *   - `cut('partition')`: nothing flows either way and nothing errors (packets dropped: the replica's queries hang;
 *     new connections are accepted and held). `heal` lets the held bytes through, as TCP delivers them once a
 *     partition heals, and connects the held connections.
 */
export class PgProxy {
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** What the replica asked PostgreSQL, by statement (see `statements`). */
  readonly #statements = new Map<string, number>();
  readonly #held: Socket[] = [];
  readonly #server: Server;
  #mode: 'open' | 'reset' | 'partition' = 'open';
  #port = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.#server = createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<PgProxy> {
    const proxy = new PgProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.#port = (proxy.#server.address() as AddressInfo).port;
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get isCut(): boolean {
    return this.#mode !== 'open';
  }

  private accept(client: Socket): void {
    if (this.#mode === 'reset') {
      client.destroy();
      return;
    }
    if (this.#mode === 'partition') {
      client.pause();
      client.on('error', () => client.destroy());
      this.#held.push(client);
      return;
    }
    this.join(client);
  }

  private join(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', frontendCounter(this.#statements));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /**
   * The statements the replica ran through this proxy since the last `resetStatements`, by prepared statement name
   * (a Bind), or the first words of a simple query's text; `transactions`: the simple queries BEGIN and COMMIT, and
   * each Sync outside a BEGIN (a pool query of its own is a transaction of its own). The bench's per-payment table.
   */
  get statements(): ReadonlyMap<string, number> {
    return this.#statements;
  }

  resetStatements(): void {
    this.#statements.clear();
  }

  cut(mode: 'reset' | 'partition' = 'reset'): void {
    this.#mode = mode;
    for (const { client, upstream } of this.#pairs) {
      if (mode === 'reset') {
        client.destroy();
        upstream.destroy();
      } else {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    }
    if (mode === 'reset') this.#pairs.clear();
  }

  heal(): void {
    const partitioned = this.#mode === 'partition';
    this.#mode = 'open';
    if (!partitioned) return;
    for (const { client, upstream } of this.#pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    for (const client of this.#held.splice(0)) {
      if (client.destroyed) continue;
      this.join(client);
      client.resume();
    }
  }

  async close(): Promise<void> {
    this.cut('reset');
    for (const client of this.#held.splice(0)) client.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * The round-robin balancer in front of the replicas for the hub's webhook deliveries (the hub delivers to one URL):
 * each new connection goes to the next replica; one that refuses the connection is skipped. A paused replica still
 * accepts (the kernel does), so its deliveries time out and the hub delivers them again, as behind a real balancer.
 */
export class Balancer {
  #next = 0;
  #port = 0;
  readonly #server: Server;
  /** Connections each replica got. */
  readonly routed: number[] = [];

  private constructor(private readonly ports: () => number[]) {
    this.#server = createServer((client) => {
      client.on('error', () => client.destroy());
      this.route(client, 0);
    });
  }

  static async start(ports: () => number[]): Promise<Balancer> {
    const balancer = new Balancer(ports);
    await new Promise<void>((resolve) => balancer.#server.listen(0, '127.0.0.1', resolve));
    balancer.#port = (balancer.#server.address() as AddressInfo).port;
    return balancer;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private route(client: Socket, tried: number): void {
    const ports = this.ports();
    if (tried >= ports.length || client.destroyed) {
      client.destroy();
      return;
    }
    const index = this.#next++ % ports.length;
    const upstream = connect(ports[index] as number, '127.0.0.1');
    upstream.once('connect', () => {
      this.routed[index] = (this.routed[index] ?? 0) + 1;
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.once('error', () => {
      if (!upstream.connecting) return;
      this.route(client, tried + 1);
    });
  }

  async close(): Promise<void> {
    this.#server.close();
    await sleep(0);
  }
}

/** What `/readyz` of one replica said (undefined: it did not answer). */
export interface Readiness {
  ready: boolean;
  role: 'active' | 'standby';
  tenants: Record<string, { state: string; erp: string }>;
}

/**
 * One `ledgerlink run` process and its database proxy, under a supervisor: when the process exits (a runner that
 * lost its lease exits 1 for its supervisor to restart it as a standby; a killed one is restarted too), it is started
 * again after `restartDelayMs`, as systemd's `Restart=always` would, with the same config, port and proxy.
 */
export class Replica {
  #runnerPid: number | undefined;
  #child: ChildProcess;
  #exited!: Promise<number | null>;
  #destroyed = false;
  /** The current process's exit code, once it exited (undefined while it runs). */
  exitCode: number | null | undefined;
  /** Every exit so far, in order: `code` or `signal`. */
  readonly exits: string[] = [];
  /** How many times the supervisor started it again. */
  restarts = 0;

  constructor(
    readonly index: number,
    readonly port: number,
    readonly proxy: PgProxy,
    private readonly spawnProcess: () => ChildProcess,
    readonly logFile: string,
    private readonly restartDelayMs: number | undefined,
    /** True when the spawned process is the runner itself (the bundle), false when it is the bin's wrapper. */
    private readonly direct: boolean,
  ) {
    this.#child = this.launch();
  }

  private launch(): ChildProcess {
    const child = this.spawnProcess();
    this.#child = child;
    this.#runnerPid = undefined;
    this.exitCode = undefined;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal === null ? null : 128);
        this.exits.push(code === null ? String(signal) : String(code));
        resolve(this.exitCode);
        if (!this.#destroyed && this.restartDelayMs !== undefined) {
          setTimeout(() => {
            if (this.#destroyed) return;
            this.restarts += 1;
            this.launch();
          }, this.restartDelayMs).unref();
        }
      });
    });
    return child;
  }

  get child(): ChildProcess {
    return this.#child;
  }

  /** Settles when the current process exits. */
  get exited(): Promise<number | null> {
    return this.#exited;
  }

  get name(): string {
    return `replica ${this.index} (port ${this.port}${this.#runnerPid === undefined ? '' : `, runner pid ${this.#runnerPid}`}${this.exits.length === 0 ? '' : `, exits ${this.exits.join(',')}`})`;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** The runner's own process: the spawned one from the bundle; the bin's child (tsx) through the bin. */
  async runnerPid(): Promise<number> {
    if (this.#runnerPid !== undefined) return this.#runnerPid;
    const wrapper = this.child.pid as number;
    if (this.direct) {
      this.#runnerPid = wrapper;
      return wrapper;
    }
    this.#runnerPid = await waitFor(
      () => `${this.name}: its runner process never appeared under the bin (pid ${wrapper})`,
      30_000,
      () => {
        try {
          const children = readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').trim();
          const first = children.split(/\s+/)[0];
          return first === undefined || first === '' ? undefined : Number(first);
        } catch {
          return this.alive ? undefined : wrapper;
        }
      },
      50,
    );
    return this.#runnerPid;
  }

  async readyz(timeoutMs = 5_000): Promise<Readiness | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      return (await response.json()) as Readiness;
    } catch {
      return undefined;
    }
  }

  /** The tenants this replica says it runs (its `/readyz`: state running or recovering while active). */
  async runningTenants(): Promise<string[] | undefined> {
    const readiness = await this.readyz();
    if (readiness === undefined) return undefined;
    return Object.entries(readiness.tenants)
      .filter(([, health]) => health.state !== 'standby')
      .map(([id]) => id);
  }

  /** Its export attempts by tenant, from its `/metrics` (ledgerlink_erp_calls_total); undefined when it does not answer. */
  async exportAttempts(): Promise<Record<string, number> | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(5_000) });
      const text = await response.text();
      const attempts: Record<string, number> = {};
      for (const match of text.matchAll(/^ledgerlink_erp_calls_total\{([^}]*)\} (\S+)$/gm)) {
        const tenant = /tenant="([^"]*)"/.exec(match[1] as string)?.[1] ?? '?';
        attempts[tenant] = (attempts[tenant] ?? 0) + Number(match[2]);
      }
      return attempts;
    } catch {
      return undefined;
    }
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    const pid = await this.runnerPid();
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  pause(): Promise<void> {
    return this.signal('SIGSTOP');
  }

  resume(): Promise<void> {
    return this.signal('SIGCONT');
  }

  cutDb(mode: 'reset' | 'partition' = 'reset'): void {
    this.proxy.cut(mode);
  }

  healDb(): void {
    this.proxy.heal();
  }

  /** The last lines of its log, for failure messages. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Gone for good, no restart: the whole process group (wrapper and runner), paused or not. */
  destroy(): void {
    this.#destroyed = true;
    const pid = this.child.pid;
    if (pid === undefined || !this.alive) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export interface ClusterOptions {
  /** Tenants, ERP and payments; the companies and limits are filled in. */
  tenants: { id: string; erp: ReplicaErp; payments: number }[];
  /** Each tenant lane's limit (overrides the connector's declared one; the sandbox counts calls beyond it). */
  limits: Record<ReplicaErp, LaneLimit>;
  leaseTtlMs: number;
  /**
   * Each tenant's ERP call timeout (`timeoutMs`; default the runner's 30 s). A new holder settles what the previous
   * one left in flight only once this has passed since that holder's lease expired, so it bounds how long a takeover
   * keeps a tenant's last payments waiting.
   */
  callTimeoutMs?: number;
  /** The hub's fallback poll, seconds (0 = off). */
  pollSeconds?: number;
  /** `runner.maxInFlight`. */
  maxInFlight?: number;
  /**
   * `runner.settleMs` and `runner.recoveryMs` (default 250 and 2,000: the suite's scenarios wait on them). The bench
   * uses the runner's own defaults, so its replicas spend on schedules what a deployment's would.
   */
  schedules?: { settleMs: number; recoveryMs: number };
  jitterMs?: number;
  /** Replica logs' level (default info). */
  logLevel?: string;
  /** How long the supervisor waits before it starts an exited replica again (default 1000; null: no supervisor). */
  restartDelayMs?: number | null;
  /** How the processes start (default: LEDGERLINK_REPLICAS_LAUNCH=bin, else the bundle); see `Launch`. */
  launch?: Launch;
}

/**
 * One run's world: the sandbox host, the balancer, a PostgreSQL schema of its own, and the replicas. `close` ends
 * every process it started, paused or not, and drops the schema; it is safe to call twice and after a failure.
 */
export class Cluster {
  readonly replicas: Replica[] = [];
  readonly schema = `replicas_${randomBytes(5).toString('hex')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'll-replicas-'));
  #next = new Map<string, number>();
  #closed = false;

  private constructor(
    readonly options: ClusterOptions,
    readonly host: SandboxHost,
    readonly balancer: Balancer,
    readonly tenants: HostTenant[],
    private readonly portsRef: number[],
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const tenants: HostTenant[] = options.tenants.map((tenant, index) => ({ ...tenant, companyId: 7001 + index, limit: options.limits[tenant.erp] }));
    trace('world: starting the sandbox host');
    const host = await SandboxHost.start({ tenants, jitterMs: options.jitterMs ?? 100 }, options.launch ?? defaultLaunch());
    trace('world: sandbox host ready');
    const ports: number[] = [];
    const balancer = await Balancer.start(() => ports);
    return new Cluster(options, host, balancer, tenants, ports);
  }

  private get launch(): Launch {
    return this.options.launch ?? defaultLaunch();
  }

  /** `node` and the arguments before the CLI's own: the bundle, or the bin. */
  private async cli(): Promise<string[]> {
    return [this.launch === 'bundle' ? (await harnessBundles()).cli : BIN];
  }

  get ids(): Record<string, number[]> {
    return this.host.ready.ids;
  }

  /** The deployment YAML of one replica: same tenants and store schema, its own port and database proxy. */
  private config(port: number, proxyPort: number): string {
    const { hub } = this.host.ready;
    const store = new URL(POSTGRES_URL);
    store.host = `127.0.0.1:${proxyPort}`;
    return stringify({
      store: { postgres: { url: store.toString(), schema: this.schema } },
      server: { host: '127.0.0.1', port },
      hub: {
        connector: 'procore',
        connection: { apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.clientId, clientSecret: '${env:PROCORE_SECRET}', companyIds: this.tenants.map((t) => String(t.companyId)) },
        webhookSecret: '${env:WEBHOOK_SECRET}',
        pollSeconds: this.options.pollSeconds ?? 2,
        rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: 16, allowAboveDeclared: true },
      },
      tenants: this.tenants.map((tenant, index) => ({
        id: tenant.id,
        erp: tenant.erp,
        hubCompanyId: String(tenant.companyId),
        connection: connectionOf(tenant.erp, `T${index}_`),
        schedules: { import: { everyMinutes: 0 } },
        ...(this.options.callTimeoutMs === undefined ? {} : { timeoutMs: this.options.callTimeoutMs }),
        rateLimit: { ...tenant.limit, allowAboveDeclared: true },
      })),
      runner: { settleMs: this.options.schedules?.settleMs ?? 250, recoveryMs: this.options.schedules?.recoveryMs ?? 2_000, maxInFlight: this.options.maxInFlight ?? 100, shutdownGraceMs: 2_000, leaseTtlMs: this.options.leaseTtlMs },
      logging: { level: this.options.logLevel ?? 'info', pretty: 'never' },
    });
  }

  /** The secrets the configs read, by name. */
  private env(): Record<string, string> {
    const env: Record<string, string> = { PROCORE_SECRET: this.host.ready.hub.clientSecret, WEBHOOK_SECRET };
    this.tenants.forEach((tenant, index) => {
      for (const [key, value] of Object.entries(this.host.ready.erps[tenant.id]?.env ?? {})) env[`T${index}_${key}`] = value;
    });
    return env;
  }

  /** Writes its config and starts one more replica (not waiting for it). */
  async addReplica(): Promise<Replica> {
    const index = this.replicas.length;
    const port = await freePort();
    const proxy = await PgProxy.start({ host: new URL(POSTGRES_URL).hostname, port: Number(new URL(POSTGRES_URL).port || 5432) });
    const dir = join(this.dir, `replica-${index}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'ledgerlink.yaml');
    writeFileSync(file, this.config(port, proxy.port));
    const logFile = join(dir, 'replica.log');
    const log = createWriteStream(logFile);
    const env = { ...process.env, ...this.env() };
    // Node flags for the replica processes (BENCH_REPLICA_NODE_FLAGS, space-separated: `--cpu-prof --cpu-prof-dir=…`
    // to profile them; Node refuses --cpu-prof in NODE_OPTIONS).
    const cli = [...(process.env.BENCH_REPLICA_NODE_FLAGS?.split(' ').filter((flag) => flag !== '') ?? []), ...(await this.cli())];
    // Its own process group: cleanup ends the wrapper and the runner together, even when the runner is paused.
    const start = () => {
      const child = spawn(process.execPath, [...cli, 'run', '--config', file], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
      return child;
    };
    const replica = new Replica(index, port, proxy, start, logFile, this.options.restartDelayMs === null ? undefined : (this.options.restartDelayMs ?? 1_000), this.launch === 'bundle');
    this.replicas.push(replica);
    this.portsRef.push(port);
    return replica;
  }

  /**
   * The store's schema, made before the first replica starts. Replicas opening a new schema at the same instant race
   * in PostgreSQL's own `CREATE SCHEMA IF NOT EXISTS` (one fails on pg_namespace's unique index and exits 1): a race
   * of a first deployment, not what these scenarios are about, and one that a bundle's quicker, more simultaneous
   * starts made likelier.
   */
  private async createSchema(): Promise<void> {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    } finally {
      await client.end();
    }
  }

  /** Starts `count` replicas and waits until each answers `/readyz` with its runner started. */
  async startReplicas(count: number, timeoutMs = 90_000): Promise<Replica[]> {
    await this.createSchema();
    const started: Replica[] = [];
    for (let i = 0; i < count; i++) started.push(await this.addReplica());
    await Promise.all(
      started.map(async (replica) => {
        await this.waitStarted(replica, timeoutMs);
        trace(`world: ${replica.name} started`);
      }),
    );
    return started;
  }

  async waitStarted(replica: Replica, timeoutMs: number): Promise<void> {
    await waitFor(
      () => `${replica.name} did not answer /readyz with its runner started (exit ${String(replica.exitCode)}); its log:\n${replica.logTail()}`,
      timeoutMs,
      async () => {
        if (!replica.alive) throw new Error(`${replica.name} exited (${String(replica.exitCode)}) while starting; its log:\n${replica.logTail()}`);
        const readiness = await replica.readyz();
        return readiness !== undefined && (readiness as unknown as { checks?: { runner?: string } }).checks?.runner === 'ok' ? true : undefined;
      },
      200,
    );
    await replica.runnerPid();
  }

  /** `ledgerlink procore connect`: each company's ERP connection, its hook to the balancer, and the trigger. */
  async connectHub(): Promise<void> {
    const file = join(this.dir, 'replica-0', 'ledgerlink.yaml');
    const child = spawn(process.execPath, [...(await this.cli()), 'procore', 'connect', '--config', file, '--url', this.balancer.url], { env: { ...process.env, ...this.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    trace(`world: procore connect exited ${code}`);
    if (code !== 0) throw new Error(`ledgerlink procore connect exited ${code}:\n${output}`);
  }

  /** Funds the next `count` payments of a tenant in the hub (each raises an ERP Request delivered to the balancer). */
  async fund(tenant: string, count: number): Promise<number[]> {
    const all = this.ids[tenant] ?? [];
    const from = this.#next.get(tenant) ?? 0;
    if (from + count > all.length) throw new Error(`tenant ${tenant} has ${all.length - from} payments left to fund, ${count} asked: seed more`);
    const ids = all.slice(from, from + count);
    this.#next.set(tenant, from + count);
    await this.host.fund(tenant, ids);
    return ids;
  }

  /** Funds `perTenant` payments of every tenant, in `batches` spread over `spreadMs`. */
  async fundSpread(perTenant: number, batches: number, spreadMs: number): Promise<void> {
    const size = Math.ceil(perTenant / batches);
    for (let batch = 0, done = 0; done < perTenant; batch++) {
      const count = Math.min(size, perTenant - done);
      await Promise.all(this.tenants.map((tenant) => this.fund(tenant.id, count)));
      done += count;
      if (done < perTenant) await sleep(spreadMs / batches);
    }
  }

  /**
   * Waits until every funded payment of every tenant has landed in its ERP and the hub shows it closed out (synced,
   * or failed: final until an accountant exports it again), or the deadline; returns the tallies either way (the
   * caller asserts, naming what is missing). `settled` is true only when every one shows synced.
   */
  async settle(timeoutMs: number): Promise<{ tallies: TenantTally[]; settled: boolean; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Polled cheaply (the payments still open in the hub) until none is; then the full tally decides.
      const open = await this.host.open();
      if (Object.values(open).some((count) => count > 0) && Date.now() <= deadline) {
        if (TRACING && Math.floor(Date.now() / 1000) !== Math.floor((Date.now() - 200) / 1000)) trace(`settle: open in the hub ${JSON.stringify(open)}`);
        await sleep(200);
        continue;
      }
      const tallies = await this.host.tally();
      const at = Date.now();
      const closed = tallies.every((t) => t.landed === t.funded && t.hubSynced + t.hubFailed === t.funded);
      if (closed || at > deadline) {
        // A close-out sent late (a second sender's) is seen too: one more look after a short while.
        trace(`settle: ${closed ? 'every payment closed out' : 'deadline passed'}`);
        if (closed && tallies.some((t) => t.hubFailed > 0)) await sleep(2_000);
        const last = closed ? await this.host.tally() : tallies;
        return { tallies: last, settled: last.every((t) => t.landed === t.funded && t.hubSynced === t.funded), at };
      }
      if (TRACING && Math.floor(at / 1000) !== Math.floor((at - 200) / 1000)) trace(`settle: ${tallies.map((t) => `${t.tenant} funded ${t.funded} landed ${t.landed} synced ${t.hubSynced} failed ${t.hubFailed}`).join(' | ')}`);
      await sleep(200);
    }
  }

  /** A one-line account of where things stand, for failure messages. */
  async describe(): Promise<string> {
    const lines: string[] = [];
    for (const t of await this.host.tally()) {
      lines.push(
        `${t.tenant}: funded ${t.funded}, landed ${t.landed}, duplicates ${t.duplicates}${t.duplicated.length > 0 ? ` (hub ids ${t.duplicated.join(', ')})` : ''}, hub synced ${t.hubSynced}, failed ${t.hubFailed}, ` +
          `ERP calls ${t.requests}, busiest window ${t.busiestWindow}, rate violations ${t.rateViolations}, most at once ${t.maxConcurrent}, throttled ${t.throttled}, strays ${t.strays}`,
      );
    }
    for (const replica of this.replicas) {
      const readiness = replica.alive ? await replica.readyz() : undefined;
      lines.push(`${replica.name}: ${replica.alive ? (readiness === undefined ? 'alive, not answering' : `${readiness.role}, tenants ${JSON.stringify(readiness.tenants)}`) : `exited ${String(replica.exitCode)}`}`);
    }
    return lines.join('\n');
  }

  /** Every process ended (SIGCONT first is not needed: SIGKILL ends a stopped process), proxies closed, schema dropped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (TRACING) trace(`close: CPU s of ${this.replicas.map((replica) => `${replica.name} ${cpuSeconds(replica.child.pid)}`).join(', ')}, sandbox host ${cpuSeconds(this.host.pid)}`);
    if (process.env.BENCH_REPLICA_NODE_FLAGS !== undefined) {
      // Profiled replicas write their profile on a clean exit only: ask them to stop first.
      await Promise.all(this.replicas.map((replica) => replica.signal('SIGTERM').catch(() => undefined)));
      await Promise.race([Promise.all(this.replicas.map((replica) => replica.exited)), sleep(15_000)]);
    }
    for (const replica of this.replicas) replica.destroy();
    await Promise.race([Promise.all(this.replicas.map((replica) => replica.exited)), sleep(10_000)]);
    await Promise.all(this.replicas.map((replica) => replica.proxy.close()));
    await this.balancer.close();
    await this.host.close();
    await dropSchema(this.schema).catch(() => undefined);
    trace('close: done');
    if (process.env.LEDGERLINK_KEEP_REPLICA_LOGS === undefined) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort for process exit: no child outlives the test run. */
  killAll(): void {
    for (const replica of this.replicas) replica.destroy();
    this.host.kill();
  }
}

/** A tenant's connection block, its secrets and URLs from the environment the host's answer fills (`prefix`KEY). */
function connectionOf(erp: ReplicaErp, prefix: string): Record<string, string> {
  const env = (key: string) => `\${env:${prefix}${key}}`;
  return erp === 'yardi'
    ? { url: env('URL'), userName: env('USER'), password: env('PASSWORD'), serverName: env('SERVER'), database: env('DATABASE'), interfaceEntity: env('ENTITY'), interfaceLicense: env('LICENSE') }
    : { baseUrl: env('URL'), tokenUrl: env('TOKEN_URL'), realmId: env('REALM_ID'), clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET'), refreshToken: env('REFRESH_TOKEN') };
}

/**
 * The slow holder: paused for `fraction` of the lease TTL, then resumed, `times` times (renewals come late, as on
 * a loaded machine). Resolves when done.
 */
export async function slowHolder(replica: Replica, leaseTtlMs: number, options: { fraction?: number; times?: number; runMs?: number } = {}): Promise<void> {
  const pausedMs = Math.round((options.fraction ?? 0.6) * leaseTtlMs);
  for (let i = 0; i < (options.times ?? 4); i++) {
    await replica.pause();
    await sleep(pausedMs);
    await replica.resume();
    await sleep(options.runMs ?? 300);
  }
}

/** Which replica runs a tenant now, by their `/readyz` (undefined: none says so). */
export async function holderOf(replicas: Replica[], tenant: string): Promise<Replica | undefined> {
  for (const replica of replicas) {
    if (!replica.alive) continue;
    const running = await replica.runningTenants();
    if (running?.includes(tenant)) return replica;
  }
  return undefined;
}

export { sleep };
