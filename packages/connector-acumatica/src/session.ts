/**
 * Acumatica's cookie session. Every signed-in API user takes one of the licence's seats, and a session left
 * open keeps its seat until Acumatica times it out, so: sign in for a unit of work, always sign out after it
 * (success, refusal, throttle or a dropped connection alike), and let concurrent units share one session so
 * the connector never holds more than one seat.
 *
 * A process killed inside a unit of work cannot sign out, and after two such crashes both seats of a trial licence
 * stay taken until Acumatica's idle timeout ("API Login Limit"). So the open session's cookies are kept in the
 * `CredentialStore` while it is open, and the first sign-in of a new process first signs the stale session out.
 */
import { createHash } from 'node:crypto';
import {
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  Outcomes,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type LaneSignals,
  type Logger,
  type Outcome,
  type CredentialStore,
} from '@ledgerlink/core';
import { erpAnswer, isLoginLimit, retryAfterMs } from './acumatica-errors.js';
import { authUrl } from './acumatica-wire.js';
import type { AcumaticaConfig } from './config.js';
import { CookieJar } from './cookie-jar.js';

/** Sends one request inside the session: cookies attached, new cookies kept, an expired session renewed once. */
export type SessionSend = (request: HttpRequest) => Promise<HttpResponse>;

/** Signing in failed. `outcome` is what a payment gets; `toError()` is what a connection check throws. */
export class SignInError extends Error {
  constructor(
    message: string,
    readonly outcome: Outcome,
    readonly code: LedgerlinkError['code'],
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'SignInError';
  }

  toError(): LedgerlinkError {
    const disposition = this.code === ErrorCodes.ERP_AUTH ? 'fatal' : 'retryable';
    const erp = 'erp' in this.outcome ? this.outcome.erp : undefined;
    return new LedgerlinkError(this.code, this.message, { disposition, cause: this, details: erp === undefined ? {} : { erp } });
  }
}

export interface SessionContext {
  config: AcumaticaConfig;
  http: HttpClient;
  lane: LaneSignals;
  logger: Logger;
  /** Where the open session's cookies outlive a crash (the runner's credentials file); absent, nothing is kept. */
  credentials?: CredentialStore | undefined;
}

export class AcumaticaSession {
  private readonly jar = new CookieJar();
  private users = 0;
  private signIn: Promise<void> | undefined;
  private signOut: Promise<void> | undefined;
  /** Bumped by each sign-in, so that a 401 renews the session once, not once per waiting request. */
  private generation = 0;
  /** Whether a session a killed process left open has been signed out (once, before this process's first sign-in). */
  private staleEnded: Promise<void> | undefined;

  constructor(private readonly context: SessionContext) {}

  /** Runs one unit of work inside a signed-in session and signs out when no other unit still needs it. */
  async run<T>(work: (send: SessionSend) => Promise<T>): Promise<T> {
    while (this.signOut !== undefined) await this.signOut;
    this.users++;
    try {
      await this.ensureSignedIn();
      return await work((request) => this.send(request));
    } finally {
      this.users--;
      if (this.users === 0) await this.logout();
    }
  }

  /** Signs out if a session is open and no unit of work is running (the client's `close`). */
  async close(): Promise<void> {
    if (this.signOut !== undefined) await this.signOut;
    if (this.users === 0) await this.logout();
  }

  private ensureSignedIn(): Promise<void> {
    if (this.jar.size > 0 && this.signIn === undefined) return Promise.resolve();
    this.signIn ??= this.login().finally(() => {
      this.signIn = undefined;
    });
    return this.signIn;
  }

  private async send(request: HttpRequest): Promise<HttpResponse> {
    const generation = this.generation;
    let response = await this.exchange(request);
    if (response.status === 401) {
      // The session expired mid-work (Acumatica's idle timeout): a 401 means nothing was processed, so
      // signing in again and repeating the request is safe.
      this.context.logger.info({ url: request.url }, 'acumatica session expired; signing in again');
      if (generation === this.generation) this.jar.clear();
      await this.ensureSignedIn();
      response = await this.exchange(request);
    }
    return response;
  }

  private async exchange(request: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] ??= 'application/json';
    const cookie = this.jar.header();
    if (cookie !== undefined) headers.cookie = cookie;
    const response = await this.context.http({ ...request, headers });
    this.jar.store(response.headers['set-cookie']);
    return response;
  }

  /** The CredentialStore key of the open session of this site, tenant and user (the key itself names no secret). */
  private get storeKey(): string {
    const { baseUrl, tenant, username } = this.context.config;
    return `acumatica-session:${createHash('sha256').update(`${baseUrl}\n${tenant}\n${username}`).digest('hex').slice(0, 16)}`;
  }

  private remember(cookie: string | undefined): void {
    this.context.credentials?.set(this.storeKey, cookie ?? '');
  }

  /**
   * Signs out the session an earlier process left open (it was killed before it could), so its seat is free
   * before this process takes one. Its cookie may be stale already (timed out, or signed out): either way the
   * seat is free afterwards, so failures here are logged, never thrown.
   */
  private endStaleSession(): Promise<void> {
    this.staleEnded ??= (async () => {
      const stale = this.context.credentials?.get(this.storeKey);
      if (stale === undefined || stale === '') return;
      const { config, http, logger } = this.context;
      try {
        const response = await http({ method: 'POST', url: authUrl(config, 'logout'), headers: { accept: 'application/json', cookie: stale } });
        // Answered: signed out now, or already ended (timed out, signed out): either way the seat is free.
        this.remember(undefined);
        logger.info({ httpStatus: response.status }, 'signed out the acumatica session an earlier process left open');
      } catch (error) {
        // Not reached: kept, and tried again before the next sign-in.
        this.staleEnded = undefined;
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not sign out the acumatica session an earlier process left open');
      }
    })();
    return this.staleEnded;
  }

  private async login(): Promise<void> {
    await this.endStaleSession();
    const { config, http, lane } = this.context;
    const credentials: Record<string, string> = { name: config.username, password: config.password, tenant: config.tenant };
    if (config.branch !== undefined) credentials.branch = config.branch;
    if (config.locale !== undefined) credentials.locale = config.locale;
    let response: HttpResponse;
    try {
      response = await http({
        method: 'POST',
        url: authUrl(config, 'login'),
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      const message = `Could not reach Acumatica at ${config.baseUrl} to sign in (${error.reason}): ${error.message}`;
      throw new SignInError(message, Outcomes.transport(message, { reason: error.reason === 'timeout' ? 'timeout' : 'network', committed: 'no' }), ErrorCodes.ERP_TRANSPORT, { cause: error });
    }
    if (response.status >= 200 && response.status < 300) {
      this.jar.clear();
      this.jar.store(response.headers['set-cookie']);
      this.generation++;
      // Kept before any work is sent: a process killed from here on leaves its successor the cookie to sign out.
      this.remember(this.jar.header());
      if (this.jar.size === 0) {
        const message = 'Acumatica accepted the sign-in but set no session cookie: check that baseUrl is the Acumatica site itself.';
        throw new SignInError(message, Outcomes.rejected(message, undefined, ErrorCodes.ERP_PROTOCOL), ErrorCodes.ERP_PROTOCOL);
      }
      return;
    }
    throw this.signInRefusal(response, lane);
  }

  private signInRefusal(response: HttpResponse, lane: LaneSignals): SignInError {
    const erp = erpAnswer(response);
    if (response.status === 429 || isLoginLimit(response)) {
      const retryAfter = retryAfterMs(response);
      // The login-limit refusal does not come as a 429: tell the lane, so it pauses as a whole.
      if (response.status !== 429) lane.throttled(retryAfter);
      const message =
        `Acumatica refused the sign-in: every API user seat of the licence is taken (${erp.message}). ` +
        'It clears when other API sessions sign out; ledgerlink retries later.';
      return new SignInError(
        message,
        Outcomes.throttled(message, { ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }), erp }),
        ErrorCodes.ERP_THROTTLED,
      );
    }
    if (response.status >= 500 && !looksLikeCredentialRefusal(erp.message)) {
      const message = `Acumatica failed on its side while signing in (HTTP ${response.status}): ${erp.message}`;
      return new SignInError(message, Outcomes.serverError(message, { committed: 'no', erp }), ErrorCodes.ERP_SERVER_ERROR);
    }
    const { config } = this.context;
    const message =
      `Acumatica refused the sign-in of user "${config.username}" to tenant "${config.tenant}"` +
      `${config.branch === undefined ? '' : ` (branch "${config.branch}")`}: ${erp.message} ` +
      'Check username, password (connection.password), tenant and branch.';
    return new SignInError(message, Outcomes.rejected(message, erp, ErrorCodes.ERP_AUTH), ErrorCodes.ERP_AUTH);
  }

  private logout(): Promise<void> {
    if (this.jar.size === 0) return Promise.resolve();
    const { config, http, logger } = this.context;
    const cookie = this.jar.header() as string;
    this.jar.clear();
    this.signOut = (async () => {
      try {
        const response = await http({ method: 'POST', url: authUrl(config, 'logout'), headers: { accept: 'application/json', cookie } });
        // Forgotten once Acumatica has answered: a sign-out that never reached it is retried by the next process.
        this.remember(undefined);
        if (response.status >= 300) {
          logger.warn({ httpStatus: response.status, erp: erpAnswer(response) }, 'acumatica sign-out refused; the seat frees when the session times out');
        }
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'acumatica sign-out failed; the seat frees when the session times out');
      } finally {
        this.signOut = undefined;
      }
    })();
    return this.signOut;
  }
}

/** Sign-in refusals come as a PX exception in a 500; these words tell them from a passing server fault. */
function looksLikeCredentialRefusal(message: string): boolean {
  return /credential|password|user ?name|\buser\b|tenant|company|locked|disabled|expired|not allowed/i.test(message);
}
