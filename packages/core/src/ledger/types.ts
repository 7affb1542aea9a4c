import type { Direction, Entity } from '../connector/capabilities.js';
import type { EditableField, ErpAnswer, Outcome } from '../connector/outcome.js';
import type { ErrorCode } from '../errors.js';

/**
 * The ledger is the durable record of every item ledgerlink moves. It is written before each ERP call
 * (`beginAttempt`: the item is `exporting`, the attempt and its idempotency key are on disk) and after it
 * (`completeAttempt`). A crash between the two leaves the item `exporting` with a known key: on restart the
 * runner settles it through the connector's `find` before sending anything new.
 */
export const LEDGER_STATES = ['pending', 'awaiting_approval', 'blocked', 'exporting', 'synced', 'failed'] as const;
export type LedgerState = (typeof LEDGER_STATES)[number];

/** Who did something: a user (API token's subject), the runner itself, or the hub. */
export interface Actor {
  kind: 'user' | 'system' | 'hub';
  id: string;
}

export interface LedgerError {
  /** ledgerlink's stable code. */
  code: ErrorCode;
  message: string;
  /** `retryable` | `rejected` | `needs-edit`. */
  kind: 'retryable' | 'rejected' | 'needs-edit';
  /** The fields a user may edit to fix it (needs-edit). */
  editableFields?: EditableField[];
  /** What the ERP said, verbatim. */
  erp?: ErpAnswer;
}

export interface LedgerItem {
  /** The ledger's own id (opaque, unique). */
  id: string;
  tenant: string;
  entity: Entity;
  direction: Direction;
  /** The id on the source side: the hub payment id for exports, the ERP payment id for imports. */
  sourceId: string;
  state: LedgerState;
  /** The canonical record as last accepted (after edits). */
  record: Record<string, unknown>;
  /** The id on the target side, once synced. Immutable: there is no unlink. */
  targetId?: string;
  /** Starts at 1, bumped by each edit; part of the idempotency key so an edited record is a new write. */
  revision: number;
  /** Attempts made, all revisions together. */
  attempts: number;
  /** The idempotency key of the current attempt: `<id>.r<revision>`. */
  idempotencyKey: string;
  lastError?: LedgerError;
  /** Why it is blocked (e.g. its invoice is not yet in the ERP). */
  blockedReason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  itemId: string;
  /** Sequence within the item, from 1. */
  seq: number;
  at: string;
  actor: Actor;
  /** `created`, `state:pending->exporting`, `edited`, `approved`, `attempt`, `outcome`... */
  action: string;
  /** What changed, what the ERP said. Never secrets. */
  detail?: Record<string, unknown>;
}

export interface AttemptRecord {
  itemId: string;
  /** 1-based, across revisions. */
  number: number;
  idempotencyKey: string;
  startedAt: string;
  finishedAt?: string;
  /** Absent while the call is in flight (or was when the process died). */
  outcome?: Outcome;
}

/**
 * The fencing token of an attempt's ledger writes: the epoch of the tenant's lease the writer holds. A store that
 * keeps tenant leases refuses the write (LL_LEASE_LOST) when the tenant's lease has moved on to a newer epoch: a
 * replica that lost its lease while paused can no longer write what it did after a newer holder took over.
 */
export interface LedgerFence {
  epoch: number;
}

export interface NewLedgerItem {
  tenant: string;
  entity: Entity;
  direction: Direction;
  sourceId: string;
  record: Record<string, unknown>;
  /** Starting state: `pending` (default), `awaiting_approval` or `blocked`. */
  state?: 'pending' | 'awaiting_approval' | 'blocked';
  blockedReason?: string;
}

export interface LedgerFilter {
  tenant?: string;
  entity?: Entity;
  direction?: Direction;
  state?: LedgerState | LedgerState[];
  /** Case-insensitive search in the record's vendor name, invoice number and check number. */
  text?: string;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  /** Page size (default 50, at most 500). */
  limit?: number;
}

export interface LedgerPage {
  items: LedgerItem[];
  nextCursor?: string;
}

/** One page of `Ledger.listIds`: the ids of `list`'s page, and the same cursor to the next. */
export interface LedgerIdPage {
  ids: string[];
  nextCursor?: string;
}

/** A `transition` request: where the item must be, where it goes, and what to audit. */
export interface LedgerTransition {
  /** The states the caller saw the item in; the transition is refused if it has moved on since. */
  from: LedgerState[];
  to: LedgerState;
  /** The audit action, in the caller's words (`approved`, `blocked`, `unblocked`, `re-export`...). */
  action: string;
  detail?: Record<string, unknown>;
  /** Why it is blocked; kept while the item is `blocked`, dropped when it leaves. */
  blockedReason?: string;
  /**
   * The reason for a refusal made before any ERP call (e.g. `pending -> failed` for a partial payment the
   * connector cannot take): shown like an ERP's refusal. A move back to `pending` clears the last error.
   */
  lastError?: LedgerError;
  /**
   * The record as the source now has it (e.g. a blocked payment whose invoice has since reached the ERP, now
   * carrying the invoice's ERP id). Refused for an item that is `exporting` or `synced`: what was sent is what
   * the ledger keeps. The revision is unchanged (an edit by a user is `edit`, not this).
   */
  record?: Record<string, unknown>;
  /**
   * Only for `failed -> pending` (a re-export): the revision is bumped and the item goes out under a new
   * idempotency key, so an ERP that replays answers by key (QuickBooks' `requestid`) does not hand back its old
   * refusal for a record exported again as it is (its vendor since created, say). Safe: `failed` means the ERP
   * refused it or it was never sent; a write whose outcome is unknown stays `exporting`, under its old key.
   */
  freshKey?: boolean;
}

export interface Ledger {
  /**
   * Records an item, or returns the existing one for the same (tenant, entity, direction, sourceId): a
   * webhook delivered twice never makes two items. `created` says which.
   */
  upsert(item: NewLedgerItem, actor: Actor): Promise<{ item: LedgerItem; created: boolean }>;
  get(id: string): Promise<LedgerItem | undefined>;
  getBySource(tenant: string, entity: Entity, direction: Direction, sourceId: string): Promise<LedgerItem | undefined>;
  /**
   * The item linked to `targetId` on the target side (an export's ERP id), if any: how an import recognises a
   * payment ledgerlink itself exported, so it does not come back to the hub as a second record.
   */
  getByTarget(tenant: string, entity: Entity, direction: Direction, targetId: string): Promise<LedgerItem | undefined>;
  list(filter?: LedgerFilter): Promise<LedgerPage>;
  /**
   * The ids of `list`'s page for the same filter (same order, same page size, the same cursors), without the items:
   * for a listing that mostly finds work already in hand (the settle tick's looks at pending and exporting items), no
   * record is read or decoded.
   */
  listIds(filter?: LedgerFilter): Promise<LedgerIdPage>;
  /** Counts by tenant and state (for the console and metrics). */
  counts(): Promise<{ tenant: string; state: LedgerState; count: number }[]>;

  /**
   * Moves an item between states where the state machine allows it and the item is in one of `from`;
   * throws LL_LEDGER_TRANSITION otherwise. Used for approval, blocking and unblocking, re-export.
   */
  transition(id: string, change: LedgerTransition, actor: Actor): Promise<LedgerItem>;

  /**
   * Written before the ERP call: the item goes to `exporting` (from `pending`, or stays `exporting` for a
   * retry or a recovery), `attempts` is bumped and an open attempt with the item's idempotency key is kept.
   */
  beginAttempt(id: string, actor: Actor, fence?: LedgerFence): Promise<{ item: LedgerItem; attempt: AttemptRecord }>;

  /**
   * Written after the ERP call: closes the attempt with its outcome. `synced` sets the target id (refused
   * with LL_LEDGER_LINK_IMMUTABLE if a different one is already set); `rejected` and `needs-edit` make the
   * item `failed` with its last error; `retryable` and `accepted` leave it `exporting`.
   */
  completeAttempt(id: string, attemptNumber: number, outcome: Outcome, actor: Actor, fence?: LedgerFence): Promise<LedgerItem>;

  /**
   * Edits check number and/or bank ID of a `failed` item (anything else, or another state, is refused with
   * LL_LEDGER_EDIT_REFUSED), bumps its revision, and audits the old and new values.
   */
  edit(id: string, changes: Partial<Record<EditableField, string>>, actor: Actor): Promise<LedgerItem>;

  /** The item's audit trail, oldest first. */
  audit(id: string): Promise<AuditEntry[]>;
  /** The item's attempts, oldest first. */
  attempts(id: string): Promise<AttemptRecord[]>;

  /** Free-form key/value per tenant for cursors and schedules (import cursor, next check number...). */
  getCursor(tenant: string, name: string): Promise<string | undefined>;
  setCursor(tenant: string, name: string, value: string): Promise<void>;
  /**
   * Atomically takes the next value of a counter kept as a cursor (a check number): returns max(stored, floor)
   * and stores that plus one, in one write, so two processes never take the same value.
   */
  takeNext(tenant: string, name: string, floor: number): Promise<number>;

  close(): Promise<void>;
}

/** Which transitions `transition` allows (beginAttempt/completeAttempt have their own rules). */
export const ALLOWED_TRANSITIONS: Readonly<Record<LedgerState, readonly LedgerState[]>> = {
  pending: ['awaiting_approval', 'blocked', 'exporting', 'failed'],
  awaiting_approval: ['pending', 'failed'],
  // Straight to awaiting_approval where approval is required (unblocked, or asked for again after an approver's
  // rejection): through pending, a drain could start the item between the two moves, past the approver.
  blocked: ['pending', 'awaiting_approval', 'failed'],
  exporting: ['failed', 'pending'],
  failed: ['pending', 'awaiting_approval'],
  synced: [],
};
