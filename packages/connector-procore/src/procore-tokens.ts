import { ErrorCodes, HttpTransportError, LedgerlinkError, type HttpClient, type Logger } from '@ledgerlink/core';
import type { ProcoreConfig } from './config.js';
import { CREDENTIALS_HINT, failureError, readFailure } from './procore-errors.js';
import { property } from './procore-wire.js';

/** Ask for a new token a little before the stated expiry, so no call goes out with one about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

interface AccessToken {
  value: string;
  /** Epoch ms after which a new token is asked for before use. */
  renewAfter: number;
}

/**
 * The access token of the Developer Managed Service Account: OAuth 2.0 client credentials
 * (`grant_type=client_credentials`, client id and secret in the form) at `tokenUrl`. There is no refresh token to
 * keep or rotate: a new token is asked for when one expires or Procore refuses it. Calls that need one together
 * share one request.
 */
export class ProcoreTokens {
  private access: AccessToken | undefined;
  private pending: Promise<string> | undefined;
  /** Tokens granted so far (tests and metrics). */
  grants = 0;

  constructor(
    private readonly config: ProcoreConfig,
    private readonly http: HttpClient,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** The token to send: the current one, or a new one when there is none or it has expired. */
  current(): Promise<string> {
    const access = this.access;
    if (access !== undefined && this.now().getTime() < access.renewAfter) return Promise.resolve(access.value);
    return this.renew();
  }

  /** Procore refused `refused` (401): drop it and get another, unless another call already did. */
  replace(refused: string): Promise<string> {
    if (this.access !== undefined && this.access.value !== refused) return Promise.resolve(this.access.value);
    this.access = undefined;
    return this.renew();
  }

  private renew(): Promise<string> {
    this.pending ??= this.grant().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async grant(): Promise<string> {
    const doing = 'asking the Procore token endpoint for an access token (client credentials)';
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.config.clientId,
      client_secret: this.config.clientSecret,
    }).toString();
    let response;
    try {
      response = await this.http({
        method: 'POST',
        url: this.config.tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
      });
    } catch (error) {
      if (error instanceof HttpTransportError) {
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `Procore's token endpoint did not answer: ${error.message}`, {
          disposition: 'retryable',
          cause: error,
          details: { committed: error.committed, reason: error.reason },
        });
      }
      throw error;
    }
    const started = this.now().getTime();
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      // Only the OAuth error code is repeated: the endpoint's description could echo what was sent.
      const code = String(property(parseBody(response.body), 'error') ?? `HTTP ${response.status}`);
      throw new LedgerlinkError(ErrorCodes.HUB_AUTH, `Procore refused the service account's client credentials (${code}): ${CREDENTIALS_HINT}`, {
        details: { status: response.status, error: code },
      });
    }
    if (response.status < 200 || response.status >= 300) throw failureError(readFailure(response, started), doing);
    const answer = parseBody(response.body);
    const token = property(answer, 'access_token');
    if (typeof token !== 'string' || token.trim() === '') {
      throw new LedgerlinkError(ErrorCodes.HUB_ERROR, `Procore's token endpoint answered HTTP ${response.status} without an access_token`, {
        disposition: 'retryable',
        details: { status: response.status },
      });
    }
    const expiresIn = property(answer, 'expires_in');
    // Without a stated lifetime, Procore's documented 90 minutes [V] is assumed.
    const lifetimeMs = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 5_400_000;
    this.access = { value: token, renewAfter: started + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10) };
    this.grants += 1;
    this.logger.debug({ expiresInSeconds: Math.round(lifetimeMs / 1000) }, 'Procore granted an access token');
    return token;
  }
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
