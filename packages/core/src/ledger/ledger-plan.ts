import { v7 as timeOrderedUuid } from 'uuid';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import type { Actor, AttemptRecord, AuditEntry, LedgerItem, LedgerState, NewLedgerItem } from './types.js';

/**
 * A ledger store (memory, SQLite, PostgreSQL) reads what it needs, asks a `plan*` function what the
 * change is, and writes the plan in one transaction. The plan functions validate everything before they
 * return, so a refused change never leaves anything half-written, and every store applies the same rules.
 */

/** An audit entry before the store numbers it (`seq` follows the item's last entry). */
export type AuditDraft = Omit<AuditEntry, 'seq'>;

/** What a store writes for one change: the item as it now is, its new audit entries, and an attempt to store. */
export interface LedgerPlan {
  item: LedgerItem;
  /** Entries to append, in order. Empty when the change was a no-op. */
  audit: AuditDraft[];
  /** The attempt to insert (begun) or replace (completed). */
  attempt?: AttemptRecord;
  /** False for a no-op: the store then writes nothing. */
  changed: boolean;
}

/** The states an item may be created in. */
export const LEDGER_START_STATES = ['pending', 'awaiting_approval', 'blocked'] as const satisfies readonly LedgerState[];

/** `<id>.r<revision>`: deterministic per item and revision (see `LoadItem.idempotencyKey`). */
export function ledgerIdempotencyKey(id: string, revision: number): string {
  return `${id}.r${revision}`;
}

/** Numbers audit drafts after the item's last entry (`lastSeq` 0 for a new item). */
export function numberAudit(drafts: readonly AuditDraft[], lastSeq: number): AuditEntry[] {
  return drafts.map((draft, index) => ({ ...draft, seq: lastSeq + index + 1 }));
}

/** Returns the item or throws LL_LEDGER_NOT_FOUND. */
export function requireLedgerItem(item: LedgerItem | undefined, id: string): LedgerItem {
  if (item === undefined) {
    throw new LedgerlinkError(
      ErrorCodes.LEDGER_NOT_FOUND,
      `no ledger item with id "${id}": check the id, or list the tenant's items to find it`,
      { details: { itemId: id } },
    );
  }
  return item;
}

/** Records are stored as JSON, so every store hands out what a JSON round trip gives back. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The JSON text each record `planNewItem` made was parsed from (its copy goes through text): see `ledgerRecordJson`. */
const recordTexts = new WeakMap<object, string>();

/**
 * A ledger item's record as JSON text, for a store that keeps it as text: the text a new item's record was copied
 * through when `planNewItem` made it (one serialisation per new item, not two), else the record serialised now.
 * Records are never changed in place (every plan copies), so the text stays the record's.
 */
export function ledgerRecordJson(record: Record<string, unknown>): string {
  return recordTexts.get(record) ?? JSON.stringify(record);
}

/** A deep copy of a new item's record (JSON values only), its text remembered for `ledgerRecordJson`. */
function copiedThroughText(record: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(record);
  const copy = JSON.parse(text) as Record<string, unknown>;
  recordTexts.set(copy, text);
  return copy;
}

/** The source key an item is unique on. */
export function ledgerSourceKey(item: Pick<LedgerItem, 'tenant' | 'entity' | 'direction' | 'sourceId'>): string {
  return JSON.stringify([item.tenant, item.entity, item.direction, item.sourceId]);
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

const ACTOR_KINDS: readonly string[] = ['user', 'system', 'hub'];

/** Every change names who made it; an audit trail with a blank actor would be worthless. */
export function requireActor(actor: Actor): Actor {
  if (actor === null || typeof actor !== 'object' || !ACTOR_KINDS.includes(actor.kind)) {
    throw new TypeError(`a ledger change needs an actor of kind ${ACTOR_KINDS.join(', ')}; got ${JSON.stringify(actor)}`);
  }
  return { kind: actor.kind, id: requireText(actor.id, 'the actor id') };
}

/**
 * Plans a new item (the `created` side of `upsert`): validated input, fresh id, revision 1, audited.
 *
 * The id is a UUID version 7 (RFC 9562): its first 48 bits are the creation time in milliseconds, so new ids sort
 * after older ones. Every index keyed by the item id (the id itself, its attempts, its audit, the hub requests tied
 * to it) then grows at its right edge: the payments of one group commit share index pages instead of each dirtying a
 * page of its own somewhere in the middle. On the runner bench (SQLite FULL) that halved what a payment writes to
 * storage (93 to 52-58 KiB) and cut its write system calls from 47 to 30. The id stays opaque: nothing reads the time
 * back out of it.
 */
export function planNewItem(input: NewLedgerItem, actor: Actor, now: string, id: string = timeOrderedUuid()): LedgerPlan {
  const state = input.state ?? 'pending';
  if (!(LEDGER_START_STATES as readonly string[]).includes(state)) {
    throw new TypeError(`a ledger item starts ${LEDGER_START_STATES.join(', ')}; got "${String(state)}"`);
  }
  if (input.record === null || typeof input.record !== 'object' || Array.isArray(input.record)) {
    throw new TypeError('ledger item record must be a JSON object');
  }
  const item: LedgerItem = {
    id,
    tenant: requireText(input.tenant, "a ledger item's tenant"),
    entity: requireText(input.entity, "a ledger item's entity") as LedgerItem['entity'],
    direction: requireText(input.direction, "a ledger item's direction") as LedgerItem['direction'],
    sourceId: requireText(input.sourceId, "a ledger item's sourceId"),
    state,
    record: copiedThroughText(input.record),
    revision: 1,
    attempts: 0,
    idempotencyKey: ledgerIdempotencyKey(id, 1),
    createdAt: now,
    updatedAt: now,
  };
  if (state === 'blocked' && input.blockedReason !== undefined) item.blockedReason = input.blockedReason;
  const detail: Record<string, unknown> = { state, sourceId: item.sourceId };
  if (item.blockedReason !== undefined) detail.blockedReason = item.blockedReason;
  return { item, audit: [{ itemId: id, at: now, actor: requireActor(actor), action: 'created', detail }], changed: true };
}

/**
 * The refusal of a fenced write whose epoch is no longer the tenant's current lease epoch (see LedgerFence):
 * nothing was written; the tenant's current holder carries on with the item.
 */
export function leaseLost(tenant: string, epoch: number, current: number | undefined): LedgerlinkError {
  const now = current === undefined ? 'no lease is recorded for it' : `its lease is now at epoch ${current}`;
  return new LedgerlinkError(
    ErrorCodes.LEASE_LOST,
    `this process wrote for tenant ${tenant} under lease epoch ${epoch}, but ${now}: another replica holds the tenant; nothing was written`,
    { disposition: 'retryable', details: { tenant, epoch, ...(current === undefined ? {} : { current }) } },
  );
}

/** The value `takeNext` hands out for a counter stored as `stored` (text or absent) with a configured `floor`. */
export function nextCounterValue(stored: string | undefined, floor: number): number {
  const number = Number(stored ?? '0');
  return Math.max(floor, Number.isSafeInteger(number) ? number : 0);
}
