import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
import { BodyRefusal, MAX_BODY_BYTES, readBoundedBody } from './bounded-body.js';
import type { QbdConfig } from './config.js';
import { displayUserName, LoginGuard, SecretComparer, type FailureNote, type LoginGuardSettings, type LoginStats } from './login-guard.js';
import { qbwcWsdl } from './qbwc-wsdl.js';
import { buildRequestMessage, parseResponseMessage, QBXML_MIN_MAJOR, qbxmlVersionFor } from './qbxml-wire.js';
import type { WorkQueue } from './work-queue.js';

/** A failed or refused login, as the log may show it: the user name cut and escaped, never the password. */
export interface LoginFailure {
  /** `displayUserName` of what was sent: at most 64 characters, escaped, quoted. */
  user: string;
  address: string;
  /** `failed`: the credentials did not match; `delayed` / `locked`: refused unchecked (too many failures). */
  kind: 'failed' | 'delayed' | 'locked';
  /** For a failure: the counts and the wait it caused. */
  note?: FailureNote;
  /** For a refusal: how long until an attempt is checked again, and whether the user name or the address is held. */
  waitMs?: number;
  by?: 'user' | 'address';
}

/** What the service tells the rest of the client about the Web Connector's visits. */
export interface QbwcEvents {
  /** A login was refused: wrong credentials, or too many failures before it (slowed down or locked out). */
  authFailed(failure: LoginFailure): void;
  /** The Web Connector could not reach QuickBooks or open the company file (only from a live session). */
  connectionError(hresult: string, message: string): void;
  /** A request to the endpoint was refused before the SOAP layer read it (too large, bad encoding). */
  requestRefused?(status: number, message: string, address: string): void;
}

/** Limits of the hosted endpoint, settable for tests. */
export interface QbwcServiceOptions {
  /** The most a request body may be, on the wire and inflated (default 4 MiB). */
  maxBodyBytes?: number;
  login?: Partial<LoginGuardSettings>;
}

/** Bodies read at once, at most: each may hold up to twice `maxBodyBytes` while it is inflated. */
const MAX_BODIES_AT_ONCE = 8;

interface Session {
  ticket: string;
  lastError: string;
  /** The qbXML version declared on this session's messages (from what the Web Connector reports QuickBooks speaks). */
  version?: string;
}

/** The version string serverVersion returns: shown in the Web Connector's log. */
export const SERVER_VERSION = 'ledgerlink-qbd 0.1.0';

/** How long an answer waits for the follow-up work it causes (a lookup's add) before the percentage is given. */
const SETTLE_MS = 2_000;

/** Tickets of ended sessions remembered, so a late call hears why its session is over. */
const ENDED_KEPT = 20;

/**
 * getLastError for a ticket this service does not (or no longer) run. Not "NoOp": NoOp would make the Web
 * Connector pause and ask again with the same ticket forever. Any other text makes it show the message, call
 * closeConnection and end the session; its next scheduled run logs in afresh and gets a new ticket.
 */
const UNKNOWN_SESSION =
  'ledgerlink does not know this Web Connector session (the service restarted, or another Web Connector logged in for this company file). ' +
  'This session ends; the next run logs in again.';

/** getLastError for a session ended by a newer login (not NoOp, for the same reason). */
const SUPERSEDED = 'Another Web Connector session started for this company file, so ledgerlink ended this one. The next run logs in again.';

/** The page the .qwc's AppSupport points at (the Web Connector links it; some versions check it answers). */
const SUPPORT_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ledgerlink for QuickBooks Desktop</title></head><body>' +
  '<h1>ledgerlink for QuickBooks Desktop</h1>' +
  '<p>This address serves the QuickBooks Web Connector for ledgerlink: Procore Pay payments become bill payment checks in QuickBooks, ' +
  'and checks made in QuickBooks come back to Procore as payments issued.</p>' +
  '<p>If the Web Connector reports an error, keep QuickBooks open with the company file, check the password typed into the Web Connector ' +
  'for this application, and ask the ledgerlink operator of your company (the console lists every failed payment).</p>' +
  '</body></html>';

function args(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/**
 * The Web Connector's SOAP service, hosted by the connector: the Web Connector logs in, pulls qbXML with
 * sendRequestXML, hands QuickBooks' answers back with receiveResponseXML, and closes. One session at a time
 * per company file is how the Web Connector works; tickets keep a stale session from answering for a new one.
 */
export class QbwcService {
  readonly #config: QbdConfig;
  readonly #queue: WorkQueue;
  readonly #events: QbwcEvents;
  readonly #sessions = new Map<string, Session>();
  /** Why recent sessions ended, by ticket. */
  readonly #ended = new Map<string, string>();
  readonly #maxBodyBytes: number;
  readonly #guard: LoginGuard;
  readonly #secrets = new SecretComparer();
  #bodiesReading = 0;
  #server: Server | undefined;
  #starting: Promise<void> | undefined;

  constructor(config: QbdConfig, queue: WorkQueue, events: QbwcEvents, options: QbwcServiceOptions = {}) {
    this.#config = config;
    this.#queue = queue;
    this.#events = events;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.#guard = new LoginGuard(options.login);
  }

  /** Failed logins, logins refused unchecked, and lockouts since start. */
  loginStats(): LoginStats {
    return this.#guard.stats();
  }

  /** Starts listening (once); later calls wait for the same start. */
  start(): Promise<void> {
    this.#starting ??= this.#listen().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#starting = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The address the service answers on, once listening. */
  get address(): string | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    return address ? `http://${address.address}:${address.port}${this.#config.listen.path}` : undefined;
  }

  async #listen(): Promise<void> {
    const { host, port, path } = this.#config.listen;
    // The soap library never sees the socket: it is given a server that never listens, and each request reaches
    // it only after its body was read here, bounded and inflated (the library would inflate without a limit).
    const soapSide = createServer();
    await new Promise<void>((resolve, reject) => {
      listen(soapSide, {
        path,
        services: this.#services(),
        xml: qbwcWsdl(`http://${host}:${port}${path}`),
        // A fault names what failed, never a stack trace.
        suppressStack: true,
        callback: (error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
      });
    });
    const server = createServer((request, response) => {
      this.#handle(request, response, soapSide).catch((error: unknown) => {
        this.#events.requestRefused?.(500, `the request could not be handled (${error instanceof Error ? error.name : typeof error})`, request.socket.remoteAddress ?? 'unknown');
        refuse(response, 500, 'the request could not be handled');
      });
    });
    // A slow body does not hold a socket for Node's default five minutes.
    server.requestTimeout = 60_000;
    server.headersTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A failing socket ends that connection only.
    server.on('error', () => undefined);
    this.#server = server;
  }

  /** One request: the SOAP path gets its body bounded first; anything else is the support page or 404. */
  async #handle(request: IncomingMessage, response: ServerResponse, soapSide: Server): Promise<void> {
    // An error on the request's stream ends this request, never the process.
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    if (!onPath(request.url, this.#config.listen.path)) {
      answerOtherPaths(request, response);
      return;
    }
    if (request.method === 'POST') {
      if (this.#bodiesReading >= MAX_BODIES_AT_ONCE) {
        refuse(response, 503, 'too many requests at once; try again shortly');
        return;
      }
      this.#bodiesReading += 1;
      let body: Buffer;
      try {
        body = await readBoundedBody(request, this.#maxBodyBytes);
      } catch (error) {
        const refusal = error instanceof BodyRefusal ? error : new BodyRefusal(400, 'the request body could not be read');
        this.#events.requestRefused?.(refusal.status, refusal.message, request.socket.remoteAddress ?? 'unknown');
        refuse(response, refusal.status, refusal.message);
        return;
      } finally {
        this.#bodiesReading -= 1;
      }
      if (body.length === 0) {
        refuse(response, 400, 'the request has no body: send a SOAP envelope');
        return;
      }
      // The library takes a body that is already there as it is (and would not inflate it again).
      (request as IncomingMessage & { body?: Buffer }).body = body;
      delete request.headers['content-encoding'];
    }
    soapSide.emit('request', request, response);
  }

  #services() {
    const operations = {
      serverVersion: () => ({ serverVersionResult: SERVER_VERSION }),
      // Any Web Connector version is accepted: the protocol this service speaks has not changed since 2.0.
      clientVersion: () => ({ clientVersionResult: '' }),
      authenticate: (input: unknown, _callback: unknown, _headers: unknown, request?: IncomingMessage) => ({
        authenticateResult: { string: this.#authenticate(str(args(input).strUserName), str(args(input).strPassword), request?.socket.remoteAddress ?? 'unknown') },
      }),
      sendRequestXML: async (input: unknown) => ({ sendRequestXMLResult: await this.#sendRequestXml(str(args(input).ticket), Number(args(input).qbXMLMajorVers)) }),
      receiveResponseXML: async (input: unknown) => {
        const { ticket, response, hresult, message } = args(input);
        return { receiveResponseXMLResult: await this.#receiveResponseXml(str(ticket), str(response), str(hresult), str(message)) };
      },
      connectionError: (input: unknown) => ({ connectionErrorResult: this.#connectionError(str(args(input).ticket), str(args(input).hresult), str(args(input).message)) }),
      getLastError: (input: unknown) => ({ getLastErrorResult: this.#getLastError(str(args(input).ticket)) }),
      closeConnection: (input: unknown) => ({ closeConnectionResult: this.#closeConnection(str(args(input).ticket)) }),
      // Interactive mode is not used: the Web Connector only calls these after getLastError says so.
      getInteractiveURL: () => ({ getInteractiveURLResult: '' }),
      interactiveDone: () => ({ interactiveDoneResult: 'Done' }),
      interactiveRejected: () => ({ interactiveRejectedResult: 'Interactive mode is not used by ledgerlink' }),
    };
    return { QBWebConnectorSvc: { QBWebConnectorSvcSoap: operations } };
  }

  #end(ticket: string, why: string): void {
    this.#sessions.delete(ticket);
    this.#ended.set(ticket, why);
    for (const old of this.#ended.keys()) {
      if (this.#ended.size <= ENDED_KEPT) break;
      this.#ended.delete(old);
    }
  }

  #getLastError(ticket: string): string {
    const session = this.#sessions.get(ticket);
    if (session !== undefined) return session.lastError || 'NoOp';
    return this.#ended.get(ticket) ?? UNKNOWN_SESSION;
  }

  #authenticate(username: string, password: string, address: string): string[] {
    const ticket = randomUUID();
    const user = displayUserName(username);
    const verdict = this.#guard.verdict(username, address);
    if (!verdict.allowed) {
      // Refused unchecked: guessing during a delay or a lockout learns nothing.
      this.#events.authFailed({ user, address, kind: verdict.why, waitMs: verdict.waitMs, by: verdict.by });
      return [ticket, 'nvu'];
    }
    // Both compared every time, as digests of one length: the answer's timing says nothing about either.
    const userOk = this.#secrets.same(username, this.#config.username);
    const passwordOk = this.#secrets.same(password, this.#config.password);
    if (!userOk || !passwordOk) {
      this.#events.authFailed({ user, address, kind: 'failed', note: this.#guard.failed(username, address) });
      return [ticket, 'nvu'];
    }
    this.#guard.succeeded(username, address);
    // A new session means the previous one is over: whatever it took and never answered is lost.
    this.#queue.loseUnanswered('the Web Connector started a new session without answering it');
    this.#queue.loseOlderThan(this.#config.lostAfterMs);
    if (!this.#queue.hasWork) return [ticket, 'none'];
    // One session per company file: a second login ends the first (its next call hears why).
    for (const old of [...this.#sessions.keys()]) this.#end(old, SUPERSEDED);
    this.#sessions.set(ticket, { ticket, lastError: '' });
    this.#queue.startSession();
    return [ticket, this.#config.companyFile];
  }

  async #sendRequestXml(ticket: string, qbXmlMajor: number): Promise<string> {
    const session = this.#sessions.get(ticket);
    if (session === undefined) return '';
    if (Number.isFinite(qbXmlMajor) && qbXmlMajor > 0 && qbXmlMajor < QBXML_MIN_MAJOR) {
      session.lastError =
        `This QuickBooks supports qbXML ${qbXmlMajor}.x; ledgerlink writes qbXML ${QBXML_MIN_MAJOR}.0 or later (QuickBooks 2013 or later). ` +
        'Update QuickBooks Desktop, then run the Web Connector again.';
      return '';
    }
    session.version ??= qbxmlVersionFor(qbXmlMajor);
    if (!this.#queue.hasWork) await this.#queue.settled(SETTLE_MS);
    const requests = this.#queue.take(ticket);
    if (requests.length === 0) {
      // Only while work is still announced (a lookup's add on its way) is "ask again shortly" true.
      session.lastError = this.#queue.percentDone() < 100 ? 'NoOp' : 'Nothing more to do';
      return '';
    }
    return buildRequestMessage(requests, session.version);
  }

  async #receiveResponseXml(ticket: string, response: string, hresult: string, message: string): Promise<number> {
    const session = this.#sessions.get(ticket);
    if (session === undefined) return -1;
    if (hresult.trim() !== '') {
      this.#queue.fail(ticket, hresult.trim(), message);
    } else {
      let responses;
      try {
        responses = parseResponseMessage(response);
      } catch (error) {
        // Unreadable: whether QuickBooks applied it is unknown.
        responses = undefined;
        this.#queue.loseUnanswered(`QuickBooks' answer could not be read (${error instanceof Error ? error.message : String(error)})`, undefined);
      }
      if (responses !== undefined) this.#queue.answer(ticket, responses);
    }
    // The percentage is what is left once the answers' follow-up work (a lookup's add, an import's next page) is
    // queued: 100 tells the Web Connector to end the session, and iterators end with it.
    await this.#queue.settled(SETTLE_MS);
    return this.#queue.percentDone();
  }

  #connectionError(ticket: string, hresult: string, message: string): string {
    // Only a live session's own ticket may end it: a made-up or old ticket changes nothing.
    if (!this.#sessions.has(ticket)) return 'DONE';
    this.#queue.loseUnanswered('the Web Connector lost QuickBooks during the session');
    this.#end(ticket, `the Web Connector could not reach QuickBooks (${hresult})`);
    this.#events.connectionError(hresult, message);
    return 'DONE';
  }

  #closeConnection(ticket: string): string {
    if (this.#sessions.has(ticket)) {
      this.#end(ticket, 'the session was closed');
      this.#queue.loseUnanswered('the Web Connector closed the session without answering it');
    }
    return 'OK';
  }
}

/** Whether a request's path is the service's, as the soap library matches it (a trailing slash or not). */
function onPath(url: string | undefined, path: string): boolean {
  let pathname: string;
  try {
    pathname = new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return false;
  }
  const strip = (value: string) => (value.endsWith('/') ? value.slice(0, -1) : value);
  return strip(pathname) === strip(path);
}

/** A refusal before the SOAP layer: a plain message, and the connection closed (the rest of the body is not read). */
function refuse(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close', ...(status === 503 ? { 'retry-after': '1' } : {}) });
  response.end(`${message}\n`);
}

function answerOtherPaths(request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if ((request.method === 'GET' || request.method === 'HEAD') && (path === '/support' || path === '/support/')) {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' });
    response.end(request.method === 'HEAD' ? undefined : SUPPORT_PAGE);
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  response.end('not found: the Web Connector service is at its AppURL, the support page at /support\n');
}
