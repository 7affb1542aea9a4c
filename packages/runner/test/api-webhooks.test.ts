import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_COMPANY, paymentEvent, signature, startApiStack, untilStateOf, WEBHOOK_SECRET, type ApiStack } from './api-harness.js';

/**
 * `POST /webhooks/procore`: signature checked (constant time, in the hub connector), replays and stale
 * deliveries refused, repeats harmless, the answer given before the event is acted on; and a real delivery
 * from the Procore sandbox's webhook sender ending with the payment in the ERP.
 */

let stack: ApiStack;
let nextId = 8100;

/** A hub payment ready to fund: vendor, invoice and bank known to the QuickBooks sandbox. */
function hubPayment(): { paymentId: number; billId: string } {
  const canonical = stack.payment();
  const id = ++nextId;
  stack.hub.addProject(HUB_COMPANY, `P-${id}`, 'Harbor View Tower', id);
  stack.hub.addVendor({ id, companyId: HUB_COMPANY, name: canonical.vendor.name, erpId: canonical.vendor.erpId as string });
  stack.hub.addCommitment(id, id, id);
  stack.hub.addInvoice({ id, commitmentId: id, number: canonical.invoice.number, amountCents: canonical.amountCents, erpId: canonical.invoice.erpId as string });
  const paymentId = stack.hub.addPayment({ id, invoiceId: id, amountCents: canonical.amountCents, method: 'check', bankId: canonical.bankId, checkNumber: canonical.checkNumber as string });
  return { paymentId, billId: canonical.invoice.erpId as string };
}

async function deliver(body: string, headers: Record<string, string>) {
  return stack.call('POST', '/webhooks/procore', { body, headers: { 'content-type': 'application/json', ...headers } });
}

function landed(billId: string) {
  return stack.qbo.payments().filter((payment) => JSON.stringify(payment).includes(`"${billId}"`));
}

async function exportedItem(paymentId: number) {
  return stack.runner.ledger.getBySource('acme', 'payment', 'export', String(paymentId));
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

  it('takes a signed delivery, answers before acting on it, and exports the payment once', async () => {
    const { paymentId, billId } = hubPayment();
    stack.hub.fundPayment(paymentId);
    // The hub is slow to answer the runner's read of the payment: the webhook's answer must not wait for it.
    stack.hub.setFaults({ latencyMs: 1500 });
    const body = JSON.stringify(paymentEvent(paymentId));
    const answer = await deliver(body, { 'x-ledgerlink-signature': signature(body) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, received: 1, duplicates: 0 });
    expect(await exportedItem(paymentId)).toBeUndefined();
    const item = await (async () => {
      for (let i = 0; i < 400; i++) {
        const found = await exportedItem(paymentId);
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the payment was never recorded');
    })();
    stack.hub.setFaults({ latencyMs: 0 });
    await untilStateOf(stack.runner, item.id, 'synced');
    expect(landed(billId)).toHaveLength(1);

    // The same delivery again (the hub retries when it missed our answer): harmless, counted as a duplicate.
    const again = await deliver(body, { 'x-ledgerlink-signature': signature(body) });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, received: 1, duplicates: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(landed(billId)).toHaveLength(1);
  });

  it('takes the bearer secret Procore sends in destination_headers', async () => {
    const body = JSON.stringify(paymentEvent(999_001));
    const answer = await deliver(body, { authorization: `Bearer ${WEBHOOK_SECRET}` });
    expect(answer.status).toBe(200);
    expect(answer.body.received).toBe(1);
  });

  it('refuses a delivery with no signature', async () => {
    const answer = await deliver(JSON.stringify(paymentEvent(999_002)), {});
    expect(answer.status).toBe(401);
    expectCleanError(answer.body, 'LL_WEBHOOK_UNAUTHENTICATED');
    expect(answer.body.details.reason).toBe('missing-signature');
  });

  it('refuses a body changed after signing, and a signature made with another secret', async () => {
    const body = JSON.stringify(paymentEvent(999_003));
    const tampered = await deliver(body.replace('999003', '999004'), { 'x-ledgerlink-signature': signature(body) });
    expect(tampered.status).toBe(401);
    expectCleanError(tampered.body, 'LL_WEBHOOK_UNAUTHENTICATED');
    expect(tampered.body.details.reason).toBe('bad-signature');
    const otherSecret = await deliver(body, { 'x-ledgerlink-signature': signature(body, 'not-the-secret') });
    expect(otherSecret.status).toBe(401);
    const wrongBearer = await deliver(body, { authorization: 'Bearer not-the-secret' });
    expect(wrongBearer.status).toBe(401);
    expect(wrongBearer.body.details.reason).toBe('bad-signature');
    const malformedHeader = await deliver(body, { 'x-ledgerlink-signature': 'v1=abc' });
    expect(malformedHeader.status).toBe(401);
  });

  it('refuses a replayed delivery whose signature is older than the horizon, and a stale event', async () => {
    const thirteenHoursAgo = new Date(Date.now() - 13 * 3_600_000);
    const body = JSON.stringify(paymentEvent(999_005));
    const replay = await deliver(body, { 'x-ledgerlink-signature': signature(body, WEBHOOK_SECRET, thirteenHoursAgo) });
    expect(replay.status).toBe(409);
    expectCleanError(replay.body, 'LL_WEBHOOK_STALE');
    const oldEvent = JSON.stringify(paymentEvent(999_006, { at: thirteenHoursAgo }));
    const stale = await deliver(oldEvent, { 'x-ledgerlink-signature': signature(oldEvent) });
    expect(stale.status).toBe(409);
    expectCleanError(stale.body, 'LL_WEBHOOK_STALE');
  });

  it('refuses a signed body that is not a Procore payload', async () => {
    const notJson = '{"id": 1,';
    const answer = await deliver(notJson, { 'x-ledgerlink-signature': signature(notJson) });
    expect(answer.status).toBe(400);
    expectCleanError(answer.body, 'LL_WEBHOOK_MALFORMED');
    const missing = JSON.stringify({ id: 5 });
    const incomplete = await deliver(missing, { 'x-ledgerlink-signature': signature(missing) });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.message).toMatch(/company_id/);
  });

  it('refuses a body over the limit without reading it all', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) });
    const answer = await deliver(huge, { 'x-ledgerlink-signature': signature(huge) });
    expect(answer.status).toBe(413);
    expectCleanError(answer.body, 'LL_BODY_TOO_LARGE');
  });

  it("takes the Procore sandbox's own delivery (bearer and HMAC) end to end", async () => {
    stack.hub.subscribe({ url: `${stack.url}/webhooks/procore`, secret: WEBHOOK_SECRET });
    const { paymentId, billId } = hubPayment();
    stack.hub.fundPayment(paymentId);
    await stack.hub.deliveriesIdle();
    const delivery = stack.hub.deliveries().find((d) => d.resourceId === String(paymentId));
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts).toHaveLength(1);
    expect(delivery?.attempts[0]?.status).toBe(200);
    const item = await (async () => {
      for (let i = 0; i < 400; i++) {
        const found = await exportedItem(paymentId);
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the payment was never recorded');
    })();
    await untilStateOf(stack.runner, item.id, 'synced');
    expect(landed(billId)).toHaveLength(1);
  });
});
