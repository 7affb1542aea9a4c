import {
  type ErpAnswer,
  type HttpClient,
  HttpTransportError,
  type LaneSignals,
  type Logger,
  parseRetryAfter,
} from '@ledgerlink/core';
import type { IntacctConfig } from './config.js';
import { classifyErrors, erpAnswerOf } from './intacct-errors.js';
import { buildRequest, getApiSessionFunction, type IntacctAuthentication, type IntacctFunction } from './intacct-request.js';
import { type IntacctError, type IntacctResult, parseResponse } from './intacct-response.js';
import { childText, XmlParseError } from './intacct-xml.js';

/**
 * One Intacct company behind the lane: sends request documents, keeps the API session (`getAPISession`, then
 * the `sessionid` and `endpoint` it returned), signs in again once when a session is no longer valid, and
 * turns every kind of answer into a {@link GatewayReply}. Secrets are only ever in request bodies, never logged.
 */

/** Intacct's "Sign-in information is incorrect. Please check your request." (SDK RequestHandler fixtures). */
export const SIGN_IN_REFUSED_CODES: ReadonlySet<string> = new Set(['XMLGW_JPP0002']);

/** "Incorrect Intacct XML Partner ID or password": the Web Services sender, in the control block. */
export const SENDER_NOT_AUTHORISED = 'XL03000006';

/** What came back from one request. */
export type GatewayReply =
  | { kind: 'results'; results: IntacctResult[] }
  | { kind: 'control-failure'; errors: IntacctError[]; httpStatus: number }
  | { kind: 'authentication-failure'; errors: IntacctError[]; httpStatus: number; stage: 'login' | 'session' }
  | { kind: 'throttled'; erp: ErpAnswer; retryAfterMs?: number }
  | { kind: 'server-error'; erp: ErpAnswer }
  | { kind: 'unreadable'; message: string; httpStatus: number }
  | { kind: 'transport'; error: HttpTransportError };

/** Thrown by `signIn` with the reply that refused it. */
export class SignInError extends Error {
  constructor(readonly reply: Exclude<GatewayReply, { kind: 'results' }>) {
    super(`sign-in failed: ${reply.kind}`);
    this.name = 'SignInError';
  }
}

interface Session {
  id: string;
  endpoint: string;
}

export interface GatewayOptions {
  config: IntacctConfig;
  http: HttpClient;
  lane: LaneSignals;
  logger: Logger;
}

export interface CallOptions {
  /** The request's control id. */
  controlId: string;
  /** Ask Intacct to refuse a second request with this control id (writes). */
  uniqueId: boolean;
  transaction?: boolean;
}

export class IntacctGateway {
  readonly #config: IntacctConfig;
  readonly #http: HttpClient;
  readonly #lane: LaneSignals;
  readonly #logger: Logger;
  #session: Session | undefined;
  #signingIn: Promise<Session> | undefined;
  #loginCount = 0;

  constructor(options: GatewayOptions) {
    this.#config = options.config;
    this.#http = options.http;
    this.#lane = options.lane;
    this.#logger = options.logger;
  }

  /** Sends functions in one request under the current session; signs in first when there is none. */
  async call(functions: IntacctFunction[], options: CallOptions): Promise<GatewayReply> {
    let session: Session;
    try {
      session = await this.session();
    } catch (error) {
      if (error instanceof SignInError) return error.reply;
      throw error;
    }
    const first = await this.#send(session, functions, options);
    if (first.kind !== 'authentication-failure') return first;
    // Intacct expires sessions (timeout, sign-out elsewhere): nothing ran, so sign in once more and resend.
    this.#logger.info({ controlId: options.controlId }, 'Intacct refused the session; signing in again');
    this.#forget(session);
    try {
      session = await this.session();
    } catch (error) {
      if (error instanceof SignInError) return error.reply;
      throw error;
    }
    return this.#send(session, functions, options);
  }

  /** The current session, signing in when there is none (concurrent callers share one sign-in). */
  async session(): Promise<Session> {
    if (this.#session !== undefined) return this.#session;
    this.#signingIn ??= this.#signIn().finally(() => {
      this.#signingIn = undefined;
    });
    return this.#signingIn;
  }

  /** Signs in afresh (the connection check). */
  async signInAgain(): Promise<void> {
    this.#session = undefined;
    await this.session();
  }

  /** Sign-ins so far (for tests and logs). */
  get signIns(): number {
    return this.#loginCount;
  }

  close(): void {
    this.#session = undefined;
  }

  #forget(session: Session): void {
    if (this.#session === session) this.#session = undefined;
  }

  async #send(session: Session, functions: IntacctFunction[], options: CallOptions): Promise<GatewayReply> {
    const body = buildRequest({
      senderId: this.#config.senderId,
      senderPassword: this.#config.senderPassword,
      controlId: options.controlId,
      uniqueId: options.uniqueId,
      transaction: options.transaction ?? false,
      authentication: { sessionId: session.id },
      functions,
    });
    return this.#post(session.endpoint, body, 'session');
  }

  async #signIn(): Promise<Session> {
    const { userId, companyId, userPassword, entity, locationId } = this.#config;
    const authentication: IntacctAuthentication = {
      login: { userId, companyId, password: userPassword, ...(entity === undefined ? {} : { locationId: entity }) },
    };
    const controlId = `ledgerlink-session-${Date.now()}`;
    const body = buildRequest({
      senderId: this.#config.senderId,
      senderPassword: this.#config.senderPassword,
      controlId,
      uniqueId: false,
      transaction: false,
      authentication,
      functions: [getApiSessionFunction(controlId, locationId)],
    });
    this.#loginCount += 1;
    const reply = await this.#post(this.#config.endpointUrl, body, 'login');
    if (reply.kind !== 'results') throw new SignInError(reply);
    const result = reply.results[0];
    if (result === undefined || result.status !== 'success') {
      throw new SignInError({ kind: 'authentication-failure', errors: result?.errors ?? [], httpStatus: 200, stage: 'login' });
    }
    const api = result.data?.records[0];
    const id = childText(api, 'sessionid');
    if (id === undefined || id === '') {
      throw new SignInError({ kind: 'unreadable', message: 'getAPISession answered without a sessionid', httpStatus: 200 });
    }
    const session = { id, endpoint: this.#endpointFrom(childText(api, 'endpoint')) };
    this.#session = session;
    this.#logger.debug({ endpoint: session.endpoint }, 'Intacct API session opened');
    return session;
  }

  /**
   * The endpoint getAPISession named (the SDK's SessionProvider moves to it too). Only an http(s) URL is
   * followed, and never from https down to http: the sender password travels in every request.
   */
  #endpointFrom(value: string | undefined): string {
    const fallback = this.#config.endpointUrl;
    if (value === undefined || value.trim() === '') return fallback;
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      throw new SignInError({ kind: 'unreadable', message: `getAPISession named an endpoint that is not a URL`, httpStatus: 200 });
    }
    const configured = new URL(fallback);
    if (!['http:', 'https:'].includes(url.protocol) || (configured.protocol === 'https:' && url.protocol !== 'https:')) {
      throw new SignInError({ kind: 'unreadable', message: `getAPISession named an endpoint with scheme ${url.protocol}`, httpStatus: 200 });
    }
    return url.toString();
  }

  async #post(url: string, body: string, stage: 'login' | 'session'): Promise<GatewayReply> {
    let status: number;
    let text: string;
    let headers: Record<string, string>;
    try {
      const response = await this.#http({ method: 'POST', url, headers: { 'content-type': 'application/xml', accept: 'application/xml' }, body });
      ({ status, body: text, headers } = response);
    } catch (error) {
      if (error instanceof HttpTransportError) return { kind: 'transport', error };
      throw error;
    }
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    if (status >= 500) {
      return { kind: 'server-error', erp: { message: `Intacct answered HTTP ${status}`, httpStatus: status, ...bodyDetail(text) } };
    }
    let response;
    try {
      response = parseResponse(text);
    } catch (error) {
      if (!(error instanceof XmlParseError)) throw error;
      if (status === 429) return throttled({ message: `Intacct answered HTTP 429`, httpStatus: 429 }, retryAfterMs);
      // A 401 is a refused sign-in or session whatever its body says.
      if (status === 401) return { kind: 'authentication-failure', errors: [], httpStatus: status, stage };
      return { kind: 'unreadable', message: `Intacct answered HTTP ${status} that is not its XML response (${error.message})`, httpStatus: status };
    }
    if (response.kind === 'operation') {
      if (status !== 200) {
        return { kind: 'unreadable', message: `Intacct answered HTTP ${status} with a successful operation`, httpStatus: status };
      }
      return { kind: 'results', results: response.results };
    }
    const { errors } = response;
    const classified = classifyErrors(errors, this.#config.errorCodes);
    if (status === 429 || classified.kind === 'throttled') {
      // A 429 already paused the lane; a GW-0010 in any other answer must tell it.
      if (status !== 429) this.#lane.throttled(retryAfterMs);
      return throttled(erpAnswerOf(errors, classified.primary, status), retryAfterMs);
    }
    if (response.kind === 'control-failure') {
      // The SDK's fixtures show a refused sign-in as HTTP 401 with a bare control block and XMLGW_JPP0002, for a
      // login and for a session alike: that is the sign-in failing (a stale session signs in again), not a
      // request Intacct could not run. A sender refusal (XL03000006) stays a control failure: signing in again
      // cannot cure it.
      const sender = errors.some((error) => error.errorno === SENDER_NOT_AUTHORISED);
      if (!sender && (status === 401 || errors.some((error) => error.errorno !== undefined && SIGN_IN_REFUSED_CODES.has(error.errorno)))) {
        return { kind: 'authentication-failure', errors, httpStatus: status, stage };
      }
      return { kind: 'control-failure', errors, httpStatus: status };
    }
    return { kind: 'authentication-failure', errors, httpStatus: status, stage };
  }
}

function throttled(erp: ErpAnswer, retryAfterMs: number | undefined): GatewayReply {
  return retryAfterMs === undefined ? { kind: 'throttled', erp } : { kind: 'throttled', erp, retryAfterMs };
}

/** A short, single-line excerpt of a non-XML answer: enough to recognise a proxy page, never a whole body. */
function bodyDetail(text: string): { detail?: string } {
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return line === '' ? {} : { detail: line };
}
