import { randomBytes, timingSafeEqual } from 'node:crypto';
import { json, type Answer } from './http-io.js';
import type { ServiceAccount } from './types.js';

/**
 * The token endpoint of a Developer Managed Service Account: the OAuth client credentials grant (RFC 6749 §4.4).
 * No refresh token is issued; a client asks for a new access token when its token expires or is refused.
 */
export class ClientCredentialsGrant {
  private readonly accessTokens = new Map<string, number>();
  /** Token endpoint calls, successful or not. */
  requests = 0;
  issued = 0;

  constructor(
    private readonly account: ServiceAccount,
    private readonly ttlMs: number,
  ) {}

  /** `POST /oauth/token`: credentials as a form, as JSON, or in HTTP Basic. */
  token(contentType: string | undefined, authorization: string | undefined, body: string): Answer {
    this.requests++;
    let form: Map<string, string>;
    if ((contentType ?? '').toLowerCase().includes('application/json')) {
      try {
        const parsed = JSON.parse(body) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        form = new Map(Object.entries(parsed).filter(([, value]) => typeof value === 'string' || typeof value === 'number').map(([key, value]) => [key, String(value)]));
      } catch {
        return json(400, { error: 'invalid_request', error_description: 'The request body is not a JSON object.' });
      }
    } else {
      form = new Map(new URLSearchParams(body));
    }
    const basic = /^Basic (\S+)$/i.exec(authorization ?? '');
    if (basic !== null) {
      const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        form.set('client_id', decodeURIComponent(decoded.slice(0, colon)));
        form.set('client_secret', decodeURIComponent(decoded.slice(colon + 1)));
      }
    }
    const grantType = form.get('grant_type');
    if (grantType === undefined) {
      return json(400, { error: 'invalid_request', error_description: 'The request is missing a required parameter: grant_type.' });
    }
    if (!this.authenticated(form.get('client_id'), form.get('client_secret'))) {
      return json(401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
      });
    }
    if (grantType !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: `The authorization grant type ${grantType} is not supported: a service account uses client_credentials.` });
    }
    const accessToken = randomBytes(32).toString('hex');
    const now = Date.now();
    this.accessTokens.set(accessToken, now + this.ttlMs);
    this.issued++;
    return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: Math.max(1, Math.round(this.ttlMs / 1000)), created_at: Math.floor(now / 1000) });
  }

  /** The access token presented, when it is valid; otherwise why not (the `error_description` of a 401). */
  bearer(authorization: string | undefined): { token: string } | { problem: string } {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (match === null) return { problem: 'No access token was given: send Authorization: Bearer <access token>.' };
    const token = match[1] as string;
    const expiresAt = this.accessTokens.get(token);
    if (expiresAt === undefined) return { problem: 'The access token is invalid' };
    if (Date.now() >= expiresAt) {
      this.accessTokens.delete(token);
      return { problem: 'The access token expired' };
    }
    return { token };
  }

  /** Ends every access token now, as their lifetime passing would. */
  expireAll(): void {
    this.accessTokens.clear();
  }

  private authenticated(clientId: string | undefined, clientSecret: string | undefined): boolean {
    if (clientId !== this.account.clientId || clientSecret === undefined) return false;
    const presented = Buffer.from(clientSecret, 'utf8');
    const expected = Buffer.from(this.account.clientSecret, 'utf8');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }
}
