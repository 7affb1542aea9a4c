import { connect, type Socket } from 'node:net';
import { createProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server/create-server.js';
import { MAX_STATS_BUCKETS } from '../src/server/session-routes.js';
import { erpRequestEvent, hookBearer, startApiStack, type ApiStack } from './api-harness.js';
import { eventually, runnerFor, tempDir } from './support/runner-harness.js';

/** Issue 11 items 7 and 12 at the HTTP door: real sockets against the runner's own server. */

let stack: ApiStack;

/** A raw HTTP/1.1 conversation: what a hostile or slow client does that fetch cannot. */
function rawSocket(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolveSocket, reject) => {
    const socket = connect(Number(port), hostname, () => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      const closed = new Promise<number>((done) => socket.once('close', () => done(performance.now())));
      resolveSocket({ socket, received: () => data, closed });
    });
    socket.once('error', reject);
  });
}

function postHead(length: number, authorization?: string): string {
  return [`POST /webhooks/procore HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${length}`, ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]), '', ''].join('\r\n');
}

describe('reliability: the HTTP door (issue 11 item 12)', () => {
  beforeAll(async () => {
    stack = await startApiStack({ server: { requestTimeoutMs: 1_500, maxConnections: 20 } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses a delivery without a bearer, or with one no configured company has, before reading its body', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', `Bearer ${hookBearer(999_999)}`]) {
      const { socket, received, closed } = await rawSocket(stack.url);
      // Headers announce 1 MiB; not one byte of it is sent: the answer must come anyway, at once.
      const started = performance.now();
      socket.write(postHead(1024 * 1024, authorization));
      const answer = await eventually(`an answer for ${authorization ?? 'no Authorization'}`, () => (received().includes('\r\n\r\n') ? received() : undefined), 3_000);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer).toContain('LL_WEBHOOK_UNAUTHENTICATED');
      expect(answer.toLowerCase()).toContain('connection: close');
      await closed;
    }
    // A company's own bearer still gets through (its body read and parsed).
    const ok = await stack.call('POST', '/webhooks/procore', { body: JSON.stringify(erpRequestEvent(8_000_001)), headers: { 'content-type': 'application/json', authorization: `Bearer ${hookBearer()}` } });
    expect(ok.status).toBe(200);
  });

  it('drops a slow body (right bearer shape, trickled) within seconds', async () => {
    const { socket, closed } = await rawSocket(stack.url);
    const started = performance.now();
    socket.write(postHead(10_000, `Bearer ${hookBearer()}`));
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('{');
    }, 200);
    try {
      const ended = await Promise.race([closed, new Promise<number>((done) => setTimeout(() => done(Number.NaN), 8_000))]);
      const droppedMs = ended - started;
      expect(droppedMs).toBeLessThan(4_000);
      console.log(`[reliability-server] slow body dropped after ${Math.round(droppedMs)} ms (requestTimeoutMs 1500)`);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  it('caps open connections: idle sockets beyond the cap are closed at accept, the server still answers after', async () => {
    const sockets = await Promise.all(Array.from({ length: 30 }, () => rawSocket(stack.url)));
    const closedAtOnce = await Promise.all(sockets.map(({ closed }) => Promise.race([closed.then(() => true), new Promise<boolean>((done) => setTimeout(() => done(false), 1_000))])));
    expect(closedAtOnce.filter(Boolean).length).toBeGreaterThanOrEqual(10);
    for (const { socket } of sockets) socket.destroy();
    await eventually('the server to answer again', async () => ((await stack.call('GET', '/healthz')).status === 200 ? true : undefined), 5_000);
  });

  it('/stats/exports answers 400 beyond the bucket cap, naming what is allowed; within it, 200', async () => {
    const tooMany = await stack.call('GET', '/stats/exports?hours=744&bucketMinutes=1', { token: 'read_only' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toMatchObject({ field: 'bucketMinutes', maxBuckets: MAX_STATS_BUCKETS });
    expect(tooMany.body.message).toContain('bucketMinutes ≥ 60');
    const allowed = await stack.call('GET', '/stats/exports?hours=744&bucketMinutes=60', { token: 'read_only' });
    expect(allowed.status).toBe(200);
    expect((allowed.body.buckets as unknown[]).length).toBeLessThanOrEqual(MAX_STATS_BUCKETS + 1);
  });

  it('/metrics serves one scrape for a second, then a fresh one', async () => {
    const first = (await stack.call('GET', '/metrics')).text;
    stack.runner.events.emit('hubCall', { operation: 'reliability-probe', outcome: 'ok' });
    const cached = (await stack.call('GET', '/metrics')).text;
    expect(cached).toBe(first);
    expect(cached).not.toContain('reliability-probe');
    await new Promise((done) => setTimeout(done, 1_100));
    expect((await stack.call('GET', '/metrics')).text).toContain('operation="reliability-probe"');
  });

  it('prunes processed deliveries and handled requests past the retention, never unprocessed or open ones', async () => {
    const { runner } = stack;
    const old = (id: string) => ({ eventId: id, companyId: '1', resourceName: 'ERP Requests', eventType: 'create', resourceId: '1', occurredAt: '2026-01-01T00:00:00Z' });
    await runner.inbox.record(old('prune-processed'));
    await runner.inbox.markProcessed('prune-processed');
    await runner.inbox.record(old('prune-unprocessed'));
    await runner.requests.take({ companyId: '1', requestId: 'prune-done', requestName: 'sync' });
    await runner.requests.decide('1', 'prune-done', { status: 'success', messages: [] });
    await runner.requests.markSent('1', 'prune-done', 'success');
    await runner.requests.take({ companyId: '1', requestId: 'prune-open', requestName: 'sync' });
    // Within the retention: nothing goes.
    expect(await runner.pruneHubTables(new Date(Date.now() + 13 * 86_400_000))).toEqual({ events: 0, requests: 0 });
    // Past it (default 14 days): the processed delivery and the closed-out request go; the others stay.
    const pruned = await runner.pruneHubTables(new Date(Date.now() + 15 * 86_400_000));
    expect(pruned.events).toBeGreaterThanOrEqual(1);
    expect(pruned.requests).toBe(1);
    expect((await runner.inbox.unprocessed(10_000)).map((event) => event.eventId)).toContain('prune-unprocessed');
    expect(await runner.requests.get('1', 'prune-done')).toBeUndefined();
    expect(await runner.requests.get('1', 'prune-open')).toBeDefined();
  });
});

describe('reliability: readiness reflects the hub connection (issue 11 item 7)', () => {
  it('a hub whose auth fails makes /readyz 503, naming why', async () => {
    const hub = await createProcoreSandbox({ seed: { companies: [{ id: 4400, name: 'Auth Builders' }] } });
    const qbo = await startQboSandbox();
    const { dir, cleanup } = tempDir('ll-rel-ready-');
    const { runner } = runnerFor(
      dir,
      {
        store: { sqlite: { path: 'ledger.db' } },
        hub: { connector: 'procore', connection: { apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: '${env:HUB_SECRET}', companyIds: ['4400'] }, webhookSecret: '${env:WH}', pollSeconds: 0 },
        tenants: [{ id: 'acme', erp: 'qbo', hubCompanyId: '4400', connection: { baseUrl: qbo.url, tokenUrl: `${qbo.url}${QBO_SANDBOX_TOKEN_PATH}`, realmId: QBO_SANDBOX_APP.realmId, clientId: QBO_SANDBOX_APP.clientId, clientSecret: '${env:QBO_SECRET}', refreshToken: '${env:QBO_REFRESH}' } }],
        logging: { level: 'warn', pretty: 'never' },
      },
      // The service account's secret is wrong: every hub call fails at the token endpoint (invalid_client).
      { HUB_SECRET: 'not-the-secret', WH: 'whsec-ready-0123456789abcdef', QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken },
    );
    await runner.start();
    const server = createServer(runner, { console: false });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const before = await fetch(`${url}/readyz`);
      expect(before.status).toBe(200);
      await runner.pollHub(runner.tenant('acme')).catch(() => undefined);
      const after = await fetch(`${url}/readyz`);
      const body = (await after.json()) as { ready: boolean; checks: Record<string, string> };
      expect(after.status).toBe(503);
      expect(body.ready).toBe(false);
      expect(body.checks.hub).toMatch(/^failing: LL_HUB/);
      expect(JSON.stringify(body)).not.toContain('not-the-secret');
    } finally {
      await server.close();
      await runner.stop();
      await hub.close();
      await qbo.close();
      cleanup();
    }
  });
});
