import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { bearerFor } from '@ledgerlink/connector-procore';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import type { LedgerItem, Payment, Requisition } from '@ledgerlink/core';
import type { FastifyInstance } from 'fastify';
import { hashToken } from '../src/auth/token-auth.js';
import type { Runner } from '../src/daemon.js';
import { createServer, type ServerOptions } from '../src/server/create-server.js';
import { runnerFor, tempDir, type LogCapture } from './support/runner-harness.js';

/**
 * A whole deployment for the API tests: the QuickBooks Online and Procore sandboxes on loopback, a runner on a
 * temporary SQLite file with two tenants (`acme`; `appr`, which requires approval) and one token per role,
 * and the HTTP server listening on a free port.
 */

export const HUB_COMPANY = 4264;
export const APPROVAL_COMPANY = 4265;
export const WEBHOOK_SECRET = 'whsec-test-0123456789';

/** One token per role and privilege (test values), plus an expired one. */
export const TOKENS = {
  read_only: 'll-read-only-token-a1',
  read_only_flagged: 'll-read-only-flagged-token-a2',
  standard: 'll-standard-token-b1',
  approver: 'll-standard-approver-token-b2',
  admin: 'll-admin-token-c1',
  admin_approver: 'll-admin-approver-token-c2',
  expired: 'll-expired-admin-token-d1',
} as const;
export type TokenName = keyof typeof TOKENS;

const TOKEN_CONFIG: Record<TokenName, { role: string; accountingApprover: boolean; expiresAt?: string }> = {
  read_only: { role: 'read_only', accountingApprover: false },
  // Seed 003: the privilege only counts on Standard or Admin; a read-only token with it is still read-only.
  read_only_flagged: { role: 'read_only', accountingApprover: true },
  standard: { role: 'standard', accountingApprover: false },
  approver: { role: 'standard', accountingApprover: true },
  admin: { role: 'admin', accountingApprover: false },
  admin_approver: { role: 'admin', accountingApprover: true },
  expired: { role: 'admin', accountingApprover: true, expiresAt: '2020-01-01T00:00:00Z' },
};

export interface ApiStack {
  runner: Runner;
  log: LogCapture;
  qbo: QboSandbox;
  hub: ProcoreSandbox;
  server: FastifyInstance;
  url: string;
  /** A payment of a fresh bill, vendor and bank account the QuickBooks sandbox knows. */
  payment(overrides?: Partial<Payment>): Payment;
  /** Records a payment the way the hub flow does; returns the ledger item. */
  intake(tenant: string, payment: Payment): Promise<LedgerItem>;
  /**
   * A Procore Pay contract payment in the Procore sandbox (project, vendor linked to the ERP, commitment,
   * requisition synced to the ERP, payment not yet funded) whose vendor, bill and bank the QuickBooks sandbox
   * knows. `overrides` change the canonical payment the ids come from (amount, check number, bank id).
   */
  hubPayment(options?: { company?: number; overrides?: Partial<Payment>; requisitionSynced?: boolean; taxCents?: number }): HubPayment;
  /** Creates each company's ERP connection, hook (to this runner, with the company's bearer) and trigger. */
  connectHooks(): Promise<void>;
  /** A failed record (a check number already used on its bank): needs-edit with `checkNumber`. */
  failedRecord(tenant?: string): Promise<LedgerItem>;
  /**
   * A failed requisition: its vendor's ERP id is one QuickBooks does not have, so the bill is refused. `vendorErpId`
   * is that id: seed the vendor with it and the requisition exported again goes through.
   */
  failedRequisition(tenant?: string): Promise<{ item: LedgerItem; requisition: Requisition; vendorErpId: string }>;
  /** Calls the API; `token` is a role name, a raw string, or undefined for none. */
  call(method: string, path: string, options?: { token?: TokenName | { raw: string }; body?: unknown; headers?: Record<string, string> }): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/** What `hubPayment` made: the Procore ids and what the ERP side knows. */
export interface HubPayment {
  contractPaymentId: number;
  requisitionId: number;
  billId: string;
  bankId: string;
  checkNumber: string;
  amountCents: number;
  company: number;
}

/** An API answer; `body` is the parsed JSON (typed loosely: each test asserts the shape it reads). */
export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers vary by route; tests check what they read
  body: any;
  text: string;
  headers: Headers;
}

let n = 0;

export async function startApiStack(
  options: { server?: ServerOptions; runnerConfig?: Record<string, unknown>; retry?: Record<string, unknown> } = {},
): Promise<ApiStack> {
  const qbo = await startQboSandbox();
  const hub = await createProcoreSandbox({
    seed: {
      companies: [
        { id: HUB_COMPANY, name: 'Sandbox Builders Inc.' },
        { id: APPROVAL_COMPANY, name: 'Approval Builders LLC' },
      ],
    },
  });
  const { dir, cleanup } = tempDir('ll-api-');
  const qboConnection = {
    baseUrl: qbo.url,
    tokenUrl: `${qbo.url}${QBO_SANDBOX_TOKEN_PATH}`,
    realmId: QBO_SANDBOX_APP.realmId,
    clientId: QBO_SANDBOX_APP.clientId,
    clientSecret: '${env:QBO_CLIENT_SECRET}',
    refreshToken: '${env:QBO_REFRESH_TOKEN}',
  };
  const tenant = (id: string, company: number, extra: Record<string, unknown> = {}) => ({
    id,
    erp: 'qbo',
    hubCompanyId: String(company),
    connection: qboConnection,
    retry: options.retry ?? { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  const config = {
    store: { sqlite: { path: 'ledger.db' } },
    hub: {
      connector: 'procore',
      connection: {
        apiBaseUrl: hub.url,
        tokenUrl: hub.tokenUrl,
        clientId: hub.serviceAccount.clientId,
        clientSecret: '${env:HUB_CLIENT_SECRET}',
        companyIds: [String(HUB_COMPANY), String(APPROVAL_COMPANY)],
      },
      webhookSecret: '${env:HUB_WEBHOOK_SECRET}',
      pollSeconds: 0,
    },
    tenants: [tenant('acme', HUB_COMPANY), tenant('appr', APPROVAL_COMPANY, { requireApproval: { payment: true } })],
    api: {
      tokens: (Object.keys(TOKENS) as TokenName[]).map((name) => ({ subject: `${name}@example.test`, sha256: hashToken(TOKENS[name]), ...TOKEN_CONFIG[name] })),
    },
    runner: { settleMs: 50, recoveryMs: 60_000 },
    logging: { level: 'debug', pretty: 'never' },
    ...options.runnerConfig,
  };
  const env = {
    QBO_CLIENT_SECRET: QBO_SANDBOX_APP.clientSecret,
    QBO_REFRESH_TOKEN: QBO_SANDBOX_APP.refreshToken,
    HUB_CLIENT_SECRET: hub.serviceAccount.clientSecret,
    HUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
  const { runner, log } = runnerFor(dir, config, env);
  await runner.start();
  const server = createServer(runner, options.server);
  const url = await server.listen({ host: '127.0.0.1', port: 0 });

  const payment = (overrides: Partial<Payment> = {}): Payment => {
    n += 1;
    const ids = { vendor: String(900 + n), bank: String(300 + n), bill: String(7000 + n) };
    const amountCents = 250_00 + n;
    qbo.seed({
      vendors: [{ id: ids.vendor, name: `Summit Drywall ${n}` }],
      bankAccounts: [{ id: ids.bank }],
      bills: [{ id: ids.bill, vendorId: ids.vendor, number: `INV-${n}`, amountCents }],
    });
    return {
      id: `hub-pay-${n}`,
      status: 'funding_complete',
      amountCents,
      method: 'check',
      fundedOn: '2026-11-30',
      bankId: ids.bank,
      checkNumber: String(40_000 + n),
      vendor: { id: `hub-v-${n}`, name: `Summit Drywall ${n}`, erpId: ids.vendor },
      invoice: { id: `hub-inv-${n}`, number: `INV-${n}`, amountCents, erpId: ids.bill },
      project: { id: 'hub-p-1', number: 'P-100' },
      ...overrides,
    };
  };
  const intake = async (tenantId: string, record: Payment): Promise<LedgerItem> => {
    const result = await runner.tenant(tenantId).exporter.intake(record);
    if (result.kind === 'ignored') throw new Error(`intake ignored the payment: ${result.reason}`);
    return result.item;
  };
  const call: ApiStack['call'] = async (method, path, callOptions = {}) => {
    const headers: Record<string, string> = { ...callOptions.headers };
    const token = callOptions.token;
    if (token !== undefined) headers.authorization = `Bearer ${typeof token === 'string' ? TOKENS[token] : token.raw}`;
    let body: string | undefined;
    if (callOptions.body !== undefined) {
      body = typeof callOptions.body === 'string' ? callOptions.body : JSON.stringify(callOptions.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (metrics, the console): the text is the body.
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
  const hubPayment: ApiStack['hubPayment'] = (hubOptions = {}) => {
    const company = hubOptions.company ?? HUB_COMPANY;
    const canonical = payment(hubOptions.overrides);
    const projectId = hub.addProject({ companyId: company, projectNumber: `P-${canonical.id}`, name: 'Harbor View Tower' });
    const vendorId = hub.addVendor({ companyId: company, name: canonical.vendor.name, originId: canonical.vendor.erpId as string });
    const commitmentId = hub.addCommitment({ projectId, vendorId, number: `SC-${canonical.id}` });
    const requisitionId = hub.addRequisition({
      commitmentId,
      invoiceNumber: canonical.invoice.number,
      totalCents: canonical.invoice.amountCents,
      ...(hubOptions.requisitionSynced === false ? {} : { originId: canonical.invoice.erpId as string }),
      ...(hubOptions.taxCents === undefined ? {} : { taxCents: hubOptions.taxCents }),
    });
    const contractPaymentId = hub.addContractPayment({
      requisitionId,
      amountCents: canonical.amountCents,
      paymentMethod: canonical.method,
      bankId: canonical.bankId,
      ...(canonical.checkNumber === undefined ? {} : { checkNumber: canonical.checkNumber }),
    });
    return {
      contractPaymentId,
      requisitionId,
      billId: canonical.invoice.erpId as string,
      bankId: canonical.bankId,
      checkNumber: canonical.checkNumber ?? '',
      amountCents: canonical.amountCents,
      company,
    };
  };
  const connectHooks = async (): Promise<void> => {
    const client = runner.hub?.client;
    if (client === undefined) throw new Error('the stack has no hub');
    for (const company of [HUB_COMPANY, APPROVAL_COMPANY]) {
      const context = { signal: AbortSignal.timeout(10_000) };
      await client.setup.ensureConnection(String(company), { settings: { labels: { name: 'QuickBooks Online' } } }, context);
      const hook = await client.setup.ensureHook(String(company), { destinationUrl: `${url}/webhooks/procore`, bearer: hookBearer(company) }, context);
      await client.setup.ensureTrigger(String(company), hook.id, context);
    }
  };
  const failedRecord = async (tenantId = 'acme'): Promise<LedgerItem> => {
    const first = payment();
    const firstItem = await intake(tenantId, first);
    await untilStateOf(runner, firstItem.id, 'synced');
    const clash = payment({ bankId: first.bankId, checkNumber: first.checkNumber });
    const item = await intake(tenantId, clash);
    return untilStateOf(runner, item.id, 'failed');
  };
  const failedRequisition: ApiStack['failedRequisition'] = async (tenantId = 'acme') => {
    n += 1;
    const vendorErpId = String(60_000 + n);
    const requisition: Requisition = {
      id: `hub-req-${n}`,
      number: `RQ-${n}`,
      billingDate: '2026-11-30',
      vendor: { id: `hub-v-req-${n}`, name: `Pier Framing ${n}`, erpId: vendorErpId },
      project: { id: 'hub-p-1', number: 'P-100' },
      commitment: { id: `hub-sc-${n}` },
      totalCents: 4_321_00,
      retainageCents: 0,
      lines: [{ id: `hub-line-${n}`, description: 'Framing', amountCents: 4_321_00, retainageCents: 0, costCodeOriginId: '60' }],
    };
    const taken = await runner.tenant(tenantId).exporter.intakeRecord('requisition', requisition);
    if (taken.kind === 'ignored') throw new Error(`intake ignored the requisition: ${taken.reason}`);
    return { item: await untilStateOf(runner, taken.item.id, 'failed'), requisition, vendorErpId };
  };
  return {
    runner,
    log,
    qbo,
    hub,
    server,
    url,
    payment,
    intake,
    hubPayment,
    connectHooks,
    failedRecord,
    failedRequisition,
    call,
    async close() {
      await server.close();
      await runner.stop();
      await Promise.all([qbo.close(), hub.close()]);
      cleanup();
    },
  };
}

/** Polls the ledger until the item is in `state`. */
export async function untilStateOf(runner: Runner, id: string, state: LedgerItem['state'], timeoutMs = 20_000): Promise<LedgerItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = await runner.ledger.get(id);
    if (item?.state === state) return item;
    if (Date.now() > deadline) throw new Error(`item ${id} did not reach ${state} (it is ${item?.state ?? 'missing'}; last error ${JSON.stringify(item?.lastError)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The bearer a company's hook sends (`destination_headers`), derived from the deployment's webhook secret. */
export function hookBearer(company: number | string = HUB_COMPANY, secret = WEBHOOK_SECRET): string {
  return bearerFor(secret, String(company));
}

/** A Procore webhook delivery (payload v2) naming an ERP Request, as Procore's delivery service sends it. */
export function erpRequestEvent(requestId: number | string, options: { company?: number; at?: Date; ulid?: string } = {}): Record<string, unknown> {
  n += 1;
  return {
    id: 100_000 + n,
    ulid: options.ulid ?? `01JTEST${String(n).padStart(19, '0')}`,
    timestamp: (options.at ?? new Date()).toISOString(),
    user_id: 1,
    company_id: options.company ?? HUB_COMPANY,
    project_id: null,
    api_version: 'v2',
    event_type: 'create',
    resource_name: 'ERP Requests',
    resource_id: Number(requestId),
    metadata: {},
  };
}
