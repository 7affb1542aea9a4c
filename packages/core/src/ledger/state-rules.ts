import type { Outcome } from '../connector/outcome.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { cloneJson, ledgerIdempotencyKey, requireActor, type LedgerPlan } from './ledger-plan.js';
import {
  ALLOWED_TRANSITIONS,
  LEDGER_STATES,
  type Actor,
  type AttemptRecord,
  type LedgerError,
  type LedgerItem,
  type LedgerState,
  type LedgerTransition,
} from './types.js';

/** The states `beginAttempt` starts from: a first attempt, or a retry or recovery of one in flight. */
export const ATTEMPT_START_STATES = ['pending', 'exporting'] as const satisfies readonly LedgerState[];

function transitionError(message: string, item: LedgerItem, details: Record<string, unknown> = {}): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.LEDGER_TRANSITION, message, { details: { itemId: item.id, state: item.state, ...details } });
}

/** What to do instead, per state, when an item is not where an attempt can start. */
function whyNoAttempt(item: LedgerItem): string {
  switch (item.state) {
    case 'awaiting_approval':
      return 'it awaits approval: approve it first (awaiting_approval -> pending)';
    case 'blocked':
      return `it is blocked${item.blockedReason ? ` (${item.blockedReason})` : ''}: unblock it first (blocked -> pending)`;
    case 'failed':
      return 'it failed: fix it if needed and re-export it first (failed -> pending)';
    case 'synced':
      return `it is already in the ERP as "${item.targetId ?? '?'}": there is nothing to send`;
    default:
      return 'only pending or exporting items are sent';
  }
}

/** Plans `transition`: the item must be in one of `change.from`, and the state machine must allow the move. */
export function planTransition(item: LedgerItem, change: LedgerTransition, actor: Actor, now: string): LedgerPlan {
  const who = requireActor(actor);
  if (!(LEDGER_STATES as readonly string[]).includes(change.to)) {
    throw new TypeError(`unknown ledger state "${String(change.to)}"; states are ${LEDGER_STATES.join(', ')}`);
  }
  if (!Array.isArray(change.from) || change.from.length === 0) {
    throw new TypeError('a ledger transition needs `from`: the states the caller saw the item in');
  }
  if (!change.from.includes(item.state)) {
    throw transitionError(
      `item ${item.id} is "${item.state}", not ${change.from.join(' or ')}: it changed since it was read; reload it and decide again`,
      item,
      { from: change.from, to: change.to },
    );
  }
  const allowed = ALLOWED_TRANSITIONS[item.state];
  if (!allowed.includes(change.to)) {
    const options = allowed.length === 0 ? 'nothing (it is final: there is no unlink)' : allowed.join(', ');
    throw transitionError(`item ${item.id} cannot go from "${item.state}" to "${change.to}"; from "${item.state}" it may go to ${options}`, item, {
      to: change.to,
    });
  }
  if (change.record !== undefined) {
    if (item.state === 'exporting' || item.state === 'synced') {
      throw transitionError(`item ${item.id} is "${item.state}": its record is what was sent to the ERP and cannot be replaced`, item, {
        to: change.to,
      });
    }
    if (change.record === null || typeof change.record !== 'object' || Array.isArray(change.record)) {
      throw new TypeError('a ledger transition\'s record must be a JSON object');
    }
  }
  if (change.freshKey === true && !(item.state === 'failed' && change.to === 'pending')) {
    throw transitionError(`item ${item.id}: a new idempotency key is only for a re-export (failed -> pending), not "${item.state}" -> "${change.to}"`, item, {
      to: change.to,
    });
  }
  // Shallow copies: a plan never mutates what it was given, and every store serialises (or, in memory, clones) what
  // it keeps, so deep copies here would only be thrown away (the record is often the largest part of an item).
  const next: LedgerItem = { ...item, state: change.to, updatedAt: now };
  if (change.record !== undefined) next.record = cloneJson(change.record);
  if (change.freshKey === true) {
    next.revision = item.revision + 1;
    next.idempotencyKey = ledgerIdempotencyKey(item.id, next.revision);
  }
  delete next.blockedReason;
  if (change.to === 'blocked' && change.blockedReason !== undefined) next.blockedReason = change.blockedReason;
  // A move back to pending is a fresh start (approved, unblocked, re-exported): the old error stays in the audit.
  if (change.to === 'pending') delete next.lastError;
  if (change.lastError !== undefined) next.lastError = cloneJson(change.lastError);
  const detail: Record<string, unknown> = { ...cloneJson(change.detail ?? {}), from: item.state, to: change.to };
  if (next.blockedReason !== undefined) detail.blockedReason = next.blockedReason;
  if (change.lastError !== undefined) detail.lastError = cloneJson(change.lastError);
  if (change.record !== undefined) detail.recordRefreshed = true;
  if (change.freshKey === true) detail.idempotencyKey = { from: item.idempotencyKey, to: next.idempotencyKey };
  const action = typeof change.action === 'string' && change.action.trim() !== '' ? change.action : `state:${item.state}->${change.to}`;
  return { item: next, audit: [{ itemId: item.id, at: now, actor: who, action, detail }], changed: true };
}

/** Plans `beginAttempt`: `exporting`, one more attempt, and an open attempt carrying the item's key. */
export function planBeginAttempt(item: LedgerItem, actor: Actor, now: string): LedgerPlan {
  const who = requireActor(actor);
  if (!(ATTEMPT_START_STATES as readonly string[]).includes(item.state)) {
    throw transitionError(`cannot start an attempt for item ${item.id} while it is "${item.state}": ${whyNoAttempt(item)}`, item);
  }
  const number = item.attempts + 1;
  const next: LedgerItem = { ...item, state: 'exporting', attempts: number, updatedAt: now };
  const attempt: AttemptRecord = { itemId: item.id, number, idempotencyKey: item.idempotencyKey, startedAt: now };
  const detail: Record<string, unknown> = { number, idempotencyKey: item.idempotencyKey };
  if (item.state !== 'exporting') Object.assign(detail, { from: item.state, to: 'exporting' });
  return { item: next, attempt, audit: [{ itemId: item.id, at: now, actor: who, action: 'attempt', detail }], changed: true };
}

/** The last error an outcome leaves on the item; undefined for `synced` and `accepted`. */
export function ledgerErrorOf(outcome: Outcome): LedgerError | undefined {
  switch (outcome.kind) {
    case 'synced':
    case 'accepted':
      return undefined;
    case 'needs-edit': {
      const error: LedgerError = { code: outcome.code, kind: outcome.kind, message: outcome.message, editableFields: [...outcome.fields] };
      return outcome.erp === undefined ? error : { ...error, erp: { ...outcome.erp } };
    }
    default: {
      const error: LedgerError = { code: outcome.code, kind: outcome.kind, message: outcome.message };
      return outcome.erp === undefined ? error : { ...error, erp: { ...outcome.erp } };
    }
  }
}

const OUTCOME_KINDS: readonly string[] = ['synced', 'accepted', 'retryable', 'rejected', 'needs-edit'];

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function refuseRelink(item: LedgerItem, erpId: string): never {
  throw new LedgerlinkError(
    ErrorCodes.LEDGER_LINK_IMMUTABLE,
    `item ${item.id} is already linked to ERP id "${item.targetId ?? ''}"; refusing to link it to "${erpId}": there is no unlink. ` +
      `Check the ERP for a duplicate record "${erpId}" and void it there if it is one.`,
    { details: { itemId: item.id, targetId: item.targetId, refusedTargetId: erpId } },
  );
}

/**
 * Plans `completeAttempt`. `synced` links the item (a different id than the one already linked is refused, the
 * same one is a no-op); `rejected`/`needs-edit` fail it with its last error; `retryable` keeps it `exporting` with
 * its last error; `accepted` keeps it `exporting`. A synced item stays synced whatever a stale attempt reports.
 */
export function planCompleteAttempt(
  item: LedgerItem,
  attempt: AttemptRecord | undefined,
  outcome: Outcome,
  actor: Actor,
  now: string,
  attemptNumber: number = attempt?.number ?? 0,
): LedgerPlan {
  const who = requireActor(actor);
  if (!OUTCOME_KINDS.includes(outcome?.kind)) {
    throw new TypeError(`unknown outcome ${JSON.stringify(outcome)}; outcomes are ${OUTCOME_KINDS.join(', ')}`);
  }
  if (outcome.kind === 'synced') {
    if (typeof outcome.erpId !== 'string' || outcome.erpId.trim() === '') {
      throw new TypeError(`a synced outcome needs the ERP's id; got ${JSON.stringify(outcome.erpId)}`);
    }
    if (item.targetId !== undefined && item.targetId !== outcome.erpId) refuseRelink(item, outcome.erpId);
  }
  if (attempt === undefined) {
    throw transitionError(
      `item ${item.id} has no attempt ${attemptNumber} (it has ${item.attempts}): complete the attempt beginAttempt returned`,
      item,
      { attempt: attemptNumber },
    );
  }
  if (attempt.outcome !== undefined) {
    // Writing the same answer twice (a retried ledger write) changes nothing; a different one is a contradiction.
    const sameLink = outcome.kind === 'synced' && attempt.outcome.kind === 'synced' && item.targetId === outcome.erpId;
    if (sameLink || sameOutcome(attempt.outcome, outcome)) return { item, audit: [], changed: false };
    throw transitionError(
      `attempt ${attempt.number} of item ${item.id} is already closed as "${attempt.outcome.kind}"; an attempt has one outcome: ` +
        'begin a new attempt to record another',
      item,
      { attempt: attempt.number, outcome: attempt.outcome.kind },
    );
  }
  const closed: AttemptRecord = { ...attempt, finishedAt: now, outcome };
  const next: LedgerItem = { ...item, updatedAt: now };
  const error = ledgerErrorOf(outcome);
  if (item.state !== 'synced') {
    if (outcome.kind === 'synced') {
      next.state = 'synced';
      next.targetId = outcome.erpId;
      delete next.lastError;
    } else if (outcome.kind === 'rejected' || outcome.kind === 'needs-edit') {
      next.state = 'failed';
    }
    if (error !== undefined) next.lastError = error;
  }
  const detail: Record<string, unknown> = { number: attempt.number, outcome };
  if (next.state !== item.state) Object.assign(detail, { from: item.state, to: next.state });
  if (item.state === 'synced') detail.note = `item already synced as "${item.targetId ?? ''}": kept`;
  return { item: next, attempt: closed, audit: [{ itemId: item.id, at: now, actor: who, action: 'outcome', detail }], changed: true };
}
