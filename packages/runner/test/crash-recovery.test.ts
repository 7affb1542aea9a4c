import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { freePort } from '@ledgerlink/connector-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { platformSeed } from '../src/demo/platform-seed.js';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { eventually, tempDir, writeConfig } from './support/runner-harness.js';

const repo = resolve(import.meta.dirname, '../../..');
const COMPANY = 4264;
const PAYMENTS = 500;
const WEBHOOK_SECRET = 'whsec-crash-test-0123456789';

/** The daemon as production runs it: `ledgerlink run --config FILE`, its own process (TypeScript through tsx). */
function startDaemon(configFile: string, env: NodeJS.ProcessEnv, output: string[], args: string[] = ['run', '--config', configFile]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(repo, 'packages/runner/src/cli.ts'), ...args], {
    cwd: repo,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: join(repo, 'packages/runner/tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return child;
}

async function untilReady(port: number): Promise<void> {
  await eventually(
    'the daemon to be ready',
    async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`);
      return answer.status === 200 ? true : undefined;
    },
    60_000,
  );
}

describe('crash recovery: the daemon is SIGKILLed mid-run and restarted', () => {
  let hub: ProcoreSandbox | undefined;
  let qbo: QboSandbox | undefined;
  const children: ChildProcess[] = [];
  const dir = tempDir('ll-crash-');

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await hub?.close();
    await qbo?.close();
    dir.cleanup();
  });

  it(`exports ${PAYMENTS} payments, each exactly once in the ERP, and closes out every request after the restart`, { timeout: 240_000 }, async () => {
    const generated = platformSeed({ companyId: COMPANY, count: PAYMENTS });
    // Limits lifted on both sandboxes: this test is about the crash, not about pacing.
    hub = await createProcoreSandbox({ seed: generated.hub, rateLimit: { limit: 1_000_000 }, webhooks: { timeoutMs: 5_000, baseDelayMs: 200, maxDelayMs: 2_000 } });
    qbo = await startQboSandbox({ seed: generated.erp });
    const port = await freePort();
    const env = {
      QBO_SECRET: QBO_SANDBOX_APP.clientSecret,
      QBO_REFRESH: QBO_SANDBOX_APP.refreshToken,
      PROCORE_SECRET: hub.serviceAccount.clientSecret,
      WEBHOOK_SECRET,
    };
    const config = writeConfig(
      dir.dir,
      {
        store: { sqlite: { path: 'ledger.db' } },
        server: { host: '127.0.0.1', port },
        hub: {
          connector: 'procore',
          connection: { apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: '${env:PROCORE_SECRET}', companyIds: [String(COMPANY)] },
          webhookSecret: '${env:WEBHOOK_SECRET}',
          pollSeconds: 2,
          rateLimit: { requests: 100_000, intervalMs: 60_000, concurrency: 8, allowAboveDeclared: true },
        },
        tenants: [
          {
            id: 'crash-qbo',
            erp: 'qbo',
            hubCompanyId: String(COMPANY),
            connection: {
              baseUrl: qbo.url,
              tokenUrl: `${qbo.url}${QBO_SANDBOX_TOKEN_PATH}`,
              realmId: QBO_SANDBOX_APP.realmId,
              clientId: QBO_SANDBOX_APP.clientId,
              clientSecret: '${env:QBO_SECRET}',
              refreshToken: '${env:QBO_REFRESH}',
            },
            rateLimit: { requests: 100_000, intervalMs: 60_000, concurrency: 10, allowAboveDeclared: true },
            retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 200 },
            schedules: { import: { everyMinutes: 0 } },
          },
        ],
        runner: { settleMs: 200, recoveryMs: 2_000 },
        logging: { level: 'warn', pretty: 'never' },
      },
      env,
    );
    expect(config.ok).toBe(true);
    const output: string[] = [];
    // The customer's setup: ERP connection, hook with the company's bearer, trigger.
    const connect = startDaemon(config.file, env, output, ['procore', 'connect', '--config', config.file, '--url', `http://127.0.0.1:${port}`]);
    const connected = await new Promise<number | null>((done) => connect.once('exit', done));
    expect(connected, output.join('')).toBe(0);
    expect(hub.hooks(COMPANY)).toHaveLength(1);

    const first = startDaemon(config.file, env, output);
    children.push(first);
    await untilReady(port);
    for (const payment of generated.payments) hub.fundPayment(payment.contractPaymentId);

    // Kill it in the middle of the run: some payments are in the ERP, others in flight, others not started.
    await eventually('a share of the payments to reach the ERP', () => (qbo!.payments().length >= PAYMENTS / 5 ? true : undefined), 120_000);
    first.kill('SIGKILL');
    await new Promise((done) => first.once('exit', done));
    const landedAtKill = qbo.payments().length;
    expect(landedAtKill).toBeLessThan(PAYMENTS);

    const second = startDaemon(config.file, env, output);
    children.push(second);
    await untilReady(port);
    await eventually(
      `all ${PAYMENTS} payments synced in the ledger`,
      async () => {
        const ledger = openSqliteLedger({ path: join(dir.dir, 'ledger.db') });
        try {
          const counts = await ledger.counts();
          const synced = counts.filter((row) => row.state === 'synced').reduce((sum, row) => sum + row.count, 0);
          return synced === PAYMENTS ? counts : undefined;
        } finally {
          await ledger.close();
        }
      },
      180_000,
    );

    // Every payment is in the ERP exactly once: one bill payment per bill, and as many as there are payments.
    const landed = qbo.payments();
    const perBill = new Map<string, number>();
    for (const payment of landed) for (const application of payment.applications) perBill.set(application.billId, (perBill.get(application.billId) ?? 0) + 1);
    expect(landed).toHaveLength(PAYMENTS);
    expect([...perBill.values()].every((count) => count === 1)).toBe(true);
    expect(perBill.size).toBe(PAYMENTS);
    // Every request closed out in Procore, including those whose ERP write happened just before the kill.
    await eventually(`all ${PAYMENTS} payments shown synced in Procore`, () => {
      const tool = hub!.erpTool(COMPANY);
      return tool.contractPayments.filter((view) => view.status === 'synced' && view.originId !== null).length === PAYMENTS ? true : undefined;
    }, 60_000);

    second.kill('SIGTERM');
    const code = await new Promise<number | null>((done) => second.once('exit', done));
    expect(code, output.join('').slice(-2000)).toBe(0);
  });
});
