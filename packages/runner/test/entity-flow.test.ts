import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QBD_SANDBOX_COST_CODE_ITEMS } from '@ledgerlink/connector-qbd/sandbox';
import { parse } from 'yaml';
import { supports, type Connector, type ErpSandbox, type HubVendor, type LedgerItem, type Payment, type Requisition } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../src/daemon.js';
import { DEMO_ERPS, type DemoErp } from '../src/demo/demo-erps.js';
import { BUILT_IN_CONNECTORS } from '../src/plugins/built-in-connectors.js';
import { eventually, runnerFor, tempDir } from './support/runner-harness.js';
import { dropSchema } from './support/postgres.js';

/**
 * What the test needs per ERP beyond the demo's sandbox and connection (`DEMO_ERPS`, `examples/demo.yaml`): what
 * its bill's lines and job need. One row per built-in connector declaring `requisition: [export]`; a connector that
 * declares it without a row fails the first test.
 */
interface ErpFixture {
  costCode(n: number): string;
  /** The job's ERP id where the ERP's bill needs it (Procore's project_number is then that job number). */
  jobId?: string;
  /** The cost type of a line, where the ERP's bill needs one. */
  costType?: string;
  /** The ERP keys vendors by the customer's code (Yardi's Payee ID, Sage's vendor id): the hub vendor carries one. */
  vendorCode?(n: number): string;
}

const FIXTURES: Record<string, ErpFixture> = {
  acumatica: { costCode: () => '09-2900' },
  intacct: { costCode: () => '5000' },
  qbd: { costCode: (n) => QBD_SANDBOX_COST_CODE_ITEMS[n % QBD_SANDBOX_COST_CODE_ITEMS.length]?.id as string },
  qbo: { costCode: () => '60' },
  sage300: { costCode: () => '09-2900', costType: 'S', jobId: 'J-100', vendorCode: (n) => `EF${n}` },
  vista: { costCode: () => '09-2900', vendorCode: (n) => String(80_000 + n) },
  yardi: { costCode: () => '09-2900', jobId: 'tower1', vendorCode: (n) => `ef${String(n).padStart(4, '0')}` },
};

const demoConfig = parse(readFileSync(fileURLToPath(new URL('../../../examples/demo.yaml', import.meta.url)), 'utf8')) as { tenants: { erp: string; connection: Record<string, unknown> }[] };

/** The demo's sandbox and connection of an ERP (its tenant in examples/demo.yaml, with the env the demo sets). */
function demoOf(erp: string): { demo: DemoErp; connection: Record<string, unknown> } {
  const demo = DEMO_ERPS.find((candidate) => candidate.erp === erp);
  const tenant = demoConfig.tenants.find((candidate) => candidate.erp === erp);
  if (demo === undefined || tenant === undefined) throw new Error(`the demo has no ${erp} tenant`);
  return { demo, connection: tenant.connection };
}

const exportingRequisitions = BUILT_IN_CONNECTORS.filter(
  (connector): connector is Connector => 'createClient' in connector && supports(connector.capabilities, 'requisition', 'export'),
).map((connector) => connector.manifest.id);

/** Needs PostgreSQL for the store's run: LEDGERLINK_TEST_POSTGRES_URL, default as the other PostgreSQL tests. */
const postgresUrl = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let n = 0;

/** Waits for an item to sync; one that fails instead ends the wait at once with the ERP's (or the mapping's) words. */
async function synced(runner: Runner, id: string): Promise<LedgerItem> {
  const item = await eventually(`item ${id} to be synced or failed`, async () => {
    const current = await runner.ledger.get(id);
    return current?.state === 'synced' || current?.state === 'failed' ? current : undefined;
  }, 30_000);
  if (item.state === 'failed') throw new Error(`${item.entity} ${item.sourceId} failed: ${item.lastError?.message ?? '(no error)'}`);
  return item;
}

function vendor(fixture: ErpFixture): HubVendor {
  n += 1;
  return { id: `hub-v-${n}`, name: `Entity Flow Sub ${n}`, isActive: true, ...(fixture.vendorCode === undefined ? {} : { code: fixture.vendorCode(n) }) };
}

function requisition(fixture: ErpFixture, of: HubVendor, erpVendorId?: string): Requisition {
  n += 1;
  return {
    id: `hub-req-${n}`,
    number: `EF-${n}`,
    billingDate: '2026-11-30',
    vendor: { id: of.id, name: of.name, ...(of.code === undefined ? {} : { code: of.code }), ...(erpVendorId === undefined ? {} : { erpId: erpVendorId }) },
    // Procore's project_number is the ERP's job number (Yardi's Property ID).
    project: { id: 'hub-p-1', number: fixture.jobId ?? 'P-100', ...(fixture.jobId === undefined ? {} : { erpId: fixture.jobId }) },
    commitment: { id: `hub-sc-${n}` },
    totalCents: 10_000_00,
    retainageCents: 1_000_00,
    lines: [
      {
        id: `hub-line-${n}`,
        description: 'Framing, this period',
        amountCents: 10_000_00,
        retainageCents: 1_000_00,
        costCodeOriginId: fixture.costCode(n),
        ...(fixture.costType === undefined ? {} : { costTypeOriginId: fixture.costType }),
      },
    ],
  };
}

/** Procore pays the invoice net of retainage; the payment knows the requisition by its hub id only until the bill lands. */
function payment(demo: DemoErp, sandbox: ErpSandbox, of: Requisition, erpVendorId: string): Payment {
  n += 1;
  sandbox.seed({ bankAccounts: [{ id: demo.bankId(n), name: `Operating ${n}` }] });
  return {
    id: `hub-pay-${n}`,
    status: 'funding_complete',
    amountCents: of.totalCents - of.retainageCents,
    method: 'check',
    fundedOn: '2026-12-01',
    paidOn: '2026-12-01',
    bankId: demo.bankId(n),
    checkNumber: String(40_000 + n),
    vendor: { ...of.vendor, erpId: erpVendorId },
    // What Procore pays: the invoice's current payment due, net of the retainage held.
    invoice: { id: of.id, number: of.number, amountCents: of.totalCents - of.retainageCents },
    project: { id: of.project.id, number: of.project.number },
  };
}

describe('one export flow for every entity (runner + SQLite + each ERP sandbox declaring requisition export)', () => {
  it('has a fixture for every built-in connector that declares requisition export', () => {
    expect(exportingRequisitions.length).toBeGreaterThan(0);
    expect(exportingRequisitions.filter((id) => FIXTURES[id] === undefined)).toEqual([]);
  });

  const runs = [
    ...exportingRequisitions.map((erp) => ({ erp, store: 'sqlite' as const })),
    // The ledger's entity column and its lookups by (entity, hub id) on the other store too.
    ...exportingRequisitions.slice(0, 1).map((erp) => ({ erp, store: 'postgres' as const })),
  ];

  describe.each(runs)('$erp on $store', ({ erp, store }) => {
    const fixture = FIXTURES[erp] as ErpFixture;
    const { demo, connection } = demoOf(erp);
    const schema = `ll_entity_${randomBytes(6).toString('hex')}`;
    let sandbox: ErpSandbox;
    let runner: Runner;
    let cleanup: () => void;

    beforeAll(async () => {
      sandbox = await demo.start();
      const dir = tempDir();
      cleanup = dir.cleanup;
      const env = demo.env(sandbox);
      const tenant = { id: 'acme', erp, connection, retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 } };
      const stored = store === 'sqlite' ? { sqlite: { path: 'ledger.db' } } : { postgres: { url: '${env:PG_URL}', schema } };
      runner = runnerFor(dir.dir, { store: stored, tenants: [tenant], runner: { settleMs: 50, recoveryMs: 60_000 } }, { ...env, PG_URL: postgresUrl }).runner;
      await runner.start();
    }, 60_000);
    afterAll(async () => {
      await runner?.stop();
      await sandbox?.close();
      cleanup?.();
      if (store === 'postgres') {
        await dropSchema(schema, postgresUrl);
      }
    });

    it('a requisition waits for its vendor and goes on when ledgerlink exports the vendor; the vendor is posted once', async () => {
      const exporter = runner.tenant('acme').exporter;
      const sub = vendor(fixture);
      const invoice = requisition(fixture, sub);
      const waiting = await exporter.intakeRecord('requisition', invoice);
      if (waiting.kind === 'ignored') throw new Error(waiting.reason);
      expect(waiting.item.state).toBe('blocked');
      expect(waiting.item.blockedReason).toMatch(new RegExp(`vendor ${sub.name} is not yet in ${runner.tenant('acme').runtime.connector.manifest.displayName}`));

      const recorded = await exporter.intakeRecord('vendor', sub);
      if (recorded.kind === 'ignored') throw new Error(recorded.reason);
      const vendorItem = await synced(runner, recorded.item.id);
      expect(sandbox.vendors?.().filter((candidate) => candidate.name === sub.name).map((candidate) => candidate.erpId)).toEqual([vendorItem.targetId]);

      const bill = await synced(runner, waiting.item.id);
      expect((bill.record.vendor as { erpId?: string }).erpId).toBe(vendorItem.targetId);
      expect(sandbox.bills?.().filter((candidate) => candidate.number === invoice.number)).toMatchObject([
        { erpId: bill.targetId, vendorId: vendorItem.targetId, amountCents: invoice.totalCents },
      ]);
    });

    it('a payment funded before its requisition waits blocked, and goes on when the bill lands; a commit-then-drop on the bill posts one bill', async () => {
      const exporter = runner.tenant('acme').exporter;
      const sub = vendor(fixture);
      const recorded = await exporter.intakeRecord('vendor', sub);
      if (recorded.kind === 'ignored') throw new Error(recorded.reason);
      const erpVendorId = (await synced(runner, recorded.item.id)).targetId as string;

      await exporter.setExportsEnabled(false);
      const invoice = requisition(fixture, sub, erpVendorId);
      const bill = await exporter.intakeRecord('requisition', invoice);
      const pay = payment(demo, sandbox, invoice, erpVendorId);
      const early = await exporter.intake(pay);
      if (bill.kind === 'ignored' || early.kind === 'ignored') throw new Error('refused');
      expect(bill.item.state).toBe('pending');
      expect(early.item.state).toBe('blocked');
      expect(early.item.blockedReason).toMatch(new RegExp(`invoice ${invoice.number} is not yet in`));

      // The ERP commits the bill and the answer is lost: the retry finds it instead of posting a second one.
      sandbox.setFaults({ commitThenDrop: 1 });
      await exporter.setExportsEnabled(true);
      const landed = await synced(runner, bill.item.id);
      const paid = await synced(runner, early.item.id);
      expect(sandbox.bills?.().filter((candidate) => candidate.number === invoice.number).map((candidate) => candidate.erpId)).toEqual([landed.targetId]);
      expect((paid.record.invoice as { erpId?: string }).erpId).toBe(landed.targetId);
      const applied = sandbox.payments().filter((candidate) => candidate.applications.some((application) => application.billId === landed.targetId));
      expect(applied.map((candidate) => candidate.erpId)).toEqual([paid.targetId]);
      expect((await runner.ledger.audit(early.item.id)).map((entry) => entry.action)).toContain('unblocked');
    });
  });
});
