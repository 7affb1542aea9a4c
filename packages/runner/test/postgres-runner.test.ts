import { randomBytes } from 'node:crypto';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runnerFor, tempDir, untilState, qboSandboxConnection } from './support/runner-harness.js';
import { dropSchema } from './support/postgres.js';

/** Needs PostgreSQL: LEDGERLINK_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test (fails, saying so, without it). */
const url = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('the runner on the PostgreSQL store (store.postgres)', () => {
  let qbo: QboSandbox;
  const schema = `ll_runner_${randomBytes(6).toString('hex')}`;
  const dir = tempDir();

  beforeAll(async () => {
    qbo = await startQboSandbox();
  });
  afterAll(async () => {
    await qbo.close();
    await dropSchema(schema, url);
    dir.cleanup();
  });

  it('records, exports and links a payment, and recognises a repeated hub event, with the ledger in PostgreSQL', async () => {
    qbo.seed({ vendors: [{ id: '901', name: 'Vendor PG' }], bankAccounts: [{ id: '91' }], bills: [{ id: '9901', vendorId: '901', number: 'INV-PG', amountCents: 4321 }] });
    const { runner } = runnerFor(
      dir.dir,
      {
        store: { postgres: { url: '${env:PG_URL}', schema } },
        tenants: [
          {
            id: 'pg-qbo',
            erp: 'qbo',
            connection: qboSandboxConnection(qbo.url, QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH),
          },
        ],
        runner: { settleMs: 50 },
      },
      { PG_URL: url, QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken },
    );
    await runner.start();
    try {
      const result = await runner.tenant('pg-qbo').exporter.intake({
        id: 'pg-pay-1',
        status: 'funding_complete',
        amountCents: 4321,
        method: 'check',
        fundedOn: '2026-12-01',
        bankId: '91',
        checkNumber: '70001',
        vendor: { id: 'v', name: 'Vendor PG', erpId: '901' },
        invoice: { id: 'i', number: 'INV-PG', amountCents: 4321, erpId: '9901' },
        project: { id: 'p', number: 'P-1' },
      });
      const id = result.kind === 'ignored' ? '' : result.item.id;
      const synced = await untilState(runner, id, 'synced');
      expect(qbo.payments().filter((payment) => payment.applications.some((a) => a.billId === '9901'))).toHaveLength(1);
      expect(synced.targetId).toBeTruthy();
      const event = { eventId: 'evt-1', companyId: '1', resourceName: 'ERP Requests', eventType: 'create', resourceId: '77', occurredAt: new Date().toISOString() };
      expect(await runner.inbox.record(event)).toEqual({ fresh: true });
      expect(await runner.inbox.record(event)).toEqual({ fresh: false });
      expect(await runner.inbox.unprocessed()).toEqual([event]);
      await runner.inbox.markProcessed('evt-1');
      expect(await runner.inbox.unprocessed()).toEqual([]);
    } finally {
      await runner.stop();
    }
  });
});

describe('two runner replicas on one PostgreSQL store', () => {
  it('share the tenants (a lease each), each payment is sent once by its tenant\'s holder, and a replica that stops hands its tenants over', async () => {
    const qbo = await startQboSandbox();
    const schema = `ll_replicas_${randomBytes(6).toString('hex')}`;
    const dirA = tempDir();
    const dirB = tempDir();
    const env = { PG_URL: url, QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken };
    const tenantIds = ['ha-1', 'ha-2', 'ha-3', 'ha-4'];
    const config = {
      store: { postgres: { url: '${env:PG_URL}', schema } },
      tenants: tenantIds.map((id) => ({
        id,
        erp: 'qbo',
        connection: qboSandboxConnection(qbo.url, QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH),
      })),
      runner: { settleMs: 50, leaseTtlMs: 1500 },
    };
    const a = runnerFor(dirA.dir, config, env).runner;
    const b = runnerFor(dirB.dir, config, env).runner;
    qbo.seed({ vendors: [{ id: '951', name: 'Vendor HA' }], bankAccounts: [{ id: '95' }] });
    let bill = 9950;
    const fund = async (via: typeof a, tenant: string) => {
      bill += 1;
      qbo.seed({ bills: [{ id: String(bill), vendorId: '951', number: `INV-${bill}`, amountCents: bill }] });
      const recorded = await via.tenant(tenant).exporter.intake({
        id: `pay-${bill}`,
        status: 'funding_complete' as const,
        amountCents: bill,
        method: 'check' as const,
        fundedOn: '2026-12-01',
        bankId: '95',
        checkNumber: String(70_000 + bill),
        vendor: { id: 'v', name: 'Vendor HA', erpId: '951' },
        invoice: { id: `i-${bill}`, number: `INV-${bill}`, amountCents: bill, erpId: String(bill) },
        project: { id: 'p', number: 'P-1' },
      });
      if (recorded.kind === 'ignored') throw new Error(recorded.reason);
      return { id: recorded.item.id, bill: String(bill) };
    };
    const landedOnce = (billId: string) => expect(qbo.payments().filter((p) => p.applications.some((x) => x.billId === billId))).toHaveLength(1);
    try {
      await a.start();
      await b.start();
      // The first replica claimed every tenant alone; once the second is seen, each carries half.
      await eventually('the tenants split 2 + 2', () => (a.heldTenants().length === 2 && b.heldTenants().length === 2 ? true : undefined), 20_000);
      expect(new Set([...a.heldTenants(), ...b.heldTenants()])).toEqual(new Set(tenantIds));

      // Every payment is recorded through replica b, whichever holds its tenant: the holder sends it, once.
      const funded = [];
      for (const tenant of tenantIds) funded.push({ tenant, ...(await fund(b, tenant)) });
      for (const { tenant, id, bill: billId } of funded) {
        const holder = a.heldTenants().includes(tenant) ? a : b;
        await untilState(holder, id, 'synced');
        landedOnce(billId);
      }

      // a stops: it gives its leases back once its calls ended, and b carries all four.
      const fromA = a.heldTenants();
      await a.stop();
      await eventually('b holds every tenant', () => (b.heldTenants().length === 4 ? true : undefined), 20_000);
      for (const tenant of fromA) {
        const { id, bill: billId } = await fund(b, tenant);
        await untilState(b, id, 'synced');
        landedOnce(billId);
      }
      expect(qbo.payments()).toHaveLength(funded.length + fromA.length);
    } finally {
      await a.stop();
      await b.stop();
      await qbo.close();
      await dropSchema(schema, url);
      dirA.cleanup();
      dirB.cleanup();
    }
  }, 60_000);
});
