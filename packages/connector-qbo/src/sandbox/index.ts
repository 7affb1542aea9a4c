import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErpSandbox, SandboxFaults, SandboxOptions, SandboxStats, StartSandbox } from '@ledgerlink/core';
import { answerTime, fault, forbidden, json, serverFailure, throttled, unauthorized, type Answer } from './answers.js';
import { readBody, send } from './http-io.js';
import { answerQuery } from './query-answer.js';
import { QboCompany, type CreateResult } from './company.js';
export { QBO_SANDBOX_EXPENSE_ACCOUNTS } from './company.js';
import { OAuthServer } from './oauth.js';

/** The app and company the sandbox knows unless told otherwise (test values, not secrets). */
export const QBO_SANDBOX_APP = {
  realmId: '9130357992221046',
  clientId: 'ABsandboxQboClientId0001',
  clientSecret: 'sandbox-qbo-client-secret',
  refreshToken: 'AB11sandbox-qbo-refresh-token',
} as const;

/** Where the sandbox serves Intuit's token endpoint. */
export const QBO_SANDBOX_TOKEN_PATH = '/oauth2/v1/tokens/bearer';

/** Intuit's published limits: 500 requests a minute per company, and no more than 10 at once. */
const RATE_PER_MINUTE = 500;
const CONCURRENCY = 10;
const REQUEST_ID_MAX = 50;

export interface QboSandboxOptions extends SandboxOptions {
  app?: Partial<typeof QBO_SANDBOX_APP>;
  /** The company's duplicate check number preference (6140); on unless set false. */
  duplicateDocNumberCheck?: boolean;
  /** Whether Faults name the request element; on unless set false (QuickBooks often leaves it out). */
  faultElements?: boolean;
  /** Lifetime of an access token (Intuit: 3600 s). */
  accessTokenTtlSeconds?: number;
  /** Each refresh token works once: a second use is refused with invalid_grant (see refusedRefreshes). */
  singleUseRefreshTokens?: boolean;
  /** The sandbox's clock for MetaData times and token expiry. */
  now?: () => Date;
}

/** The QuickBooks Online sandbox: the ErpSandbox panel plus the knobs only OAuth and queries need. */
export interface QboSandbox extends ErpSandbox {
  readonly realmId: string;
  readonly tokenUrl: string;
  readonly app: { realmId: string; clientId: string; clientSecret: string; refreshToken: string };
  /** Ends every access token now: the next API call gets a 401. */
  expireAccessTokens(): void;
  /** Revokes every refresh token: refreshing fails with invalid_grant. */
  revokeRefreshTokens(): void;
  /** Calls to the token endpoint so far. */
  tokenRequests(): number;
  /** Refreshes refused with invalid_grant so far (with singleUseRefreshTokens: a refresh token used twice). */
  refusedRefreshes(): number;
  /** Every query statement received, decoded, in order. */
  queries(): string[];
  /** A bill's open balance in cents. */
  billBalance(billId: string): number | undefined;
}

const NO_FAULTS: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };

/** Starts a QuickBooks Online sandbox on 127.0.0.1 (a free port unless `port` is given). */
export async function startQboSandbox(options: QboSandboxOptions = {}): Promise<QboSandbox> {
  const now = options.now ?? (() => new Date());
  const app = { ...QBO_SANDBOX_APP, ...options.app };
  const oauth = new OAuthServer(
    { ...app, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600, ...(options.singleUseRefreshTokens === undefined ? {} : { singleUseRefreshTokens: options.singleUseRefreshTokens }) },
    now,
  );
  const company = new QboCompany({
    duplicateDocNumberCheck: options.duplicateDocNumberCheck ?? true,
    faultElements: options.faultElements ?? true,
    now,
  });
  if (options.seed !== undefined) company.seed(options.seed);
  let faults: SandboxFaults = { ...NO_FAULTS, ...options.faults };
  let stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  const replays = new Map<string, Answer>();
  const recentArrivals: number[] = [];
  const queries: string[] = [];
  let inFlight = 0;

  async function api(request: IncomingMessage, response: ServerResponse, url: URL, realmId: string, resource: string): Promise<void> {
    const arrival = Date.now();
    stats.requests++;
    stats.arrivals.push(arrival);
    recentArrivals.push(arrival);
    while ((recentArrivals[0] as number) <= arrival - 60_000) recentArrivals.shift();
    inFlight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    try {
      const overLimit = faults.enforceLimits && (inFlight > CONCURRENCY || recentArrivals.length > RATE_PER_MINUTE);
      const body = await readBody(request);
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (faults.throttleNext > 0 || overLimit) {
        if (faults.throttleNext > 0) faults.throttleNext--;
        stats.throttled++;
        return send(response, throttled(now()));
      }
      if (faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) return send(response, serverFailure(now()));
      const grant = oauth.bearer(request.headers.authorization);
      if ('problem' in grant) return send(response, unauthorized(now(), grant.problem));
      if (grant.realmId !== realmId) return send(response, forbidden(now()));

      if (request.method === 'GET' && resource === `companyinfo/${realmId}`) {
        return send(response, json(200, { CompanyInfo: { Id: realmId, CompanyName: 'Sandbox Construction Co', Country: 'US' }, time: answerTime(now()) }));
      }
      if (request.method === 'GET' && resource === 'query') return send(response, query(url.searchParams.get('query') ?? ''));
      const read = /^billpayment\/([^/]+)$/.exec(resource);
      if (request.method === 'GET' && read !== null) return send(response, readBillPayment(decodeURIComponent(read[1] as string)));
      if (request.method === 'POST' && resource === 'billpayment') return createBillPayment(request, response, url, realmId, body);
      if (request.method === 'POST' && (resource === 'bill' || resource === 'vendor')) return createEntity(request, response, url, realmId, resource, body);
      return send(response, unsupported(url.pathname, 400));
    } finally {
      inFlight--;
    }
  }

  function query(statement: string): Answer {
    queries.push(statement);
    return answerQuery(company, statement, now());
  }

  /**
   * `GET /billpayment/{id}`: `{"BillPayment":{…},"time":…}`, or for an id the company does not hold, QuickBooks'
   * 610 Object Not Found in a ValidationFault (HTTP 400), naming no element.
   */
  function readBillPayment(id: string): Answer {
    const record = company.billPayment(id);
    if (record !== undefined) return json(200, { BillPayment: record, time: answerTime(now()) });
    return fault(now(), [
      {
        Message: 'Object Not Found',
        Detail: "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.",
        code: '610',
        element: '',
      },
    ]);
  }

  function createBillPayment(request: IncomingMessage, response: ServerResponse, url: URL, realmId: string, body: string): void {
    const allowDuplicateDocNumber = url.searchParams.get('include') === 'allowduplicatedocnum';
    write(request, response, url, realmId, 'billpayment', body, 'BillPayment', (parsed) => company.createBillPayment(parsed, { allowDuplicateDocNumber }));
  }

  /** `POST /bill` and `POST /vendor`: the same requestid replay, commit-then-drop and Fault envelope as bill payments. */
  function createEntity(request: IncomingMessage, response: ServerResponse, url: URL, realmId: string, resource: 'bill' | 'vendor', body: string): void {
    if (resource === 'bill') write(request, response, url, realmId, resource, body, 'Bill', (parsed) => company.createBill(parsed));
    else write(request, response, url, realmId, resource, body, 'Vendor', (parsed) => company.createVendor(parsed));
  }

  /**
   * One create: a repeated `requestid` (per company and operation) gets the original answer and writes nothing;
   * a body that is not JSON is a 2010 Fault; a commit may be followed by a dropped connection (commit-then-drop).
   */
  function write(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    realmId: string,
    resource: string,
    body: string,
    entity: string,
    create: (parsed: unknown) => CreateResult,
  ): void {
    const requestId = url.searchParams.get('requestid');
    if (requestId !== null && (requestId === '' || requestId.length > REQUEST_ID_MAX)) {
      return send(
        response,
        fault(now(), [{ Message: 'Request has invalid or unsupported property', Detail: `requestid must be 1 to ${REQUEST_ID_MAX} characters`, code: '2010' }]),
      );
    }
    const replayKey = requestId === null ? undefined : `${realmId}\u0000${resource}\u0000${requestId}`;
    const original = replayKey === undefined ? undefined : replays.get(replayKey);
    // A repeated requestid gets the original answer, and nothing is written again.
    if (original !== undefined) return send(response, original);

    let parsed: unknown;
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return send(response, fault(now(), [{ Message: 'Request has invalid or unsupported property', Detail: 'Error parsing the request body as JSON', code: '2010' }]));
    }
    const result = create(parsed);
    const answer = result.ok ? json(200, { [entity]: result.record, time: answerTime(now()) }) : fault(now(), result.errors);
    if (replayKey !== undefined) replays.set(replayKey, answer);
    if (result.ok && faults.commitThenDrop > 0) {
      faults.commitThenDrop--;
      request.socket.destroy();
      return;
    }
    send(response, answer);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    const handled =
      request.method === 'POST' && url.pathname === QBO_SANDBOX_TOKEN_PATH
        ? readBody(request).then((body) =>
            send(response, oauth.token(request.headers.authorization, request.headers['content-type'], body)),
          )
        : route(request, response, url);
    handled.catch((error: unknown) => {
      if (!response.headersSent && !request.socket.destroyed) {
        send(response, json(500, { error: error instanceof Error ? error.message : String(error) }));
      }
    });
  });

  function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const match = /^\/v3\/company\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (match === null) {
      send(response, unsupported(url.pathname, 404));
      return Promise.resolve();
    }
    return api(request, response, url, decodeURIComponent(match[1] as string), match[2] as string);
  }

  function unsupported(path: string, status: number): Answer {
    return fault(now(), [{ Message: 'Unsupported Operation', Detail: `Operation ${path} is not supported.`, code: '500' }], { status });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    realmId: app.realmId,
    tokenUrl: `${url}${QBO_SANDBOX_TOKEN_PATH}`,
    app: { ...app },
    seed: (seed) => company.seed(seed),
    setFaults(next) {
      faults = { ...faults, ...next };
    },
    payments: () => company.payments(),
    addPayment: (input) => company.addPayment(input),
    bills: () => company.billList(),
    vendors: () => company.vendorList(),
    addVendor: (input) => company.addVendor(input),
    stats: () => ({ ...stats, arrivals: [...stats.arrivals] }),
    resetStats() {
      stats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
    },
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    tokenRequests: () => oauth.tokenRequests,
    refusedRefreshes: () => oauth.refusedRefreshes,
    queries: () => [...queries],
    billBalance: (billId) => company.billBalance(billId),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The richer options and result still fit the shared contract the kit and the runner call.
const _contract: StartSandbox = startQboSandbox;
