import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from 'soap';
import type { QbdConfig } from './config.js';
import { qbwcWsdl } from './qbwc-wsdl.js';
import { buildRequestMessage, parseResponseMessage } from './qbxml-wire.js';
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
}

/** The version string serverVersion returns: shown in the Web Connector's log. */
export const SERVER_VERSION = 'ledgerlink-qbd 0.1.0';

/** The lowest qbXML version this connector writes (13.0: ExternalGUID on BillPaymentCheckAdd). */
const MIN_QBXML_MAJOR = 13;

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
    const server = createServer();
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
      authenticate: (args: Record<string, unknown>) => ({ authenticateResult: { string: this.#authenticate(str(args.strUserName), str(args.strPassword)) } }),
      sendRequestXML: (args: Record<string, unknown>) => ({ sendRequestXMLResult: this.#sendRequestXml(str(args.ticket), Number(args.qbXMLMajorVers)) }),
      receiveResponseXML: (args: Record<string, unknown>) => ({
        receiveResponseXMLResult: this.#receiveResponseXml(str(args.ticket), str(args.response), str(args.hresult), str(args.message)),
      }),
      connectionError: (args: Record<string, unknown>) => ({ connectionErrorResult: this.#connectionError(str(args.ticket), str(args.hresult), str(args.message)) }),
      getLastError: (args: Record<string, unknown>) => ({ getLastErrorResult: this.#sessions.get(str(args.ticket))?.lastError || 'NoOp' }),
      closeConnection: (args: Record<string, unknown>) => ({ closeConnectionResult: this.#closeConnection(str(args.ticket)) }),
      // Interactive mode is not used: the Web Connector only calls these after getLastError says so.
      getInteractiveURL: () => ({ getInteractiveURLResult: '' }),
      interactiveDone: () => ({ interactiveDoneResult: 'Done' }),
      interactiveRejected: () => ({ interactiveRejectedResult: 'Interactive mode is not used by ledgerlink' }),
    };
    return { QBWebConnectorSvc: { QBWebConnectorSvcSoap: operations } };
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
    this.#sessions.clear();
    this.#sessions.set(ticket, { ticket, lastError: '' });
    this.#queue.startSession();
    return [ticket, this.#config.companyFile];
  }

  #sendRequestXml(ticket: string, qbXmlMajor: number): string {
    const session = this.#sessions.get(ticket);
    if (session === undefined) return '';
    if (Number.isFinite(qbXmlMajor) && qbXmlMajor > 0 && qbXmlMajor < MIN_QBXML_MAJOR) {
      session.lastError =
        `This QuickBooks supports qbXML ${qbXmlMajor}.x; ledgerlink writes qbXML 13.0 (QuickBooks 2014 or later). ` +
        'Update QuickBooks Desktop, then run the Web Connector again.';
      return '';
    }
    const requests = this.#queue.take(ticket);
    if (requests.length === 0) {
      session.lastError = 'Nothing more to do';
      return '';
    }
    return buildRequestMessage(requests);
  }

  #receiveResponseXml(ticket: string, response: string, hresult: string, message: string): number {
    const session = this.#sessions.get(ticket);
    if (session === undefined) return -1;
    if (hresult.trim() !== '') {
      this.#queue.fail(ticket, hresult.trim(), message);
    } else {
      try {
        this.#queue.answer(ticket, parseResponseMessage(response));
      } catch (error) {
        // Unreadable: whether QuickBooks applied it is unknown.
        this.#queue.loseUnanswered(`QuickBooks' answer could not be read (${error instanceof Error ? error.message : String(error)})`, undefined);
      }
    }
    return this.#queue.percentDone();
  }

  #connectionError(ticket: string, hresult: string, message: string): string {
    this.#queue.loseUnanswered('the Web Connector lost QuickBooks during the session');
    this.#sessions.delete(ticket);
    this.#events.connectionError(hresult, message);
    return 'DONE';
  }

  #closeConnection(ticket: string): string {
    if (this.#sessions.delete(ticket)) this.#queue.loseUnanswered('the Web Connector closed the session without answering it');
    return 'OK';
  }
}
