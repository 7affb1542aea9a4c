import { randomBytes, timingSafeEqual } from 'node:crypto';
import { json, type Answer } from './http-io.js';

export interface SandboxApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * Procore's token endpoint (`POST /oauth/token`, Doorkeeper-style answers) and bearer check. Refresh tokens are
 * single-use: presenting one rotates it, and the old one is refused with `invalid_grant` from then on.
 */
export class SandboxOAuth {
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, number>();
  /** Token endpoint calls, successful or not. */
  requests = 0;
  /** Refresh tokens consumed (each one rotated). */
  rotations = 0;

  constructor(
    private readonly app: SandboxApp,
    private readonly accessTokenTtlSeconds: number,
    private readonly now: () => Date,
  ) {
    this.refreshTokens.add(app.refreshToken);
  }

  /** Client credentials and the refresh token come in the body, as a form or as JSON. */
  token(contentType: string | undefined, body: string): Answer {
    this.requests++;
    let form: Map<string, string>;
    if ((contentType ?? '').toLowerCase().includes('application/json')) {
      try {
        form = new Map(Object.entries(JSON.parse(body) as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
      } catch {
        return json(400, { error: 'invalid_request', error_description: 'The request body is not valid JSON.' });
      }
    } else {
      form = new Map(new URLSearchParams(body));
    }
    if (!this.clientAuthenticated(form.get('client_id'), form.get('client_secret'))) {
      return json(401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      });
    }
    if (form.get('grant_type') !== 'refresh_token') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' });
    }
    const presented = form.get('refresh_token') ?? '';
    if (!this.refreshTokens.delete(presented)) {
      return json(400, {
        error: 'invalid_grant',
        error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
      });
    }
    this.rotations++;
    const accessToken = randomBytes(32).toString('hex');
    const refreshToken = randomBytes(32).toString('hex');
    this.refreshTokens.add(refreshToken);
    this.accessTokens.set(accessToken, this.now().getTime() + this.accessTokenTtlSeconds * 1000);
    return json(200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      created_at: Math.floor(this.now().getTime() / 1000),
    });
  }

  /** The access token presented, when it is valid; otherwise why not. */
  bearer(authorization: string | undefined): { token: string } | { problem: string } {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (match === null) return { problem: 'Authorization header missing or not a bearer token' };
    const expiresAt = this.accessTokens.get(match[1] as string);
    if (expiresAt === undefined) return { problem: 'The access token is invalid' };
    if (this.now().getTime() >= expiresAt) return { problem: 'The access token expired' };
    return { token: match[1] as string };
  }

  /** A new valid refresh token, as connecting the app again gives one. */
  issueRefreshToken(): string {
    const refreshToken = randomBytes(32).toString('hex');
    this.refreshTokens.add(refreshToken);
    return refreshToken;
  }

  /** Ends every access token now, as 90 minutes passing would. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  private clientAuthenticated(clientId: string | undefined, clientSecret: string | undefined): boolean {
    if (clientId !== this.app.clientId || clientSecret === undefined) return false;
    const presented = Buffer.from(clientSecret, 'utf8');
    const expected = Buffer.from(this.app.clientSecret, 'utf8');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }
}
