import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../src/sandbox/index.js';
import { accessToken, call, COMPANY, PAYMENT, sleep, startCompany, startReceiver, subscribe } from './sandbox-wire.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setUp(script: number[] = [], webhooks: { baseDelayMs?: number; maxDelayMs?: number; horizonMs?: number; timeoutMs?: number; concurrency?: number } = {}) {
  const sandbox = await startCompany({ webhooks: { baseDelayMs: 40, maxDelayMs: 1_000, horizonMs: 60_000, ...webhooks } });
  const receiver = await startReceiver(script);
  closers.push(() => sandbox.close(), receiver.close);
  const token = await accessToken(sandbox);
  const hookId = await subscribe(sandbox, token, receiver.url);
  return { sandbox, receiver, token, hookId };
}

const gaps = (delivery: Delivery): number[] => delivery.attempts.slice(1).map((a, n) => Date.parse(a.at) - Date.parse((delivery.attempts[n] as { at: string }).at));

describe('hooks and triggers', () => {
  it('creates, lists, updates and deletes hooks and their triggers', async () => {
    const sandbox = await startCompany();
    closers.push(() => sandbox.close());
    const token = await accessToken(sandbox);
    const hookId = await subscribe(sandbox, token, 'http://127.0.0.1:9/events');
    const hooks = await call(sandbox, token, 'GET', `/rest/v1.0/webhooks/hooks?company_id=${COMPANY}`);
    expect(hooks.body).toEqual([{ id: hookId, company_id: COMPANY, namespace: 'ledgerlink', destination_url: 'http://127.0.0.1:9/events', destination_headers: { Authorization: 'Bearer company-secret-1' }, api_version: 'v2' }]);
    const patched = await call(sandbox, token, 'PATCH', `/rest/v1.0/webhooks/hooks/${hookId}?company_id=${COMPANY}`, { hook: { destination_headers: { Authorization: 'Bearer company-secret-2' } } });
    expect(patched.body).toMatchObject({ id: hookId, destination_headers: { Authorization: 'Bearer company-secret-2' }, destination_url: 'http://127.0.0.1:9/events' });
    const triggers = await call(sandbox, token, 'GET', `/rest/v1.0/webhooks/hooks/${hookId}/triggers?company_id=${COMPANY}`);
    expect(triggers.body).toEqual([{ id: expect.any(Number) as unknown, hook_id: hookId, resource_name: 'ERP Requests', event_type: 'create' }]);
    const duplicate = await call(sandbox, token, 'POST', `/rest/v1.0/webhooks/hooks/${hookId}/triggers`, { company_id: COMPANY, api_version: 'v2', trigger: { resource_name: 'ERP Requests', event_type: 'create' } });
    expect(duplicate.status).toBe(422);
    const badNamespace = await call(sandbox, token, 'POST', '/rest/v1.0/webhooks/hooks', { company_id: COMPANY, hook: { api_version: 'v2', namespace: 'Ledger Link', destination_url: 'http://x.invalid/' } });
    expect(badNamespace.status).toBe(422);
    expect((await call(sandbox, token, 'GET', '/rest/v1.0/webhooks/hooks')).status).toBe(400);
    const triggerId = (triggers.body as { id: number }[])[0]?.id;
    expect((await call(sandbox, token, 'DELETE', `/rest/v1.0/webhooks/hooks/${hookId}/triggers/${triggerId}?company_id=${COMPANY}`)).status).toBe(204);
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/webhooks/hooks/${hookId}/triggers?company_id=${COMPANY}`)).body).toEqual([]);
    expect((await call(sandbox, token, 'DELETE', `/rest/v1.0/webhooks/hooks/${hookId}?company_id=${COMPANY}`)).status).toBe(204);
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/webhooks/hooks?company_id=${COMPANY}`)).body).toEqual([]);
  });

  it('delivers nothing to a hook without an ERP Requests / create trigger', async () => {
    const sandbox = await startCompany();
    const receiver = await startReceiver();
    closers.push(() => sandbox.close(), receiver.close);
    const token = await accessToken(sandbox);
    await call(sandbox, token, 'POST', '/rest/v1.0/webhooks/hooks', { company_id: COMPANY, hook: { api_version: 'v2', namespace: 'ledgerlink', destination_url: receiver.url } });
    sandbox.fundPayment(PAYMENT);
    await sandbox.deliveriesIdle();
    expect(receiver.received).toEqual([]);
    expect(sandbox.deliveries()).toEqual([]);
  });
});

describe('webhook deliveries', () => {
  it('POSTs the v2 event with the hook destination_headers (the bearer) and resource_id = the ERP Request id', async () => {
    const { sandbox, receiver } = await setUp();
    const { request } = sandbox.fundPayment(PAYMENT);
    await sandbox.deliveriesIdle();
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got?.headers.authorization).toBe('Bearer company-secret-1');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.body).toMatchObject({ company_id: COMPANY, project_id: null, resource_name: 'ERP Requests', resource_id: request.id, event_type: 'create', api_version: 'v2' });
    expect(got?.body.ulid).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(typeof got?.body.id).toBe('number');
    expect(got?.body).not.toHaveProperty('payload');
    expect(sandbox.deliveries()).toEqual([expect.objectContaining({ outcome: 'ok', resourceId: request.id, requestName: 'create_contract_payment', duplicate: false })]);
  });

  it('retries a failing delivery with exponential backoff, then delivers it', async () => {
    const { sandbox, receiver } = await setUp([500, 503, 500]);
    sandbox.fundPayment(PAYMENT);
    await sandbox.deliveriesIdle();
    const [delivery] = sandbox.deliveries();
    expect(delivery?.outcome).toBe('ok');
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 503, 500, 200]);
    const [g1, g2, g3] = gaps(delivery as Delivery);
    expect(g1).toBeGreaterThanOrEqual(38);
    expect(g2).toBeGreaterThanOrEqual(78);
    expect(g3).toBeGreaterThanOrEqual(158);
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.body.ulid)).size).toBe(1);
  });

  it('counts a receiver slower than the timeout as a failure and retries', async () => {
    const sandbox = await startCompany({ webhooks: { timeoutMs: 100, baseDelayMs: 20 } });
    closers.push(() => sandbox.close());
    let calls = 0;
    const { createServer } = await import('node:http');
    const slow = createServer((req, res) => {
      calls++;
      req.resume();
      if (calls === 1) setTimeout(() => res.writeHead(200).end(), 400);
      else res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise<void>((resolve) => { slow.closeAllConnections(); slow.close(() => resolve()); }));
    const token = await accessToken(sandbox);
    await subscribe(sandbox, token, `http://127.0.0.1:${(slow.address() as { port: number }).port}/events`);
    sandbox.fundPayment(PAYMENT);
    await sandbox.deliveriesIdle();
    const [delivery] = sandbox.deliveries();
    expect(delivery?.attempts.map((a) => a.error ?? a.status)).toEqual(['timeout', 204]);
    expect(delivery?.outcome).toBe('ok');
  });

  it('a success resets the backoff: the next failure waits the first delay again', async () => {
    const { sandbox } = await setUp([500, 500, 500, 200, 500]);
    sandbox.fundPayment(PAYMENT);
    await sandbox.deliveriesIdle();
    sandbox.syncPayments(COMPANY);
    await sandbox.deliveriesIdle();
    const [first, second] = sandbox.deliveries();
    expect(gaps(first as Delivery)[2]).toBeGreaterThanOrEqual(158);
    expect(second?.attempts.map((a) => a.status)).toEqual([500, 200]);
    const [gap] = gaps(second as Delivery);
    expect(gap).toBeGreaterThanOrEqual(38);
    expect(gap).toBeLessThan(150);
  });

  it('after the horizon of retries flushes the queue and marks its events discarded; later events go out again', async () => {
    const { sandbox, receiver } = await setUp(Array.from({ length: 8 }, () => 500), { baseDelayMs: 20, horizonMs: 250 });
    sandbox.fundPayment(PAYMENT);
    await sleep(30);
    sandbox.syncPayments(COMPANY);
    await sandbox.deliveriesIdle();
    const flushed = sandbox.deliveries();
    expect(flushed.map((d) => d.outcome)).toEqual(['discarded', 'discarded']);
    expect(flushed[0]?.attempts.length).toBeGreaterThan(2);
    const last = flushed[0]?.attempts.at(-1) as { at: string };
    expect(Date.parse(last.at) - Date.parse(flushed[0]?.attempts[0]?.at as string)).toBeLessThanOrEqual(250);
    receiver.received.length = 0;
    // The receiver answers 2xx again once its script is spent (8 failures); a new event is delivered.
    while (sandbox.deliveries().flatMap((d) => d.attempts).length < 8) {
      sandbox.refreshVendors(COMPANY);
      await sandbox.deliveriesIdle();
    }
    const { request } = sandbox.syncPayments(COMPANY);
    await sandbox.deliveriesIdle();
    expect(sandbox.deliveries().find((d) => d.resourceId === request.id)?.outcome).toBe('ok');
    const token = await accessToken(sandbox);
    const listed = await call(sandbox, token, 'GET', `/rest/v1.0/webhooks/hooks/${flushed[0]?.hookId}/deliveries?company_id=${COMPANY}&filter[status]=discarded`);
    expect((listed.body as { outcome: string }[]).length).toBeGreaterThanOrEqual(2);
    expect((listed.body as { outcome: string }[]).every((d) => d.outcome === 'discarded')).toBe(true);
  });

  it('duplicates a delivery (same ulid) on demand', async () => {
    const { sandbox, receiver } = await setUp();
    sandbox.setDeliveryKnobs({ duplicateNext: 1 });
    const { request } = sandbox.fundPayment(PAYMENT);
    sandbox.syncPayments(COMPANY);
    await sandbox.deliveriesIdle();
    const forPayment = receiver.received.filter((r) => r.body.resource_id === request.id);
    expect(forPayment).toHaveLength(2);
    expect(forPayment[0]?.body.ulid).toBe(forPayment[1]?.body.ulid);
    expect(forPayment[0]?.body.id).toBe(forPayment[1]?.body.id);
    expect(receiver.received).toHaveLength(3);
    expect(sandbox.deliveries().map((d) => d.duplicate)).toEqual([false, true, false]);
  });

  it('drops events for good (discarded, never attempted) on demand', async () => {
    const { sandbox, receiver } = await setUp();
    sandbox.setDeliveryKnobs({ discardNext: 2 });
    sandbox.fundPayment(PAYMENT);
    sandbox.syncPayments(COMPANY);
    const { request } = sandbox.refreshVendors(COMPANY);
    await sandbox.deliveriesIdle();
    expect(receiver.received.map((r) => r.body.resource_id)).toEqual([request.id]);
    expect(sandbox.deliveries().map((d) => [d.outcome, d.attempts.length])).toEqual([['discarded', 0], ['discarded', 0], ['ok', 1]]);
  });

  it('pauses deliveries and sends what queued on resume, over the control endpoint too', async () => {
    const { sandbox, receiver } = await setUp();
    const knobs = await fetch(`${sandbox.url}/_sandbox/deliveries/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ paused: true }) });
    expect(knobs.status).toBe(200);
    sandbox.fundPayment(PAYMENT);
    sandbox.syncPayments(COMPANY);
    await sandbox.deliveriesIdle();
    await sleep(50);
    expect(receiver.received).toEqual([]);
    expect(sandbox.deliveries().map((d) => d.outcome)).toEqual(['pending', 'pending']);
    sandbox.setDeliveryKnobs({ paused: false });
    await sandbox.deliveriesIdle();
    expect(receiver.received).toHaveLength(2);
    const listed = (await (await fetch(`${sandbox.url}/_sandbox/deliveries`)).json()) as Delivery[];
    expect(listed.map((d) => d.outcome)).toEqual(['ok', 'ok']);
  });

  it('answers a burst of 1,000 events to a healthy receiver promptly', async () => {
    const { sandbox, receiver } = await setUp();
    const started = Date.now();
    for (let n = 0; n < 1_000; n++) sandbox.syncPayments(COMPANY);
    await sandbox.deliveriesIdle();
    expect(receiver.received).toHaveLength(1_000);
    expect(new Set(receiver.received.map((r) => r.body.ulid)).size).toBe(1_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
