import { OAuthRefreshTokens, type CredentialStore, type HttpClient, type Logger } from '@ledgerlink/core';
import type { ProcoreConfig } from './config.js';

/** What an operator is told when Procore no longer accepts the connection. */
export const RECONNECT_HINT =
  'reconnect the Procore app and set a new refresh token (Procore refresh tokens are single-use: one used elsewhere, ' +
  'or by a refresh whose answer was lost, is gone)';

/**
 * The OAuth 2.0 tokens of the Procore app: `POST {loginUrl}/oauth/token` with the client credentials in the form.
 * Procore's access tokens last 90 minutes and its refresh tokens are single-use; core's OAuthRefreshTokens runs one
 * refresh at a time and keeps the newest refresh token.
 */
export class ProcoreTokens extends OAuthRefreshTokens {
  constructor(config: ProcoreConfig, http: HttpClient, logger: Logger, now: () => Date, credentials?: CredentialStore) {
    super({
      provider: 'Procore',
      endpoint: 'the Procore token endpoint',
      tokenUrl: `${config.loginUrl.replace(/\/+$/, '')}/oauth/token`,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      clientAuth: 'body',
      refreshToken: config.refreshToken,
      ...(config.accessToken === undefined ? {} : { accessToken: config.accessToken }),
      credentialsHint: "check clientId and clientSecret (Procore Developer Portal, your app's OAuth credentials)",
      reconnectHint: RECONNECT_HINT,
      rotatedMessage: "Procore rotated the refresh token; the new one is kept (in memory, and in the runner's credentials file)",
      http,
      logger,
      now,
      ...(credentials === undefined ? {} : { credentials }),
    });
  }
}
