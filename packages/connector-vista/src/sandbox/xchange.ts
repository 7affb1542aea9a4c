import { randomUUID } from 'node:crypto';
import type { ApCompany, PaymentDraft, PaymentRow, Problem } from './ap-company.js';

/** Timing of the App Xchange platform: how long an action waits in the queue, and the cache after it. */
export interface XchangeTiming {
  /** From `actions/create` to the action running against the Vista database. */
  actionDelayMs: number;
  /** From a successful action to its record appearing in the cache. */
  cacheDelayMs: number;
  /** Empty pages (with a token) a fresh cache read returns before its first records, as Cosmos may. */
  emptyPagesFirst: number;
}

interface Action {
  actionId: string;
  status: 'Queued' | 'Successful' | 'Failed';
  runAt: number;
  draft: PaymentDraft;
  keyId?: string;
  errors?: Problem[];
}

/** A record in the cache: the Vista row plus when the cache last wrote it. */
export type CacheRecord = PaymentRow & { LastUpdated: string };

/**
 * The Action Queue and the cache in front of the sandbox's Vista. Time moves lazily: every request (and every
 * look from the control panel) first runs the actions that are due and publishes the cache writes that are
 * due, in order, so no timers outlive the server.
 */
export class Xchange {
  readonly #company: ApCompany;
  readonly #timing: XchangeTiming;
  readonly #actions = new Map<string, Action>();
  readonly #queue: Action[] = [];
  readonly #pendingCache: { at: number; row: PaymentRow }[] = [];
  readonly #cache = new Map<string, CacheRecord>();
  #lastStamp = 0;

  constructor(company: ApCompany, timing: XchangeTiming) {
    this.#company = company;
    this.#timing = timing;
  }

  get timing(): XchangeTiming {
    return this.#timing;
  }

  enqueue(draft: PaymentDraft, now: number): Action {
    const action: Action = { actionId: randomUUID(), status: 'Queued', runAt: now + this.#timing.actionDelayMs, draft };
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
      const result = this.#company.apply(action.draft);
      if ('row' in result) {
        action.status = 'Successful';
        action.keyId = result.row.KeyID;
        this.#pendingCache.push({ at: action.runAt + this.#timing.cacheDelayMs, row: result.row });
      } else {
        action.status = 'Failed';
        action.errors = result.problems;
      }
    }
    while (this.#pendingCache.length > 0 && (this.#pendingCache[0] as { at: number }).at <= now) {
      const { row } = this.#pendingCache.shift() as { row: PaymentRow };
      this.writeCache(row, now);
    }
  }

  /** Writes a row into the cache with a `LastUpdated` later than any before (the change feed's order). */
  writeCache(row: PaymentRow, now: number): void {
    this.#lastStamp = Math.max(now, this.#lastStamp + 1);
    this.#cache.set(row.KeyID, { ...structuredClone(row), LastUpdated: new Date(this.#lastStamp).toISOString() });
  }

  /** The cache in its read order: by `LastUpdated`, then KeyID. */
  cacheRecords(): CacheRecord[] {
    return [...this.#cache.values()].sort((a, b) => (a.LastUpdated === b.LastUpdated ? a.KeyID.localeCompare(b.KeyID) : a.LastUpdated < b.LastUpdated ? -1 : 1));
  }
}
