import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from '../config/schema.js';
import { ApiError, ApiErrorCodes } from '../server/api-errors.js';
import { principalOf, type Principal } from './permissions.js';

/** The hex SHA-256 the config stores for a token (`sha256:` of `api.tokens[]`). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Checks bearer tokens against the config's hashed tokens. The presented token is hashed and compared with
 * every configured digest in constant time (no early exit), so neither a token's prefix nor its position in
 * the list shows in the answer time.
 */
export class TokenAuthenticator {
  readonly #tokens: { digest: Buffer; token: ApiToken }[];

  constructor(
    tokens: readonly ApiToken[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#tokens = tokens.map((token) => ({ digest: Buffer.from(token.sha256, 'hex'), token }));
  }

  /** The caller behind an `Authorization` header; throws a 401 ApiError that says what to do. */
  authenticate(header: string | undefined): Principal {
    if (header === undefined || header.trim() === '') {
      throw new ApiError(ApiErrorCodes.UNAUTHENTICATED, 'no token: send "Authorization: Bearer <token>" with a token from the runner config (api.tokens)');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
    if (match === null) {
      throw new ApiError(ApiErrorCodes.UNAUTHENTICATED, 'the Authorization header is not "Bearer <token>"');
    }
    const presented = createHash('sha256').update(match[1] as string, 'utf8').digest();
    let found: ApiToken | undefined;
    for (const { digest, token } of this.#tokens) {
      if (timingSafeEqual(digest, presented) && found === undefined) found = token;
    }
    if (found === undefined) {
      throw new ApiError(ApiErrorCodes.UNAUTHENTICATED, 'the token is not one this runner knows: check it against api.tokens (stored as SHA-256) in the runner config');
    }
    if (found.expiresAt !== undefined && Date.parse(found.expiresAt) <= this.now().getTime()) {
      throw new ApiError(ApiErrorCodes.TOKEN_EXPIRED, `the token of ${found.subject} expired at ${found.expiresAt}: issue a new one and put its hash in api.tokens`, {
        subject: found.subject,
        expiredAt: found.expiresAt,
      });
    }
    return principalOf(found);
  }
}
