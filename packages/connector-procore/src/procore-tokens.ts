import { ErrorCodes, HttpTransportError, LedgerlinkError, type HttpClient, type Logger, rotatingCredential, type CredentialStore } from '@ledgerlink/core';
import type { ProcoreConfig } from './config.js';
import { parseJson, property } from './procore-wire.js';

/** What an operator is told when Procore no longer accepts the connection. */
export const RECONNECT_HINT =
  'reconnect the Procore app and set a new refresh token (Procore refresh tokens are single-use: one used elsewhere, ' +
  'or by a refresh whose answer was lost, is gone)';

/** Refresh a little before the stated expiry, so no call goes out with a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

interface AccessToken {
  value: string;
  /** Epoch ms after which the token is refreshed before use; undefined when Procore did not say. */
  refreshAfter?: number;
}

/**
 * The OAuth 2.0 tokens of the app: the access token (90 minutes at Procore), refreshed through
 * `POST {loginUrl}/oauth/token` when missing, expired or refused with a 401; and the refresh token, which is
 * single-use: each refresh returns the next one, kept in memory. One refresh runs at a time, because two
 * refreshes with the same single-use token would leave the loser disconnected.
 */
export class ProcoreTokens {
  private access: AccessToken | undefined;
  private refreshToken: string;
  /** Where the newest refresh token is kept so a restart does not lose it (single-use tokens). */
  private readonly rotated: { latest: string; save(value: string): void };
  private refreshing: Promise<string> | undefined;
  /** Refreshes that succeeded (for tests and the runner's metrics). */
  rotations = 0;

  constructor(
    private readonly config: ProcoreConfig,
    private readonly http: HttpClient,
    private readonly logger: Logger,
    private readonly now: () => Date,
    credentials?: CredentialStore,
  ) {
    this.rotated = rotatingCredential(credentials, 'refreshToken', config.refreshToken);
    this.refreshToken = this.rotated.latest;
    if (config.accessToken !== undefined) this.access = { value: config.accessToken };
  }

  /** The access token to send, refreshed first when there is none or it has expired. */
  async current(): Promise<string> {
    const access = this.access;
    if (access !== undefined && (access.refreshAfter === undefined || this.now().getTime() < access.refreshAfter)) {
      return access.value;
    }
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
    this.access = undefined;
    let response;
    try {
      response = await this.http({
        method: 'POST',
        url: `${this.config.loginUrl.replace(/\/+$/, '')}/oauth/token`,
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: this.config.clientId,
          client_secret: this.config.clientSecret,
          refresh_token: this.refreshToken,
        }).toString(),
      });
    } catch (error) {
      if (error instanceof HttpTransportError) {
        // A lost answer may have consumed the single-use refresh token; the next attempt will say so (invalid_grant).
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `the Procore token endpoint did not answer: ${error.message}`, {
          disposition: 'retryable',
          cause: error,
        });
      }
      throw error;
    }
    const body = parseJson(response.body);
    if (response.status === 200) return this.accept(body);

    // Only the OAuth error code is repeated: a token endpoint's body is never copied into an error whole.
    const oauthError = typeof property(body, 'error') === 'string' ? String(property(body, 'error')) : undefined;
    const said = oauthError === undefined ? `HTTP ${response.status}` : `HTTP ${response.status} ${oauthError}`;
    const details = { status: response.status, ...(oauthError === undefined ? {} : { error: oauthError }) };
    if (oauthError === 'invalid_client' || response.status === 401) {
      throw new LedgerlinkError(
        ErrorCodes.ERP_AUTH,
        `Procore refused the app's credentials (${said}): check clientId and clientSecret (Procore Developer Portal, your app's OAuth credentials)`,
        { details },
      );
    }
    if (response.status === 400) {
      throw new LedgerlinkError(ErrorCodes.ERP_AUTH, `Procore refused the refresh token (${said}): ${RECONNECT_HINT}`, { details });
    }
    const code = response.status === 429 ? ErrorCodes.ERP_THROTTLED : ErrorCodes.ERP_SERVER_ERROR;
    throw new LedgerlinkError(code, `the Procore token endpoint answered ${said}; try again later`, { disposition: 'retryable', details });
  }

  private accept(body: unknown): string {
    const accessToken = property(body, 'access_token');
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'the Procore token endpoint answered 200 without an access_token');
    }
    const expiresIn = property(body, 'expires_in');
    this.access = {
      value: accessToken,
      ...(typeof expiresIn === 'number' && expiresIn > 0 ? { refreshAfter: this.now().getTime() + expiresIn * 1000 - EXPIRY_MARGIN_MS } : {}),
    };
    this.rotations++;
    const rotated = property(body, 'refresh_token');
    if (typeof rotated === 'string' && rotated !== '' && rotated !== this.refreshToken) {
      this.refreshToken = rotated;
      this.rotated.save(rotated);
      // The value is a secret: only the fact is logged.
      this.logger.info({ rotations: this.rotations }, 'Procore rotated the refresh token; the new one is kept (in memory, and in the runner\'s credentials file)');
    } else {
      this.logger.warn({}, 'Procore refreshed the access token without returning a new refresh token; keeping the previous one');
    }
    return accessToken;
  }
}
