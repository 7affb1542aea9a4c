import { ledgerRecordJson, ledgerSearchText, type Actor, type AttemptRecord, type AuditEntry, type LedgerItem } from '@ledgerlink/core';

/** How ledger values sit in SQLite rows: columns for what is filtered on, JSON text for the rest. */

export interface ItemRow {
  seq: number;
  id: string;
  tenant: string;
  entity: string;
  direction: string;
  source_id: string;
  state: string;
  record: string;
  target_id: string | null;
  revision: number;
  attempts: number;
  idempotency_key: string;
  last_error: string | null;
  blocked_reason: string | null;
  search_text: string;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  item_id: string;
  number: number;
  idempotency_key: string;
  started_at: string;
  finished_at: string | null;
  outcome: string | null;
}

export interface AuditRow {
  item_id: string;
  seq: number;
  at: string;
  actor_kind: string;
  actor_id: string;
  action: string;
  detail: string | null;
}

/** The item columns, in table order (both stores). */
export const ITEM_COLUMNS = [
  'id',
  'tenant',
  'entity',
  'direction',
  'source_id',
  'state',
  'record',
  'target_id',
  'revision',
  'attempts',
  'idempotency_key',
  'last_error',
  'blocked_reason',
  'search_text',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof Omit<ItemRow, 'seq'>)[];

/** What an update may change: never the identity, the source key or the creation time. */
export const MUTABLE_COLUMNS = ITEM_COLUMNS.filter((column) => !['id', 'tenant', 'entity', 'direction', 'source_id', 'created_at'].includes(column));

/** What an attempt or its outcome changes: everything mutable but the record and its search text. */
export const STATE_COLUMNS = ['state', 'target_id', 'revision', 'attempts', 'idempotency_key', 'last_error', 'blocked_reason', 'updated_at'] as const satisfies readonly (typeof MUTABLE_COLUMNS)[number][];

/** The named parameters of an update that keeps the record: no JSON of the record written again. */
export type ItemStateParams = Pick<ItemRow, 'id' | (typeof STATE_COLUMNS)[number]>;

export function itemStateParams(item: LedgerItem): ItemStateParams {
  return {
    id: item.id,
    state: item.state,
    target_id: item.targetId ?? null,
    revision: item.revision,
    attempts: item.attempts,
    idempotency_key: item.idempotencyKey,
    last_error: item.lastError === undefined ? null : JSON.stringify(item.lastError),
    blocked_reason: item.blockedReason ?? null,
    updated_at: item.updatedAt,
  };
}

/** The named parameters of an item insert or update. */
export function itemParams(item: LedgerItem): Omit<ItemRow, 'seq'> {
  return {
    ...itemStateParams(item),
    tenant: item.tenant,
    entity: item.entity,
    direction: item.direction,
    source_id: item.sourceId,
    record: ledgerRecordJson(item.record),
    search_text: ledgerSearchText(item.record),
    created_at: item.createdAt,
  };
}

export function itemFromRow(row: ItemRow): LedgerItem {
  const item: LedgerItem = {
    id: row.id,
    tenant: row.tenant,
    entity: row.entity as LedgerItem['entity'],
    direction: row.direction as LedgerItem['direction'],
    sourceId: row.source_id,
    state: row.state as LedgerItem['state'],
    record: JSON.parse(row.record) as Record<string, unknown>,
    revision: row.revision,
    attempts: row.attempts,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.target_id !== null) item.targetId = row.target_id;
  if (row.last_error !== null) item.lastError = JSON.parse(row.last_error) as LedgerItem['lastError'];
  if (row.blocked_reason !== null) item.blockedReason = row.blocked_reason;
  return item;
}

export function attemptParams(attempt: AttemptRecord): AttemptRow {
  return {
    item_id: attempt.itemId,
    number: attempt.number,
    idempotency_key: attempt.idempotencyKey,
    started_at: attempt.startedAt,
    finished_at: attempt.finishedAt ?? null,
    outcome: attempt.outcome === undefined ? null : JSON.stringify(attempt.outcome),
  };
}

/**
 * An item row read with one of its attempts beside it (`LEFT JOIN ledger_attempts … AS attempt_*`; every `attempt_*`
 * null when it has no such attempt): what completing an attempt reads, in one statement, on both stores.
 */
export interface ItemWithAttemptRow extends ItemRow {
  attempt_number: number | null;
  attempt_idempotency_key: string | null;
  attempt_started_at: string | null;
  attempt_finished_at: string | null;
  attempt_outcome: string | null;
}

/** The attempt beside the item in such a row, if it has one. */
export function attemptBeside(row: ItemWithAttemptRow): AttemptRecord | undefined {
  if (row.attempt_number === null) return undefined;
  return attemptFromRow({
    item_id: row.id,
    number: row.attempt_number,
    idempotency_key: row.attempt_idempotency_key as string,
    started_at: row.attempt_started_at as string,
    finished_at: row.attempt_finished_at,
    outcome: row.attempt_outcome,
  });
}

export function attemptFromRow(row: AttemptRow): AttemptRecord {
  const attempt: AttemptRecord = { itemId: row.item_id, number: row.number, idempotencyKey: row.idempotency_key, startedAt: row.started_at };
  if (row.finished_at !== null) attempt.finishedAt = row.finished_at;
  if (row.outcome !== null) attempt.outcome = JSON.parse(row.outcome) as AttemptRecord['outcome'];
  return attempt;
}

export function auditParams(entry: AuditEntry): AuditRow {
  return {
    item_id: entry.itemId,
    seq: entry.seq,
    at: entry.at,
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    action: entry.action,
    detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  };
}

export function auditFromRow(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    itemId: row.item_id,
    seq: row.seq,
    at: row.at,
    actor: { kind: row.actor_kind as Actor['kind'], id: row.actor_id },
    action: row.action,
  };
  if (row.detail !== null) entry.detail = JSON.parse(row.detail) as Record<string, unknown>;
  return entry;
}
