import { ErrorCodes, HttpTransportError, LedgerlinkError, type HttpClient, type Logger, rotatingCredential, type CredentialStore } from '@ledgerlink/core';
import type { QboConfig } from './config.js';
import { parseJson, property } from './qbo-wire.js';

/** What the runner tells an operator when QuickBooks no longer accepts the connection. */
export const RECONNECT_HINT = 'reconnect the QuickBooks company (refresh token expired or revoked)';

/** Refresh a little before Intuit's stated expiry, so a call is not sent with a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

interface AccessToken {
  value: string;
  /** Epoch ms after which the token is refreshed before use; undefined when Intuit did not say. */
  refreshAfter?: number;
}

/**
 * Holds the OAuth 2.0 tokens of one company: the access token, refreshed through Intuit's token endpoint when it
 * is missing, expired, or refused with a 401; and the refresh token, which Intuit rotates and this keeps in memory
 * (the newest one wins). One refresh runs at a time: concurrent calls that meet a 401 share it.
 */
export class QboTokens {
  private access: AccessToken | undefined;
  private refreshToken: string;
  /** Where the newest refresh token is kept so a restart does not lose it (single-use tokens). */
  private readonly rotated: { latest: string; save(value: string): void };
  private refreshing: Promise<string> | undefined;

  constructor(
    private readonly config: QboConfig,
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

  /**
   * Refreshes after `rejected` met a 401. When another call already replaced that token, its replacement is
   * returned without a second refresh.
   */
  async refresh(rejected: string | undefined): Promise<string> {
    if (this.access !== undefined && this.access.value !== rejected) return this.access.value;
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchange(): Promise<string> {
    this.access = undefined;
    const basic = Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`, 'utf8').toString('base64');
    let response;
    try {
      response = await this.http({
        method: 'POST',
        url: this.config.tokenUrl,
        headers: {
          authorization: `Basic ${basic}`,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.refreshToken }).toString(),
      });
    } catch (error) {
      if (error instanceof HttpTransportError) {
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `the QuickBooks token endpoint did not answer: ${error.message}`, {
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
    if (response.status === 401 || oauthError === 'invalid_client') {
      throw new LedgerlinkError(
        ErrorCodes.ERP_AUTH,
        `Intuit refused the app's credentials (${said}): check clientId and clientSecret (developer.intuit.com, Keys & credentials)`,
        { details: { status: response.status, ...(oauthError === undefined ? {} : { error: oauthError }) } },
      );
    }
    if (response.status === 400) {
      throw new LedgerlinkError(ErrorCodes.ERP_AUTH, `Intuit refused the refresh token (${said}): ${RECONNECT_HINT}`, {
        details: { status: response.status, ...(oauthError === undefined ? {} : { error: oauthError }) },
      });
    }
    const code = response.status === 429 ? ErrorCodes.ERP_THROTTLED : ErrorCodes.ERP_SERVER_ERROR;
    throw new LedgerlinkError(code, `the QuickBooks token endpoint answered ${said}; try again later`, {
      disposition: 'retryable',
      details: { status: response.status },
    });
  }

  private accept(body: unknown): string {
    const accessToken = property(body, 'access_token');
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'the QuickBooks token endpoint answered 200 without an access_token');
    }
    const expiresIn = property(body, 'expires_in');
    this.access = {
      value: accessToken,
      ...(typeof expiresIn === 'number' && expiresIn > 0
        ? { refreshAfter: this.now().getTime() + expiresIn * 1000 - EXPIRY_MARGIN_MS }
        : {}),
    };
    const rotated = property(body, 'refresh_token');
    if (typeof rotated === 'string' && rotated !== '' && rotated !== this.refreshToken) {
      this.refreshToken = rotated;
      this.rotated.save(rotated);
      // The value itself is a secret: only the fact is logged.
      this.logger.info(
        { realmId: this.config.realmId },
        'Intuit rotated the QuickBooks refresh token; the new one is kept (in memory, and in the runner\'s credentials file)',
      );
    }
    return accessToken;
  }
}
