import { randomBytes } from 'node:crypto';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerFor, tempDir, untilState } from './support/runner-harness.js';

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
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
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
            connection: {
              baseUrl: qbo.url,
              tokenUrl: `${qbo.url}${QBO_SANDBOX_TOKEN_PATH}`,
              realmId: QBO_SANDBOX_APP.realmId,
              clientId: QBO_SANDBOX_APP.clientId,
              clientSecret: '${env:QBO_SECRET}',
              refreshToken: '${env:QBO_REFRESH}',
            },
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
  it('only the lease holder sends; when it stops, the standby takes over and sends what is pending', async () => {
    const qbo = await startQboSandbox();
    const schema = `ll_replicas_${randomBytes(6).toString('hex')}`;
    const dirA = tempDir();
    const dirB = tempDir();
    const env = { PG_URL: url, QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken };
    const config = {
      store: { postgres: { url: '${env:PG_URL}', schema } },
      tenants: [
        {
          id: 'ha-qbo',
          erp: 'qbo',
          connection: {
            baseUrl: qbo.url,
            tokenUrl: `${qbo.url}${QBO_SANDBOX_TOKEN_PATH}`,
            realmId: QBO_SANDBOX_APP.realmId,
            clientId: QBO_SANDBOX_APP.clientId,
            clientSecret: '${env:QBO_SECRET}',
            refreshToken: '${env:QBO_REFRESH}',
          },
        },
      ],
      runner: { settleMs: 50, leaseTtlMs: 1500 },
    };
    const a = runnerFor(dirA.dir, config, env).runner;
    const b = runnerFor(dirB.dir, config, env).runner;
    try {
      await a.start();
      await b.start();
      expect([a.active, b.active]).toEqual([true, false]);
      qbo.seed({ vendors: [{ id: '951', name: 'Vendor HA' }], bankAccounts: [{ id: '95' }], bills: [{ id: '9951', vendorId: '951', number: 'INV-HA', amountCents: 777 }] });
      const payment = {
        id: 'ha-pay-1',
        status: 'funding_complete' as const,
        amountCents: 777,
        method: 'check' as const,
        fundedOn: '2026-12-01',
        bankId: '95',
        checkNumber: '70501',
        vendor: { id: 'v', name: 'Vendor HA', erpId: '951' },
        invoice: { id: 'i', number: 'INV-HA', amountCents: 777, erpId: '9951' },
        project: { id: 'p', number: 'P-1' },
      };
      // The standby records the payment (a webhook reached it) but does not send it.
      const recorded = await b.tenant('ha-qbo').exporter.intake(payment);
      const id = recorded.kind === 'ignored' ? '' : recorded.item.id;
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The holder picks it up on its next tick; exactly one payment lands.
      await untilState(a, id, 'synced');
      expect(qbo.payments().filter((p) => p.applications.some((x) => x.billId === '9951'))).toHaveLength(1);

      // The holder stops (lease given back); the standby takes over and sends a new payment.
      await a.stop();
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(b.active).toBe(true);
      qbo.seed({ bills: [{ id: '9952', vendorId: '951', number: 'INV-HA2', amountCents: 888 }] });
      const second = await b.tenant('ha-qbo').exporter.intake({ ...payment, id: 'ha-pay-2', amountCents: 888, checkNumber: '70502', invoice: { id: 'i2', number: 'INV-HA2', amountCents: 888, erpId: '9952' } });
      await untilState(b, second.kind === 'ignored' ? '' : second.item.id, 'synced');
      expect(qbo.payments().filter((p) => p.applications.some((x) => x.billId === '9952'))).toHaveLength(1);
    } finally {
      await a.stop();
      await b.stop();
      await qbo.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      dirA.cleanup();
      dirB.cleanup();
    }
  }, 30_000);
});
