import { createHash } from 'node:crypto';

/**
 * The `ExternalGUID` written on the bill payment check: derived from the ledger item's id alone, so every
 * attempt and every edit of one payment carries the same GUID, and a lookup recognises the payment as ours
 * whatever revision wrote it. QuickBooks wants the registry form with braces: `{8-4-4-4-12}` hex. Bills and
 * vendors pass their entity, so a requisition and a payment whose ledger items share an id never share a GUID;
 * payments keep the form they always had (GUIDs already written stay recognised).
 */
export function externalGuidFor(itemId: string, entity?: 'requisition' | 'vendor'): string {
  const name = entity === undefined ? `ledgerlink-qbd:${itemId}` : `ledgerlink-qbd:${entity}:${itemId}`;
  const hex = createHash('sha256').update(name).digest('hex');
  // A version-5-style layout (name-based): the version and variant nibbles make it a well-formed GUID.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return `{${guid.toUpperCase()}}`;
}

/**
 * A qbXML `requestID` (at most 50 characters, else status 1060): the idempotency key when it fits, else a
 * hash of it, plus a per-request suffix so two requests of one item never share an id within a message.
 */
export function requestIdFor(idempotencyKey: string, purpose: string, sequence: number): string {
  const suffix = `:${purpose}:${sequence.toString(36)}`;
  const room = 50 - suffix.length;
  const base = idempotencyKey.length <= room ? idempotencyKey : createHash('sha256').update(idempotencyKey).digest('hex').slice(0, room);
  return `${base}${suffix}`;
}
