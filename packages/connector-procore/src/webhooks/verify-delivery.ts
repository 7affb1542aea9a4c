import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';

/** Why a delivery was refused, in `details.reason` of the error. */
export type WebhookRefusal = 'missing-signature' | 'bad-signature' | 'stale' | 'malformed-body' | 'malformed-event' | 'no-secret';

export function refuse(reason: WebhookRefusal, message: string, details: Record<string, unknown> = {}): LedgerlinkError {
  const code =
    reason === 'missing-signature' || reason === 'bad-signature' || reason === 'no-secret'
      ? ErrorCodes.WEBHOOK_UNAUTHENTICATED
      : reason === 'stale'
        ? ErrorCodes.WEBHOOK_STALE
        : ErrorCodes.WEBHOOK_MALFORMED;
  return new LedgerlinkError(code, message, { disposition: 'rejected', details: { reason, ...details } });
}

/**
 * The bearer a company's hook sends in its `destination_headers`: base64url(HMAC-SHA256(webhookSecret,
 * `ledgerlink-procore-hook:<companyId>`)). One per company, so a token leaked from one company's hook cannot speak
 * for another, and one deployment secret still derives them all (nothing per company to store).
 */
export function bearerFor(webhookSecret: string, companyId: string): string {
  return createHmac('sha256', webhookSecret).update(`ledgerlink-procore-hook:${companyId}`, 'utf8').digest('base64url');
}

/** The expected bearers' digests, per secret and company: a delivery costs one hash, not an HMAC and two hashes. */
const expectedDigests = new Map<string, Map<string, Buffer>>();
/** Companies remembered per secret; past that the memory starts again (a deployment has a handful of companies). */
const MAX_REMEMBERED = 1_000;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function expectedDigest(secret: string, companyId: string): Buffer {
  let bySecret = expectedDigests.get(secret);
  if (bySecret === undefined) {
    // One secret in use at a time (a rotation replaces it): the old one's digests are dropped with it.
    expectedDigests.clear();
    bySecret = new Map();
    expectedDigests.set(secret, bySecret);
  }
  let expected = bySecret.get(companyId);
  if (expected === undefined) {
    if (bySecret.size >= MAX_REMEMBERED) bySecret.clear();
    expected = digest(bearerFor(secret, companyId));
    bySecret.set(companyId, expected);
  }
  return expected;
}

/** The delivery's `Authorization` header must be there before anything else is read. */
export function presentedBearer(headers: Record<string, string>, secret: string): string {
  if (secret === '') throw refuse('no-secret', 'no webhook secret is configured: set hub.webhookSecret in the runner config (as ${env:NAME})');
  const authorization = headers.authorization;
  if (authorization === undefined) {
    throw refuse(
      'missing-signature',
      'the delivery carries no "Authorization: Bearer <token>": the Procore hook\'s destination_headers must send the company\'s bearer (ledgerlink procore connect sets it)',
    );
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (match === null) throw refuse('bad-signature', 'the delivery\'s Authorization header is not "Bearer <token>"');
  return match[1] as string;
}

/** Verifies the company's bearer; the refusal never repeats the token, the secret, or the expected value. */
export function verifyBearer(presented: string, secret: string, companyId: string): void {
  // Equal-length digests compared in constant time: neither the bearer's length nor its prefix leaks.
  if (!timingSafeEqual(digest(presented), expectedDigest(secret, companyId))) {
    throw refuse(
      'bad-signature',
      `the delivery's bearer is not company ${companyId}'s: check that hook's destination_headers (ledgerlink procore connect rewrites it) against hub.webhookSecret`,
      { companyId },
    );
  }
}
