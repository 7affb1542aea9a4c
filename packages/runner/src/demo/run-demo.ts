import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bearerFor, erpMetadataFor } from '@ledgerlink/connector-procore';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { supports, type Entity, type ErpSandbox, type LedgerState } from '@ledgerlink/core';
import type { FastifyInstance } from 'fastify';
import { formatConfigProblem } from '../config/load-config.js';
import { validateDeployment } from '../config/validate-deployment.js';
import { Runner } from '../daemon.js';
import { createLogger } from '../logging/create-logger.js';
import { BUILT_IN_CONNECTORS } from '../plugins/built-in-connectors.js';
import { ConnectorRegistry, loadPluginConnectors } from '../plugins/connector-registry.js';
import { createServer } from '../server/create-server.js';
import { parse } from 'yaml';
import { DEMO_ERPS } from './demo-erps.js';
import { pluginDemoErps } from './plugin-erps.js';
import { DemoWorld } from './demo-world.js';
import { renderSummary, type TenantCounts } from './demo-summary.js';

export interface DemoOptions {
  /** The demo config (examples/demo.yaml). */
  configFile: string;
  /** Stop after this long (default: run until SIGINT/SIGTERM). */
  durationMs?: number;
  /** Port of the runner's HTTP server (default 8080; 0 = any free port). */
  port?: number;
  /** A payment is funded every this many milliseconds, round-robin over the tenants. */
  fundEveryMs?: number;
  /** Where the summary goes. */
  out?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Start from an empty ledger (default true). */
  fresh?: boolean;
}

export interface DemoResult {
  counts: TenantCounts[];
  funded: number;
  url: string;
}

/**
 * The demo a newcomer watches: the Procore hub sandbox and the seven ERP sandboxes on loopback, the runner on the
 * SQLite ledger under `.ledgerlink/`, payments funded continuously (some meant to fail: a check number already
 * used, an unknown bank, an invoice not yet synced, a partial payment where the ERP refuses one), and a live
 * summary of counts by state per tenant. Logs (pino JSON) go to `.ledgerlink/demo.log`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const out = options.out ?? process.stdout;
  const tty = Boolean((out as NodeJS.WriteStream).isTTY);
  const webhookSecret = randomBytes(16).toString('hex');
  const adminToken = `llt_demo_${randomBytes(12).toString('base64url')}`;
  const hub: ProcoreSandbox = await createProcoreSandbox({ rateLimit: { limit: 1_000_000 }, webhooks: { baseDelayMs: 500, maxDelayMs: 5_000 } });
  const sandboxes = new Map<string, ErpSandbox>();
  let server: FastifyInstance | undefined;
  let runner: Runner | undefined;
  const worlds: DemoWorld[] = [];
  try {
    // A config that names plugins gets their sandboxes too, one demo world per tenant of a plugin's ERP.
    const plugins = configPlugins(options.configFile);
    const resolvePlugin = (path: string) => resolve(dirname(options.configFile), path);
    const demoErps = [...DEMO_ERPS, ...(await pluginDemoErps(plugins.entries, resolvePlugin, (erp) => plugins.tenantsOf(erp)))];
    for (const erp of demoErps) sandboxes.set(erp.tenant, await erp.start());
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEMO_PORT: String(options.port ?? 8080),
      DEMO_PROCORE_URL: hub.url,
      DEMO_PROCORE_TOKEN_URL: hub.tokenUrl,
      DEMO_PROCORE_CLIENT_ID: hub.serviceAccount.clientId,
      DEMO_PROCORE_CLIENT_SECRET: hub.serviceAccount.clientSecret,
      DEMO_WEBHOOK_SECRET: webhookSecret,
      DEMO_ADMIN_TOKEN_SHA256: createHash('sha256').update(adminToken).digest('hex'),
      ...Object.assign({}, ...demoErps.map((erp) => erp.env(sandboxes.get(erp.tenant) as ErpSandbox))),
    };
    const registry = new ConnectorRegistry([...BUILT_IN_CONNECTORS, ...(await loadPluginConnectors(plugins.entries, undefined, resolvePlugin))]);
    const validated = validateDeployment(options.configFile, registry, env);
    if (!validated.ok) throw new Error(`the demo config is invalid:\n${validated.problems.map(formatConfigProblem).join('\n')}`);
    const { loaded } = validated;
    const store = loaded.config.store;
    const dbPath = 'sqlite' in store ? loaded.resolvePath(store.sqlite.path) : ':memory:';
    if (options.fresh !== false && dbPath !== ':memory:') {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
      rmSync(join(dirname(dbPath), 'credentials'), { recursive: true, force: true });
    }
    mkdirSync(dirname(resolve(dbPath)), { recursive: true });
    const logFile = join(dirname(resolve(dbPath)), 'demo.log');
    const logger = createLogger({ level: 'info', pretty: 'never', secrets: [...loaded.secrets, adminToken], destination: createWriteStream(logFile) });
    runner = new Runner({ loaded, logger });
    await runner.start();
    server = createServer(runner);
    const url = await server.listen({ host: loaded.config.server.host, port: loaded.config.server.port });
    demoErps.forEach((erp, index) => {
      const { capabilities } = (runner as Runner).tenant(erp.tenant).runtime.connector;
      worlds.push(new DemoWorld(erp, hub, sandboxes.get(erp.tenant) as ErpSandbox, 1000 + index, supports(capabilities, 'requisition', 'export')));
    });
    // What `ledgerlink procore connect` does for a customer: each company's ERP connection, hook and trigger.
    await connectCompanies(runner, `${url}/webhooks/procore`, webhookSecret);
    const header = [
      `ledgerlink demo: Procore Pay funds payments in the Procore ERP Platform sandbox; ERP Requests reach the runner, which exports to ${demoErps.length} ERP sandboxes and closes them out.`,
      `console: ${url}/   token: ${adminToken}`,
      `ledger: ${dbPath}   log: ${logFile}   stop: Ctrl-C`,
    ];
    let funded = 0;
    let tick = 0;
    const fund = setInterval(() => {
      const world = worlds[tick % worlds.length] as DemoWorld;
      tick += 1;
      try {
        // A payment funded before its invoice counts now; the others when Procore shows their invoice synced.
        if (world.next() === 'invoice-not-synced') funded += 1;
        if (tick % 6 === 0) world.paidInErp();
        for (const each of worlds) funded += each.fundReady();
      } catch (error) {
        logger.warn({ err: error }, 'the demo could not fund a payment');
      }
    }, options.fundEveryMs ?? 400);
    const approve = setInterval(() => void approveOld(runner as Runner), 4_000);
    // The accountant in Procore's ERP tool: fixes some Failed to Export payments (edit + Export) every 6 s.
    const accountant = setInterval(() => {
      for (const world of worlds) world.playAccountant();
    }, 6_000);
    // The accountant's "Sync Payments" button, 5 s in and then every 15 s: `sync_contract_payments` brings ERP
    // payments into Payments Issued (the first press early, so a short run shows them too).
    const pressSyncPayments = () => {
      for (const scope of (runner as Runner).tenants.values()) {
        if (scope.runtime.connector.capabilities.entities.payment?.includes('import') && scope.config.hubCompanyId !== undefined) hub.syncPayments(scope.config.hubCompanyId);
      }
    };
    const firstSync = setTimeout(pressSyncPayments, 5_000);
    const importNow = setInterval(pressSyncPayments, 15_000);

    const counts = async (): Promise<TenantCounts[]> => {
      const rows = await (runner as Runner).ledger.counts();
      const imported = await Promise.all(
        demoErps.map(async (erp) => (await (runner as Runner).ledger.list({ tenant: erp.tenant, direction: 'import', state: 'synced', limit: 500 })).items.length),
      );
      // Subcontractor invoices (requisitions) ledgerlink exported as bills, by state: the ledger counts them with the
      // payments, so they are taken out of the payment columns and shown on their own.
      const invoiceStates = await Promise.all(demoErps.map((erp) => entityStates(runner as Runner, erp.tenant, 'requisition')));
      return demoErps.map((erp, index) => {
        const states = Object.fromEntries(rows.filter((row) => row.tenant === erp.tenant).map((row) => [row.state, row.count])) as Partial<Record<LedgerState, number>>;
        const importedHere = imported[index] ?? 0;
        const invoices = invoiceStates[index] ?? {};
        // The ledger counts both directions and every entity; the state columns show payments exported.
        if (states.synced !== undefined) states.synced -= importedHere;
        for (const [state, count] of Object.entries(invoices) as [LedgerState, number][]) states[state] = (states[state] ?? 0) - count;
        const tool = hub.erpTool(erp.companyId);
        const world = worlds[index];
        const early = [...(world?.fundedBeforeInvoice ?? [])];
        const procore = {
          synced: tool.contractPayments.filter((view) => view.status === 'synced').length,
          failedToExport: tool.failedToExport.length,
          reexported: tool.contractPayments.filter((view) => view.status === 'synced' && world?.reexported.has(view.id) === true).length,
          paymentsIssued: tool.paymentsIssued.length,
          invoicesSynced: tool.requisitions.filter((view) => view.status === 'synced').length,
        };
        return {
          tenant: erp.tenant,
          erp: erp.erp,
          states,
          imported: importedHere,
          invoices: invoices.synced ?? 0,
          invoiceStates: invoices,
          fundedBeforeInvoice: { funded: early.length, synced: early.filter((id) => hub.contractPayment(id).status === 'synced').length },
          procore,
        };
      });
    };
    // Procore's Failed to Export: the messages of each payment's last close-out, as the accountant reads them.
    const recentFailures = async (): Promise<string[]> =>
      DEMO_ERPS.flatMap((erp) => hub.erpTool(erp.companyId).failedToExport.map((view) => `${erp.tenant} ${view.id}: ${view.messages.map((m) => m.message).join(' ')}`.slice(0, 200))).slice(-4);
    const draw = async () => {
      const text = renderSummary(header, await counts(), await recentFailures(), funded);
      out.write(tty ? `\x1b[H\x1b[2J${text}\n` : `${text}\n\n`);
    };
    const drawTimer = setInterval(() => void draw().catch(() => undefined), tty ? 1_000 : 5_000);

    await new Promise<void>((done) => {
      const finish = () => done();
      process.once('SIGINT', finish);
      process.once('SIGTERM', finish);
      if (options.durationMs !== undefined) setTimeout(finish, options.durationMs).unref();
    });
    clearInterval(fund);
    clearInterval(approve);
    clearInterval(accountant);
    clearTimeout(firstSync);
    clearInterval(importNow);
    clearInterval(drawTimer);
    await draw();
    return { counts: await counts(), funded, url };
  } finally {
    for (const world of worlds) world.stop();
    await server?.close();
    await runner?.stop();
    await hub.close();
    await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.close()));
  }
}

/** A tenant's exported records of one entity, counted by state. */
async function entityStates(runner: Runner, tenant: string, entity: Entity): Promise<Partial<Record<LedgerState, number>>> {
  const counts: Partial<Record<LedgerState, number>> = {};
  let cursor: string | undefined;
  do {
    const page = await runner.ledger.list({ tenant, entity, direction: 'export', limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    for (const item of page.items) counts[item.state] = (counts[item.state] ?? 0) + 1;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return counts;
}

/** Each tenant's Procore company gets its ERP connection (metadata from its connector), hook and trigger. */
async function connectCompanies(runner: Runner, destinationUrl: string, webhookSecret: string): Promise<void> {
  const client = runner.hub?.client;
  if (client === undefined) throw new Error('the demo config has no hub');
  for (const scope of runner.tenants.values()) {
    const companyId = scope.config.hubCompanyId;
    if (companyId === undefined) continue;
    const context = { signal: AbortSignal.timeout(30_000) };
    const { connector } = scope.runtime;
    await client.setup.ensureConnection(companyId, erpMetadataFor(connector.capabilities, { name: connector.manifest.displayName }), context);
    const hook = await client.setup.ensureHook(companyId, { destinationUrl, bearer: bearerFor(webhookSecret, companyId) }, context);
    await client.setup.ensureTrigger(companyId, hook.id, context);
  }
}

/** The demo's approver: payments waiting longer than 8 s are approved, the newest stay for the console. */
async function approveOld(runner: Runner): Promise<void> {
  const waiting = await runner.ledger.list({ state: 'awaiting_approval', limit: 100 });
  const cutoff = Date.now() - 8_000;
  for (const item of waiting.items) {
    if (Date.parse(item.createdAt) > cutoff) continue;
    await runner
      .tenant(item.tenant)
      .exporter.approve(item.id, { kind: 'user', id: 'demo-approver' })
      .catch(() => undefined);
  }
}

/**
 * The demo config's `plugins:` and the tenants of each ERP, read from the YAML as written (before the environment
 * the sandboxes provide exists): the demo must start a plugin's sandbox before the config can be validated.
 */
function configPlugins(file: string): { entries: string[]; tenantsOf(erp: string): { tenant: string; companyId: number }[] } {
  const raw = parse(readFileSync(file, 'utf8')) as { plugins?: unknown; tenants?: { id?: unknown; erp?: unknown; hubCompanyId?: unknown }[] } | null;
  const entries = Array.isArray(raw?.plugins) ? raw.plugins.filter((entry): entry is string => typeof entry === 'string') : [];
  const tenants = Array.isArray(raw?.tenants) ? raw.tenants : [];
  return {
    entries,
    tenantsOf: (erp) =>
      tenants
        .filter((tenant) => tenant.erp === erp && typeof tenant.id === 'string')
        .map((tenant) => ({ tenant: tenant.id as string, companyId: Number(tenant.hubCompanyId) })),
  };
}
