/**
 * Import benchmark (issue 15): `BENCH_IMPORT_PAYMENTS` payments made in QuickBooks Online (default 1,000,000) imported
 * into the Procore hub's Payments Issued by the runner as a customer runs it: `ledgerlink import --tenant bench
 * --config FILE`, the CLI built to JavaScript (`packages/runner/dist/cli.js`, built first by nx, cached when nothing
 * changed), in a process of its own (TenantImporter: ERP pages by cursor, Invoice Payments Sync in pages of 100, a
 * ledger item per payment, SQLite with synchronous=FULL). `BENCH_IMPORT_RUNNER=source` runs the same command from the
 * TypeScript sources through tsx instead (to compare what tsx costs in memory).
 *
 * The QuickBooks and Procore sandboxes run in two more processes (`import-host.ts`), so the measured process holds
 * the runner alone. This process reads the runner's resident set size (RSS, `VmRSS`) from /proc every 100 ms and
 * reports it, with the kernel's high-water mark (`VmHWM`, the true peak), when the import began (the first QuickBooks
 * query: everything loaded, nothing imported) and when 10%, 50% and 100% of the payments were written (counted by the
 * hub sandbox). Runner CPU is the runner process's own user + system time, read as this process's reaped-children
 * time (/proc/self/stat cutime + cstime) before and after it: exact, startup included.
 *
 * Run: npm run bench -w packages/runner (after runner-bench), or alone:
 *   cd packages/runner && BENCH_IMPORT_PAYMENTS=100000 npx tsx --conditions=source bench/import-bench.ts
 * Goal: RSS at most 200 MB and flat (the 100% figure no higher than the 10% one, give or take the heap's growth).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH } from '@ledgerlink/connector-qbo/sandbox';
import { stringify } from 'yaml';
import type { ImportHostOptions, ImportHostReady } from './import-host.js';

const COMPANY = 4264;
const COUNT = Number(process.env.BENCH_IMPORT_PAYMENTS ?? 1_000_000);
const FROM_SOURCE = process.env.BENCH_IMPORT_RUNNER === 'source';
/** Extra node flags for the runner process (`--heapsnapshot-signal=SIGUSR2`, `--cpu-prof`), space-separated. */
const RUNNER_FLAGS = (process.env.BENCH_IMPORT_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const MB = 1024 * 1024;
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const WORKSPACE_DIR = join(PACKAGE_DIR, '..', '..');

/** One sandbox host process over IPC. */
class ImportHost {
  private seq = 0;
  private readonly waiting = new Map<number, (answer: Record<string, unknown>) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const answer = raw as Record<string, unknown>;
      const resolve = typeof answer.seq === 'number' ? this.waiting.get(answer.seq) : undefined;
      if (resolve === undefined) return;
      this.waiting.delete(answer.seq as number);
      resolve(answer);
    });
  }

  static async start(options: ImportHostOptions): Promise<{ host: ImportHost; ready: ImportHostReady }> {
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--cpu-prof'));
    // The QuickBooks sandbox holds every payment in memory: give its process room (it is not the one measured).
    const child = fork(fileURLToPath(new URL('./import-host.ts', import.meta.url)), [JSON.stringify(options)], {
      execArgv: [...execArgv, '--max-old-space-size=12000'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<ImportHostReady>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ImportHostReady));
      child.once('exit', (code) => reject(new Error(`the ${options.kind} import host exited (${code}) before it was ready`)));
    });
    child.removeAllListeners('exit');
    return { host: new ImportHost(child), ready };
  }

  request(op: 'progress' | 'close'): Promise<Record<string, unknown>> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.child.send({ op, seq });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('close');
    await exited;
  }
}

/** The config a customer would write for this tenant; secrets come from the environment, as in production. */
function writeConfig(dir: string, hub: ImportHostReady, erp: ImportHostReady): { file: string; env: Record<string, string> } {
  const file = join(dir, 'import-bench.yaml');
  writeFileSync(
    file,
    stringify({
      store: { sqlite: { path: join(dir, 'ledger.db') } },
      hub: {
        connector: 'procore',
        connection: { apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.clientId, clientSecret: '${env:PROCORE_SECRET}', companyIds: [String(COMPANY)] },
        webhookSecret: '${env:WEBHOOK_SECRET}',
        pollSeconds: 0,
        rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: 16, allowAboveDeclared: true },
      },
      tenants: [
        {
          id: 'bench',
          erp: 'qbo',
          hubCompanyId: String(COMPANY),
          connection: {
            baseUrl: erp.url,
            tokenUrl: `${erp.url}${QBO_SANDBOX_TOKEN_PATH}`,
            realmId: QBO_SANDBOX_APP.realmId,
            clientId: QBO_SANDBOX_APP.clientId,
            clientSecret: '${env:QBO_SECRET}',
            refreshToken: '${env:QBO_REFRESH}',
          },
          schedules: { import: { everyMinutes: 0 } },
          rateLimit: { requests: 1_000_000, intervalMs: 60_000, concurrency: 16, allowAboveDeclared: true },
        },
      ],
    }),
  );
  const env = {
    PROCORE_SECRET: hub.clientSecret ?? '',
    WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
    QBO_SECRET: QBO_SANDBOX_APP.clientSecret,
    QBO_REFRESH: QBO_SANDBOX_APP.refreshToken,
  };
  return { file, env };
}

/** `node dist/cli.js`, or from the sources through tsx the way bin/ledgerlink.mjs does in a clone. */
function runnerCommand(): { args: string[]; env: Record<string, string> } {
  if (!FROM_SOURCE) return { args: [join(PACKAGE_DIR, 'dist', 'cli.js')], env: {} };
  const tsx = createRequire(join(PACKAGE_DIR, 'package.json')).resolve('tsx');
  return {
    args: ['--import', pathToFileURL(tsx).href, '--conditions=source', join(PACKAGE_DIR, 'src', 'cli.ts')],
    env: { TSX_TSCONFIG_PATH: join(PACKAGE_DIR, 'tsconfig.json') },
  };
}

/** Builds the runner (and what it depends on) to JavaScript; nx answers from its cache when nothing changed. */
function build(): void {
  const started = performance.now();
  execFileSync('npx', ['nx', 'run', '@ledgerlink/runner:build', '--output-style=static'], { cwd: WORKSPACE_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`import benchmark: runner built to JavaScript (or found built) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU milliseconds of this process's children that have exited and been waited for (utime + stime). */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), counted from 1 with pid and comm first: cutime, cstime.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
}

/** VmRSS and VmHWM (bytes) of a live process, or undefined once it is gone. */
function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  // An exited process not yet waited for (a zombie) has a status with no memory lines.
  return status.includes('VmRSS:') ? { rss: kb('VmRSS'), peak: kb('VmHWM') } : undefined;
}

interface Mark {
  label: string;
  seconds: number;
  rss: number;
  peak: number;
}

interface RunResult {
  code: number;
  stdout: string;
  cpuMs: number;
  seconds: number;
  marks: Mark[];
}

/** One `ledgerlink import` run, its memory sampled and marked as the hub counts payments written. */
async function importOnce(config: { file: string; env: Record<string, string> }, hub: ImportHost, erp: ImportHost, shares: number[]): Promise<RunResult> {
  const command = runnerCommand();
  const cpuBefore = reapedChildrenCpuMs();
  const started = performance.now();
  const child = spawn(process.execPath, [...RUNNER_FLAGS, ...command.args, 'import', '--tenant', 'bench', '--config', config.file], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...command.env, ...config.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));
  const pid = child.pid as number;
  let last = memoryOf(pid) ?? { rss: 0, peak: 0 };
  const sampler = setInterval(() => {
    last = memoryOf(pid) ?? last;
  }, 100);
  const marks: Mark[] = [];
  const mark = (label: string) => {
    last = memoryOf(pid) ?? last;
    marks.push({ label, seconds: (performance.now() - started) / 1000, ...last });
  };
  const baseErp = Number((await erp.request('progress')).requests);
  const baseSync = Number((await hub.request('progress')).syncCalls);
  const pending = [...shares];
  let begun = false;
  let done = false;
  const poller = (async () => {
    while (!done && (!begun || pending.length > 0)) {
      await new Promise((resolve) => setTimeout(resolve, begun ? 500 : 50));
      if (!begun && Number((await erp.request('progress')).requests) > baseErp) {
        begun = true;
        mark('import began');
      }
      const written = (Number((await hub.request('progress')).syncCalls) - baseSync) * 100;
      while (pending.length > 0 && written >= (pending[0] as number) * COUNT) mark(`${((pending.shift() as number) * 100).toFixed(0)}%`);
    }
  })();
  const code = await exited;
  const seconds = (performance.now() - started) / 1000;
  done = true;
  await poller;
  clearInterval(sampler);
  // The last sample before it exited: its RSS then, and the high-water mark of its whole life.
  marks.push({ label: 'end', seconds, ...last });
  return { code, stdout, cpuMs: reapedChildrenCpuMs() - cpuBefore, seconds, marks };
}

/** The CLI's summary line: `bench: read R final payment(s); W written to Payments Issued, A already there, F to retry, E not mappable`. */
function summaryOf(stdout: string): { read: number; written: number; alreadyThere: number; failed: number; unmappable: number } {
  const match = /read (\d+) final payment\(s\); (\d+) written to Payments Issued, (\d+) already there, (\d+) to retry, (\d+) not mappable/.exec(stdout);
  if (match === null) throw new Error(`the import printed no summary: ${stdout.slice(0, 500)}`);
  const [read, written, alreadyThere, failed, unmappable] = match.slice(1).map(Number) as [number, number, number, number, number];
  return { read, written, alreadyThere, failed, unmappable };
}

if (!FROM_SOURCE) build();
const seeding = performance.now();
const [hub, erp] = await Promise.all([ImportHost.start({ kind: 'hub', count: COUNT, companyId: COMPANY }), ImportHost.start({ kind: 'erp', count: COUNT, companyId: COMPANY })]);
console.log(`import benchmark: ${COUNT} QuickBooks payments seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s; runner from ${FROM_SOURCE ? 'TypeScript sources through tsx' : 'dist/ (tsc output)'}`);
const dir = mkdtempSync(join(tmpdir(), 'll-import-bench-'));
try {
  const config = writeConfig(dir, hub.ready, erp.ready);
  const hubBefore = await hub.host.request('progress');
  const erpBefore = await erp.host.request('progress');
  const first = await importOnce(config, hub.host, erp.host, [0.1, 0.5, 1]);
  const summary = summaryOf(first.stdout);
  let { cpuMs, seconds } = first;
  // A page the hub did not take (a timeout on a loaded machine) is written first by the next import, as in production.
  const firstFailed = summary.failed;
  for (let retry = 0; retry < 3 && summary.written + summary.alreadyThere < COUNT; retry++) {
    const again = await importOnce(config, hub.host, erp.host, []);
    const next = summaryOf(again.stdout);
    summary.written += next.written;
    summary.alreadyThere += next.alreadyThere;
    summary.failed = next.failed;
    cpuMs += again.cpuMs;
    seconds += again.seconds;
  }
  const hubAfter = await hub.host.request('progress');
  const erpAfter = await erp.host.request('progress');
  const hubRequests = Number(hubAfter.requests);
  const erpRequests = Number(erpAfter.requests);
  console.log(
    `import: ${summary.read} read, ${summary.written} written, ${summary.alreadyThere} already there, ${summary.failed} failed, ${summary.unmappable} unmappable, ` +
      `in ${seconds.toFixed(1)} s = ${(summary.written / seconds).toFixed(0)} payments/s; runner CPU ${(cpuMs / Math.max(1, summary.read)).toFixed(3)} ms per payment`,
  );
  if (firstFailed > 0) console.log(`  the first import left ${firstFailed} to the next; written by the retries`);
  console.log(`  calls per payment: hub ${(hubRequests / COUNT).toFixed(4)}, ERP ${(erpRequests / COUNT).toFixed(4)}`);
  const sandboxCpu = (before: Record<string, unknown>, after: Record<string, unknown>) => ((Number(after.cpuMs) - Number(before.cpuMs)) / Math.max(1, summary.read)).toFixed(3);
  console.log(`  sandbox CPU per payment (not the runner's): hub ${sandboxCpu(hubBefore, hubAfter)} ms, QuickBooks ${sandboxCpu(erpBefore, erpAfter)} ms`);
  console.log(`  runner process RSS (VmRSS sampled every 100 ms; peak = VmHWM):`);
  for (const mark of first.marks) {
    console.log(`    ${mark.label} (${mark.seconds.toFixed(1)} s): RSS ${(mark.rss / MB).toFixed(0)} MB, peak so far ${(mark.peak / MB).toFixed(0)} MB`);
  }
  if (summary.written + summary.alreadyThere !== COUNT) throw new Error(`only ${summary.written + summary.alreadyThere} of ${COUNT} payments were written`);
} finally {
  await Promise.all([hub.host.close(), erp.host.close()]);
  rmSync(dir, { recursive: true, force: true });
}
