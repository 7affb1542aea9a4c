import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErpSandbox, SandboxFaults, SandboxOptions, SandboxStats, StartSandbox } from '@ledgerlink/core';
import { errorAnswer, ExampleCompany, type Answer } from './company.js';

/** The API key the sandbox accepts. */
export const EXAMPLE_API_KEY = 'example-sandbox-key';

/** The Example ERP's published limit, which `enforceLimits` holds: 20 requests a second, 4 at once. */
const PUBLISHED_LIMIT = { requests: 20, intervalMs: 1_000, concurrency: 4 };

/** Seconds the Example ERP asks a throttled caller to wait. */
const RETRY_AFTER_SECONDS = '1';

/** The writes, each with the Idempotency-Key rules of payments; `commitThenDrop` drops the answer of any of them. */
const CREATE: Record<string, (company: ExampleCompany, body: unknown, key: string | undefined) => { answer: Answer; committed: boolean }> = {
  'POST /v1/payments': (company, body, key) => company.createPayment(body, key),
  'POST /v1/bills': (company, body, key) => company.createBill(body, key),
  'POST /v1/vendors': (company, body, key) => company.createVendor(body, key),
};

const NO_FAULTS: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };

/**
 * Starts the Example ERP sandbox: a real HTTP server on a loopback port that speaks the Example ERP's wire
 * format (see ../README.md), with the fault knobs and counters of the ErpSandbox contract.
 */
export const startExampleSandbox: StartSandbox = async (options: SandboxOptions = {}) => {
  const company = new ExampleCompany();
  if (options.seed !== undefined) company.seed(options.seed);
  let faults: SandboxFaults = { ...NO_FAULTS, ...options.faults };
  let stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  let inFlight = 0;

  const throttle = (response: ServerResponse): void => {
    stats.throttled += 1;
    send(response, { ...errorAnswer(429, 'RATE_LIMITED', 'Too many requests. Retry after the time given.'), headers: { 'retry-after': RETRY_AFTER_SECONDS } });
  };

  const overLimit = (now: number): boolean =>
    inFlight > PUBLISHED_LIMIT.concurrency ||
    stats.arrivals.filter((arrival) => now - arrival < PUBLISHED_LIMIT.intervalMs).length > PUBLISHED_LIMIT.requests;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const now = Date.now();
    stats.requests += 1;
    stats.arrivals.push(now);
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    response.on('close', () => (inFlight -= 1));

    const body = await readBody(request);
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.throttleNext > 0) {
      faults.throttleNext -= 1;
      return throttle(response);
    }
    if (faults.enforceLimits && overLimit(now)) return throttle(response);
    if (faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) {
      return send(response, errorAnswer(500, 'INTERNAL_ERROR', 'An unexpected error occurred. Try again.'));
    }
    if (request.headers.authorization !== `Bearer ${EXAMPLE_API_KEY}`) {
      return send(response, errorAnswer(401, 'UNAUTHORIZED', 'The API key is missing or not valid.'));
    }

    const url = new URL(request.url ?? '/', 'http://sandbox');
    if (request.method === 'GET' && url.pathname === '/v1/company') {
      return send(response, { status: 200, body: { id: 'example-co', name: 'Example Construction Co.' } });
    }
    if (request.method === 'GET' && url.pathname === '/v1/payments') return send(response, company.listPayments(url.searchParams));
    if (request.method === 'GET' && url.pathname === '/v1/bills') return send(response, company.listBills(url.searchParams));
    if (request.method === 'GET' && url.pathname === '/v1/vendors') return send(response, company.listVendors(url.searchParams));
    const create = CREATE[`${request.method ?? ''} ${url.pathname}`];
    if (create !== undefined) {
      const parsed = parseJson(body);
      if (parsed === undefined) return send(response, errorAnswer(400, 'BAD_JSON', 'The body is not valid JSON.'));
      const key = request.headers['idempotency-key'];
      const { answer, committed } = create(company, parsed, typeof key === 'string' ? key : undefined);
      if (committed && faults.commitThenDrop > 0) {
        // The record is stored; the caller never hears so.
        faults.commitThenDrop -= 1;
        request.socket.destroy();
        return;
      }
      return send(response, answer);
    }
    return send(response, errorAnswer(404, 'NOT_FOUND', `No route for ${request.method ?? ''} ${url.pathname}.`));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, errorAnswer(500, 'INTERNAL_ERROR', String(error))));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;

  const sandbox: ErpSandbox = {
    url: `http://${address.address}:${address.port}`,
    seed: (seed) => company.seed(seed),
    setFaults: (changes) => void (faults = { ...faults, ...changes }),
    payments: () => company.payments(),
    addPayment: (input) => company.addPayment(input),
    bills: () => company.bills(),
    vendors: () => company.vendors(),
    addVendor: (input) => company.addVendor(input),
    stats: () => structuredClone(stats),
    resetStats: () => void (stats = { requests: 0, throttled: 0, maxConcurrent: inFlight, arrivals: [] }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return sandbox;
};

function send(response: ServerResponse, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
