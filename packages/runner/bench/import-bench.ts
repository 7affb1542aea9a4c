/**
 * Import benchmark (issue 15): `BENCH_IMPORT_PAYMENTS` payments made in QuickBooks Online (default 1,000,000) imported
 * by one runner into the Procore hub's Payments Issued, the way `sync_contract_payments` and the import schedule do
 * (TenantImporter: ERP pages by cursor, Invoice Payments Sync in pages of 100, a ledger item per payment, SQLite).
 * The sandboxes run in a child process of their own (`import-host.ts`); this process holds the runner alone, so its
 * memory is the runner's. Its resident set size (RSS) is sampled every 100 ms; the figures are the RSS, and the peak
 * so far, when 10%, 50% and 100% of the payments were written (counted by the hub sandbox), plus the rate.
 *
 * Run: npm run bench -w packages/runner (after runner-bench), or alone:
 *   cd packages/runner && BENCH_IMPORT_PAYMENTS=100000 npx tsx --conditions=source bench/import-bench.ts
 * Goal: RSS at most 200 MB and flat (the 100% figure no higher than the 10% one, give or take the heap's growth).
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH } from '@ledgerlink/connector-qbo/sandbox';
import { silentLogger } from '@ledgerlink/core';
import { stringify } from 'yaml';
import { loadConfig } from '../src/config/load-config.js';
import { Runner } from '../src/daemon.js';
import type { ImportHostOptions } from './import-host.js';

const COMPANY = 4264;
const COUNT = Number(process.env.BENCH_IMPORT_PAYMENTS ?? 1_000_000);
const MB = 1024 * 1024;

interface Ready {
  hub: { url: string; tokenUrl: string; clientId: string; clientSecret: string };
  erp: { url: string };
}

interface Progress {
  syncCalls: number;
  hubRequests: number;
  erpRequests: number;
  rss: number;
}

/** The sandboxes' process over IPC. */
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

  static async start(options: ImportHostOptions): Promise<{ host: ImportHost; ready: Ready }> {
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--cpu-prof'));
    // The sandboxes hold every payment in memory: give their process room (it is not the one measured).
    const child = fork(fileURLToPath(new URL('./import-host.ts', import.meta.url)), [JSON.stringify(options)], {
      execArgv: [...execArgv, '--max-old-space-size=12000'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (message) => resolve(message as Ready));
      child.once('exit', (code) => reject(new Error(`the import host exited (${code}) before it was ready`)));
    });
    child.removeAllListeners('exit');
    return { host: new ImportHost(child), ready };
  }

  private request(op: string): Promise<Record<string, unknown>> {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.child.send({ op, seq });
    });
  }

  async progress(): Promise<Progress> {
    return (await this.request('progress')) as unknown as Progress;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request('close');
    await exited;
  }
}

function runnerFor(ready: Ready, dir: string): Runner {
  const file = join(dir, 'import-bench.yaml');
  writeFileSync(
    file,
    stringify({
      store: { sqlite: { path: 'ledger.db' } },
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
          erp: 'qbo',
          hubCompanyId: String(COMPANY),
          connection: {
            baseUrl: ready.erp.url,
            tokenUrl: `${ready.erp.url}${QBO_SANDBOX_TOKEN_PATH}`,
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
  const loaded = loadConfig(file, {
    PROCORE_SECRET: ready.hub.clientSecret,
    WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
    QBO_SECRET: QBO_SANDBOX_APP.clientSecret,
    QBO_REFRESH: QBO_SANDBOX_APP.refreshToken,
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return new Runner({ loaded: loaded.loaded, logger: silentLogger });
}

const seeding = performance.now();
const { host, ready } = await ImportHost.start({ count: COUNT, companyId: COMPANY });
console.log(`import benchmark: ${COUNT} QuickBooks payments seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
const dir = mkdtempSync(join(tmpdir(), 'll-import-bench-'));
const runner = runnerFor(ready, dir);
try {
  await runner.start();
  const rssAtStart = process.memoryUsage.rss();
  let peak = rssAtStart;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  // Written so far, as the hub counts it (100 per Invoice Payments Sync call), polled every 500 ms.
  const marks = [0.1, 0.5];
  const reached: { share: number; seconds: number; rss: number; peak: number; heap: number }[] = [];
  const started = performance.now();
  let polling = true;
  const poller = (async () => {
    while (polling && marks.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { syncCalls } = await host.progress();
      while (marks.length > 0 && syncCalls * 100 >= (marks[0] as number) * COUNT) {
        reached.push({ share: marks.shift() as number, seconds: (performance.now() - started) / 1000, rss: process.memoryUsage.rss(), peak, heap: process.memoryUsage().heapUsed });
      }
    }
  })();
  const cpuBefore = process.cpuUsage();
  const summary = await runner.tenant('bench').importer.run();
  // A page the hub did not take (a timeout on a loaded machine) is written first by the next import, as in production.
  const firstFailed = summary.failed;
  const firstReason = summary.notWritten[0]?.message;
  for (let retry = 0; retry < 3 && summary.written < COUNT; retry++) {
    const again = await runner.tenant('bench').importer.run();
    summary.written += again.written;
    summary.alreadyThere += again.alreadyThere;
    summary.failed = again.failed;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  polling = false;
  await poller;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  reached.push({ share: 1, seconds, rss: process.memoryUsage.rss(), peak, heap: process.memoryUsage().heapUsed });
  const progress = await host.progress();
  console.log(
    `import: ${summary.read} read, ${summary.written} written, ${summary.alreadyThere} already there, ${summary.failed} failed, ${summary.errors.length} unmappable, ` +
      `in ${seconds.toFixed(1)} s = ${(summary.written / seconds).toFixed(0)} payments/s; runner CPU ${(((cpu.user + cpu.system) / 1000) / Math.max(1, summary.read)).toFixed(3)} ms per payment`,
  );
  if (firstFailed > 0) console.log(`  the first import left ${firstFailed} to the next (${firstReason ?? '?'}); written by the retries`);
  console.log(`  calls per payment: hub ${(progress.hubRequests / COUNT).toFixed(4)}, ERP ${(progress.erpRequests / COUNT).toFixed(4)}`);
  console.log(`  runner RSS (sampled every 100 ms): at start ${(rssAtStart / MB).toFixed(0)} MB`);
  for (const mark of reached) {
    console.log(`    at ${(mark.share * 100).toFixed(0)}% (${mark.seconds.toFixed(1)} s): RSS ${(mark.rss / MB).toFixed(0)} MB, peak so far ${(mark.peak / MB).toFixed(0)} MB (JS heap in use ${(mark.heap / MB).toFixed(0)} MB)`);
  }
  if (summary.written !== COUNT) throw new Error(`only ${summary.written} of ${COUNT} payments were written`);
} finally {
  await runner.stop();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
}
