import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';

/** The sandbox's (and any relay's) HMAC header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'x-ledgerlink-signature';

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

/** Equal-length digests compared in constant time: neither the secret's length nor its prefix leaks. */
function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Verifies a delivery. Procore does not sign deliveries; the hook's `destination_headers` carry a static
 * `Authorization: Bearer <webhook secret>`. A relay (or the sandbox) may add an HMAC signature instead or as well.
 * Whatever is present must verify; at least one must be present.
 */
export function verifyDelivery(body: string, headers: Record<string, string>, secret: string, now: Date, maxAgeMs: number, skewMs: number): void {
  if (secret === '') throw refuse('no-secret', 'no webhook secret is configured: set hub.webhookSecret in the runner config (as ${env:NAME})');
  const authorization = headers.authorization;
  const signature = headers[SIGNATURE_HEADER];
  if (authorization === undefined && signature === undefined) {
    throw refuse(
      'missing-signature',
      `the delivery carries neither "Authorization: Bearer <secret>" nor ${SIGNATURE_HEADER}: set the Procore hook's destination_headers to send the webhook secret`,
    );
  }
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match === null || !sameSecret(match[1] as string, secret)) {
      throw refuse('bad-signature', 'the delivery\'s Authorization header does not carry the webhook secret: check the hook\'s destination_headers against hub.webhookSecret');
    }
  }
  if (signature !== undefined) verifyHmac(body, signature, secret, now, maxAgeMs, skewMs);
}

function verifyHmac(body: string, header: string, secret: string, now: Date, maxAgeMs: number, skewMs: number): void {
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (t === undefined || !/^\d{1,12}$/.test(t) || v1 === undefined || !/^[0-9a-f]{64}$/i.test(v1)) {
    throw refuse('bad-signature', `the ${SIGNATURE_HEADER} header is malformed: expected t=<unix seconds>,v1=<64 hex digits>`);
  }
  const expected = createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest();
  if (!timingSafeEqual(Buffer.from(v1, 'hex'), expected)) {
    throw refuse('bad-signature', `the ${SIGNATURE_HEADER} signature does not match the body: the secret differs, or the body was changed on the way`);
  }
  const signedAt = Number(t) * 1000;
  const age = now.getTime() - signedAt;
  if (age > maxAgeMs) {
    throw refuse('stale', `the delivery was signed ${Math.round(age / 60_000)} minutes ago, beyond the ${Math.round(maxAgeMs / 60_000)}-minute horizon: a replay is refused`, {
      signedAt: new Date(signedAt).toISOString(),
    });
  }
  if (-age > skewMs) {
    throw refuse('bad-signature', `the delivery is signed ${Math.round(-age / 1000)} s in the future: check the clocks of the sender and this host`);
  }
}
