import { startProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../src/daemon.js';
import { createServer } from '../src/server/create-server.js';
import { eventually, runnerFor, tempDir, type LogCapture } from './support/runner-harness.js';

const COMPANY = 4264;
const PROJECT = 501;
const WEBHOOK_SECRET = 'whsec-test-0123456789';
let hub: ProcoreSandbox;
let qbo: QboSandbox;
let n = 0;

/** One vendor, commitment, invoice and payment in the hub, and the matching vendor, bank and bill in QuickBooks. */
function paidInvoice(options: { synced?: boolean; amountCents?: number } = {}) {
  n += 1;
  const vendorErp = String(800 + n);
  const bank = String(60 + n);
  const bill = String(6000 + n);
  const amountCents = options.amountCents ?? 50_000 + n;
  qbo.seed({ vendors: [{ id: vendorErp, name: `Vendor ${n}` }], bankAccounts: [{ id: bank }], bills: [{ id: bill, vendorId: vendorErp, number: `INV-${n}`, amountCents }] });
  const vendorId = hub.addVendor({ companyId: COMPANY, name: `Vendor ${n} & Sons`, erpId: vendorErp });
  const commitmentId = hub.addCommitment(PROJECT, vendorId);
  const invoiceId = hub.addInvoice({ commitmentId, number: `INV-${n}`, amountCents, ...(options.synced === false ? {} : { erpId: bill }) });
  const paymentId = hub.addPayment({ invoiceId, amountCents, method: 'check', bankId: bank, checkNumber: String(30_000 + n), notes: 'Pay app #4 <final>' });
  return { paymentId, invoiceId, bill, bank, vendorErp, amountCents };
}

function landedFor(bill: string) {
  return qbo.payments().filter((payment) => payment.applications.some((application) => application.billId === bill));
}

describe('hub flows (Procore sandbox webhooks -> runner HTTP -> SQLite -> QuickBooks Online sandbox)', () => {
  let runner: Runner;
  let server: FastifyInstance;
  let log: LogCapture;
  let cleanup: () => void;
  let webhookUrl: string;
  const hubCalls: { operation: string; outcome: string }[] = [];

  beforeAll(async () => {
    hub = await startProcoreSandbox({
      seed: { companies: [{ id: COMPANY, name: 'Sandbox Builders' }], projects: [{ id: PROJECT, companyId: COMPANY, number: 'P-100', name: 'Harbor View' }] },
      webhooks: { timeoutMs: 2_000, baseDelayMs: 100, maxDelayMs: 1_000 },
    });
    qbo = await startQboSandbox();
    const dir = tempDir();
    cleanup = dir.cleanup;
    const env = {
      QBO_SECRET: QBO_SANDBOX_APP.clientSecret,
      QBO_REFRESH: QBO_SANDBOX_APP.refreshToken,
      PROCORE_SECRET: hub.app.clientSecret,
      PROCORE_REFRESH: hub.issueRefreshToken(),
      WEBHOOK_SECRET,
    };
    const built = runnerFor(
      dir.dir,
      {
        store: { sqlite: { path: 'ledger.db' } },
        hub: {
          connector: 'procore',
          connection: { baseUrl: hub.url, loginUrl: hub.url, clientId: hub.app.clientId, clientSecret: '${env:PROCORE_SECRET}', refreshToken: '${env:PROCORE_REFRESH}', companyIds: [String(COMPANY)] },
          webhookSecret: '${env:WEBHOOK_SECRET}',
          pollSeconds: 0,
        },
        tenants: [
          {
            id: 'acme-qbo',
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
            schedules: { import: { everyMinutes: 0 } },
            retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
          },
        ],
        runner: { settleMs: 100 },
      },
      env,
    );
    runner = built.runner;
    log = built.log;
    runner.events.on('hubCall', (call) => hubCalls.push(call));
    await runner.start();
    server = createServer(runner);
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    webhookUrl = `${address}/webhooks/procore`;
    hub.subscribe({ url: webhookUrl, secret: WEBHOOK_SECRET });
  });

  afterAll(async () => {
    await server?.close();
    await runner?.stop();
    await hub?.close();
    await qbo?.close();
    cleanup?.();
  });

  afterEach(async () => {
    await hub.deliveriesIdle();
  });

  async function exportedItem(paymentId: number) {
    return eventually(`payment ${paymentId} in the ledger`, () => runner.ledger.getBySource('acme-qbo', 'payment', 'export', String(paymentId)));
  }

  it('a Funding Complete webhook exports the payment to the ERP, once', async () => {
    const paid = paidInvoice();
    hub.fundPayment(paid.paymentId);
    const item = await exportedItem(paid.paymentId);
    const synced = await eventually('the export to sync', async () => {
      const current = await runner.ledger.get(item.id);
      return current?.state === 'synced' ? current : undefined;
    });
    const landed = landedFor(paid.bill);
    expect(landed).toHaveLength(1);
    expect(synced.targetId).toBe(landed[0]?.erpId);
    expect(landed[0]).toMatchObject({ amountCents: paid.amountCents, checkNumber: String(30_000 + n), bankAccountId: paid.bank });
    expect(landed[0]?.memo).toBe('Pay app #4 <final>');
    // The hub calls are reported (the metrics count them).
    expect(hubCalls).toContainEqual({ operation: 'payment', outcome: 'ok' });
    const deliveries = hub.deliveries().filter((delivery) => delivery.resourceId === String(paid.paymentId));
    expect(deliveries.at(-1)?.attempts.at(-1)?.status).toBe(200);
  });

  it('the same event delivered again is acknowledged and changes nothing', async () => {
    const paid = paidInvoice();
    hub.fundPayment(paid.paymentId);
    const item = await exportedItem(paid.paymentId);
    await eventually('the export to sync', async () => ((await runner.ledger.get(item.id))?.state === 'synced' ? true : undefined));
    const delivery = hub.deliveries().find((d) => d.resourceId === String(paid.paymentId));
    // Replay the hub's own request: the same body, with the hook's header.
    const replay = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_SECRET}` },
      body: delivery?.body ?? '',
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ ok: true, received: 1, duplicates: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(landedFor(paid.bill)).toHaveLength(1);
    expect((await runner.ledger.attempts(item.id)).length).toBe(1);
  });

  it('a payment whose invoice is not in the ERP is blocked, and goes on by itself when the invoice syncs', async () => {
    const paid = paidInvoice({ synced: false });
    hub.fundPayment(paid.paymentId);
    const item = await exportedItem(paid.paymentId);
    await eventually('the payment to be blocked', async () => ((await runner.ledger.get(item.id))?.state === 'blocked' ? true : undefined));
    expect(landedFor(paid.bill)).toHaveLength(0);
    hub.syncInvoice(paid.invoiceId, paid.bill);
    await eventually('the unblocked payment to sync', async () => ((await runner.ledger.get(item.id))?.state === 'synced' ? true : undefined));
    expect(landedFor(paid.bill)).toHaveLength(1);
    expect((await runner.ledger.audit(item.id)).some((entry) => entry.action === 'unblocked')).toBe(true);
  });

  it('a payment whose webhook was missed is found by polling the hub', async () => {
    const paid = paidInvoice();
    // The runner's HTTP server is down while the payment is funded: the hub's delivery fails.
    const port = Number(new URL(webhookUrl).port);
    await server.close();
    hub.fundPayment(paid.paymentId);
    await eventually('the hub to fail a delivery', () =>
      hub.deliveries().find((d) => d.resourceId === String(paid.paymentId) && d.attempts.some((attempt) => attempt.error !== undefined)),
    );
    expect(await runner.ledger.getBySource('acme-qbo', 'payment', 'export', String(paid.paymentId))).toBeUndefined();
    const polled = await runner.pollHub(runner.tenant('acme-qbo'));
    expect(polled).toBeGreaterThanOrEqual(1);
    const item = await exportedItem(paid.paymentId);
    await eventually('the polled payment to sync', async () => ((await runner.ledger.get(item.id))?.state === 'synced' ? true : undefined));
    expect(landedFor(paid.bill)).toHaveLength(1);
    // The server comes back; the hub's retry arrives late and changes nothing.
    server = createServer(runner);
    await server.listen({ host: '127.0.0.1', port });
    await hub.deliveriesIdle();
    expect(hub.deliveries().find((d) => d.resourceId === String(paid.paymentId))?.state).toBe('delivered');
    expect(landedFor(paid.bill)).toHaveLength(1);
  });

  it('refuses deliveries with a wrong secret, a stale timestamp or a malformed body, with coded answers', async () => {
    const body = JSON.stringify({ id: 1, ulid: '01JD00000000000000000000ZZ', timestamp: new Date().toISOString(), company_id: COMPANY, project_id: PROJECT, event_type: 'update', resource_name: 'Payments', resource_id: 1, api_version: 'v2' });
    const wrong = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-secret' }, body });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'LL_WEBHOOK_UNAUTHENTICATED' });
    const none = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    const stale = JSON.stringify({ ...JSON.parse(body), timestamp: new Date(Date.now() - 13 * 3600_000).toISOString() });
    const old = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_SECRET}` }, body: stale });
    expect(old.status).toBe(409);
    expect(await old.json()).toMatchObject({ code: 'LL_WEBHOOK_STALE' });
    const garbage = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_SECRET}` }, body: '{"not":' });
    expect(garbage.status).toBe(400);
    const answer = (await garbage.json()) as { code: string; message: string };
    expect(answer.code).toBe('LL_WEBHOOK_MALFORMED');
    expect(JSON.stringify(answer)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('imports final payments from the ERP into Payments Issued once, with origin_id, and never twice', async () => {
    // A bill paid in QuickBooks directly (its hub invoice is synced; no Procore Pay payment).
    const paid = paidInvoice();
    const erpPaymentId = qbo.addPayment({ vendorId: paid.vendorErp, bankAccountId: paid.bank, billId: paid.bill, amountCents: 12_345, date: '2026-11-20', method: 'check', checkNumber: '7777', final: true });
    const importer = runner.tenant('acme-qbo').importer;
    const first = await importer.run({ kind: 'user', id: 'approver@acme' });
    expect(first.failed, JSON.stringify((await runner.ledger.list({ direction: 'import' })).items.map((i) => i.lastError))).toBe(0);
    expect(first.errors).toEqual([]);
    const issued = hub.paymentsIssued(COMPANY).filter((payment) => payment.origin_id === `acme-qbo:${erpPaymentId}`);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ amount: '123.45', check_number: '7777' });
    const second = await importer.run();
    expect(second.written).toBe(0);
    expect(hub.paymentsIssued(COMPANY).filter((payment) => payment.origin_id === `acme-qbo:${erpPaymentId}`)).toHaveLength(1);
    const item = await runner.ledger.getBySource('acme-qbo', 'payment', 'import', erpPaymentId);
    expect(item?.state).toBe('synced');
    // The payments this tenant exported (earlier tests) are final in QuickBooks too, but are not brought back.
    expect(first.ownExports).toBeGreaterThan(0);
    const exported = (await runner.ledger.list({ tenant: 'acme-qbo', direction: 'export', state: 'synced' })).items.map((i) => i.targetId);
    const echoed = hub.paymentsIssued(COMPANY).filter((payment) => exported.some((erpId) => payment.origin_id === `acme-qbo:${erpId}`));
    expect(echoed).toEqual([]);
  });

  it('never writes a configured secret to the log', () => {
    const text = log.text;
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [QBO_SANDBOX_APP.clientSecret, QBO_SANDBOX_APP.refreshToken, hub.app.clientSecret, WEBHOOK_SECRET]) expect(text).not.toContain(secret);
  });
});
