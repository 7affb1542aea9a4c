import type { CloseOut, RequestDetailStatus } from '@ledgerlink/core';
import type pg from 'pg';
import { PostgresHubRequests, RECORD_SENT_SQL, recordSentParams, REQUEST_COLUMNS, requestFromRow, type HubRequestRow, type NewHubRequest, type RequestRow } from './hub-requests.js';
import { PostgresReadBatch, type BatchedRead, type PipelinedReader } from './postgres-read-batch.js';
import type { PostgresWriteBatch } from './postgres-write-batch.js';

/**
 * A request taken on, in one statement: inserted (`fresh`), or the row already there. The row already there is
 * missing only when another transaction committed it after the statement began; it is then read again.
 */
const TAKE_REQUEST = `WITH inserted AS (
    INSERT INTO hub_requests (company_id, request_id, request_name, detail_id, tenant, received_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (company_id, request_id) DO NOTHING
    RETURNING ${REQUEST_COLUMNS}
  )
  SELECT ${REQUEST_COLUMNS}, true AS fresh FROM inserted
  UNION ALL
  SELECT ${REQUEST_COLUMNS}, false AS fresh FROM hub_requests WHERE company_id = $1 AND request_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`;

type RequestKey = readonly [companyId: string, requestId: string];

/**
 * Requests by their key, read a turn's worth at a time (PostgresReadBatch). Many keys: one probe of the key per key
 * (a LATERAL subquery, not flattened), whatever the statistics: the reader's plans are generic (PipelinedReader),
 * and a join planned while the table was small was a hash join over all of it.
 */
export const REQUEST_BY_KEY: BatchedRead<RequestKey, RequestRow> = {
  one: { name: 'll_get_request', text: `SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE company_id = $1 AND request_id = $2` },
  many: {
    name: 'll_get_requests',
    text: `SELECT request.* FROM unnest($1::text[], $2::text[]) AS wanted (company_id, request_id)
      CROSS JOIN LATERAL (
        SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE hub_requests.company_id = wanted.company_id AND hub_requests.request_id = wanted.request_id OFFSET 0
      ) AS request`,
  },
  params: (key) => [...key],
  manyParams: (keys) => [keys.map((key) => key[0]), keys.map((key) => key[1])],
  keyText: (key) => JSON.stringify(key),
  rowKey: (row) => JSON.stringify([row.company_id, row.request_id]),
};

/**
 * The requests about an item whose close-out is not final yet, a turn's worth of items at a time; many items: one
 * probe of hub_requests_item per item (as REQUEST_BY_KEY), then in the order the requests were received.
 */
export const OPEN_FOR_ITEM: BatchedRead<string, RequestRow> = {
  one: {
    name: 'll_open_requests',
    text: `SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE item_id = $1 AND (close_status IS NULL OR close_status = 'in_progress') ORDER BY received_at`,
  },
  many: {
    name: 'll_open_requests_many',
    text: `SELECT request.* FROM unnest($1::text[]) AS wanted (item_id)
      CROSS JOIN LATERAL (
        SELECT ${REQUEST_COLUMNS} FROM hub_requests WHERE hub_requests.item_id = wanted.item_id AND (close_status IS NULL OR close_status = 'in_progress') OFFSET 0
      ) AS request
      ORDER BY request.received_at`,
  },
  params: (itemId) => [itemId],
  manyParams: (itemIds) => [itemIds],
  keyText: (itemId) => itemId,
  rowKey: (row) => row.item_id ?? '',
};

/**
 * `hub_requests` on PostgreSQL with every write in the ledger's group commit (PostgresWriteBatch), keyed by the
 * request so that one request's writes keep their order within a batch, and as prepared statements (several
 * per payment); reads by key a turn's worth at a time (PostgresReadBatch).
 */
export class PostgresBatchedHubRequests extends PostgresHubRequests {
  readonly #batch: PostgresWriteBatch;
  readonly #byKey: PostgresReadBatch<RequestKey, RequestRow>;
  readonly #openForItem: PostgresReadBatch<string, RequestRow>;
  readonly #clock: () => Date;

  constructor(pool: pg.Pool, batch: PostgresWriteBatch, reader: PipelinedReader, clock: () => Date = () => new Date()) {
    super(pool, clock);
    this.#byKey = new PostgresReadBatch(reader, REQUEST_BY_KEY);
    this.#openForItem = new PostgresReadBatch(reader, OPEN_FOR_ITEM);
    this.#batch = batch;
    this.#clock = clock;
  }

  #write(companyId: string, requestId: string, config: pg.QueryConfig): Promise<pg.QueryResult> {
    return this.#batch.statement(config, `request:${JSON.stringify([companyId, requestId])}`);
  }

  override async take(request: NewHubRequest): Promise<{ fresh: boolean; row: HubRequestRow }> {
    const values = [request.companyId, request.requestId, request.requestName, request.detailId ?? null, request.tenant ?? null, this.#clock().toISOString()];
    const { rows } = (await this.#write(request.companyId, request.requestId, { name: 'll_take_request', text: TAKE_REQUEST, values })) as pg.QueryResult<
      RequestRow & { fresh: boolean }
    >;
    const taken = rows[0];
    if (taken !== undefined) return { fresh: taken.fresh, row: requestFromRow(taken) };
    const row = await this.get(request.companyId, request.requestId);
    if (row === undefined) throw new Error(`hub request ${request.requestId} vanished right after it was recorded; it is taken on again when found again`);
    return { fresh: false, row };
  }

  override async linkItem(companyId: string, requestId: string, itemId: string): Promise<void> {
    await this.#write(companyId, requestId, {
      name: 'll_link_request',
      text: 'UPDATE hub_requests SET item_id = $1, updated_at = $2 WHERE company_id = $3 AND request_id = $4',
      values: [itemId, this.#clock().toISOString(), companyId, requestId],
    });
  }

  override async decide(companyId: string, requestId: string, closeOut: CloseOut): Promise<void> {
    await this.#write(companyId, requestId, {
      name: 'll_decide_request',
      text: 'UPDATE hub_requests SET close_status = $1, close_messages = $2, close_sent_at = NULL, updated_at = $3 WHERE company_id = $4 AND request_id = $5',
      values: [closeOut.status, JSON.stringify(closeOut.messages), this.#clock().toISOString(), companyId, requestId],
    });
  }

  override async markSent(companyId: string, requestId: string, status: RequestDetailStatus): Promise<void> {
    await this.#write(companyId, requestId, {
      name: 'll_request_sent',
      text: 'UPDATE hub_requests SET close_sent_at = $1, updated_at = $1 WHERE company_id = $2 AND request_id = $3 AND close_status = $4',
      values: [this.#clock().toISOString(), companyId, requestId, status],
    });
  }

  override async recordSent(companyId: string, requestId: string, closeOut: CloseOut): Promise<void> {
    await this.#write(companyId, requestId, {
      name: 'll_request_recorded_sent',
      text: RECORD_SENT_SQL.postgres,
      values: recordSentParams(companyId, requestId, closeOut, this.#clock().toISOString()),
    });
  }

  override async get(companyId: string, requestId: string): Promise<HubRequestRow | undefined> {
    const row = await this.#byKey.get([companyId, requestId]);
    return row === undefined ? undefined : requestFromRow(row);
  }

  override async openForItem(itemId: string): Promise<HubRequestRow[]> {
    return (await this.#openForItem.all(itemId)).map(requestFromRow);
  }
}
