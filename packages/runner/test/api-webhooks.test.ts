import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpRequestEvent, HUB_COMPANY, hookBearer, startApiStack, untilStateOf, type ApiStack } from './api-harness.js';
import { eventually } from './support/runner-harness.js';

/**
 * `POST /webhooks/procore` on Procore's ERP Platform: the company's bearer checked (constant time, in the hub
 * connector), stale deliveries refused, repeats (same `ulid`) harmless, the answer given before the ERP Request is
 * fetched — also under a burst of 1,000 —, and the Procore sandbox's own delivery ending with the payment in the ERP
 * and the request closed out.
 */

let stack: ApiStack;

/**
 * POSTs every body at once from a child process, as a delivery service does: over a pool of 64 keep-alive
 * connections. Each delivery's status and milliseconds from the moment it was handed to the pool (queueing included).
 */
async function burst(url: string, bodies: string[], authorization: string): Promise<{ status: number; ms: number }[]> {
  const script = `
    const http = require('node:http');
    const { url, bodies, authorization } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const post = (body) => new Promise((resolve) => {
      const started = performance.now();
      const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization, 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, ms: performance.now() - started }));
      });
      request.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
      request.end(body);
    });
    Promise.all(bodies.map(post)).then((timings) => { process.stdout.write(JSON.stringify(timings)); agent.destroy(); });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ url, bodies, authorization }));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  await once(child, 'close');
  return JSON.parse(out) as { status: number; ms: number }[];
}

async function deliver(body: string, headers: Record<string, string>) {
  return stack.call('POST', '/webhooks/procore', { body, headers: { 'content-type': 'application/json', ...headers } });
}

function bearer(company = HUB_COMPANY): Record<string, string> {
  return { authorization: `Bearer ${hookBearer(company)}` };
}

/** Error answers: `{ code, message, details }` and nothing else; no stack trace. */
function expectCleanError(body: unknown, code: string): void {
  expect(Object.keys(body as object).sort()).toEqual(['code', 'details', 'message']);
  expect((body as { code: string }).code).toBe(code);
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node:internal|\.ts:\d+/);
}

describe('POST /webhooks/procore', () => {
  beforeAll(async () => {
    stack = await startApiStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('answers a delivery before fetching its ERP Request, then exports the payment once; a repeat (same ulid) is only counted', async () => {
    const paid = stack.hubPayment();
    const { request } = stack.hub.fundPayment(paid.contractPaymentId);
    // The hub is slow to answer the runner's reads: the webhook's answer must not wait for them.
    stack.hub.setFaults({ latencyMs: 1500 });
    const body = JSON.stringify(erpRequestEvent(request.id));
    const started = performance.now();
    const answer = await deliver(body, bearer());
    expect(performance.now() - started).toBeLessThan(1000);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, received: 1, duplicates: 0 });
    stack.hub.setFaults({ latencyMs: 0 });

    const again = await deliver(body, bearer());
    expect(again.body).toEqual({ ok: true, received: 1, duplicates: 1 });
    const item = await eventually('the payment recorded', () => stack.runner.ledger.getBySource('acme', 'payment', 'export', String(paid.contractPaymentId)));
    await untilStateOf(stack.runner, item.id, 'synced');
    await eventually('the close-out', () => (stack.hub.contractPayment(paid.contractPaymentId).status === 'synced' ? true : undefined));
    expect(stack.qbo.payments().filter((payment) => JSON.stringify(payment).includes(`"${paid.billId}"`))).toHaveLength(1);
  });

  it("refuses a delivery without the company's bearer, or with another company's", async () => {
    const body = JSON.stringify(erpRequestEvent(999_001));
    const none = await deliver(body, {});
    expect(none.status).toBe(401);
    expectCleanError(none.body, 'LL_WEBHOOK_UNAUTHENTICATED');
    const otherCompany = await deliver(body, bearer(HUB_COMPANY + 1));
    expect(otherCompany.status).toBe(401);
    expect(otherCompany.text).not.toContain(hookBearer(HUB_COMPANY));
    expect(stack.log.text).not.toContain(hookBearer(HUB_COMPANY));
  });

  it('refuses an event older than the 12 h retry horizon, and bodies that are not Procore deliveries', async () => {
    const thirteenHoursAgo = new Date(Date.now() - 13 * 3600_000);
    const stale = await deliver(JSON.stringify(erpRequestEvent(999_002, { at: thirteenHoursAgo })), bearer());
    expect(stale.status).toBe(409);
    expectCleanError(stale.body, 'LL_WEBHOOK_STALE');
    const notJson = await deliver('{"ulid": ', bearer());
    expect(notJson.status).toBe(400);
    expectCleanError(notJson.body, 'LL_WEBHOOK_MALFORMED');
    const { resource_id: _dropped, ...missing } = erpRequestEvent(999_003);
    const incomplete = await deliver(JSON.stringify(missing), bearer());
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.message).toMatch(/resource_id/);
  });

  it('refuses a body over the limit', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
    const answer = await deliver(huge, bearer());
    expect(answer.status).toBe(413);
    expectCleanError(answer.body, 'LL_BODY_TOO_LARGE');
  });

  it('answers each of a burst of 1,000 deliveries within 5 s (Procore retries anything slower)', async () => {
    // Sent from another process, as Procore's delivery service is: the runner's event loop is its own. The requests
    // named do not exist in the hub: the work after each answer (a fetch, a 404) must not slow the answers.
    const bodies = Array.from({ length: 1000 }, (_, i) => JSON.stringify(erpRequestEvent(5_000_000 + i)));
    const timings = await burst(`${stack.url}/webhooks/procore`, bodies, `Bearer ${hookBearer()}`);
    expect(timings).toHaveLength(1000);
    expect(timings.filter((t) => t.status !== 200)).toEqual([]);
    expect(Math.max(...timings.map((t) => t.ms))).toBeLessThan(5000);
    await eventually('every delivery acted on', async () => ((await stack.runner.inbox.unprocessed(2000)).length === 0 ? true : undefined), 60_000);
  }, 120_000);

  it("takes the Procore sandbox's own delivery (hook, trigger, bearer in destination_headers) end to end", async () => {
    await stack.connectHooks();
    const paid = stack.hubPayment();
    const { request } = stack.hub.fundPayment(paid.contractPaymentId);
    await stack.hub.deliveriesIdle();
    const delivery = stack.hub.deliveries().find((d) => d.resourceId === request.id);
    expect(delivery?.outcome).toBe('ok');
    expect(delivery?.attempts[0]?.status).toBe(200);
    await eventually('the payment synced in Procore', () => (stack.hub.contractPayment(paid.contractPaymentId).status === 'synced' ? true : undefined));
    expect(stack.hub.externalData('contract_payment', paid.contractPaymentId)?.origin_id).toBeTruthy();
  });
});
