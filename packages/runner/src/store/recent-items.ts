import type { AttemptRecord, LedgerItem } from '@ledgerlink/core';

/**
 * The row versions an item and its attempt were remembered at (PostgreSQL's `xmin`, see PostgresLedger): a write
 * made from the remembered item names them, and changes nothing if the rows have moved on since.
 */
export interface RowVersions {
  readonly item: string;
  /** The attempt's row, when one is remembered with the item. */
  readonly attempt?: string;
}

/**
 * How many items a ledger keeps as it last wrote or read them (both stores): more than a busy runner has in flight
 * (`runner.maxInFlight`, 400 by default), so a payment's later steps find the item its earlier ones left; few enough
 * that an import, which writes each item once and reads none back, carries a few MB of them (4,096 added 12 MB to the
 * import bench's peak, 160 → 172 MB at 100,000 payments).
 */
export const RECENT_ITEMS = 1_024;

/** One item as the ledger last wrote or read it, and the attempt it last wrote for it (if any). */
export interface RecentItem {
  readonly item: LedgerItem;
  readonly attempt?: AttemptRecord;
  /** Given by a store whose rows carry versions (PostgreSQL); the SQLite ledger knows its items are current instead. */
  readonly versions?: RowVersions;
}

/**
 * The items one ledger wrote or read last, newest last, so a payment's path starts from its item in memory instead
 * of reading it again: the begin of its attempt, its end (with the attempt), the close-out's look at it.
 * - SQLite: only the ledger's own writes change these rows on its connection; what another connection (another
 *   process on the same file) commits is seen by `PRAGMA data_version`, and the ledger forgets everything then
 *   (`SqliteLedger`).
 * - PostgreSQL: other replicas write the same tables unseen, so an item here is a guess: a write made from it is
 *   applied only if the rows still carry the versions remembered with it (`PostgresLedger`).
 * Items are shared with whoever is handed them: the ledger's items are never changed in place (every plan copies).
 */
export class RecentItems {
  readonly #entries = new Map<string, RecentItem>();

  constructor(private readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`the recent items' capacity is a whole number above 0, got ${capacity}`);
  }

  get(id: string): RecentItem | undefined {
    return this.#entries.get(id);
  }

  /**
   * Remembers `item` (and `attempt`, or the one remembered for it when it is the same attempt's item, with that
   * attempt's version); the oldest goes past the capacity. `versions.attempt` belongs to `attempt` when one is given.
   */
  set(item: LedgerItem, attempt?: AttemptRecord, versions?: RowVersions): void {
    const known = this.#entries.get(item.id);
    this.#entries.delete(item.id);
    const keep = attempt === undefined && known?.attempt !== undefined && known.attempt.number === item.attempts;
    const kept = keep ? known.attempt : attempt;
    const entry: { item: LedgerItem; attempt?: AttemptRecord; versions?: RowVersions } = { item };
    if (kept !== undefined) entry.attempt = kept;
    if (versions !== undefined) {
      const attemptVersion = keep ? known.versions?.attempt : versions.attempt;
      entry.versions = attemptVersion === undefined ? { item: versions.item } : { item: versions.item, attempt: attemptVersion };
    }
    this.#entries.set(item.id, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}
