import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErpSandbox, SandboxBill, SandboxFaults, SandboxOptions, SandboxSeed, SandboxStats, SandboxVendor, SandboxVendorInput, StartSandbox } from '@ledgerlink/core';
import { ApCompany } from './ap-company.js';
import { addDirectVendor, applyInvoice, applyVendor, sandboxBills, sandboxVendors, validateInvoice, validateVendor } from './ap-masters.js';
import { parseFilters, readPage } from './cache-reads.js';
import { errorAnswer, parseJson, readBody, send, type Answer } from './http-io.js';
import { Xchange, type ActionRun, type ObjectRow, type XchangeTiming } from './xchange.js';

/** The application key, subscriber and AP company the sandbox serves. */
export const VISTA_SANDBOX = { applicationKey: 'vista-sandbox-key', subscriberUid: '123456', apCompany: 1 } as const;

/** Trimble's published limit per key: 2,000 requests in any rolling minute. */
const PUBLISHED_LIMIT = { requests: 2000, intervalMs: 60_000 };
const MAX_LIMIT = 1000;
const NO_FAULTS: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };
/** Short by default, so tests and the demo see the queue without waiting: an hour in production. */
const DEFAULT_TIMING: XchangeTiming = { actionDelayMs: 60, cacheDelayMs: 60, emptyPagesFirst: 1 };

/** The Vista sandbox's own options besides the common ones. */
export interface VistaSandboxOptions extends SandboxOptions {
  /** Queue and cache timing (defaults: 60 ms in the queue, 60 ms more to the cache, one empty page first). */
  timing?: Partial<XchangeTiming>;
  /** The AP payment object's name in the URL (default `paymenthistories`). */
  paymentObject?: string;
}

/** The AP invoice and vendor objects' names in the URL (Trimble lists "Invoices" and "Vendors" among AP objects). */
export const VISTA_OBJECTS = { invoices: 'invoices', vendors: 'vendors' } as const;

/** The sandbox's control panel, with what only Vista has. */
export interface VistaSandbox extends ErpSandbox {
  /** The state of an action in the queue (`Queued`, `Successful`, `Failed`), or undefined. */
  actionStatus(actionId: string): string | undefined;
  /** The records the cache shows now (what the Direct API reads return). */
  cachedPayments(): Record<string, unknown>[];
  bills(): SandboxBill[];
  vendors(): SandboxVendor[];
  addVendor(input: SandboxVendorInput): string;
}

/**
 * Starts the Vista sandbox: a node:http server on a loopback port speaking the Trimble Direct API's JSON
 * (README "Sandbox"), with a queued Action Queue and a cache that shows a created payment only later.
 */
export const startVistaSandbox = (async (options: VistaSandboxOptions = {}): Promise<VistaSandbox> => {
  const company = new ApCompany(VISTA_SANDBOX.apCompany);
  const xchange = new Xchange({ ...DEFAULT_TIMING, ...options.timing });
  /** Seeded vendors are in Vista already, so the hourly cache write has them too. */
  const seed = (data: SandboxSeed): void => {
    company.seed(data);
    for (const vendor of data.vendors ?? []) {
      const row = company.vendors.get(vendor.id);
      if (row !== undefined) xchange.writeCache(VISTA_OBJECTS.vendors, row.fields, Date.now());
    }
  };
  if (options.seed !== undefined) seed(options.seed);
  const objectName = (options.paymentObject ?? 'paymenthistories').toLowerCase();
  const objects = new Set([objectName, VISTA_OBJECTS.invoices, VISTA_OBJECTS.vendors]);
  const route = new RegExp(`^/connect/v1/direct/subscribers/([^/]+)/Viewpoint/ap/1/data/([^/]+)/(cache|cache/search|actions/create|actions/[^/]+)$`, 'i');
  let faults: SandboxFaults = { ...NO_FAULTS, ...options.faults };
  let stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  const window: number[] = [];
  let inFlight = 0;

  const throttle = (): Answer => {
    stats.throttled += 1;
    return { ...errorAnswer(429, 'Rate limit is exceeded. Try again in 1 seconds.'), headers: { 'retry-after': '1' } };
  };

  const answer = async (request: IncomingMessage, body: string, now: number): Promise<Answer | 'dropped'> => {
    if (faults.throttleNext > 0) {
      faults.throttleNext -= 1;
      return throttle();
    }
    const key = request.headers['x-application-key'];
    if (faults.enforceLimits) {
      while (window.length > 0 && now - (window[0] as number) >= PUBLISHED_LIMIT.intervalMs) window.shift();
      if (window.length >= PUBLISHED_LIMIT.requests) return throttle();
      window.push(now);
    }
    if (faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) return errorAnswer(500, 'Internal server error');
    if (key !== VISTA_SANDBOX.applicationKey) {
      return errorAnswer(401, 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.');
    }
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const match = route.exec(url.pathname);
    const object = (match?.[2] ?? '').toLowerCase();
    if (match === null || match[1] !== VISTA_SANDBOX.subscriberUid || !objects.has(object)) {
      return errorAnswer(404, 'Resource not found');
    }
    xchange.advance(now);
    const tail = (match[3] ?? '').toLowerCase();
    const emptyFirst = xchange.timing.emptyPagesFirst;

    if (request.method === 'GET' && tail === 'cache') {
      const limit = Number(url.searchParams.get('limit') ?? MAX_LIMIT);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT || !Number.isInteger(offset) || offset < 0) {
        return errorAnswer(400, `limit must be 1 to ${MAX_LIMIT} and offset 0 or more.`);
      }
      const records = xchange.cacheRecords(object);
      const data = records.slice(offset, offset + limit);
      const more = offset + data.length < records.length;
      const next = more ? `${url.pathname}?limit=${limit}&offset=${offset + data.length}` : null;
      return { status: 200, body: { data, continuationToken: more ? String(offset + data.length) : null, next } };
    }
    if (request.method === 'POST' && tail === 'cache/search') {
      const parsed = parseJson(body === '' ? '{}' : body) as Record<string, unknown> | undefined;
      const filters = parseFilters(parsed?.filters);
      const token = parsed?.continuationToken;
      const limit = parsed?.limit ?? MAX_LIMIT;
      if (parsed === undefined || filters === undefined || (token !== null && token !== undefined && typeof token !== 'string')) {
        return errorAnswer(400, 'The search body is not valid: { continuationToken, limit, filters: [{ field, operator: eq|gt, value }] }.');
      }
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return errorAnswer(400, `limit must be 1 to ${MAX_LIMIT}.`);
      const read = readPage(xchange.cacheRecords(object), filters, limit, typeof token === 'string' ? token : null, emptyFirst);
      if ('error' in read) return errorAnswer(400, read.error);
      const next = read.page.continuationToken === null ? null : url.pathname;
      return { status: 200, body: { ...read.page, next } };
    }
    if (request.method === 'POST' && tail === 'actions/create') {
      const parsed = parseJson(body);
      if (parsed === undefined) return errorAnswer(400, 'The request body is not valid JSON.');
      let run: ActionRun;
      if (object === VISTA_OBJECTS.invoices) {
        const checked = validateInvoice(company, parsed);
        if ('problems' in checked) return errorAnswer(400, 'One or more validation errors occurred.', checked.problems);
        run = () => applyInvoice(company, checked.draft);
      } else if (object === VISTA_OBJECTS.vendors) {
        const checked = validateVendor(company, parsed);
        if ('problems' in checked) return errorAnswer(400, 'One or more validation errors occurred.', checked.problems);
        run = () => applyVendor(company, checked.draft);
      } else {
        const checked = company.validate(parsed);
        if ('problems' in checked) return errorAnswer(400, 'One or more validation errors occurred.', checked.problems);
        run = () => {
          const applied = company.apply(checked.draft);
          return 'row' in applied ? { row: applied.row as unknown as ObjectRow } : applied;
        };
      }
      const action = xchange.enqueue(object, run, now);
      if (faults.commitThenDrop > 0) {
        // Queued; the caller never hears so.
        faults.commitThenDrop -= 1;
        request.socket.destroy();
        return 'dropped';
      }
      return { status: 202, body: { actionId: action.actionId, status: action.status } };
    }
    if (request.method === 'GET' && tail.startsWith('actions/')) {
      const action = xchange.action(decodeURIComponent(tail.slice('actions/'.length)));
      if (action === undefined || action.object !== object) return errorAnswer(404, 'Action not found');
      return {
        status: 200,
        body: {
          actionId: action.actionId,
          status: action.status,
          ...(action.keyId === undefined ? {} : { result: { KeyID: action.keyId } }),
          ...(action.errors === undefined ? {} : { errors: action.errors }),
        },
      };
    }
    return errorAnswer(405, `${request.method ?? ''} is not allowed here.`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const now = Date.now();
    stats.requests += 1;
    stats.arrivals.push(now);
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    response.on('close', () => (inFlight -= 1));
    const body = await readBody(request);
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    const result = await answer(request, body, Date.now());
    if (result !== 'dropped') send(response, result);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, errorAnswer(500, `Internal server error: ${String(error)}`)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${address.address}:${address.port}`,
    seed,
    setFaults: (changes) => void (faults = { ...faults, ...changes }),
    payments: () => {
      xchange.advance(Date.now());
      return company.payments();
    },
    addPayment: (input) => {
      xchange.advance(Date.now());
      const row = company.addDirect(input);
      // Entered in Vista and already replicated (as after the hourly cache write).
      xchange.writeCache(objectName, row as unknown as ObjectRow, Date.now());
      return row.KeyID;
    },
    bills: () => {
      xchange.advance(Date.now());
      return sandboxBills(company);
    },
    vendors: () => {
      xchange.advance(Date.now());
      return sandboxVendors(company);
    },
    addVendor: (input) => {
      xchange.advance(Date.now());
      const row = addDirectVendor(company, input);
      // Entered in Vista and already replicated to the cache.
      xchange.writeCache(VISTA_OBJECTS.vendors, row, Date.now());
      return String(row.Vendor);
    },
    actionStatus: (actionId) => {
      xchange.advance(Date.now());
      return xchange.action(actionId)?.status;
    },
    cachedPayments: () => {
      xchange.advance(Date.now());
      return xchange.cacheRecords(objectName).map((record) => structuredClone(record) as unknown as Record<string, unknown>);
    },
    stats: () => structuredClone(stats),
    resetStats: () => void (stats = { requests: 0, throttled: 0, maxConcurrent: inFlight, arrivals: [] }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}) satisfies StartSandbox;
