import { randomBytes, timingSafeEqual } from 'node:crypto';
import { json, type Answer } from './answers.js';

export interface OAuthApp {
  realmId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessTokenTtlSeconds: number;
  /** Each refresh token works once (Procore's rule; Intuit keeps earlier ones usable for a while): reuse is invalid_grant. */
  singleUseRefreshTokens?: boolean;
}

/**
 * Intuit's token endpoint and bearer check, for one app connected to one company. Each refresh rotates the
 * refresh token; earlier ones stay usable until revoked (a connector restarted from its config still connects), or
 * are spent by their first use with `singleUseRefreshTokens`.
 */
export class OAuthServer {
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, { realmId: string; expiresAt: number }>();
  /** Token endpoint calls, successful or not. */
  tokenRequests = 0;
  /** Refreshes refused with invalid_grant (a revoked, unknown or, when single-use, already used refresh token). */
  refusedRefreshes = 0;

  constructor(
    private readonly app: OAuthApp,
    private readonly now: () => Date,
  ) {
    this.refreshTokens.add(app.refreshToken);
  }

  /** `POST /oauth2/v1/tokens/bearer` with `grant_type=refresh_token`, client authenticated by HTTP Basic. */
  token(authorization: string | undefined, contentType: string | undefined, body: string): Answer {
    this.tokenRequests++;
    if (!this.clientAuthenticated(authorization)) return json(401, { error: 'invalid_client' });
    if (!(contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return json(400, { error: 'invalid_request' });
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'refresh_token') return json(400, { error: 'unsupported_grant_type' });
    const presented = form.get('refresh_token') ?? '';
    if (!this.refreshTokens.has(presented)) {
      this.refusedRefreshes++;
      return json(400, { error: 'invalid_grant' });
    }
    if (this.app.singleUseRefreshTokens === true) this.refreshTokens.delete(presented);

    const accessToken = `eyJsandbox.${randomBytes(24).toString('base64url')}`;
    const refreshToken = `AB11${randomBytes(18).toString('base64url')}`;
    this.refreshTokens.add(refreshToken);
    this.accessTokens.set(accessToken, {
      realmId: this.app.realmId,
      expiresAt: this.now().getTime() + this.app.accessTokenTtlSeconds * 1000,
    });
    return json(200, {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: this.app.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      x_refresh_token_expires_in: 8_726_400,
    });
  }

  /** The realm a bearer token may use, or the reason it may not. */
  bearer(authorization: string | undefined): { realmId: string } | { problem: string } {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (match === null) return { problem: 'Authorization header missing or not a bearer token' };
    const grant = this.accessTokens.get(match[1] as string);
    if (grant === undefined) return { problem: 'Token invalid or revoked' };
    if (this.now().getTime() >= grant.expiresAt) return { problem: 'Token expired' };
    return { realmId: grant.realmId };
  }

  /** Ends every access token now, as an hour passing would. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** Revokes every refresh token (the company disconnected the app, or 100 days passed). */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
    this.accessTokens.clear();
  }

  private clientAuthenticated(authorization: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
    if (match === null) return false;
    const presented = Buffer.from(match[1] as string, 'base64');
    const expected = Buffer.from(`${this.app.clientId}:${this.app.clientSecret}`, 'utf8');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }
}
