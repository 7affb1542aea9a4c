import { randomUUID } from 'node:crypto';
import type { Problem } from './ap-company.js';

/** Timing of the App Xchange platform: how long an action waits in the queue, and the cache after it. */
export interface XchangeTiming {
  /** From `actions/create` to the action running against the Vista database. */
  actionDelayMs: number;
  /** From a successful action to its record appearing in the cache. */
  cacheDelayMs: number;
  /** Empty pages (with a token) a fresh cache read returns before its first records, as Cosmos may. */
  emptyPagesFirst: number;
}

/** A row of any data object as the Vista database holds it: its `KeyID` and the object's fields. */
export type ObjectRow = { KeyID: string } & Record<string, unknown>;

/** What running an action against the Vista database does: a row written, or Vista's problems. */
export type ActionRun = () => { row: ObjectRow } | { problems: Problem[] };

interface Action {
  actionId: string;
  /** The data object the action was posted to (`paymenthistories`, `invoices`, `vendors`). */
  object: string;
  status: 'Queued' | 'Successful' | 'Failed';
  runAt: number;
  run: ActionRun;
  keyId?: string;
  errors?: Problem[];
}

/** A record in the cache: the Vista row plus when the cache last wrote it. */
export type CacheRecord = ObjectRow & { LastUpdated: string };

/**
 * The Action Queue and the cache in front of the sandbox's Vista. Time moves lazily: every request (and every
 * look from the control panel) first runs the actions that are due and publishes the cache writes that are
 * due, in order, so no timers outlive the server.
 */
export class Xchange {
  readonly #timing: XchangeTiming;
  readonly #actions = new Map<string, Action>();
  readonly #queue: Action[] = [];
  readonly #pendingCache: { at: number; object: string; row: ObjectRow }[] = [];
  /** One cache per data object, by KeyID. */
  readonly #caches = new Map<string, Map<string, CacheRecord>>();
  #lastStamp = 0;

  constructor(timing: XchangeTiming) {
    this.#timing = timing;
  }

  get timing(): XchangeTiming {
    return this.#timing;
  }

  enqueue(object: string, run: ActionRun, now: number): Action {
    const action: Action = { actionId: randomUUID(), object, status: 'Queued', runAt: now + this.#timing.actionDelayMs, run };
    this.#actions.set(action.actionId, action);
    this.#queue.push(action);
    return action;
  }

  action(actionId: string): Action | undefined {
    return this.#actions.get(actionId);
  }

  /** Runs the due actions in arrival order, then publishes the due cache writes. */
  advance(now: number): void {
    while (this.#queue.length > 0 && (this.#queue[0] as Action).runAt <= now) {
      const action = this.#queue.shift() as Action;
      const result = action.run();
      if ('row' in result) {
        action.status = 'Successful';
        action.keyId = result.row.KeyID;
        this.#pendingCache.push({ at: action.runAt + this.#timing.cacheDelayMs, object: action.object, row: result.row });
      } else {
        action.status = 'Failed';
        action.errors = result.problems;
      }
    }
    while (this.#pendingCache.length > 0 && (this.#pendingCache[0] as { at: number }).at <= now) {
      const { object, row } = this.#pendingCache.shift() as { object: string; row: ObjectRow };
      this.writeCache(object, row, now);
    }
  }

  /** Writes a row into the cache with a `LastUpdated` later than any before (the change feed's order). */
  writeCache(object: string, row: ObjectRow, now: number): void {
    this.#lastStamp = Math.max(now, this.#lastStamp + 1);
    const cache = this.#caches.get(object) ?? new Map<string, CacheRecord>();
    this.#caches.set(object, cache);
    cache.set(row.KeyID, { ...structuredClone(row), LastUpdated: new Date(this.#lastStamp).toISOString() });
  }

  /** The cache in its read order: by `LastUpdated`, then KeyID. */
  cacheRecords(object: string): CacheRecord[] {
    return [...(this.#caches.get(object)?.values() ?? [])].sort((a, b) => (a.LastUpdated === b.LastUpdated ? a.KeyID.localeCompare(b.KeyID) : a.LastUpdated < b.LastUpdated ? -1 : 1));
  }
}
