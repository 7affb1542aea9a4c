import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bearerFor, erpMetadataFor } from '@ledgerlink/connector-procore';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import type { ErpSandbox, LedgerItem } from '@ledgerlink/core';
import type { FastifyInstance } from 'fastify';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../src/daemon.js';
import { DEMO_ERPS, type DemoErp } from '../src/demo/demo-erps.js';
import { createServer } from '../src/server/create-server.js';
import { eventually, runnerFor, tempDir } from './support/runner-harness.js';

/**
 * Requisition, then payment, through the Procore ERP Platform sandbox on every ERP, over real sockets: the hub raises
 * `create_requisitions` and `create_contract_payment` ERP Requests and delivers them by webhook to one runner (one
 * tenant per ERP, one Procore company each); the runner exports the bill and the payment to that ERP's sandbox and
 * writes External Data and close-outs back. One Procore sandbox, one runner and the seven ERP sandboxes are shared.
 */

const WEBHOOK_SECRET = 'whsec-hub-entities-0123456789';
const PROJECT_NUMBER = 'P-100';
const demoConfig = parse(readFileSync(fileURLToPath(new URL('../../../examples/demo.yaml', import.meta.url)), 'utf8')) as {
  tenants: { id: string; erp: string; connection: Record<string, unknown> }[];
};

/** One ERP's Procore company as the test seeds it: a project, a vendor linked to its ERP vendor, a commitment, a bank. */
interface World {
  erp: DemoErp;
  sandbox: ErpSandbox;
  companyId: number;
  commitmentId: number;
  vendorErpId: string;
  bankId: string;
  nextCheck: number;
}

let hub: ProcoreSandbox;
let runner: Runner;
let server: FastifyInstance;
let cleanup: () => void;
const worlds = new Map<string, World>();
let n = 0;

function worldOf(erp: DemoErp): World {
  const world = worlds.get(erp.erp);
  if (world === undefined) throw new Error(`no world for ${erp.erp}: beforeAll did not start its sandbox`);
  return world;
}

/** A requisition of the world's vendor, not yet in the ERP: one line on the ERP's cost code, no retainage. */
function addRequisition(world: World, totalCents: number): { requisitionId: number; number: string } {
  n += 1;
  const number = `HE-${world.erp.erp.slice(0, 3).toUpperCase()}-${n}`;
  const requisitionId = hub.addRequisition({
    commitmentId: world.commitmentId,
    invoiceNumber: number,
    totalCents,
    lines: [
      {
        amountCents: totalCents,
        description: `Work billed, pay app ${n}`,
        ...(world.erp.costCode === undefined ? {} : { costCodeOriginId: world.erp.costCode }),
        ...(world.erp.costType === undefined ? {} : { lineItemTypeOriginId: world.erp.costType }),
      },
    ],
  });
  return { requisitionId, number };
}

/** A Procore Pay payment of the whole requisition by check, not yet funded. */
function addPayment(world: World, requisitionId: number, amountCents: number): number {
  world.nextCheck += 1;
  return hub.addContractPayment({
    requisitionId,
    amountCents,
    paymentMethod: 'check',
    bankId: world.bankId,
    checkNumber: String(world.nextCheck),
    // Yardi posts with the payment's settled date.
    dateSettled: new Date().toISOString(),
  });
}

async function ledgerItem(tenant: string, entity: 'requisition' | 'payment' | 'vendor', sourceId: number): Promise<LedgerItem> {
  return eventually(`${entity} ${sourceId} in ${tenant}'s ledger`, () => runner.ledger.getBySource(tenant, entity, 'export', String(sourceId)), 30_000);
}

/** Waits for the item to be synced; one that fails ends the wait at once with its error. */
async function synced(id: string): Promise<LedgerItem> {
  const item = await eventually(`item ${id} synced or failed`, async () => {
    const current = await runner.ledger.get(id);
    return current?.state === 'synced' || current?.state === 'failed' ? current : undefined;
  }, 30_000);
  if (item.state === 'failed') throw new Error(`${item.entity} ${item.sourceId} failed: ${item.lastError?.message ?? '(no error)'}`);
  return item;
}

/** The ERP's payments applied to a bill. */
function paymentsOnBill(world: World, billId: string): string[] {
  return world.sandbox.payments().filter((payment) => payment.applications.some((application) => application.billId === billId)).map((payment) => payment.erpId);
}

beforeAll(async () => {
  hub = await createProcoreSandbox({ rateLimit: { limit: 1_000_000 }, webhooks: { baseDelayMs: 200, maxDelayMs: 2_000 } });
  const started = await Promise.all(DEMO_ERPS.map(async (erp) => ({ erp, sandbox: await erp.start() })));
  const env: NodeJS.ProcessEnv = { HUB_CLIENT_SECRET: hub.serviceAccount.clientSecret, HUB_WEBHOOK_SECRET: WEBHOOK_SECRET };
  for (const { erp, sandbox } of started) Object.assign(env, erp.env(sandbox));
  const tenants = started.map(({ erp }) => {
    const demo = demoConfig.tenants.find((tenant) => tenant.id === erp.tenant);
    if (demo === undefined) throw new Error(`examples/demo.yaml has no tenant ${erp.tenant}`);
    return {
      id: erp.tenant,
      erp: erp.erp,
      hubCompanyId: String(erp.companyId),
      connection: demo.connection,
      retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
      schedules: { import: { everyMinutes: 0 } },
    };
  });
  const dir = tempDir('ll-hub-entities-');
  cleanup = dir.cleanup;
  const config = {
    store: { sqlite: { path: 'ledger.db' } },
    hub: {
      connector: 'procore',
      connection: {
        apiBaseUrl: hub.url,
        tokenUrl: hub.tokenUrl,
        clientId: hub.serviceAccount.clientId,
        clientSecret: '${env:HUB_CLIENT_SECRET}',
        companyIds: started.map(({ erp }) => String(erp.companyId)),
      },
      webhookSecret: '${env:HUB_WEBHOOK_SECRET}',
      // No fallback polling: every step here is an ERP Request delivered by webhook (the re-check is called by hand).
      pollSeconds: 0,
    },
    tenants,
    runner: { settleMs: 50, recoveryMs: 60_000 },
  };
  runner = runnerFor(dir.dir, config, env).runner;
  await runner.start();
  server = createServer(runner);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });

  for (const { erp, sandbox } of started) {
    const companyId = erp.companyId;
    hub.addCompany({ id: companyId, name: `${erp.tenant} (Procore company)` });
    const projectId = hub.addProject({ companyId, projectNumber: PROJECT_NUMBER, name: 'Harbor View Tower' });
    // The vendor is already synced: in the ERP, and linked in Procore (origin_id, and the ERP's code where it keys by one).
    const vendorErpId = erp.vendorId(1);
    sandbox.seed({ vendors: [{ id: vendorErpId, name: 'Summit Drywall Inc.' }], bankAccounts: [{ id: erp.bankId(1), name: 'Operating' }] });
    const vendorId = hub.addVendor({ companyId, name: 'Summit Drywall Inc.', originId: vendorErpId, originCode: erp.vendorCodeIsErpId ? vendorErpId : 'VC-1' });
    const commitmentId = hub.addCommitment({ projectId, vendorId });
    worlds.set(erp.erp, { erp, sandbox, companyId, commitmentId, vendorErpId, bankId: erp.bankId(1), nextCheck: 20_000 });
  }
  // What `ledgerlink procore connect` makes per company: the ERP connection (metadata from the connector), hook, trigger.
  const client = runner.hub?.client;
  if (client === undefined) throw new Error('the runner has no hub');
  for (const scope of runner.tenants.values()) {
    const companyId = scope.config.hubCompanyId as string;
    const context = { signal: AbortSignal.timeout(30_000) };
    const { connector } = scope.runtime;
    await client.setup.ensureConnection(companyId, erpMetadataFor(connector.capabilities, { name: connector.manifest.displayName }), context);
    const hook = await client.setup.ensureHook(companyId, { destinationUrl: `${url}/webhooks/procore`, bearer: bearerFor(WEBHOOK_SECRET, companyId) }, context);
    await client.setup.ensureTrigger(companyId, hook.id, context);
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
  await runner?.stop();
  await hub?.close();
  await Promise.all([...worlds.values()].map((world) => world.sandbox.close()));
  cleanup?.();
});

describe.each(DEMO_ERPS.map((erp) => ({ erp, name: erp.erp })))('requisition -> payment through the Procore sandbox on $name', ({ erp }) => {
  it('create_requisitions posts one bill, writes its origin_id; the payment on it lands attached to that bill, once', async () => {
    const world = worldOf(erp);
    const totalCents = 12_345_00 + n;
    const { requisitionId, number } = addRequisition(world, totalCents);
    const { request } = hub.exportRequisitions([requisitionId]);
    const bill = await synced((await ledgerItem(erp.tenant, 'requisition', requisitionId)).id);
    await eventually('the requisition shown synced in Procore', () => (hub.requisition(requisitionId).status === 'synced' ? true : undefined), 30_000);
    // The batch's one requisition has its own close-out row, tied to its ledger item: success, sent.
    const part = await eventually('the requisition\'s close-out sent', async () => {
      const row = await runner.requests.get(String(world.companyId), `${request.id}#0`);
      return row?.closeOutSentAt === undefined ? undefined : row;
    });
    expect(part).toMatchObject({ itemId: bill.id, closeOut: { status: 'success' } });
    expect(hub.requisition(requisitionId).originId).toBe(bill.targetId);
    expect(hub.externalData('requisition', requisitionId)?.origin_id).toBe(bill.targetId);
    expect(world.sandbox.bills?.().filter((candidate) => candidate.number === number)).toMatchObject([{ erpId: bill.targetId, vendorId: world.vendorErpId, amountCents: totalCents }]);

    const contractPaymentId = addPayment(world, requisitionId, totalCents);
    const { detail } = hub.fundPayment(contractPaymentId, { dateFunded: new Date().toISOString() });
    const paid = await synced((await ledgerItem(erp.tenant, 'payment', contractPaymentId)).id);
    expect((paid.record.invoice as { erpId?: string }).erpId).toBe(bill.targetId);
    await eventually('the payment shown synced in Procore', () => (hub.contractPayment(contractPaymentId).status === 'synced' ? true : undefined), 30_000);
    expect(hub.externalData('contract_payment', contractPaymentId)?.origin_id).toBe(paid.targetId);
    await eventually('the payment request closed out success', () => (hub.requestDetail(detail?.id ?? -1)?.status === 'success' ? true : undefined));
    // Once: one ERP payment on the bill (an ERP that queues writes settles the same one, never a second).
    expect(paymentsOnBill(world, bill.targetId as string)).toEqual([paid.targetId]);
  }, 60_000);

  it('a payment funded before its requisition reaches the ERP waits blocked, and goes on by itself when the bill lands', async () => {
    const world = worldOf(erp);
    const totalCents = 6_789_00 + n;
    const { requisitionId, number } = addRequisition(world, totalCents);
    const contractPaymentId = addPayment(world, requisitionId, totalCents);
    const { detail } = hub.fundPayment(contractPaymentId, { dateFunded: new Date().toISOString() });
    const waiting = await ledgerItem(erp.tenant, 'payment', contractPaymentId);
    await eventually('the payment blocked', async () => ((await runner.ledger.get(waiting.id))?.state === 'blocked' ? true : undefined));
    expect((await runner.ledger.get(waiting.id))?.blockedReason).toMatch(new RegExp(`invoice ${number} is not yet in`));
    await eventually('the in-progress note', () => (hub.requestDetail(detail?.id ?? -1)?.messages.some((m) => /not yet in/.test(m.message)) ? true : undefined));
    expect(hub.requestDetail(detail?.id ?? -1)?.status).toBe('in_progress');
    expect(world.sandbox.bills?.().filter((candidate) => candidate.number === number)).toEqual([]);

    hub.exportRequisitions([requisitionId]);
    const bill = await synced((await ledgerItem(erp.tenant, 'requisition', requisitionId)).id);
    const paid = await synced(waiting.id);
    expect((paid.record.invoice as { erpId?: string }).erpId).toBe(bill.targetId);
    expect((await runner.ledger.audit(waiting.id)).map((entry) => entry.action)).toContain('unblocked');
    await eventually('the payment shown synced in Procore', () => (hub.contractPayment(contractPaymentId).status === 'synced' ? true : undefined), 30_000);
    await eventually('the payment request closed out success', () => (hub.requestDetail(detail?.id ?? -1)?.status === 'success' ? true : undefined));
    expect(hub.requisition(requisitionId).originId).toBe(bill.targetId);
    expect(world.sandbox.bills?.().filter((candidate) => candidate.number === number).map((candidate) => candidate.erpId)).toEqual([bill.targetId]);
    expect(paymentsOnBill(world, bill.targetId as string)).toEqual([paid.targetId]);
  }, 60_000);

  it('a requisition waiting for a vendor someone else put in the ERP (origin_id written, no link_vendor) goes on at the periodic re-check', async () => {
    const world = worldOf(erp);
    n += 1;
    const name = `Other Integration Steel ${n}`;
    const vendorErpId = erp.vendorId(100 + n);
    world.sandbox.seed({ vendors: [{ id: vendorErpId, name }] });
    const vendorId = hub.addVendor({ companyId: world.companyId, name, originCode: erp.vendorCodeIsErpId ? vendorErpId : `VC-${n}` });
    const projectId = hub.addProject({ companyId: world.companyId, projectNumber: PROJECT_NUMBER });
    const commitmentId = hub.addCommitment({ projectId, vendorId });
    const { requisitionId, number } = addRequisition({ ...world, commitmentId }, 3_210_00 + n);
    const { request } = hub.exportRequisitions([requisitionId]);
    const waiting = await ledgerItem(erp.tenant, 'requisition', requisitionId);
    await eventually('the requisition blocked', async () => ((await runner.ledger.get(waiting.id))?.state === 'blocked' ? true : undefined));
    // The intake is over, its own look for the vendor included, once the batch request is closed out: the item is
    // visible as blocked before that look is made, and a vendor put in the ERP before it would be found by it, not by
    // the periodic re-check this test is about.
    await eventually('the batch request taken on', async () => ((await runner.requests.get(String(world.companyId), String(request.id)))?.closeOut === undefined ? undefined : true));
    expect((await runner.ledger.get(waiting.id))?.blockedReason).toMatch(new RegExp(`vendor ${name} is not yet in`));

    // Another integration links the vendor through the API: External Data only, no ERP Request reaches ledgerlink.
    const requestsBefore = hub.deliveries().length;
    await runner.hub?.client.syncExternalData(String(world.companyId), [{ itemType: 'vendor', itemId: String(vendorId), originId: vendorErpId }], { signal: AbortSignal.timeout(10_000) });
    expect(hub.vendor(vendorId).originId).toBe(vendorErpId);
    expect(hub.deliveries()).toHaveLength(requestsBefore);
    expect((await runner.ledger.get(waiting.id))?.state).toBe('blocked');

    // The re-check the hub schedule runs: generic over what blocked records wait on (here a vendor, not an invoice).
    const exporter = runner.tenant(erp.tenant).exporter;
    expect(await exporter.recheckBlocked((prerequisiteId) => prerequisiteId === String(vendorId))).toBe(1);
    const bill = await synced(waiting.id);
    expect((bill.record.vendor as { erpId?: string }).erpId).toBe(vendorErpId);
    expect(world.sandbox.bills?.().filter((candidate) => candidate.number === number)).toMatchObject([{ erpId: bill.targetId, vendorId: vendorErpId }]);
    await eventually('the requisition shown synced in Procore', () => (hub.requisition(requisitionId).status === 'synced' ? true : undefined), 30_000);
  }, 60_000);
});
