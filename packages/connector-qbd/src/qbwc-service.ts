import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
import type { QbdConfig } from './config.js';
import { qbwcWsdl } from './qbwc-wsdl.js';
import { buildRequestMessage, parseResponseMessage, QBXML_MIN_MAJOR, qbxmlVersionFor } from './qbxml-wire.js';
import type { WorkQueue } from './work-queue.js';

/** What the service tells the rest of the client about the Web Connector's visits. */
export interface QbwcEvents {
  /** A Web Connector logged in with a user name or password that does not match the config. */
  authFailed(username: string): void;
  /** The Web Connector could not reach QuickBooks or open the company file. */
  connectionError(hresult: string, message: string): void;
}

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

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
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
  #server: Server | undefined;
  #starting: Promise<void> | undefined;

  constructor(config: QbdConfig, queue: WorkQueue, events: QbwcEvents) {
    this.#config = config;
    this.#queue = queue;
    this.#events = events;
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
    // Requests the SOAP listener does not take (another path) come here: the support page, else 404.
    const server = createServer((request, response) => answerOtherPaths(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    listen(server, path, this.#services(), qbwcWsdl(`http://${host}:${port}${path}`));
    this.#server = server;
  }

  #services() {
    const operations = {
      serverVersion: () => ({ serverVersionResult: SERVER_VERSION }),
      // Any Web Connector version is accepted: the protocol this service speaks has not changed since 2.0.
      clientVersion: () => ({ clientVersionResult: '' }),
      authenticate: (input: unknown) => ({ authenticateResult: { string: this.#authenticate(str(args(input).strUserName), str(args(input).strPassword)) } }),
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

  #authenticate(username: string, password: string): string[] {
    const ticket = randomUUID();
    const userOk = sameSecret(username, this.#config.username);
    const passwordOk = sameSecret(password, this.#config.password);
    if (!userOk || !passwordOk) {
      this.#events.authFailed(username);
      return [ticket, 'nvu'];
    }
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
