import { request as httpRequest } from 'node:http';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { SandboxFaults } from '@ledgerlink/core';
import type { QuickBooks } from './quickbooks.js';

const NS = 'http://developer.intuit.com/';
const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, suppressEmptyNode: false });
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'string',
});

/** The Web Connector's login and the company file it has open. */
export interface WebConnectorSettings {
  url: string;
  username: string;
  password: string;
  companyFile: string;
  /** RunEveryNSeconds of the .qwc, in ms; 0 = no scheduled runs (a test starts each with `runNow`). */
  pollMs: number;
  /** How long the Web Connector pauses after `NoOp` from getLastError before asking again (QBWC: 5 s). */
  noOpPauseMs: number;
}

/** Thrown to abandon a session on purpose (commit, then drop). */
class Dropped extends Error {}

/**
 * The simulated QuickBooks Web Connector: every `pollMs` it runs one session against the connector's SOAP
 * endpoint the way QBWC does (serverVersion, clientVersion, authenticate, then sendRequestXML /
 * receiveResponseXML until 100 % or an error, closeConnection), passing each request message to the sandbox's
 * QuickBooks. Written from the QBWC protocol with its own SOAP envelopes; it shares nothing with the client.
 */
export class WebConnector {
  readonly #settings: WebConnectorSettings;
  readonly #quickbooks: QuickBooks;
  readonly #faults: SandboxFaults;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #session: Promise<void> = Promise.resolve();
  /** What the Web Connector's log would show: the last session's end. */
  lastLog = '';
  /** Sessions run so far (logins that got work, and logins answered `none`/`nvu`). */
  sessions = 0;
  /** How often the service answered `NoOp` (each one a pause of the Web Connector). */
  noOps = 0;
  /** Sessions in which the service had work (authenticate named a company file). */
  worked = 0;

  constructor(settings: WebConnectorSettings, quickbooks: QuickBooks, faults: SandboxFaults) {
    this.#settings = settings;
    this.#quickbooks = quickbooks;
    this.#faults = faults;
  }

  start(): void {
    if (this.#settings.pollMs > 0) this.#schedule();
  }

  /** Runs one session now ("Update Selected"), after any session in progress; errors go to `lastLog`. */
  runNow(): Promise<void> {
    const run = this.#session.then(() => this.#runLogged());
    this.#session = run;
    return run;
  }

  #runLogged(): Promise<void> {
    return this.runSession().catch((error: unknown) => {
      // Nobody listening (the connector is not running) or a dropped session: QBWC logs it and waits.
      this.lastLog = error instanceof Error ? error.message : String(error);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#session;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runNow().finally(() => this.#schedule());
    }, this.#settings.pollMs);
  }

  /** One Web Connector run ("Update Selected"). QuickBooks' iterators end with it, however it ends. */
  async runSession(): Promise<void> {
    this.sessions += 1;
    try {
      await this.#exchange();
    } finally {
      this.#quickbooks.endSession();
    }
  }

  async #exchange(): Promise<void> {
    await this.#call('serverVersion', {});
    const version = await this.#call('clientVersion', { strVersion: '2.3.0.215' });
    if (version.startsWith('E:')) throw new Error(`the service refused this Web Connector: ${version}`);
    const auth = await this.#callArray('authenticate', { strUserName: this.#settings.username, strPassword: this.#settings.password });
    const [ticket = '', status = ''] = auth;
    if (status === 'nvu' || status === 'none') {
      await this.#call('closeConnection', { ticket });
      this.lastLog = status === 'nvu' ? 'invalid user' : 'no work';
      return;
    }
    this.worked += 1;
    const companyFile = status === '' ? this.#settings.companyFile : status;
    let first = true;
    for (let round = 0; round < 1_000; round++) {
      const xml = await this.#call('sendRequestXML', {
        ticket,
        strHCPResponse: first ? '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs></QBXMLMsgsRs></QBXML>' : '',
        strCompanyFileName: companyFile,
        qbXMLCountry: 'US',
        qbXMLMajorVers: String(this.#quickbooks.qbxmlMajor),
        qbXMLMinorVers: '0',
      });
      first = false;
      if (xml === '') {
        const error = await this.#call('getLastError', { ticket });
        // NoOp: "nothing now, ask again shortly" (QBWC pauses 5 s, then calls sendRequestXML again).
        if (error === 'NoOp') {
          this.noOps += 1;
          await new Promise((resolve) => setTimeout(resolve, this.#settings.noOpPauseMs));
          continue;
        }
        this.lastLog = error;
        break;
      }
      const result = await this.#quickbooks.processMessage(xml);
      if (result.kind === 'response' && result.committed && this.#faults.commitThenDrop > 0) {
        this.#faults.commitThenDrop -= 1;
        throw new Dropped('the session was dropped after QuickBooks saved the request (commitThenDrop)');
      }
      const percent = Number(
        await this.#call(
          'receiveResponseXML',
          result.kind === 'response'
            ? { ticket, response: result.xml, hresult: '', message: '' }
            : { ticket, response: '', hresult: result.hresult, message: result.message },
        ),
      );
      if (!Number.isInteger(percent)) throw new Error(`receiveResponseXML answered "${percent}", not an integer: the Web Connector fails here`);
      if (percent < 0) {
        this.lastLog = await this.#call('getLastError', { ticket });
        break;
      }
      if (percent >= 100) break;
    }
    await this.#call('closeConnection', { ticket });
  }

  async #call(method: string, params: Record<string, string>): Promise<string> {
    const result = await this.#soap(method, params);
    return typeof result === 'string' ? result : result === undefined || result === null ? '' : String(result);
  }

  async #callArray(method: string, params: Record<string, string>): Promise<string[]> {
    const result = (await this.#soap(method, params)) as { string?: unknown[] } | undefined;
    return (result?.string ?? []).map((value) => (typeof value === 'string' ? value : ''));
  }

  async #soap(method: string, params: Record<string, string>): Promise<unknown> {
    const envelope = builder.build({
      'soap:Envelope': { '@_xmlns:soap': SOAP_NS, 'soap:Body': { [method]: { '@_xmlns': NS, ...params } } },
    }) as string;
    const body = await post(this.#settings.url, `<?xml version="1.0" encoding="utf-8"?>${envelope}`, `"${NS}${method}"`);
    const document = parser.parse(body) as { Envelope?: { Body?: Record<string, unknown> } };
    const soapBody = document.Envelope?.Body ?? {};
    if ('Fault' in soapBody) throw new Error(`${method}: SOAP fault ${JSON.stringify(soapBody.Fault)}`);
    const response = soapBody[`${method}Response`] as Record<string, unknown> | undefined;
    if (response === undefined) throw new Error(`${method}: no ${method}Response in the answer`);
    return response[`${method}Result`];
  }
}

function post(url: string, body: string, soapAction: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
