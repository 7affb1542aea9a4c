import type { AttemptRecord, LedgerItem } from '@ledgerlink/core';

/** One item as the ledger last wrote or read it, and the attempt it last wrote for it (if any). */
export interface RecentItem {
  readonly item: LedgerItem;
  readonly attempt?: AttemptRecord;
}

/**
 * The items one SQLite connection wrote or read last, newest last, so a payment's path reads its item from memory
 * instead of the file: the begin of its attempt, its end (with the attempt), the close-out's look at it. Only the
 * SQLite ledger's own writes change these rows on its connection; what another connection (another process on the
 * same file) commits is seen by `PRAGMA data_version`, and the ledger forgets everything then (`SqliteLedger`).
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

  /** Remembers `item` (and `attempt`, or the one remembered for it when it is the same attempt's item); the oldest goes past the capacity. */
  set(item: LedgerItem, attempt?: AttemptRecord): void {
    const known = this.#entries.get(item.id);
    this.#entries.delete(item.id);
    const kept = attempt ?? (known?.attempt !== undefined && known.attempt.number === item.attempts ? known.attempt : undefined);
    this.#entries.set(item.id, kept === undefined ? { item } : { item, attempt: kept });
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
