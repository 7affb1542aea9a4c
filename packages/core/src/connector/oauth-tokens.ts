import { ErrorCodes, LedgerlinkError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CredentialStore } from './contracts.js';
import { rotatingCredential } from './credentials.js';
import { HttpTransportError, type HttpClient } from './http.js';

/** Refresh a little before the stated expiry, so no call goes out with a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

/** How one provider's OAuth 2.0 token endpoint is reached, and how its refusals are explained to an operator. */
export interface OAuthTokenOptions {
  /** Names the provider in messages: `Intuit`, `Procore`. */
  provider: string;
  /** Names the endpoint in messages: `the QuickBooks token endpoint`. */
  endpoint: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** `basic`: the client authenticates with HTTP Basic (Intuit); `body`: with client_id/client_secret in the form (Procore). */
  clientAuth: 'basic' | 'body';
  /** The configured refresh token; a newer rotation kept in `credentials` wins over it. */
  refreshToken: string;
  /** A current access token, when the config has one; otherwise the first call refreshes. */
  accessToken?: string;
  /** What to check when the client credentials are refused, e.g. "check clientId and clientSecret (…)". */
  credentialsHint: string;
  /** What to do when the refresh token is refused, e.g. "reconnect the company". */
  reconnectHint: string;
  /** Logged (without the token) when the provider rotates the refresh token. */
  rotatedMessage: string;
  /** Extra fields on that log line (a realm id, say). */
  logFields?: Record<string, unknown>;
  http: HttpClient;
  logger: Logger;
  now: () => Date;
  credentials?: CredentialStore;
}

interface AccessToken {
  value: string;
  /** Epoch ms after which the token is refreshed before use; undefined when the provider did not say. */
  refreshAfter?: number;
}

function field(body: unknown, name: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The OAuth 2.0 tokens of one connection: the access token, refreshed through the token endpoint when missing,
 * expired or refused with a 401; and the refresh token, which the provider rotates (Procore's are single-use):
 * the newest is kept in memory and in the runner's credential store, so a restart starts from it. One refresh
 * runs at a time: two with the same single-use token would leave the loser disconnected, and calls that meet a
 * 401 together share one. Only the OAuth error code of a refusal is repeated, never the endpoint's body.
 */
export class OAuthRefreshTokens {
  private access: AccessToken | undefined;
  private refreshToken: string;
  private readonly rotated: { latest: string; save(value: string): void };
  private refreshing: Promise<string> | undefined;
  /** Refreshes that succeeded (for tests and metrics). */
  rotations = 0;

  constructor(private readonly options: OAuthTokenOptions) {
    this.rotated = rotatingCredential(options.credentials, 'refreshToken', options.refreshToken);
    this.refreshToken = this.rotated.latest;
    if (options.accessToken !== undefined) this.access = { value: options.accessToken };
  }

  /** The access token to send, refreshed first when there is none or it has expired. */
  async current(): Promise<string> {
    const access = this.access;
    if (access !== undefined && (access.refreshAfter === undefined || this.options.now().getTime() < access.refreshAfter)) return access.value;
    return this.refresh(access?.value);
  }

  /** Refreshes after `rejected` met a 401; when another call already replaced it, that replacement is returned. */
  async refresh(rejected: string | undefined): Promise<string> {
    if (this.access !== undefined && this.access.value !== rejected) return this.access.value;
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<string> {
    const { options } = this;
    this.access = undefined;
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: this.refreshToken };
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    if (options.clientAuth === 'basic') headers.authorization = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64')}`;
    else Object.assign(form, { client_id: options.clientId, client_secret: options.clientSecret });
    let response;
    try {
      response = await options.http({ method: 'POST', url: options.tokenUrl, headers, body: new URLSearchParams(form).toString() });
    } catch (error) {
      if (error instanceof HttpTransportError) {
        // A lost answer may have consumed a single-use refresh token; the next attempt says so (invalid_grant).
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `${options.endpoint} did not answer: ${error.message}`, { disposition: 'retryable', cause: error });
      }
      throw error;
    }
    const body = json(response.body);
    if (response.status === 200) return this.accept(body);

    const oauthError = typeof field(body, 'error') === 'string' ? String(field(body, 'error')) : undefined;
    const said = oauthError === undefined ? `HTTP ${response.status}` : `HTTP ${response.status} ${oauthError}`;
    const details = { status: response.status, ...(oauthError === undefined ? {} : { error: oauthError }) };
    if (response.status === 401 || oauthError === 'invalid_client') {
      throw new LedgerlinkError(ErrorCodes.ERP_AUTH, `${options.provider} refused the app's credentials (${said}): ${options.credentialsHint}`, { details });
    }
    if (response.status === 400) {
      throw new LedgerlinkError(ErrorCodes.ERP_AUTH, `${options.provider} refused the refresh token (${said}): ${options.reconnectHint}`, { details });
    }
    const code = response.status === 429 ? ErrorCodes.ERP_THROTTLED : ErrorCodes.ERP_SERVER_ERROR;
    throw new LedgerlinkError(code, `${options.endpoint} answered ${said}; try again later`, { disposition: 'retryable', details });
  }

  private accept(body: unknown): string {
    const { options } = this;
    const accessToken = field(body, 'access_token');
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `${options.endpoint} answered 200 without an access_token`);
    }
    const expiresIn = field(body, 'expires_in');
    this.access = {
      value: accessToken,
      ...(typeof expiresIn === 'number' && expiresIn > 0 ? { refreshAfter: options.now().getTime() + expiresIn * 1000 - EXPIRY_MARGIN_MS } : {}),
    };
    this.rotations++;
    const rotated = field(body, 'refresh_token');
    if (typeof rotated === 'string' && rotated !== '' && rotated !== this.refreshToken) {
      this.refreshToken = rotated;
      this.rotated.save(rotated);
      // The value is a secret: only the fact is logged.
      options.logger.info({ ...options.logFields, rotations: this.rotations }, options.rotatedMessage);
    }
    return accessToken;
  }
}
