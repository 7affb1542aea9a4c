import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connections } from './connections.js';
import { handleControl } from './control-routes.js';
import { DeliveryService } from './deliveries.js';
import { detailWire, ErpRequests, requestWire } from './erp-requests.js';
import { ErpTool } from './erp-tool.js';
import { ExternalData } from './external-data.js';
import { errors, isRecord, json, parseJson, readBody, SandboxRefusal, send, type Answer } from './http-io.js';
import { COMMITMENT_ITEM_TYPE, HubObjects } from './hub-objects.js';
import { IdSequence, toId } from './ids.js';
import { InvoicePayments } from './invoice-payments.js';
import { ClientCredentialsGrant } from './oauth.js';
import { RateLimiter } from './rate-limit.js';
import { endpointOf, handleRest, isWrite, type RestState } from './rest-routes.js';
import { StagedRecords } from './staged-records.js';
import type { ProcoreSandbox, ProcoreSandboxFaults, ProcoreSandboxOptions, ProcoreSandboxSeed, ProcoreSandboxStats, SeedCounts, ServiceAccount } from './types.js';

export type * from './types.js';
export { SandboxRefusal } from './http-io.js';
export { generatePayments } from './generate.js';
export type { GeneratedPayment, GeneratedPayments, GeneratePaymentsOptions, PaymentScenario } from './generate.js';

/** The service account the sandbox knows unless told otherwise (test values, not secrets). */
export const PROCORE_SANDBOX_SERVICE_ACCOUNT: ServiceAccount = {
  clientId: 'sandbox-procore-dmsa-client-id',
  clientSecret: 'sandbox-procore-dmsa-client-secret',
};

const NO_FAULTS: ProcoreSandboxFaults = { latencyMs: 0, errorRate: 0, throttleNext: 0, retryAfterSeconds: 1, commitThenDrop: 0 };
const REST_BODY_MAX_BYTES = 10_000_000;
const CONTROL_BODY_MAX_BYTES = 256_000_000;
const THROTTLE_TEXT = 'You have surpassed the max number of requests for an hour. Please wait until your limit resets.';

/**
 * Starts a Procore company (or several) with the ERP Integrations tool, in memory, on 127.0.0.1 (a free port unless
 * told): the REST API of PLATFORM-WIRE.md under `/rest/v1.0`, the token endpoint at `/oauth/token`, webhook
 * deliveries to every hook with an `ERP Requests` / `create` trigger, and the control endpoints under `/_sandbox/`.
 */
export async function createProcoreSandbox(options: ProcoreSandboxOptions = {}): Promise<ProcoreSandbox> {
  const account: ServiceAccount = { ...PROCORE_SANDBOX_SERVICE_ACCOUNT, ...options.serviceAccount };
  const grant = new ClientCredentialsGrant(account, options.accessTokenTtlMs ?? 5_400_000);
  const limiter = new RateLimiter(options.rateLimit?.limit ?? 3_600, options.rateLimit?.windowMs ?? 3_600_000);
  const enforceLimit = options.rateLimit?.enforce ?? false;
  const ids = new IdSequence();
  const objects = new HubObjects(ids);
  const externalData = new ExternalData();
  const requests = new ErpRequests(ids, options.integrationAppName ?? null);
  const invoicePayments = new InvoicePayments(ids, objects);
  const stagedRecords = new StagedRecords(ids, (companyId, itemTypes, originId) =>
    itemTypes.some((itemType) =>
      externalData.itemsWithOrigin(itemType, originId).some((id) => (itemType === 'project' ? objects.projects.get(id) : objects.commitments.get(id))?.companyId === companyId),
    ),
  );
  const connections = new Connections(ids);
  const deliveries = new DeliveryService({
    timeoutMs: options.webhooks?.timeoutMs ?? 5_000,
    baseDelayMs: options.webhooks?.baseDelayMs ?? 1_000,
    maxDelayMs: options.webhooks?.maxDelayMs ?? 3_600_000,
    horizonMs: options.webhooks?.horizonMs ?? 12 * 3_600_000,
    concurrency: options.webhooks?.concurrency ?? 4,
  });
  const tool = new ErpTool(objects, externalData, requests, invoicePayments, connections, deliveries, stagedRecords);
  const state: RestState = { objects, externalData, requests, invoicePayments, stagedRecords, connections, deliveries };
  let faults: ProcoreSandboxFaults = { ...NO_FAULTS, ...options.faults };
  const freshStats = (): ProcoreSandboxStats => ({ requests: 0, throttled: 0, tokenRequests: 0, tokensIssued: 0, maxConcurrent: 0, byEndpoint: {} });
  let stats = freshStats();
  let tokenBase = { requests: 0, issued: 0 };
  let inFlight = 0;

  function link(itemType: string, itemId: number, originId: string | undefined): void {
    if (originId === undefined) return;
    if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `${itemType} ${itemId}: originId must be a non-blank string`);
    const outcome = externalData.write(itemType, itemId, originId, undefined);
    if ('refused' in outcome) throw new SandboxRefusal(422, outcome.refused);
  }

  /** A seed list, checked: an array of objects, or nothing. */
  function listOf<T>(value: T[] | undefined, what: string): T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new SandboxRefusal(400, `seed.${what} must be an array`);
    value.forEach((entry, index) => {
      if (!isRecord(entry)) throw new SandboxRefusal(422, `seed.${what}[${index}] must be an object`);
    });
    return value;
  }

  function seed(input: ProcoreSandboxSeed): SeedCounts {
    const raw: unknown = input;
    if (!isRecord(raw)) throw new SandboxRefusal(400, 'the seed must be an object');
    const now = new Date().toISOString();
    const today = now.slice(0, 10);
    for (const company of listOf(input.companies, 'companies')) objects.addCompany(company);
    for (const project of listOf(input.projects, 'projects')) link('project', objects.addProject(project).id, project.originId);
    for (const vendor of listOf(input.vendors, 'vendors')) link('vendor', objects.addVendor(vendor, now).id, vendor.originId);
    for (const commitment of listOf(input.commitments, 'commitments')) {
      const added = objects.addCommitment(commitment);
      link(COMMITMENT_ITEM_TYPE[added.kind], added.id, commitment.originId);
    }
    for (const requisition of listOf(input.requisitions, 'requisitions')) link('requisition', objects.addRequisition(requisition, today, now).id, requisition.originId);
    for (const payment of listOf(input.contractPayments, 'contractPayments')) objects.addContractPayment(payment, now.replace(/\.\d{3}Z$/, 'Z'));
    for (const payment of listOf(input.invoicePayments, 'invoicePayments')) invoicePayments.seed(payment);
    return {
      companies: input.companies?.length ?? 0,
      projects: input.projects?.length ?? 0,
      vendors: input.vendors?.length ?? 0,
      commitments: input.commitments?.length ?? 0,
      requisitions: input.requisitions?.length ?? 0,
      contractPayments: input.contractPayments?.length ?? 0,
      invoicePayments: input.invoicePayments?.length ?? 0,
    };
  }
  if (options.seed !== undefined) seed(options.seed);

  async function rest(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    stats.requests++;
    const endpoint = endpointOf(method, url.pathname);
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
    inFlight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    try {
      const raw = await readBody(request, REST_BODY_MAX_BYTES);
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const auth = grant.bearer(request.headers.authorization);
      if ('problem' in auth) {
        return send(response, json(401, { error: 'invalid_token', error_description: auth.problem }, { 'www-authenticate': `Bearer realm="Procore", error="invalid_token", error_description="${auth.problem}"` }));
      }
      const report = limiter.count(auth.token, Date.now());
      const rate: Record<string, string> = { 'x-rate-limit-limit': String(report.limit), 'x-rate-limit-remaining': String(report.remaining), 'x-rate-limit-reset': String(report.reset) };
      if (faults.throttleNext > 0) {
        faults.throttleNext--;
        stats.throttled++;
        const retryAfter = Math.max(0, faults.retryAfterSeconds);
        return send(response, errors(429, THROTTLE_TEXT), { ...rate, 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + retryAfter), 'retry-after': String(retryAfter) });
      }
      if (enforceLimit && report.exceeded) {
        stats.throttled++;
        return send(response, errors(429, THROTTLE_TEXT), { ...rate, 'retry-after': String(Math.max(1, Math.ceil(report.resetInMs / 1000))) });
      }
      if (faults.errorRate > 0 && Math.random() < faults.errorRate) return send(response, errors(500, 'Internal Server Error'), rate);
      const header = request.headers['procore-company-id'];
      const companyId = typeof header === 'string' && /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : undefined;
      if (companyId === undefined) return send(response, errors(400, 'the Procore-Company-Id header is required and must be a company id'), rate);
      if (!objects.companies.has(companyId)) return send(response, errors(403, `the service account has no access to company ${companyId}`), rate);
      let body: unknown;
      if (isWrite(method)) {
        try {
          body = parseJson(raw);
        } catch (error) {
          return send(response, errors(400, error instanceof Error ? error.message : 'bad body'), rate);
        }
      }
      const answer = handleRest(state, { method, url, companyId, body });
      if (isWrite(method) && answer.status < 300 && faults.commitThenDrop > 0) {
        faults.commitThenDrop--;
        request.socket.destroy();
        return;
      }
      send(response, answer, rate);
    } finally {
      inFlight--;
    }
  }

  async function control(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(request, CONTROL_BODY_MAX_BYTES);
    const body = request.method === 'GET' ? {} : parseJson(raw);
    send(response, handleControl(sandbox, request.method ?? 'GET', url.pathname, body));
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    let handled: Promise<void>;
    if (request.method === 'POST' && url.pathname === '/oauth/token') {
      handled = readBody(request, 100_000).then((raw) => send(response, grant.token(request.headers['content-type'], request.headers.authorization, raw)));
    } else if (url.pathname.startsWith('/rest/')) handled = rest(request, response, url);
    else if (url.pathname.startsWith('/_sandbox/')) handled = control(request, response, url);
    else handled = Promise.resolve(send(response, errors(404, `no route matches ${request.method ?? 'GET'} ${url.pathname}`)));
    handled.catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      const answer: Answer = error instanceof SandboxRefusal ? json(error.status, { error: error.message }) : json(500, { error: error instanceof Error ? error.message : String(error) });
      send(response, answer);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const now = (): string => new Date().toISOString();

  const sandbox: ProcoreSandbox = {
    url,
    tokenUrl: `${url}/oauth/token`,
    serviceAccount: { ...account },
    seed,
    addCompany: (input) => objects.addCompany(input).id,
    addProject(input) {
      const id = objects.addProject(input).id;
      link('project', id, input.originId);
      return id;
    },
    addVendor(input) {
      const id = objects.addVendor(input, now()).id;
      link('vendor', id, input.originId);
      return id;
    },
    addCommitment(input) {
      const added = objects.addCommitment(input);
      link(COMMITMENT_ITEM_TYPE[added.kind], added.id, input.originId);
      return added.id;
    },
    addRequisition(input) {
      const id = objects.addRequisition(input, now().slice(0, 10), now()).id;
      link('requisition', id, input.originId);
      return id;
    },
    addContractPayment: (input) => objects.addContractPayment(input, now().replace(/\.\d{3}Z$/, 'Z')).id,
    fundPayment: (id, fundOptions) => tool.fundPayment(id, fundOptions?.dateFunded),
    exportPayment: (id, edits) => tool.exportPayment(id, edits),
    syncPayments: (companyId) => tool.syncPayments(companyId),
    refreshVendors: (companyId) => tool.refreshVendors(companyId),
    exportVendor: (vendorId) => tool.exportVendor(vendorId),
    exportRequisitions: (requisitionIds) => tool.exportRequisitions(requisitionIds),
    resetPayment: (invoicePaymentId, resetOptions) => tool.resetPayment(invoicePaymentId, resetOptions?.resetOverride ?? false),
    markRequisitionSynced: (requisitionId, originId) => tool.markRequisitionSynced(requisitionId, originId),
    importStagedVendor: (stagedRecordId) => tool.importStagedVendor(stagedRecordId, now()),
    linkVendor: (vendorId, originId) => tool.linkVendor(vendorId, originId),
    unlinkVendor: (vendorId) => tool.unlinkVendor(vendorId),
    resetRequisition: (requisitionId, resetOptions) => tool.resetRequisition(requisitionId, resetOptions?.resetOverride ?? false),
    requisition: (id) => tool.requisitionView(objects.requisition(id)),
    vendor: (id) => tool.vendorView(objects.vendor(id)),
    erpTool: (companyId) => tool.view(companyId),
    contractPayment: (id) => tool.contractPaymentView(objects.contractPayment(id)),
    contractPaymentPayload: (id) => tool.contractPaymentPayload(objects.contractPayment(id)),
    erpRequest(id) {
      const request = requests.requests.get(toId(id, 'erp request'));
      return request === undefined ? undefined : requestWire(request);
    },
    requestDetail(id) {
      const detail = requests.details.get(toId(id, 'request detail'));
      return detail === undefined ? undefined : detailWire(detail);
    },
    externalData(itemType, itemId) {
      const record = externalData.get(itemType, toId(itemId, itemType));
      return record === undefined ? undefined : { ...record };
    },
    paymentsIssued: (companyId) => invoicePayments.ofCompany(objects.company(companyId).id),
    stagedRecords: (companyId) => stagedRecords.list(objects.company(companyId).id, null, null),
    erpConnections: (companyId) => connections.connectionsOf(objects.company(companyId).id),
    hooks: (companyId) => connections.hooksOf(companyId === undefined ? undefined : objects.company(companyId).id),
    deliveries: () => deliveries.list(),
    deliveriesIdle: () => deliveries.idle(),
    setDeliveryKnobs: (knobs) => deliveries.setKnobs(knobs),
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    stats: () => ({ ...stats, byEndpoint: { ...stats.byEndpoint }, tokenRequests: grant.requests - tokenBase.requests, tokensIssued: grant.issued - tokenBase.issued }),
    resetStats() {
      stats = freshStats();
      tokenBase = { requests: grant.requests, issued: grant.issued };
    },
    expireAccessTokens: () => grant.expireAll(),
    async close() {
      deliveries.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sandbox;
}
