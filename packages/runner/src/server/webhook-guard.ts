import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerFor } from '@ledgerlink/connector-procore';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import type { Runner } from '../daemon.js';

/** Why a delivery is refused before its body is read; `undefined` = it may be read. */
export type WebhookGuard = (authorization: string | undefined) => LedgerlinkError | undefined;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The company ids a delivery may speak for: the hub connection's `companyIds` and every tenant's `hubCompanyId`. */
function configuredCompanies(runner: Runner): string[] {
  const ids = new Set<string>();
  const listed = (runner.config.hub?.connection as { companyIds?: unknown } | undefined)?.companyIds;
  if (Array.isArray(listed)) for (const id of listed) if (typeof id === 'string') ids.add(id);
  for (const tenant of runner.config.tenants) if (tenant.hubCompanyId !== undefined) ids.add(tenant.hubCompanyId);
  return [...ids];
}

/**
 * The check the webhook route makes on the headers alone, before a byte of the body is read: the per-company
 * bearer needs the body's company id, so here a delivery is refused when it has no `Authorization: Bearer <token>`,
 * or (Procore, whose bearers derive from the webhook secret) when its token is no configured company's. The hub
 * connector still verifies the bearer against the company the body names. Compared as digests, in constant time.
 */
export function webhookGuard(runner: Runner): WebhookGuard {
  const hub = runner.config.hub;
  const secret = hub?.webhookSecret;
  const known = hub?.connector === 'procore' && secret !== undefined && secret !== '' ? configuredCompanies(runner).map((id) => digest(bearerFor(secret, id))) : undefined;
  return (authorization) => {
    if (authorization === undefined || authorization === '') {
      return new LedgerlinkError(ErrorCodes.WEBHOOK_UNAUTHENTICATED, 'the delivery carries no "Authorization: Bearer <token>": refused before its body was read');
    }
    const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(authorization);
    if (match === null) return new LedgerlinkError(ErrorCodes.WEBHOOK_UNAUTHENTICATED, 'the delivery\'s Authorization header is not "Bearer <token>": refused before its body was read');
    if (known === undefined) return undefined;
    const presented = digest(match[1] as string);
    // Every candidate is compared (no early exit): the time taken says nothing about which one came close.
    let matched = false;
    for (const candidate of known) matched = timingSafeEqual(presented, candidate) || matched;
    return matched ? undefined : new LedgerlinkError(ErrorCodes.WEBHOOK_UNAUTHENTICATED, 'the delivery\'s bearer is no configured company\'s: refused before its body was read');
  };
}
