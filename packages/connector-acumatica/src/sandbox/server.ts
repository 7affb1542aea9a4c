/**
 * The sandbox's HTTP front: routes of the contract-based REST API, the licence's request queue (429 when
 * full), fault knobs and counters. Sign-out skips the queue and the injected faults, as Acumatica's sign-out
 * skips its request queue.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxFaults, SandboxStats } from '@ledgerlink/core';
import { putBill, putVendor, type BillRules } from './bill-put.js';
import { putCheck, type PutOptions } from './check-put.js';
import { checkView, filterField } from './check-view.js';
import { BILL_STATUS, STATUS, type Company, type StoredCheck } from './company.js';
import { billField, billView, vendorField, vendorView } from './entity-views.js';
import { compileFilter, type FieldReader } from './odata.js';
import { pxError, type Sessions } from './sessions.js';

/** The licence's API limits (License Monitoring Console, SM604000). */
export interface SandboxLicence {
  /** Signed-in API users at once (a trial licence: 2). */
  maxApiUsers: number;
  /** Requests processed at once. */
  maxConcurrentRequests: number;
  /** Requests that may wait beyond those; one more is declined with 429 (Acumatica's queue holds 20). */
  maxQueuedRequests: number;
  /**
   * Requests per window (the licence's per-minute cap); 0 = no cap. Once the window's count reaches half of it,
   * each request waits (what is left of the window ÷ what is left of the quota), as Acumatica delays them.
   */
  maxRequestsPerWindow: number;
  /** The window of `maxRequestsPerWindow` (a minute in Acumatica; shorter in tests). */
  windowMs: number;
  /** A request that would wait longer than this is declined with 429 (Acumatica: 10 minutes). */
  maxWaitMs: number;
}

/** One request as the sandbox received it, for wire-level tests. */
export interface SandboxRequestRecord {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** The answer's status, or `dropped`. */
  status: number | 'dropped';
}

export interface AcumaticaSandboxFaults extends SandboxFaults {
  /** The next N releases fail inside the long-running operation (a closed financial period, say). */
  releaseFailNext: number;
  /** Status polls answered 202 before a release finishes. */
  releasePolls: number;
  /** When true, `throttleNext`, `serverErrorRate` and `latencyMs` spare sign-in, so a test can fault a call inside a session. */
  faultsSpareLogin: boolean;
}

interface Operation {
  session: string;
  /** What is being released: a check (by row id) or a bill (by Reference Nbr.). */
  kind: 'check' | 'bill';
  checkId: string;
  pollsLeft: number;
  failure?: string;
  finished?: 'done' | 'failed';
}

export interface RouterState {
  company: Company;
  sessions: Sessions;
  licence: SandboxLicence;
  faults: AcumaticaSandboxFaults;
  stats: SandboxStats;
  instancePath: string;
  endpointVersions: string[];
  put: PutOptions;
  billRules: BillRules;
  /** Whether a vendor sent without a Vendor ID gets the next number (the VENDOR segment's auto-numbering). */
  vendorAutoNumbering: boolean;
  /** Every request received (the newest 1,000). */
  log: SandboxRequestRecord[];
  /** Requests the rate cap delayed. */
  counters: { delayed: number };
}

/** What a route answers: a status with headers and a JSON body, or a dropped connection. */
type Answer = { status: number; headers?: Record<string, string | string[]>; body?: unknown } | 'drop';

export function createHandler(state: RouterState): (request: IncomingMessage, response: ServerResponse) => void {
  const operations = new Map<string, Operation>();
  const window: number[] = [];
  let inFlight = 0;
  let queued = 0;

  /** How long the licence's per-window cap makes a request arriving now wait; undefined when it is declined. */
  const rateDelay = (now: number): number | undefined => {
    const { maxRequestsPerWindow: cap, windowMs, maxWaitMs } = state.licence;
    if (cap <= 0) return 0;
    while (window.length > 0 && (window[0] as number) <= now - windowMs) window.shift();
    if (window.length < cap / 2) return 0;
    const left = windowMs - (now - (window[0] as number));
    const wait = window.length >= cap ? left : Math.ceil(left / (cap - window.length));
    return wait > maxWaitMs ? undefined : wait;
  };

  return (request, response) => {
    const { stats, faults, licence } = state;
    stats.requests++;
    stats.arrivals.push(Date.now());
    inFlight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const isLogout = request.method === 'POST' && url.pathname.toLowerCase() === `${state.instancePath}/entity/auth/logout`.toLowerCase();
    const isLogin = request.method === 'POST' && url.pathname.toLowerCase() === `${state.instancePath}/entity/auth/login`.toLowerCase();
    const faultable = !isLogout && !(isLogin && faults.faultsSpareLogin);
    if (!isLogout) queued++;
    let counted = true;
    // A request stops counting when its answer is written (before the client can send the next one), or
    // when its connection closes without one.
    const settle = (): void => {
      if (!counted) return;
      counted = false;
      inFlight--;
      if (!isLogout) queued--;
    };
    response.on('close', settle);

    const record: SandboxRequestRecord = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
      body: '',
      status: 0,
    };
    state.log.push(record);
    if (state.log.length > 1000) state.log.shift();

    const answer = async (): Promise<Answer> => {
      const body = await readBody(request);
      record.body = body;
      if (!isLogout && faults.enforceLimits && queued > licence.maxConcurrentRequests + licence.maxQueuedRequests) return throttle(state);
      if (!isLogout && faults.enforceLimits) {
        const wait = rateDelay(Date.now());
        if (wait === undefined) return throttle(state);
        if (wait > 0) {
          state.counters.delayed++;
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        window.push(Date.now());
      }
      if (faults.latencyMs > 0 && !(isLogin && faults.faultsSpareLogin)) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (faultable && faults.throttleNext > 0) {
        faults.throttleNext--;
        return throttle(state);
      }
      if (faultable && faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) {
        return { status: 500, body: { message: 'An error has occurred.', exceptionMessage: 'Simulated internal server error.', exceptionType: 'System.Exception' } };
      }
      return route(state, operations, request, url, body);
    };
    answer()
      .catch((error: unknown): Answer => ({ status: 500, body: pxError(error instanceof Error ? error.message : String(error), 'System.Exception') }))
      .then((result) => {
        settle();
        record.status = result === 'drop' ? 'dropped' : result.status;
        if (result === 'drop') {
          request.socket.destroy();
          return;
        }
        for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
        if (result.body === undefined) {
          response.writeHead(result.status);
          response.end();
        } else {
          response.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8' });
          response.end(JSON.stringify(result.body));
        }
      });
  };
}

function route(state: RouterState, operations: Map<string, Operation>, request: IncomingMessage, url: URL, body: string): Answer {
  const { company, sessions } = state;
  const prefix = state.instancePath.toLowerCase();
  const lowerPath = url.pathname.toLowerCase();
  if (!lowerPath.startsWith(`${prefix}/entity/`)) return notFound(url);
  const segments = url.pathname.slice(prefix.length + '/entity/'.length).split('/').filter((part) => part !== '');
  const method = request.method ?? 'GET';

  if (segments[0]?.toLowerCase() === 'auth' && method === 'POST' && segments.length === 2) {
    if (segments[1]?.toLowerCase() === 'logout') {
      return { status: 204, headers: { 'set-cookie': sessions.logout(request.headers.cookie) } };
    }
    if (segments[1]?.toLowerCase() === 'login') {
      const answer = sessions.login(parse(body));
      if (!answer.ok) return { status: answer.status, body: answer.body };
      return { status: 204, headers: { 'set-cookie': answer.cookies } };
    }
  }

  const [endpoint, version, entity, ...rest] = segments;
  if (
    endpoint?.toLowerCase() !== 'default' ||
    version === undefined ||
    !state.endpointVersions.includes(version) ||
    (entity !== 'Check' && entity !== 'Bill' && entity !== 'Vendor')
  ) {
    return notFound(url);
  }
  const session = sessions.sessionOf(request.headers.cookie);
  if (session === undefined) return json(401, { message: 'Authorization has been denied for this request.' });
  const endpointPath = `${state.instancePath}/entity/${endpoint}/${version}`;
  const expand = new Set((url.searchParams.get('$expand') ?? '').split(',').map((part) => part.trim()).filter((part) => part !== ''));
  if (entity === 'Bill' || entity === 'Vendor') return routeEntity(state, operations, request, url, body, { entity, rest, method, session, endpointPath, expand });

  if (rest.length === 0 && method === 'GET') {
    const filter = url.searchParams.get('$filter');
    let predicate: ((check: StoredCheck) => boolean) | undefined;
    if (filter !== null) {
      try {
        const compiled = compileFilter(filter);
        predicate = (check) => compiled((field) => filterField(check, field));
      } catch (error) {
        return json(500, pxError(error instanceof Error ? error.message : String(error), 'PX.Api.ContractBased.OData.FilterException'));
      }
    }
    const skip = Number(url.searchParams.get('$skip') ?? '0') || 0;
    const top = url.searchParams.has('$top') ? Number(url.searchParams.get('$top')) : undefined;
    const plain = Number.isInteger(skip) && skip >= 0 && (top === undefined || (Number.isInteger(top) && top >= 0));
    let page: StoredCheck[] = [];
    if (plain) {
      // The page alone: matches are counted as the checks are scanned, and the scan stops once the page is full.
      const end = top === undefined ? Number.POSITIVE_INFINITY : skip + top;
      let matched = 0;
      for (const check of company.checks) {
        if (matched >= end) break;
        if (predicate !== undefined && !predicate(check)) continue;
        if (matched >= skip) page.push(check);
        matched += 1;
      }
    } else {
      // A negative or fractional $skip/$top: slice's own reading of it, as before.
      page = (predicate === undefined ? [...company.checks] : company.checks.filter(predicate)).slice(skip, top === undefined ? undefined : skip + top);
    }
    return json(200, page.map((check) => checkView(company, check, expand, { endpointPath })));
  }

  if (rest.length === 0 && method === 'PUT') {
    const entityBody = parse(body);
    if (entityBody === undefined) return json(400, { message: 'The request is invalid.', exceptionMessage: 'The request body is not valid JSON.' });
    const result = putCheck(company, entityBody, headerPair(request), state.put);
    if (result.kind === 'answer') return json(result.status, result.body);
    if (state.faults.commitThenDrop > 0) {
      state.faults.commitThenDrop--;
      return 'drop';
    }
    return json(200, checkView(company, result.check, expand, { endpointPath }));
  }

  if (rest.length === 1 && rest[0] === 'ReleaseCheck' && method === 'POST') {
    const action = parse(body) as { entity?: Record<string, unknown> } | undefined;
    const key = action?.entity ?? {};
    const value = (field: string): string | undefined => {
      const wrapped = key[field] as { value?: unknown } | undefined;
      return typeof wrapped?.value === 'string' ? wrapped.value : undefined;
    };
    const check = company.findCheck({
      ...(typeof key.id === 'string' ? { id: key.id } : {}),
      ...(value('Type') === undefined ? {} : { type: value('Type') }),
      ...(value('ReferenceNbr') === undefined ? {} : { referenceNbr: value('ReferenceNbr') }),
    });
    if (check === undefined) return json(500, pxError('No entity satisfies the condition.', 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException'));
    const id = randomUUID();
    const operation: Operation = { session, kind: 'check', checkId: check.id, pollsLeft: state.faults.releasePolls };
    if (state.faults.releaseFailNext > 0) {
      state.faults.releaseFailNext--;
      operation.failure = 'The document cannot be released: the financial period of its application date is closed.';
    }
    operations.set(id, operation);
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    return { status: 202, headers: { location: `${origin}${endpointPath}/Check/ReleaseCheck/status/${id}` } };
  }

  if (rest.length === 3 && rest[0] === 'ReleaseCheck' && rest[1] === 'status' && method === 'GET') {
    return pollOperation(company, operations, rest[2] as string, session);
  }
  return notFound(url);
}

/** `GET`/`PUT` of `Bill` and `Vendor`, and `Bill/ReleaseBill` with its status polls. */
function routeEntity(
  state: RouterState,
  operations: Map<string, Operation>,
  request: IncomingMessage,
  url: URL,
  body: string,
  call: { entity: 'Bill' | 'Vendor'; rest: string[]; method: string; session: string; endpointPath: string; expand: Set<string> },
): Answer {
  const { company } = state;
  const { entity, rest, method, session, endpointPath, expand } = call;
  if (rest.length === 0 && method === 'GET') {
    const rows: { read: FieldReader; view: () => unknown }[] =
      entity === 'Bill'
        ? [...company.bills.values()].map((bill) => ({ read: (field: string) => billField(bill, field), view: () => billView(bill, expand, { endpointPath }) }))
        : [...company.vendors.values()].map((vendor) => ({ read: (field: string) => vendorField(vendor, field), view: () => vendorView(vendor, expand, { endpointPath }) }));
    let selected = rows;
    const filter = url.searchParams.get('$filter');
    if (filter !== null) {
      try {
        const predicate = compileFilter(filter);
        selected = rows.filter((row) => predicate(row.read));
      } catch (error) {
        return json(500, pxError(error instanceof Error ? error.message : String(error), 'PX.Api.ContractBased.OData.FilterException'));
      }
    }
    const skip = Number(url.searchParams.get('$skip') ?? '0') || 0;
    const top = url.searchParams.has('$top') ? Number(url.searchParams.get('$top')) : undefined;
    return json(200, selected.slice(skip, top === undefined ? undefined : skip + top).map((row) => row.view()));
  }
  if (rest.length === 0 && method === 'PUT') {
    const entityBody = parse(body);
    if (entityBody === undefined) return json(400, { message: 'The request is invalid.', exceptionMessage: 'The request body is not valid JSON.' });
    const ifNoneMatch = request.headers['if-none-match'];
    const headers = ifNoneMatch === undefined ? {} : { ifNoneMatch };
    const result =
      entity === 'Bill'
        ? putBill(company, entityBody, headers, state.billRules)
        : putVendor(company, entityBody, headers, { autoNumbering: state.vendorAutoNumbering });
    if (result.kind === 'answer') return json(result.status, result.body);
    if (state.faults.commitThenDrop > 0) {
      state.faults.commitThenDrop--;
      return 'drop';
    }
    const saved = result.record;
    return json(200, 'vendorRef' in saved ? billView(saved, expand, { endpointPath }) : vendorView(saved, expand, { endpointPath }));
  }
  if (entity === 'Bill' && rest.length === 1 && rest[0] === 'ReleaseBill' && method === 'POST') {
    const action = parse(body) as { entity?: Record<string, unknown> } | undefined;
    const key = action?.entity ?? {};
    const reference = (key.ReferenceNbr as { value?: unknown } | undefined)?.value;
    const bill =
      typeof key.id === 'string'
        ? company.billById(key.id)
        : typeof reference === 'string'
          ? company.bills.get(reference)
          : undefined;
    if (bill === undefined) return json(500, pxError('No entity satisfies the condition.', 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException'));
    const id = randomUUID();
    const operation: Operation = { session, kind: 'bill', checkId: bill.referenceNbr, pollsLeft: state.faults.releasePolls };
    if (state.faults.releaseFailNext > 0) {
      state.faults.releaseFailNext--;
      operation.failure = 'The document cannot be released: the financial period of its date is closed.';
    }
    operations.set(id, operation);
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    return { status: 202, headers: { location: `${origin}${endpointPath}/Bill/ReleaseBill/status/${id}` } };
  }
  if (entity === 'Bill' && rest.length === 3 && rest[0] === 'ReleaseBill' && rest[1] === 'status' && method === 'GET') {
    return pollOperation(company, operations, rest[2] as string, session);
  }
  return notFound(url);
}

function pollOperation(company: Company, operations: Map<string, Operation>, id: string, session: string): Answer {
  const operation = operations.get(id);
  if (operation === undefined || operation.session !== session) {
    return json(404, { message: 'Process Not Found. Probably it has been started in another session.' });
  }
  if (operation.finished === undefined && operation.pollsLeft > 0) {
    operation.pollsLeft--;
    return { status: 202 };
  }
  if (operation.finished === undefined) finish(company, operation);
  if (operation.finished === 'failed') return json(500, pxError(operation.failure ?? 'The release failed.', 'PX.Data.PXException'));
  return { status: 204 };
}

function finish(company: Company, operation: Operation): void {
  if (operation.kind === 'bill') {
    const bill = company.bills.get(operation.checkId);
    if (operation.failure === undefined && bill?.hold) operation.failure = 'The document is on hold and cannot be released.';
    if (operation.failure === undefined && (bill === undefined || bill.status !== BILL_STATUS.balanced)) {
      operation.failure = `The document is in the ${bill?.status ?? 'missing'} status and cannot be released.`;
    }
    if (operation.failure !== undefined || bill === undefined) {
      operation.finished = 'failed';
      return;
    }
    company.releaseBill(bill);
    operation.finished = 'done';
    return;
  }
  const check = company.findCheck({ id: operation.checkId });
  if (operation.failure === undefined && check?.hold) operation.failure = 'The document is on hold and cannot be released.';
  if (operation.failure === undefined && (check === undefined || check.status !== STATUS.balanced)) {
    operation.failure = `The document is in the ${check?.status ?? 'missing'} status and cannot be released.`;
  }
  if (operation.failure !== undefined || check === undefined) {
    operation.finished = 'failed';
    return;
  }
  company.release(check);
  operation.finished = 'done';
}

function throttle(state: RouterState): Answer {
  state.stats.throttled++;
  return json(429, {
    message: 'The request has been declined because the number of requests waiting in the queue exceeds the limit of your license.',
  });
}

function headerPair(request: IncomingMessage): { ifNoneMatch?: string; ifMatch?: string } {
  const ifNoneMatch = request.headers['if-none-match'];
  const ifMatch = request.headers['if-match'];
  return { ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }), ...(ifMatch === undefined ? {} : { ifMatch }) };
}

function notFound(url: URL): Answer {
  return json(404, { message: `No HTTP resource was found that matches the request URI '${url.pathname}'.` });
}

function json(status: number, body: unknown): Answer {
  return { status, body };
}

function parse(body: string): unknown {
  try {
    return body === '' ? undefined : (JSON.parse(body) as unknown);
  } catch {
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
