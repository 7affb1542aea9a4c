import { OAuthRefreshTokens, type CredentialStore, type HttpClient, type Logger } from '@ledgerlink/core';
import type { QboConfig } from './config.js';

/** What the runner tells an operator when QuickBooks no longer accepts the connection. */
export const RECONNECT_HINT = 'reconnect the QuickBooks company (refresh token expired or revoked)';

/**
 * The OAuth 2.0 tokens of one QuickBooks company, through Intuit's token endpoint (client authenticated with HTTP
 * Basic). Intuit rotates the refresh token on each refresh; core's OAuthRefreshTokens keeps the newest.
 */
export class QboTokens extends OAuthRefreshTokens {
  constructor(config: QboConfig, http: HttpClient, logger: Logger, now: () => Date, credentials?: CredentialStore) {
    super({
      provider: 'Intuit',
      endpoint: 'the QuickBooks token endpoint',
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      clientAuth: 'basic',
      refreshToken: config.refreshToken,
      ...(config.accessToken === undefined ? {} : { accessToken: config.accessToken }),
      credentialsHint: 'check clientId and clientSecret (developer.intuit.com, Keys & credentials)',
      reconnectHint: RECONNECT_HINT,
      rotatedMessage: "Intuit rotated the QuickBooks refresh token; the new one is kept (in memory, and in the runner's credentials file)",
      logFields: { realmId: config.realmId },
      http,
      logger,
      now,
      ...(credentials === undefined ? {} : { credentials }),
    });
  }
}
