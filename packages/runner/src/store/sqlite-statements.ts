import { COUNTS_SQL, ITEM_BY_SOURCE_SQL, ITEM_BY_TARGET_SQL } from './hot-queries.js';
import { ITEM_COLUMNS, MUTABLE_COLUMNS, STATE_COLUMNS, type ItemStateParams } from './sqlite-rows.js';
import { CURRENT_EPOCH_SQL, FENCE_SQL } from './tenant-leases.js';
import type { Database, Statement } from 'better-sqlite3';
import type { LedgerState } from '@ledgerlink/core';
import type { AttemptRow, AuditRow, ItemRow, ItemWithAttemptRow } from './sqlite-rows.js';

/** The SQLite ledger's fixed statements, prepared once per connection. */
export interface LedgerStatements {
  itemById: Statement<[string], ItemRow>;
  itemBySource: Statement<[string, string, string, string], ItemRow>;
  itemByTarget: Statement<[string, string, string, string], ItemRow>;
  insertItem: Statement<[Omit<ItemRow, 'seq'>]>;
  /** The same insert, doing nothing when the ledger has an item for the source record already. */
  insertItemIfNew: Statement<[Omit<ItemRow, 'seq'>]>;
  updateItem: Statement<[Omit<ItemRow, 'seq'>]>;
  /** An update that leaves the record (and its search text) alone: attempts and their outcomes never change it. */
  updateItemState: Statement<[ItemStateParams]>;
  /** The item and, in the same statement, its attempt numbered `number` (columns `attempt_*`, null when there is none). */
  itemWithAttempt: Statement<[number, string], ItemWithAttemptRow>;
  attemptsOf: Statement<[string], AttemptRow>;
  putAttempt: Statement<[AttemptRow]>;
  lastAuditSeq: Statement<[string], { seq: number | null }>;
  auditOf: Statement<[string], AuditRow>;
  insertAudit: Statement<[AuditRow]>;
  /** The same insert, doing nothing when the sequence number is taken (another connection wrote the item since). */
  insertAuditIfFree: Statement<[AuditRow]>;
  fence: Statement<[string], { epoch: number }>;
  currentEpoch: Statement<[string], { epoch: number }>;
  /** `PRAGMA data_version` (plucked): changes when another connection commits to the file, never with this one's own commits. */
  dataVersion: Statement<[], number>;
  countsWorkLeft: Statement<[], { tenant: string; state: LedgerState; count: number }>;
  countsByTenant: Statement<[], { tenant: string; count: number }>;
  cursor: Statement<[string, string], { value: string }>;
  putCursor: Statement<[{ tenant: string; name: string; value: string; updated_at: string }]>;
}

export function createStatements(db: Database): LedgerStatements {
  return {
    itemById: db.prepare('SELECT * FROM ledger_items WHERE id = ?'),
    itemBySource: db.prepare(ITEM_BY_SOURCE_SQL.sqlite),
    itemByTarget: db.prepare(ITEM_BY_TARGET_SQL.sqlite),
    insertItem: db.prepare(
      `INSERT INTO ledger_items (${ITEM_COLUMNS.join(', ')}) VALUES (${ITEM_COLUMNS.map((column) => `@${column}`).join(', ')})`,
    ),
    insertItemIfNew: db.prepare(
      `INSERT INTO ledger_items (${ITEM_COLUMNS.join(', ')}) VALUES (${ITEM_COLUMNS.map((column) => `@${column}`).join(', ')})
       ON CONFLICT (tenant, entity, direction, source_id) DO NOTHING`,
    ),
    updateItem: db.prepare(`UPDATE ledger_items SET ${MUTABLE_COLUMNS.map((column) => `${column} = @${column}`).join(', ')} WHERE id = @id`),
    updateItemState: db.prepare(`UPDATE ledger_items SET ${STATE_COLUMNS.map((column) => `${column} = @${column}`).join(', ')} WHERE id = @id`),
    itemWithAttempt: db.prepare(
      `SELECT item.*, attempt.number AS attempt_number, attempt.idempotency_key AS attempt_idempotency_key, attempt.started_at AS attempt_started_at,
         attempt.finished_at AS attempt_finished_at, attempt.outcome AS attempt_outcome
       FROM ledger_items AS item LEFT JOIN ledger_attempts AS attempt ON attempt.item_id = item.id AND attempt.number = ?
       WHERE item.id = ?`,
    ),
    attemptsOf: db.prepare('SELECT * FROM ledger_attempts WHERE item_id = ? ORDER BY number'),
    putAttempt: db.prepare(
      `INSERT INTO ledger_attempts (item_id, number, idempotency_key, started_at, finished_at, outcome)
       VALUES (@item_id, @number, @idempotency_key, @started_at, @finished_at, @outcome)
       ON CONFLICT (item_id, number) DO UPDATE SET finished_at = excluded.finished_at, outcome = excluded.outcome`,
    ),
    lastAuditSeq: db.prepare('SELECT max(seq) AS seq FROM ledger_audit WHERE item_id = ?'),
    auditOf: db.prepare('SELECT * FROM ledger_audit WHERE item_id = ? ORDER BY seq'),
    insertAudit: db.prepare(
      `INSERT INTO ledger_audit (item_id, seq, at, actor_kind, actor_id, action, detail)
       VALUES (@item_id, @seq, @at, @actor_kind, @actor_id, @action, @detail)`,
    ),
    insertAuditIfFree: db.prepare(
      `INSERT INTO ledger_audit (item_id, seq, at, actor_kind, actor_id, action, detail)
       VALUES (@item_id, @seq, @at, @actor_kind, @actor_id, @action, @detail) ON CONFLICT (item_id, seq) DO NOTHING`,
    ),
    fence: db.prepare(FENCE_SQL.sqlite),
    currentEpoch: db.prepare(CURRENT_EPOCH_SQL.sqlite),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    countsWorkLeft: db.prepare(COUNTS_SQL.workLeft),
    countsByTenant: db.prepare(COUNTS_SQL.byTenant),
    cursor: db.prepare('SELECT value FROM ledger_cursors WHERE tenant = ? AND name = ?'),
    putCursor: db.prepare(
      `INSERT INTO ledger_cursors (tenant, name, value, updated_at) VALUES (@tenant, @name, @value, @updated_at)
       ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
  };
}
