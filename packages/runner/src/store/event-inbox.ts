import { UNPROCESSED_EVENTS_OF_SQL, UNPROCESSED_EVENTS_SQL } from './hot-queries.js';
import type BetterSqlite3 from 'better-sqlite3';
import type { HubEvent } from '@ledgerlink/core';
import { sqliteWriteBatch, type SqliteWriteBatch } from './sqlite-write-batch.js';

/**
 * The hub's webhook deliveries, each kept once by its `ulid`. The webhook route records a delivery before it
 * answers the hub and does nothing else; the runner marks it processed once the ERP Request it names has been
 * fetched and taken on (`hub_requests`), so a repeated delivery is harmless and one received just before a crash
 * is acted on after the restart.
 */
export interface EventInbox {
  /** Records the event; `fresh` is false when it was seen before (a repeated delivery). */
  record(event: HubEvent): Promise<{ fresh: boolean }>;
  markProcessed(eventId: string): Promise<void>;
  /** Events received and not yet processed, oldest first; with `scope`, only those one replica acts on. */
  unprocessed(limit?: number, scope?: InboxScope): Promise<HubEvent[]>;
  /**
   * Deletes events processed before `before` (the retention): a repeat delivery that old is long past the hub's
   * retries. Unprocessed events are never pruned. Returns how many were deleted.
   */
  prune(before: Date): Promise<number>;
}

/** What one replica's inbox sweep takes: the hub companies it holds a tenant of, and those no tenant is connected to. */
export interface InboxScope {
  /** Hub companies of the tenants this replica holds. */
  held: readonly string[];
  /** Hub companies of every tenant configured: a delivery for any other company is anyone's to answer. */
  configured: readonly string[];
}

/** The inbox and the handled hub requests are kept this long by default (`runner.retentionDays`). */
export const DEFAULT_RETENTION_DAYS = 14;

/** A row of `hub_events` in either store. */
export interface EventRow {
  event_id: string;
  company_id: string;
  resource_name: string;
  event_type: string;
  resource_id: string;
  occurred_at: string;
}

/** The event a stored row stands for. */
export function eventFromRow(row: EventRow): HubEvent {
  return {
    eventId: row.event_id,
    companyId: row.company_id,
    resourceName: row.resource_name,
    eventType: row.event_type,
    resourceId: row.resource_id,
    occurredAt: row.occurred_at,
  };
}

export class SqliteEventInbox implements EventInbox {
  readonly #insert: BetterSqlite3.Statement<[Record<string, unknown>]>;
  readonly #repeat: BetterSqlite3.Statement<[string]>;
  readonly #processed: BetterSqlite3.Statement<[string, string]>;
  readonly #pending: BetterSqlite3.Statement<[number], EventRow>;
  readonly #pendingOf: BetterSqlite3.Statement<[string, string, number], EventRow>;
  readonly #prune: BetterSqlite3.Statement<[string]>;
  readonly #batch: SqliteWriteBatch;

  constructor(
    db: BetterSqlite3.Database,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.#insert = db.prepare(
      `INSERT INTO hub_events (event_id, company_id, resource_name, event_type, resource_id, occurred_at, received_at)
       VALUES (@event_id, @company_id, @resource_name, @event_type, @resource_id, @occurred_at, @received_at)
       ON CONFLICT (event_id) DO NOTHING`,
    );
    this.#repeat = db.prepare('UPDATE hub_events SET deliveries = deliveries + 1 WHERE event_id = ?');
    this.#processed = db.prepare('UPDATE hub_events SET processed_at = ? WHERE event_id = ? AND processed_at IS NULL');
    this.#pending = db.prepare<[number], EventRow>(UNPROCESSED_EVENTS_SQL.sqlite);
    this.#pendingOf = db.prepare<[string, string, number], EventRow>(UNPROCESSED_EVENTS_OF_SQL.sqlite);
    this.#batch = sqliteWriteBatch(db);
    this.#prune = db.prepare('DELETE FROM hub_events WHERE processed_at IS NOT NULL AND processed_at < ?');
  }

  /** Through the group commit: a burst of deliveries shares one commit, and each is answered once it is on disk. */
  async record(event: HubEvent): Promise<{ fresh: boolean }> {
    const row = {
      event_id: event.eventId,
      company_id: event.companyId,
      resource_name: event.resourceName,
      event_type: event.eventType,
      resource_id: event.resourceId,
      occurred_at: event.occurredAt,
      received_at: this.clock().toISOString(),
    };
    return this.#batch.run(() => {
      const result = this.#insert.run(row);
      if (result.changes === 0) this.#repeat.run(event.eventId);
      return { fresh: result.changes === 1 };
    });
  }

  async markProcessed(eventId: string): Promise<void> {
    const at = this.clock().toISOString();
    await this.#batch.run(() => this.#processed.run(at, eventId));
  }

  async unprocessed(limit = 500, scope?: InboxScope): Promise<HubEvent[]> {
    const rows = scope === undefined ? this.#pending.all(limit) : this.#pendingOf.all(JSON.stringify(scope.held), JSON.stringify(scope.configured), limit);
    return rows.map(eventFromRow);
  }

  async prune(before: Date): Promise<number> {
    return this.#prune.run(before.toISOString()).changes;
  }
}
