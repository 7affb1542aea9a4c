import type { SandboxFaults, SandboxStats } from '@ledgerlink/core';
import type { CompanyFile } from './company-file.js';
import { buildResponse, child, parseQbxml, type XmlNode } from './qbxml-tree.js';
import { schemaProblem } from './qbxml-schema.js';
import type { RequestResult } from './qbxml-status.js';
import { RequestProcessor } from './request-processor.js';

/** What QuickBooks hands the Web Connector for one request message. */
export type MessageResult =
  | { kind: 'response'; xml: string; committed: boolean }
  /** The request processor failed the whole message (HRESULT), nothing applied. */
  | { kind: 'hresult'; hresult: string; message: string };

const PARSE_ERROR = { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' };
const NOT_RUNNING = { hresult: '0x80040408', message: 'Could not start QuickBooks.' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The sandbox's QuickBooks: takes one qbXML request message at a time, as the real request processor does,
 * checks it against the schema, runs its requests in order (each taking `processingMs`), and answers with a
 * qbXML response message. Counts every request, applies the throttle and server-error knobs.
 */
export class QuickBooks {
  readonly #processor: RequestProcessor;
  readonly #faults: SandboxFaults;
  readonly #processingMs: number;
  #stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  #inFlight = 0;
  /** Why the last message was refused as unparseable: the sandbox's own diagnostic. */
  lastParseProblem: string | undefined;

  readonly #qbxmlMajor: number;

  /** `qbxmlMajor`: the newest qbXML version this QuickBooks speaks (13 for QuickBooks 2014 and later, 12 for 2013). */
  constructor(company: CompanyFile, faults: SandboxFaults, processingMs: number, qbxmlMajor = 13) {
    this.#processor = new RequestProcessor(company);
    this.#faults = faults;
    this.#processingMs = processingMs;
    this.#qbxmlMajor = qbxmlMajor;
  }

  /** The qbXML major version the Web Connector reports to the service in sendRequestXML. */
  get qbxmlMajor(): number {
    return this.#qbxmlMajor;
  }

  /** The Web Connector closed its session with this QuickBooks: iterators end with it. */
  endSession(): void {
    this.#processor.endSession();
  }

  stats(): SandboxStats {
    return { ...this.#stats, arrivals: [...this.#stats.arrivals] };
  }

  resetStats(): void {
    this.#stats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  }

  async processMessage(xml: string): Promise<MessageResult> {
    if (this.#faults.latencyMs > 0) await sleep(this.#faults.latencyMs);
    if (this.#faults.serverErrorRate > 0 && Math.random() < this.#faults.serverErrorRate) return { kind: 'hresult', ...NOT_RUNNING };
    let requests: XmlNode[];
    let stopOnError: boolean;
    try {
      ({ requests, stopOnError } = readMessage(xml, this.#qbxmlMajor));
    } catch (error) {
      this.lastParseProblem = error instanceof Error ? error.message : String(error);
      return { kind: 'hresult', ...PARSE_ERROR };
    }
    const results: RequestResult[] = [];
    let stopped = false;
    for (const request of requests) {
      if (stopped) {
        results.push(notProcessed(request));
        continue;
      }
      const result = await this.#run(request);
      results.push(result);
      const status = Object.values(result.rs)[0] as Record<string, string>;
      if (stopOnError && status['@_statusSeverity'] === 'Error') stopped = true;
    }
    return { kind: 'response', xml: buildResponse(results.map((result) => result.rs)), committed: results.some((result) => result.committed) };
  }

  async #run(request: XmlNode): Promise<RequestResult> {
    this.#stats.requests += 1;
    this.#stats.arrivals.push(Date.now());
    this.#inFlight += 1;
    this.#stats.maxConcurrent = Math.max(this.#stats.maxConcurrent, this.#inFlight);
    try {
      // QuickBooks works one request at a time, and each takes a while.
      await sleep(this.#processingMs);
      if (this.#faults.throttleNext > 0) {
        this.#faults.throttleNext -= 1;
        this.#stats.throttled += 1;
        return this.#processor.busy(request);
      }
      return this.#processor.process(request);
    } finally {
      this.#inFlight -= 1;
    }
  }
}

/** The requests of a message, after the checks QuickBooks makes before running any of them. */
function readMessage(xml: string, qbxmlMajor: number): { requests: XmlNode[]; stopOnError: boolean } {
  const nodes = parseQbxml(xml);
  const pi = nodes.find((node) => node.name === '?qbxml');
  const version = pi?.attributes.version;
  if (version === undefined || !/^\d+\.\d+$/.test(version)) throw new Error('the <?qbxml version="…"?> instruction is missing');
  if (Number(version.split('.')[0]) > qbxmlMajor) throw new Error(`qbXML ${version} is newer than this QuickBooks (${qbxmlMajor}.0)`);
  const root = nodes.find((node) => node.name === 'QBXML');
  const messages = root === undefined ? undefined : child(root, 'QBXMLMsgsRq');
  if (messages === undefined) throw new Error('no QBXML/QBXMLMsgsRq element');
  const onError = messages.attributes.onError;
  if (onError !== 'stopOnError' && onError !== 'continueOnError') throw new Error('QBXMLMsgsRq needs onError="stopOnError" or "continueOnError"');
  for (const request of messages.children) {
    const problem = schemaProblem(request);
    if (problem !== null) throw new Error(problem);
    const id = request.attributes.requestID;
    if (id !== undefined && id.length > 50) throw new Error(`requestID "${id}" is longer than 50 characters`);
  }
  return { requests: messages.children, stopOnError: onError === 'stopOnError' };
}

function notProcessed(request: XmlNode): RequestResult {
  const name = request.name.replace(/Rq$/, 'Rs');
  const attributes: Record<string, string> = {};
  if (request.attributes.requestID !== undefined) attributes['@_requestID'] = request.attributes.requestID;
  return {
    rs: { [name]: { ...attributes, '@_statusCode': '3231', '@_statusSeverity': 'Error', '@_statusMessage': 'The request has not been processed.' } },
    committed: false,
  };
}
