import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErpSandbox, SandboxBill, SandboxFaults, SandboxOptions, SandboxStats, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import { createServerless, type Server as SoapServer } from 'soap';
import { faultEnvelope } from './answers.js';
import { vendorInvoicingServices, type CallState, type SandboxLogin } from './services.js';
import { VendorCompany } from './vendor-company.js';
import { SANDBOX_SERVICE_PATH, vendorInvoicingWsdl } from './wsdl.js';

export { SANDBOX_NAMESPACE, SANDBOX_SERVICE_PATH } from './wsdl.js';
export type { SandboxLogin } from './services.js';

/** The login and interface licence the sandbox database accepts. */
export const YARDI_SANDBOX_LOGIN: SandboxLogin = Object.freeze({
  userName: 'ledgerlink_itf',
  password: 'sandbox-password',
  serverName: 'sandbox_sql',
  database: 'afs_live',
  interfaceEntity: 'Ledgerlink Procore Pay',
  interfaceLicense: 'SANDBOX-LICENSE-KEY',
});

/**
 * The limit `enforceLimits` holds. Yardi publishes none [U]: the sandbox emulates the connector's conservative
 * default (60 calls a minute, 2 at once), chosen independently of the client's code.
 */
export const SANDBOX_LIMIT = { requests: 60, intervalMs: 60_000, concurrency: 2 };

const NO_FAULTS: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };

export interface YardiSandboxOptions extends SandboxOptions {
  /** The throttle answer's status: 503 "Server Too Busy" (IIS, the default) or 429. [U] */
  throttleStatus?: 429 | 503;
  /** Seconds in the throttle answer's `Retry-After` (default 1); `null` sends none (IIS's bare 503). */
  retryAfterSeconds?: number | null;
  /** Write a `code` attribute on each message (default true); off, the client must go by text alone. */
  messageCodes?: boolean;
  /** Job cost categories the jobs hold; when given, a payable detail naming another is refused. */
  categories?: string[];
}

/** The sandbox's control panel, with Yardi-specific views besides the ErpSandbox contract. */
export interface YardiSandbox extends ErpSandbox {
  /** The service URL (the connector's `url`). */
  readonly serviceUrl: string;
  /** Paid and total cents of a payable. */
  payable(id: string): { amountCents: number; paidCents: number } | undefined;
  /** The SOAP operation of every request, in arrival order (`?` when none could be read). */
  operations(): string[];
  setMessageCodes(on: boolean): void;
  /** Every payable: seeded, and created by requisition exports (erpId = PayableId). */
  bills(): SandboxBill[];
  /** Every vendor (erpId = code = VendorId). */
  vendors(): SandboxVendor[];
  /** A vendor entered in Yardi itself; returns its VendorId. */
  addVendor(input: SandboxVendorInput): string;
}

/**
 * Starts the Yardi Voyager sandbox: a node:http server on a loopback port that serves the Vendor Invoicing
 * interface at `/webservices/ItfVendorInvoicing.asmx`, through the `soap` package's server and a WSDL written
 * for it (a reading of the wire format independent of the client, which builds its envelopes itself). Faults,
 * counters and throttling happen here, before the SOAP layer, as IIS answers before the service does.
 */
export async function startYardiSandbox(options: YardiSandboxOptions = {}): Promise<YardiSandbox> {
  const company = new VendorCompany();
  if (options.seed !== undefined) company.seed(options.seed);
  if (options.categories !== undefined) company.categories = new Set(options.categories);
  let faults: SandboxFaults = { ...NO_FAULTS, ...options.faults };
  let stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  let messageCodes = options.messageCodes ?? true;
  const operationsSeen: string[] = [];
  let inFlight = 0;
  const throttleStatus = options.throttleStatus ?? 503;
  const retryAfter = options.retryAfterSeconds === null ? undefined : String(options.retryAfterSeconds ?? 1);

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  const serviceUrl = `${url}${SANDBOX_SERVICE_PATH}`;
  const wsdl = vendorInvoicingWsdl(serviceUrl);

  const services = vendorInvoicingServices({
    company,
    login: YARDI_SANDBOX_LOGIN,
    messageCodes: () => messageCodes,
    takeCommitThenDrop: () => {
      if (faults.commitThenDrop <= 0) return false;
      faults.commitThenDrop -= 1;
      return true;
    },
  });
  const soap = await new Promise<SoapServer>((resolve, reject) => {
    void createServerless({
      path: SANDBOX_SERVICE_PATH,
      services,
      xml: wsdl,
      preserveWhitespace: true,
      suppressStack: true,
      enableChunkedEncoding: false,
      callback: (error: unknown, ready: SoapServer) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(ready)),
    });
  });

  const overLimit = (now: number): boolean =>
    inFlight > SANDBOX_LIMIT.concurrency ||
    stats.arrivals.filter((arrival) => now - arrival < SANDBOX_LIMIT.intervalMs).length > SANDBOX_LIMIT.requests;

  const throttle = (response: ServerResponse): void => {
    stats.throttled += 1;
    send(response, throttleStatus, faultEnvelope('soap:Server', 'Server Too Busy'), retryAfter === undefined ? {} : { 'retry-after': retryAfter });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const now = Date.now();
    stats.requests += 1;
    stats.arrivals.push(now);
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    response.on('close', () => (inFlight -= 1));

    const body = await readBody(request);
    operationsSeen.push(/<(?:\w+:)?(ImportCheck_Login|GetCheckInvoice|GetPayables2|ImportPayable_Login|ImportVendors_Login|GetVendors_Login|GetVendor_Login)\b/.exec(body)?.[1] ?? '?');
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.throttleNext > 0) {
      faults.throttleNext -= 1;
      return throttle(response);
    }
    if (faults.enforceLimits && overLimit(now)) return throttle(response);
    if (faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) {
      return send(response, 500, faultEnvelope('soap:Server', 'Server was unable to process request. ---> Transaction was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.'));
    }
    const path = new URL(request.url ?? '/', url).pathname;
    if (path.toLowerCase() !== SANDBOX_SERVICE_PATH.toLowerCase()) return send(response, 404, 'The resource cannot be found.', {}, 'text/plain');
    if (request.method === 'GET') return send(response, 200, wsdl, {}, 'text/xml');
    if (request.method !== 'POST') return send(response, 405, 'Method not allowed.', {}, 'text/plain');
    if (/<!DOCTYPE|<!ENTITY/i.test(body)) {
      return send(response, 500, faultEnvelope('soap:Client', 'Server was unable to read request. ---> DTD is prohibited in this XML document.'));
    }

    const state: CallState = { dropAnswer: false };
    const answer = await soap.processRequest(body, {
      url: SANDBOX_SERVICE_PATH,
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', ...(typeof request.headers.soapaction === 'string' ? { soapaction: request.headers.soapaction } : {}) },
      connection: state,
    });
    if (state.dropAnswer) {
      // The check is stored; the caller never hears so.
      request.socket.destroy();
      return;
    }
    send(response, answer.statusCode, answer.body);
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => send(response, 500, faultEnvelope('soap:Server', `Server was unable to process request. ---> ${String(error)}`)));
  });

  return {
    url,
    serviceUrl,
    seed: (seed) => company.seed(seed),
    setFaults: (changes) => void (faults = { ...faults, ...changes }),
    payments: () => company.payments(),
    addPayment: (input) => company.addCheck(input),
    stats: () => structuredClone(stats),
    resetStats: () => void (stats = { requests: 0, throttled: 0, maxConcurrent: inFlight, arrivals: [] }),
    payable: (id) => {
      const payable = company.payables.get(id);
      return payable === undefined ? undefined : { amountCents: payable.amountCents, paidCents: payable.paidCents };
    },
    operations: () => [...operationsSeen],
    setMessageCodes: (on) => void (messageCodes = on),
    bills: () => company.bills(),
    vendors: () => company.vendors(),
    addVendor: (input) => company.addVendor(input),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, type = 'text/xml; charset=utf-8'): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'content-type': type, ...headers });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
