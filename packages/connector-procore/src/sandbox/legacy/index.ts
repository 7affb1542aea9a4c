import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubData } from './hub-data.js';
import { json, message, readBody, send } from './http-io.js';
import { SandboxOAuth, type SandboxApp } from './oauth.js';
import { RateWindows } from './rate-window.js';
import { isWrite, route } from './routes.js';
import type { Delivery, IdInput, InvoiceInput, PaymentInput, ProcoreSandboxFaults, ProcoreSandboxSeed, ProcoreSandboxStats, VendorInput } from './types.js';
import { ulid, WebhookSender, type Subscription } from './webhook-sender.js';

export type * from './types.js';
export type { Subscription } from './webhook-sender.js';
import type { ProcoreSandboxSeed as PlatformSeed } from '../types.js';

/**
 * The platform sandbox's seed (what `generatePayments` now makes) in this sandbox's shapes, so the callers not yet
 * moved to the platform keep working until they are; deleted with this folder.
 */
function fromPlatformSeed(seed: ProcoreSandboxSeed | PlatformSeed): ProcoreSandboxSeed {
  if (!('requisitions' in seed) && !('contractPayments' in seed)) return seed as ProcoreSandboxSeed;
  const platform = seed as PlatformSeed;
  return {
    companies: platform.companies ?? [],
    projects: (platform.projects ?? []).map((p) => ({ ...(p.id === undefined ? {} : { id: p.id }), companyId: p.companyId, number: p.projectNumber, ...(p.name === undefined ? {} : { name: p.name }) })),
    vendors: (platform.vendors ?? []).map((v) => ({ ...(v.id === undefined ? {} : { id: v.id }), companyId: v.companyId, name: v.name, ...(v.originCode === undefined ? {} : { code: v.originCode }), ...(v.originId === undefined ? {} : { erpId: v.originId }) })),
    commitments: (platform.commitments ?? []).map((c) => ({ ...(c.id === undefined ? {} : { id: c.id }), projectId: c.projectId, vendorId: c.vendorId, ...(c.number === undefined ? {} : { number: c.number }), ...(c.title === undefined ? {} : { title: c.title }) })),
    invoices: (platform.requisitions ?? []).map((r) => ({ ...(r.id === undefined ? {} : { id: r.id }), commitmentId: r.commitmentId, number: r.invoiceNumber, amountCents: r.totalCents, ...(r.originId === undefined ? {} : { erpId: r.originId }) })),
    payments: (platform.contractPayments ?? []).map((p) => ({
      ...(p.id === undefined ? {} : { id: p.id }),
      invoiceId: p.requisitionId,
      amountCents: p.amountCents,
      method: p.paymentMethod,
      bankId: p.bankId,
      ...(p.checkNumber === undefined ? {} : { checkNumber: p.checkNumber }),
      ...(p.paymentNumber === undefined ? {} : { paymentNumber: p.paymentNumber }),
    })),
  };
}

/** The app the sandbox knows unless told otherwise (test values, not secrets). */
export const PROCORE_SANDBOX_APP: SandboxApp = {
  clientId: 'sandbox-procore-client-id',
  clientSecret: 'sandbox-procore-client-secret',
  refreshToken: 'sandbox-procore-refresh-token-0',
};

export interface ProcoreSandboxOptions {
  port?: number;
  host?: string;
  app?: Partial<SandboxApp>;
  seed?: ProcoreSandboxSeed | PlatformSeed;
  faults?: Partial<ProcoreSandboxFaults>;
  /** Access token lifetime (Procore: 5400 s, 90 minutes). */
  accessTokenTtlSeconds?: number;
  /** Requests per token per hour (Procore: 3,600). */
  hourlyLimit?: number;
  /** Requests per token per spike window (Procore varies it; 25 here). */
  spikeLimit?: number;
  spikeWindowMs?: number;
  /** Webhook delivery: timeout (5 s), first retry delay (1 s, doubling), longest delay (1 h), horizon (12 h). */
  webhooks?: { timeoutMs?: number; baseDelayMs?: number; maxDelayMs?: number; horizonMs?: number };
  /** The hub's clock for record times and token expiry. */
  now?: () => Date;
}

/** The sandbox's control panel: seed data, move payments, watch webhooks, set faults. */
export interface ProcoreSandbox {
  /** Base URL: both `baseUrl` and `loginUrl` of the connector's config. */
  readonly url: string;
  readonly app: SandboxApp;
  seed(seed: ProcoreSandboxSeed | PlatformSeed): void;
  addCompany(name: string, id?: IdInput): number;
  addProject(companyId: IdInput, number: string, name?: string, id?: IdInput): number;
  addVendor(input: VendorInput): number;
  addCommitment(projectId: IdInput, vendorId: IdInput, id?: IdInput): number;
  addInvoice(input: InvoiceInput): number;
  addPayment(input: PaymentInput): number;
  /** Moves a payment to 'Funding Complete' and sends `payment.funding_complete` to every subscriber. */
  fundPayment(paymentId: IdInput, fundedOn?: string): Record<string, unknown>;
  /** Marks an invoice synced to the ERP with `erpId` and sends `invoice.synced`. */
  syncInvoice(invoiceId: IdInput, erpId: string): Record<string, unknown>;
  /** A payment as the API shows it. */
  payment(paymentId: IdInput): Record<string, unknown> | undefined;
  /** Contract payments (Payments Issued) written in a company, as the API shows them. */
  paymentsIssued(companyId: IdInput): Record<string, unknown>[];
  /** Registers a webhook receiver. */
  subscribe(subscription: Subscription): void;
  /** Every delivery with its attempts. */
  deliveries(): Delivery[];
  /** Resolves when no webhook delivery is pending. */
  deliveriesIdle(): Promise<void>;
  setFaults(faults: Partial<ProcoreSandboxFaults>): void;
  stats(): ProcoreSandboxStats;
  resetStats(): void;
  /** Ends every access token: the next API call gets a 401. */
  expireAccessTokens(): void;
  /** A new valid refresh token (as reconnecting the app gives one): each client needs its own, they are single-use. */
  issueRefreshToken(): string;
  /** Stops the server and every pending webhook retry. */
  close(): Promise<void>;
}

const NO_FAULTS: ProcoreSandboxFaults = {
  latencyMs: 0, throttleNext: 0, throttleResetSeconds: 1, unavailableNext: 0, retryAfterSeconds: 1, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false,
};

const THROTTLE_TEXT = 'You have surpassed the max number of requests for an hour. Please wait until your limit resets.';

/** Starts a Procore sandbox on 127.0.0.1 (a free port unless told). */
export async function startProcoreSandbox(options: ProcoreSandboxOptions = {}): Promise<ProcoreSandbox> {
  const now = options.now ?? (() => new Date());
  const app: SandboxApp = { ...PROCORE_SANDBOX_APP, ...options.app };
  const oauth = new SandboxOAuth(app, options.accessTokenTtlSeconds ?? 5400, now);
  const data = new HubData(now);
  if (options.seed !== undefined) data.seed(fromPlatformSeed(options.seed));
  const sender = new WebhookSender({
    timeoutMs: options.webhooks?.timeoutMs ?? 5_000,
    baseDelayMs: options.webhooks?.baseDelayMs ?? 1_000,
    maxDelayMs: options.webhooks?.maxDelayMs ?? 3_600_000,
    horizonMs: options.webhooks?.horizonMs ?? 12 * 3_600_000,
  });
  const windows = new Map<string, RateWindows>();
  let faults: ProcoreSandboxFaults = { ...NO_FAULTS, ...options.faults };
  const freshStats = (): ProcoreSandboxStats => ({ requests: 0, throttled: 0, unavailable: 0, tokenRequests: 0, tokenRotations: 0, maxConcurrent: 0, log: [] });
  let stats = freshStats();
  let tokenBase = { requests: 0, rotations: 0 };
  let inFlight = 0;

  async function api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    stats.requests++;
    stats.log.push(`${request.method ?? 'GET'} ${url.pathname}${url.search}`);
    inFlight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    try {
      const raw = await readBody(request);
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const grant = oauth.bearer(request.headers.authorization);
      if ('problem' in grant) return send(response, message(401, grant.problem));
      let window = windows.get(grant.token);
      if (window === undefined) {
        window = new RateWindows(options.hourlyLimit ?? 3600, options.spikeLimit ?? 25, options.spikeWindowMs ?? 10_000);
        windows.set(grant.token, window);
      }
      const report = window.count(Date.now());
      let rate: Record<string, string> = {
        'x-rate-limit-limit': String(report.limit),
        'x-rate-limit-remaining': String(report.remaining),
        'x-rate-limit-reset': String(report.reset),
      };
      if (faults.throttleNext > 0 || (faults.enforceLimits && report.exceeded)) {
        if (faults.throttleNext > 0) {
          faults.throttleNext--;
          rate = { ...rate, 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + faults.throttleResetSeconds) };
        }
        stats.throttled++;
        return send(response, { status: 429, body: THROTTLE_TEXT }, rate);
      }
      if (faults.unavailableNext > 0) {
        faults.unavailableNext--;
        stats.unavailable++;
        return send(response, { status: 503, body: 'Service Unavailable', headers: { 'retry-after': String(faults.retryAfterSeconds) } }, rate);
      }
      if (faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) return send(response, message(500, 'Internal Server Error'), rate);
      const companyHeader = request.headers['procore-company-id'];
      if (typeof companyHeader === 'string' && !data.companies.has(Number(companyHeader))) {
        return send(response, message(403, 'App is not connected to this company'), rate);
      }
      let body: unknown;
      if (isWrite(request.method ?? 'GET')) {
        try {
          body = JSON.parse(raw) as unknown;
        } catch {
          return send(response, message(400, 'The request body is not valid JSON'), rate);
        }
      }
      const answer = route(data, request.method ?? 'GET', url, body, now());
      if (isWrite(request.method ?? 'GET') && answer.status < 300 && faults.commitThenDrop > 0) {
        faults.commitThenDrop--;
        request.socket.destroy();
        return;
      }
      send(response, answer, rate);
    } finally {
      inFlight--;
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const handled: Promise<void> =
      request.method === 'POST' && url.pathname === '/oauth/token'
        ? readBody(request).then((body) => send(response, oauth.token(request.headers['content-type'], body)))
        : url.pathname.startsWith('/rest/')
          ? api(request, response, url)
          : Promise.resolve(send(response, message(404, `No route matches ${request.method ?? 'GET'} ${url.pathname}`)));
    handled.catch((error: unknown) => {
      if (!response.headersSent && !request.socket.destroyed) send(response, json(500, { message: error instanceof Error ? error.message : String(error) }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  /** Procore webhook payload v2.0; `metadata.status` is this sandbox's addition [I] naming the new state. */
  function event(resourceName: string, resourceId: number, companyId: number, projectId: number, status: string): { id: string; payload: Record<string, unknown> } {
    const at = now();
    const id = ulid(at.getTime());
    return {
      id,
      payload: {
        id: Math.floor(at.getTime() / 1000) * 1000 + Math.floor(Math.random() * 1000),
        ulid: id,
        timestamp: at.toISOString(),
        metadata: { source_user_id: 1, source_project_id: projectId, source_operation_id: null, source_company_id: companyId, source_application_id: null, status },
        user_id: 1,
        company_id: companyId,
        project_id: projectId,
        api_version: 'v2',
        event_type: 'update',
        resource_name: resourceName,
        resource_id: resourceId,
      },
    };
  }

  return {
    url,
    app: { ...app },
    seed: (seed) => data.seed(fromPlatformSeed(seed)),
    addCompany: (name, id) => data.addCompany({ name, ...(id === undefined ? {} : { id }) }),
    addProject: (companyId, number, name, id) => data.addProject({ companyId, number, ...(name === undefined ? {} : { name }), ...(id === undefined ? {} : { id }) }),
    addVendor: (input) => data.addVendor(input),
    addCommitment: (projectId, vendorId, id) => data.addCommitment({ projectId, vendorId, ...(id === undefined ? {} : { id }) }),
    addInvoice: (input) => data.addInvoice(input),
    addPayment: (input) => data.addPayment(input),
    fundPayment(paymentId, fundedOn) {
      const payment = data.fund(paymentId, fundedOn);
      const wire = data.paymentWire(payment);
      const projectId = (wire.project as { id: number }).id;
      const { id, payload } = event('Disbursements', payment.id, data.companyOfPayment(payment).id, projectId, 'funding_complete');
      sender.publish(id, 'payment.funding_complete', String(payment.id), payload);
      return wire;
    },
    syncInvoice(invoiceId, erpId) {
      const invoice = data.sync(invoiceId, erpId);
      const project = data.projectOfInvoice(invoice);
      const { id, payload } = event('Requisitions', invoice.id, project.companyId, project.id, 'synced');
      sender.publish(id, 'invoice.synced', String(invoice.id), payload);
      return data.requisitionWire(invoice);
    },
    payment(paymentId) {
      const payment = data.payments.get(Number(paymentId));
      return payment === undefined ? undefined : data.paymentWire(payment);
    },
    paymentsIssued(companyId) {
      return [...data.contractPayments.values()].filter((p) => data.projects.get(p.projectId)?.companyId === Number(companyId)).map((p) => data.contractPaymentWire(p));
    },
    subscribe: (subscription) => sender.subscribe(subscription),
    deliveries: () => sender.list(),
    deliveriesIdle: () => sender.idle(),
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    stats: () => ({ ...stats, log: [...stats.log], tokenRequests: oauth.requests - tokenBase.requests, tokenRotations: oauth.rotations - tokenBase.rotations }),
    resetStats() {
      stats = freshStats();
      tokenBase = { requests: oauth.requests, rotations: oauth.rotations };
    },
    expireAccessTokens: () => oauth.expireAccessTokens(),
    issueRefreshToken: () => oauth.issueRefreshToken(),
    async close() {
      sender.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
