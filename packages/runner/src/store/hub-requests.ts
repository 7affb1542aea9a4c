import type BetterSqlite3 from 'better-sqlite3';
import type { CloseOut, RequestDetailStatus } from '@ledgerlink/core';
import { unfinishedRequestsSql } from './hot-queries.js';
import { sqliteWriteBatch, type SqliteWriteBatch } from './sqlite-write-batch.js';

/** One ERP Request ledgerlink took on, and how far its close-out got. */
export interface HubRequestRow {
  companyId: string;
  requestId: string;
  requestName: string;
  /** The Request Detail to close out (absent for requests that have none). */
  detailId?: string;
  tenant?: string;
  /** The ledger item the request is about (a contract payment's export), once recorded. */
  itemId?: string;
  /** The close-out decided (status and messages); absent while the work goes on. */
  closeOut?: CloseOut;
  /** When the decided close-out reached the hub; absent = still to send. */
  closeOutSentAt?: string;
  receivedAt: string;
}

/** What the runner knows of a new ERP Request when it takes it on. */
export interface NewHubRequest {
  companyId: string;
  requestId: string;
  requestName: string;
  detailId?: string;
  tenant?: string;
}

/**
 * `hub_requests`: the durable record of every ERP Request, so that a crash between the ERP write and the close-out
 * still closes out after the restart, a close-out the hub did not take is sent again, and a request found again
 * (a repeated delivery, the fallback listing) is not acted on twice.
 */
export interface HubRequests {
  /** Records the request; `fresh` is false when it was taken on before (the row as it stands is returned). */
  take(request: NewHubRequest): Promise<{ fresh: boolean; row: HubRequestRow }>;
  get(companyId: string, requestId: string): Promise<HubRequestRow | undefined>;
  /** Ties the request to the ledger item it is about. */
  linkItem(companyId: string, requestId: string, itemId: string): Promise<void>;
  /** Requests about an item whose close-out is not final yet (no status, or `in_progress`). */
  openForItem(itemId: string): Promise<HubRequestRow[]>;
  /** Decides the close-out; it is still to send (`closeOutSentAt` cleared). */
  decide(companyId: string, requestId: string, closeOut: CloseOut): Promise<void>;
  /** The hub took the close-out decided as `status`. */
  markSent(companyId: string, requestId: string, status: RequestDetailStatus): Promise<void>;
  /**
   * The hub took `closeOut`, which was not decided first: one that follows from the request's ledger item (a crash
   * before this leaves the row open with its item, and the close-out pass works it out again from the item). An
   * `in_progress` note never replaces a final close-out recorded meanwhile.
   */
  recordSent(companyId: string, requestId: string, closeOut: CloseOut): Promise<void>;
  /** Requests with a close-out still to send, or still open with a ledger item: the close-out pass's work. */
  unfinished(limit?: number): Promise<HubRequestRow[]>;
  /**
   * Deletes requests handled before `before` (the retention): a final close-out (`success`, `failed`, `stale`) the
   * hub took. Open ones, and close-outs still to send, are never pruned. Returns how many were deleted.
   */
  prune(before: Date): Promise<number>;
}

/** A request that is done with: its final close-out reached the hub before the retention's cut-off. */
const HANDLED_BEFORE = "close_status IN ('success', 'failed', 'stale') AND close_sent_at IS NOT NULL AND close_sent_at <";

/**
 * `recordSent`'s update: status, messages and the time sent in one statement. Parameters: status, messages (JSON),
 * sent at, updated at, company, request, and the status again for the guard (a final one, or over no final one).
 */
export const RECORD_SENT_SQL = {
  sqlite:
    'UPDATE hub_requests SET close_status = ?, close_messages = ?, close_sent_at = ?, updated_at = ? WHERE company_id = ? AND request_id = ? ' +
    "AND (? <> 'in_progress' OR close_status IS NULL OR close_status = 'in_progress')",
  postgres:
    'UPDATE hub_requests SET close_status = $1, close_messages = $2, close_sent_at = $3, updated_at = $4 WHERE company_id = $5 AND request_id = $6 ' +
    "AND ($7 <> 'in_progress' OR close_status IS NULL OR close_status = 'in_progress')",
} as const;

/** `RECORD_SENT_SQL`'s parameters, in its order, for a close-out the hub took at `now` (either store). */
export function recordSentParams(companyId: string, requestId: string, closeOut: CloseOut, now: string): unknown[] {
  return [closeOut.status, JSON.stringify(closeOut.messages), now, now, companyId, requestId, closeOut.status];
}

/** A `hub_requests` row in either store. */
export interface RequestRow {
  company_id: string;
  request_id: string;
  request_name: string;
  detail_id: string | null;
  tenant: string | null;
  item_id: string | null;
  close_status: RequestDetailStatus | null;
  close_messages: string | null;
  close_sent_at: string | null;
  received_at: string;
}

export function requestFromRow(row: RequestRow): HubRequestRow {
  return {
    companyId: row.company_id,
    requestId: row.request_id,
    requestName: row.request_name,
    receivedAt: row.received_at,
    ...(row.detail_id === null ? {} : { detailId: row.detail_id }),
    ...(row.tenant === null ? {} : { tenant: row.tenant }),
    ...(row.item_id === null ? {} : { itemId: row.item_id }),
    ...(row.close_status === null ? {} : { closeOut: { status: row.close_status, messages: JSON.parse(row.close_messages ?? '[]') as string[] } }),
    ...(row.close_sent_at === null ? {} : { closeOutSentAt: row.close_sent_at }),
  };
}

/** The columns a hub_requests row is read with. */
export const REQUEST_COLUMNS = 'company_id, request_id, request_name, detail_id, tenant, item_id, close_status, close_messages, close_sent_at, received_at';
export { UNFINISHED_WHERE } from './hot-queries.js';

export class SqliteHubRequests implements HubRequests {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The connection's group commit (SqliteWriteBatch): these writes share the ledger's transactions and fsyncs. */
  private get batch(): SqliteWriteBatch {
    return sqliteWriteBatch(this.db);
  }

  /** Statements by their SQL, prepared once: this table is written several times per payment. */
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  private prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): BetterSqlite3.Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as BetterSqlite3.Statement<P, R>;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  async take(request: NewHubRequest): Promise<{ fresh: boolean; row: HubRequestRow }> {
    const now = this.now();
    // A new request comes back from the insert itself (RETURNING): one statement; one taken before is read.
    const inserted = await this.batch.run(() =>
      this.prepare<unknown[], RequestRow>(
        `INSERT INTO hub_requests (company_id, request_id, request_name, detail_id, tenant, received_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (company_id, request_id) DO NOTHING RETURNING ${REQUEST_COLUMNS}`,
      ).get(request.companyId, request.requestId, request.requestName, request.detailId ?? null, request.tenant ?? null, now, now),
    );
    if (inserted !== undefined) return { fresh: true, row: requestFromRow(inserted) };
    const row = await this.get(request.companyId, request.requestId);
    if (row === undefined) throw new Error(`hub request ${request.requestId} vanished right after it was recorded`);
    return { fresh: false, row };
  }

  async get(companyId: string, requestId: string): Promise<HubRequestRow | undefined> {
    const row = this.prepare<[string, string], RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE company_id = ? AND request_id = ?`).get(companyId, requestId);
    return row === undefined ? undefined : requestFromRow(row);
  }

  async linkItem(companyId: string, requestId: string, itemId: string): Promise<void> {
    const now = this.now();
    await this.batch.run(() => this.prepare('UPDATE hub_requests SET item_id = ?, updated_at = ? WHERE company_id = ? AND request_id = ?').run(itemId, now, companyId, requestId));
  }

  async openForItem(itemId: string): Promise<HubRequestRow[]> {
    return this.prepare<[string], RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE item_id = ? AND (close_status IS NULL OR close_status = 'in_progress') ORDER BY received_at`)
      .all(itemId)
      .map(requestFromRow);
  }

  async decide(companyId: string, requestId: string, closeOut: CloseOut): Promise<void> {
    const values = [closeOut.status, JSON.stringify(closeOut.messages), this.now(), companyId, requestId];
    await this.batch.run(() =>
      this.prepare('UPDATE hub_requests SET close_status = ?, close_messages = ?, close_sent_at = NULL, updated_at = ? WHERE company_id = ? AND request_id = ?').run(...values),
    );
  }

  async markSent(companyId: string, requestId: string, status: RequestDetailStatus): Promise<void> {
    const now = this.now();
    await this.batch.run(() =>
      this.prepare('UPDATE hub_requests SET close_sent_at = ?, updated_at = ? WHERE company_id = ? AND request_id = ? AND close_status = ?').run(now, now, companyId, requestId, status),
    );
  }

  async recordSent(companyId: string, requestId: string, closeOut: CloseOut): Promise<void> {
    const values = recordSentParams(companyId, requestId, closeOut, this.now());
    await this.batch.run(() => this.prepare(RECORD_SENT_SQL.sqlite).run(...values));
  }

  async unfinished(limit = 500): Promise<HubRequestRow[]> {
    return this.prepare<[number], RequestRow>(unfinishedRequestsSql(REQUEST_COLUMNS, 'sqlite'))
      .all(limit)
      .map(requestFromRow);
  }

  async prune(before: Date): Promise<number> {
    return this.prepare<[string]>(`DELETE FROM hub_requests WHERE ${HANDLED_BEFORE} ?`).run(before.toISOString()).changes;
  }
}

/** What PostgresHubRequests runs its SQL on: a pool, or the ledger's group commit. */
export interface Queryable {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** The same table in PostgreSQL. */
export class PostgresHubRequests implements HubRequests {
  constructor(
    private readonly pool: Queryable,
    private readonly clock: () => Date = () => new Date(),
    /** Where writes go: the ledger's group commit (PostgresWriteBatch) when given, else the pool. */
    private readonly writer: Queryable = pool,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  async take(request: NewHubRequest): Promise<{ fresh: boolean; row: HubRequestRow }> {
    const now = this.now();
    const inserted = await this.writer.query(
      `INSERT INTO hub_requests (company_id, request_id, request_name, detail_id, tenant, received_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, request_id) DO NOTHING`,
      [request.companyId, request.requestId, request.requestName, request.detailId ?? null, request.tenant ?? null, now, now],
    );
    const row = await this.get(request.companyId, request.requestId);
    if (row === undefined) throw new Error(`hub request ${request.requestId} vanished right after it was recorded`);
    return { fresh: inserted.rowCount === 1, row };
  }

  async get(companyId: string, requestId: string): Promise<HubRequestRow | undefined> {
    const { rows } = await this.pool.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE company_id = $1 AND request_id = $2`, [companyId, requestId]);
    return rows[0] === undefined ? undefined : requestFromRow(rows[0]);
  }

  async linkItem(companyId: string, requestId: string, itemId: string): Promise<void> {
    await this.writer.query('UPDATE hub_requests SET item_id = $1, updated_at = $2 WHERE company_id = $3 AND request_id = $4', [itemId, this.now(), companyId, requestId]);
  }

  async openForItem(itemId: string): Promise<HubRequestRow[]> {
    const { rows } = await this.pool.query<RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE item_id = $1 AND (close_status IS NULL OR close_status = 'in_progress') ORDER BY received_at`,
      [itemId],
    );
    return rows.map(requestFromRow);
  }

  async decide(companyId: string, requestId: string, closeOut: CloseOut): Promise<void> {
    await this.writer.query(
      'UPDATE hub_requests SET close_status = $1, close_messages = $2, close_sent_at = NULL, updated_at = $3 WHERE company_id = $4 AND request_id = $5',
      [closeOut.status, JSON.stringify(closeOut.messages), this.now(), companyId, requestId],
    );
  }

  async markSent(companyId: string, requestId: string, status: RequestDetailStatus): Promise<void> {
    const now = this.now();
    await this.writer.query('UPDATE hub_requests SET close_sent_at = $1, updated_at = $1 WHERE company_id = $2 AND request_id = $3 AND close_status = $4', [
      now,
      companyId,
      requestId,
      status,
    ]);
  }

  async recordSent(companyId: string, requestId: string, closeOut: CloseOut): Promise<void> {
    await this.writer.query(RECORD_SENT_SQL.postgres, recordSentParams(companyId, requestId, closeOut, this.now()));
  }

  async unfinished(limit = 500): Promise<HubRequestRow[]> {
    const { rows } = await this.pool.query<RequestRow>(unfinishedRequestsSql(REQUEST_COLUMNS, 'postgres'), [limit]);
    return rows.map(requestFromRow);
  }
  async prune(before: Date): Promise<number> {
    const result = await this.pool.query(`DELETE FROM hub_requests WHERE ${HANDLED_BEFORE} $1`, [before.toISOString()]);
    return result.rowCount ?? 0;
  }
}
