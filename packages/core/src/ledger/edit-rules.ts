import { EDITABLE_FIELDS, type EditableField } from '../connector/outcome.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { cloneJson, ledgerIdempotencyKey, requireActor, type LedgerPlan } from './ledger-plan.js';
import type { Actor, LedgerItem } from './types.js';

function refuse(item: LedgerItem, message: string, details: Record<string, unknown> = {}): never {
  throw new LedgerlinkError(ErrorCodes.LEDGER_EDIT_REFUSED, message, { details: { itemId: item.id, state: item.state, ...details } });
}

/**
 * Plans `edit` (seed 001: "when a payment record fails to sync, the check number and Bank ID fields become
 * editable"): only those fields, only while `failed`, each a non-empty string (stored trimmed). The revision is
 * bumped so the edited record goes out under a new idempotency key and the ERP does not replay its old refusal.
 * The item stays `failed` until the user re-exports it.
 */
export function planEdit(item: LedgerItem, changes: Partial<Record<EditableField, string>>, actor: Actor, now: string): LedgerPlan {
  const who = requireActor(actor);
  if (item.state !== 'failed') {
    refuse(
      item,
      `item ${item.id} is "${item.state}"; only a failed item can be edited (${EDITABLE_FIELDS.join(', ')}), then re-exported`,
    );
  }
  if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
    refuse(item, `an edit is an object of ${EDITABLE_FIELDS.join(', ')}; got ${JSON.stringify(changes)}`);
  }
  const fields = Object.keys(changes);
  const notEditable = fields.filter((field) => !(EDITABLE_FIELDS as readonly string[]).includes(field));
  if (notEditable.length > 0) {
    refuse(item, `only ${EDITABLE_FIELDS.join(' and ')} can be edited; refused: ${notEditable.join(', ')}`, { fields: notEditable });
  }
  if (fields.length === 0) refuse(item, `nothing to edit: give ${EDITABLE_FIELDS.join(' and/or ')}`);

  const record = cloneJson(item.record);
  const changed: Record<string, { from: unknown; to: string }> = {};
  for (const field of fields as EditableField[]) {
    const value = changes[field];
    if (typeof value !== 'string' || value.trim() === '') {
      refuse(item, `${field} must be a non-empty text; got ${JSON.stringify(value)}`, { fields: [field] });
    }
    changed[field] = { from: record[field] ?? null, to: value.trim() };
    record[field] = value.trim();
  }

  const revision = item.revision + 1;
  const idempotencyKey = ledgerIdempotencyKey(item.id, revision);
  const next: LedgerItem = { ...item, record, revision, idempotencyKey, updatedAt: now };
  const detail = {
    changes: changed,
    revision: { from: item.revision, to: revision },
    idempotencyKey: { from: item.idempotencyKey, to: idempotencyKey },
  };
  return { item: next, audit: [{ itemId: item.id, at: now, actor: who, action: 'edited', detail }], changed: true };
}
