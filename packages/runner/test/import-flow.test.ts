import 'reflect-metadata';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../src/daemon.js';
import { platformSeed } from '../src/demo/platform-seed.js';
import { IMPORT_CURSOR, SUMMARY_LIST_MAX } from '../src/flows/tenant-importer.js';
import { runnerFor, tempDir } from './support/runner-harness.js';

const COMPANY = 4264;
/** Payments made in QuickBooks itself, to be written to the hub's Payments Issued. */
const COUNT = 3_000;

let qbo: QboSandbox;
let hub: ProcoreSandbox;
let runner: Runner;
let cleanup: () => void;
let seed: ReturnType<typeof platformSeed>;

beforeAll(async () => {
  seed = platformSeed({ companyId: COMPANY, count: COUNT });
  qbo = await startQboSandbox({ seed: seed.erp });
  hub = await createProcoreSandbox({ seed: seed.hub, rateLimit: { limit: 10_000_000 } });
  for (const payment of seed.payments) {
    qbo.addPayment({
      vendorId: String(payment.requisitionId),
      bankAccountId: payment.bankId,
      billId: payment.billId,
      amountCents: payment.amountCents,
      date: '2026-12-01',
      method: 'check',
      checkNumber: payment.checkNumber,
      final: true,
    });
  }
  const temp = tempDir('ll-import-');
  cleanup = temp.cleanup;
  const built = runnerFor(
    temp.dir,
    {
      store: { sqlite: { path: 'ledger.db' } },
      hub: {
        connector: 'procore',
        connection: { apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: '${env:HUB_SECRET}', companyIds: [String(COMPANY)] },
        webhookSecret: '${env:HOOK_SECRET}',
        pollSeconds: 0,
      },
      tenants: [
        {
          id: 'acme',
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
        },
      ],
      logging: { level: 'info', pretty: 'never' },
    },
    { HUB_SECRET: hub.serviceAccount.clientSecret, HOOK_SECRET: 'whsec-import-0123456789', QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken },
  );
  runner = built.runner;
  await runner.start();
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await hub?.close();
  await qbo?.close();
  cleanup?.();
});

describe(`an import of ${COUNT} payments made in the ERP`, () => {
  it('writes each to Payments Issued once, in bulk: at most 0.05 hub calls per payment, counted by the hub', async () => {
    hub.resetStats();
    const summary = await runner.tenant('acme').importer.run();
    expect(summary).toMatchObject({ read: COUNT, written: COUNT, failed: 0, errors: [] });
    const issued = hub.paymentsIssued(COMPANY);
    expect(issued).toHaveLength(COUNT);
    expect(new Set(issued.map((payment) => payment.origin_id)).size).toBe(COUNT);
    const calls = hub.stats();
    expect(calls.requests / COUNT, JSON.stringify(calls.byEndpoint)).toBeLessThanOrEqual(0.05);
    expect(calls.byEndpoint['PATCH /rest/v1.0/companies/:id/invoice_payments/sync']).toBe(Math.ceil(COUNT / 100));
    // The cursor does not grow with the count (a few hundred characters at most).
    const cursor = await runner.ledger.getCursor('acme', IMPORT_CURSOR);
    expect(cursor?.length ?? 0).toBeLessThan(2_000);

    // Again: nothing new in the ERP, nothing written, no hub call.
    hub.resetStats();
    const again = await runner.tenant('acme').importer.run();
    expect(again).toMatchObject({ read: 0, written: 0, failed: 0 });
    expect(hub.stats().requests).toBe(0);
  }, 300_000);

  it(`keeps the first ${SUMMARY_LIST_MAX} payments the hub did not take and counts them all; the next import writes them`, async () => {
    const EXTRA = 250;
    const payment = seed.payments[0]!;
    qbo.seed({ bills: [{ id: '990001', vendorId: String(payment.requisitionId), number: 'INV-REFUSED', amountCents: EXTRA * 1_000 }] });
    for (let i = 0; i < EXTRA; i++) {
      qbo.addPayment({ vendorId: String(payment.requisitionId), bankAccountId: payment.bankId, billId: '990001', amountCents: 1_000, date: '2026-12-02', method: 'check', checkNumber: `R${i}`, final: true });
    }
    hub.setFaults({ errorRate: 1 });
    let refused;
    try {
      refused = await runner.tenant('acme').importer.run();
    } finally {
      hub.setFaults({ errorRate: 0 });
    }
    expect(refused).toMatchObject({ read: EXTRA, written: 0, failed: EXTRA, unmappable: 0 });
    expect(refused.notWritten).toHaveLength(SUMMARY_LIST_MAX);
    expect(refused.notWritten[0]?.message).toMatch(/500|Internal Server Error/);

    const next = await runner.tenant('acme').importer.run();
    expect(next).toMatchObject({ read: 0, written: EXTRA, failed: 0, notWritten: [] });
  }, 300_000);
});
