import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { freePort } from '@ledgerlink/connector-testkit';
import type { Payment } from '@ledgerlink/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteLedger } from '../src/store/sqlite-ledger.js';
import { eventually, tempDir, writeConfig } from './support/runner-harness.js';

const repo = resolve(import.meta.dirname, '../../..');
const PAYMENTS = 12;
const GRACE_MS = 2_000;

/**
 * QuickBooks Online throttling the company: every API call is answered 429 with `Retry-After: 120` and Intuit's
 * XML throttle body. OAuth goes straight to the sandbox (the tenant's tokenUrl); nothing here ever commits.
 */
async function throttlingQbo(): Promise<{ url: string; throttled: () => number; close(): Promise<void> }> {
  let throttled = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    throttled += 1;
    response.writeHead(429, { 'content-type': 'application/xml', 'retry-after': '120' });
    response.end(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><IntuitResponse xmlns="http://schema.intuit.com/finance/v3">' +
        '<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>' +
        '<Detail>The request limit was reached.</Detail></Error></Fault></IntuitResponse>',
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    throttled: () => throttled,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function payment(n: number): Payment {
  return {
    id: `throttled-${n}`,
    status: 'funding_complete',
    amountCents: 10_000 + n,
    method: 'check',
    fundedOn: '2026-11-30',
    bankId: '35',
    checkNumber: String(80_000 + n),
    vendor: { id: `hub-v-${n}`, name: `Vendor ${n}`, erpId: String(500 + n) },
    invoice: { id: `hub-inv-${n}`, number: `INV-${n}`, amountCents: 10_000 + n, erpId: String(6000 + n) },
    project: { id: 'hub-p-1', number: 'P-100' },
  };
}

describe('reliability: SIGTERM while the ERP throttles with Retry-After 120 s', () => {
  let oauth: QboSandbox | undefined;
  let erp: Awaited<ReturnType<typeof throttlingQbo>> | undefined;
  const children: ChildProcess[] = [];
  const dir = tempDir('ll-rel-sigterm-');

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await erp?.close();
    await oauth?.close();
    dir.cleanup();
  });

  it(`the daemon exits within the ${GRACE_MS} ms grace (plus start-up slack), leaving every attempt written whole`, { timeout: 90_000 }, async () => {
    oauth = await startQboSandbox();
    erp = await throttlingQbo();
    const port = await freePort();
    const env = { QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken };
    const config = writeConfig(
      dir.dir,
      {
        store: { sqlite: { path: 'ledger.db' } },
        server: { host: '127.0.0.1', port },
        tenants: [
          {
            id: 'throttled-qbo',
            erp: 'qbo',
            connection: {
              baseUrl: erp.url,
              tokenUrl: `${oauth.url}${QBO_SANDBOX_TOKEN_PATH}`,
              realmId: QBO_SANDBOX_APP.realmId,
              clientId: QBO_SANDBOX_APP.clientId,
              clientSecret: '${env:QBO_SECRET}',
              refreshToken: '${env:QBO_REFRESH}',
            },
            rateLimit: { concurrency: 2 },
            retry: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 200 },
            schedules: { import: { everyMinutes: 0 } },
          },
        ],
        runner: { settleMs: 100, recoveryMs: 60_000, shutdownGraceMs: GRACE_MS },
        logging: { level: 'info', pretty: 'never' },
      },
      env,
    );
    expect(config.ok).toBe(true);

    // The payments are in the ledger before the daemon starts: it sends them as soon as it runs.
    const seeding = openSqliteLedger({ path: join(dir.dir, 'ledger.db') });
    for (let n = 1; n <= PAYMENTS; n++) {
      await seeding.upsert(
        { tenant: 'throttled-qbo', entity: 'payment', direction: 'export', sourceId: `throttled-${n}`, record: payment(n) as unknown as Record<string, unknown> },
        { kind: 'system', id: 'test' },
      );
    }
    await seeding.close();

    const output: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', join(repo, 'packages/runner/src/cli.ts'), 'run', '--config', config.file], {
      cwd: repo,
      env: { ...process.env, ...env, TSX_TSCONFIG_PATH: join(repo, 'packages/runner/tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((done) => child.once('exit', (code) => done({ code, at: Date.now() })));

    // Running, throttled: the lane is paused for two minutes with payments queued behind the pause.
    await eventually('the ERP to throttle the daemon', () => (erp!.throttled() >= 1 ? true : undefined), 60_000);
    await eventually('the lane to pause for the Retry-After', () => (output.join('').includes('paused 120000 ms') ? true : undefined), 10_000);
    await new Promise((done) => setTimeout(done, 300));

    const termAt = Date.now();
    child.kill('SIGTERM');
    const bound = GRACE_MS + 5_000;
    const outcome = await Promise.race([exited, new Promise<'hung'>((done) => setTimeout(() => done('hung'), bound + 20_000))]);
    // Before the fix the calls queued behind the pause waited it out: still running two minutes later.
    expect(outcome, output.join('').slice(-3000)).not.toBe('hung');
    const { code, at } = outcome as { code: number | null; at: number };
    const exitMs = at - termAt;
    expect(code, output.join('').slice(-3000)).toBe(0);
    expect(exitMs).toBeLessThan(bound);
    console.info(`SIGTERM during a 120 s throttle pause: exited ${code} after ${exitMs} ms (grace ${GRACE_MS} ms); ${erp.throttled()} calls throttled`);

    // Nothing half-written: every attempt that began has its outcome, no item is lost, nothing reached the ERP.
    const ledger = openSqliteLedger({ path: join(dir.dir, 'ledger.db') });
    try {
      const page = await ledger.list({ tenant: 'throttled-qbo', direction: 'export', limit: 100 });
      expect(page.items).toHaveLength(PAYMENTS);
      for (const item of page.items) {
        expect(['pending', 'exporting']).toContain(item.state);
        for (const attempt of await ledger.attempts(item.id)) {
          expect(attempt.outcome, `${item.id} attempt ${attempt.number}`).toBeDefined();
          expect(attempt.finishedAt).toBeDefined();
        }
      }
    } finally {
      await ledger.close();
    }
    expect(oauth.payments()).toHaveLength(0);
  });
});
