import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { procoreConnector, type ProcoreHubClient } from '../src/index.js';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPaid, clientFor, COMPANY, context, startHub } from './support.js';

const SECRET = 'whsec-delivery-test';

interface Received {
  headers: Record<string, string>;
  body: string;
}

/** A receiver that answers each delivery as `answer(n)` says: a status, or 'hang' (never answers in time). */
async function receiver(answer: (n: number) => number | 'hang'): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      const what = answer(received.length);
      if (what === 'hang') setTimeout(() => response.writableEnded || response.end(), 1_500).unref();
      else response.writeHead(what).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/procore`, received, server };
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the sandbox's webhook deliveries", () => {
  let hub: ProcoreSandbox | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await hub?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    hub = undefined;
    server = undefined;
  });

  it('retries with growing delays while the receiver answers 500, then stops at the first 2xx', async () => {
    const target = await receiver((n) => (n < 3 ? 500 : 204));
    server = target.server;
    hub = await startHub({ webhooks: { timeoutMs: 1_000, baseDelayMs: 100, maxDelayMs: 1_000, horizonMs: 60_000 } });
    hub.subscribe({ url: target.url, secret: SECRET });
    const { paymentId } = addPaid(hub, 2500_00);
    hub.fundPayment(paymentId);
    await hub.deliveriesIdle();

    const [delivery] = hub.deliveries();
    expect(delivery).toMatchObject({ state: 'delivered', eventType: 'payment.funding_complete', resourceId: String(paymentId) });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 500, 204]);
    const times = delivery?.attempts.map((a) => Date.parse(a.at)) ?? [];
    // Timers never fire early: the gaps are at least the base delay, then twice it.
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(100);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(200);

    // Every attempt carries the same event, verifiable by the connector's own parser (bearer and HMAC).
    const events = target.received.map((r) => procoreConnector.webhooks.parse(r.body, r.headers, SECRET, new Date()));
    expect(new Set(events.map((e) => e[0]?.eventId)).size).toBe(1);
    expect(events[0]?.[0]).toMatchObject({ type: 'payment.funding_complete', companyId: String(COMPANY), resourceId: String(paymentId) });

    // And the runner's next step works: the payment the event names reads as funded.
    const client: ProcoreHubClient = clientFor(hub);
    expect((await client.payment(String(COMPANY), events[0]?.[0]?.resourceId as string, context))?.status).toBe('funding_complete');
  });

  it('counts no answer within the timeout as a failure and retries', async () => {
    const target = await receiver((n) => (n === 1 ? 'hang' : 200));
    server = target.server;
    hub = await startHub({ webhooks: { timeoutMs: 300, baseDelayMs: 100, maxDelayMs: 1_000, horizonMs: 60_000 } });
    hub.subscribe({ url: target.url, secret: SECRET, auth: 'hmac' });
    const { invoiceId } = addPaid(hub, 100_00, { erpId: null });
    hub.syncInvoice(invoiceId, 'BILL-5');
    await hub.deliveriesIdle();
    const [delivery] = hub.deliveries();
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.map((a) => a.error ?? a.status)).toEqual(['timeout', 200]);
    expect(target.received[1]?.headers.authorization).toBeUndefined();
    expect(procoreConnector.webhooks.parse(target.received[1]?.body as string, target.received[1]?.headers as Record<string, string>, SECRET, new Date())[0]).toMatchObject({
      type: 'invoice.synced',
      resourceId: String(invoiceId),
    });
  });

  it('gives up after the horizon, and close() stops pending retries', async () => {
    const target = await receiver(() => 503);
    server = target.server;
    hub = await startHub({ webhooks: { timeoutMs: 500, baseDelayMs: 50, maxDelayMs: 100, horizonMs: 400 } });
    hub.subscribe({ url: target.url, secret: SECRET });
    hub.fundPayment(addPaid(hub, 100_00).paymentId);
    await hub.deliveriesIdle();
    const [discarded] = hub.deliveries();
    expect(discarded?.state).toBe('discarded');
    expect(discarded?.attempts.length).toBeGreaterThanOrEqual(3);

    await hub.close();
    hub = await startHub({ webhooks: { timeoutMs: 500, baseDelayMs: 10_000, maxDelayMs: 10_000, horizonMs: 60_000 } });
    hub.subscribe({ url: target.url, secret: SECRET });
    hub.fundPayment(addPaid(hub, 100_00).paymentId);
    await until(() => hub?.deliveries()[0]?.attempts.length === 1 && hub.deliveries()[0]?.attempts[0]?.status !== undefined);
    const closing = hub;
    await closing.close();
    expect(closing.deliveries()[0]?.state).toBe('stopped');
    const before = target.received.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(target.received.length).toBe(before);
  });
});
