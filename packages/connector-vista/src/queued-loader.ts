/**
 * Exports to a Direct API data object other than AP payments (AP invoices, vendors): the `create` action is
 * queued, so `load` ends `accepted` with the action's id and `find` settles it from the action's state and the
 * object's cache, by a natural key that is THIS record (never another record that shares its number). The
 * Direct API has no idempotency key: after a restart the cache is what is left, and Vista's own duplicate rule
 * (invoice number per vendor, vendor number per group) stops a second posting.
 */
import { ErrorCodes, HttpTransportError, Outcomes, type LoadContext, type LoadItem, type Loader, type Outcome, type RetryableOutcome } from '@ledgerlink/core';
import { searchAll } from './cache-search.js';
import { soundId } from './erp-id.js';
import { describeProblems, erpAnswerOf, outcomeOfRefusedPost, protocolError, readFailure, transportOutcome, typedError } from './vista-errors.js';
import { asAccepted, asActionState, problemsOf, readJson, type ActionState, type CacheFilter, type VistaApi, type VistaProblem } from './vista-wire.js';

/** What one data object needs from the loader: its natural key, how to find it, and which id settles it. */
export interface QueuedObject<TRecord, TKey> {
  /** For messages: "invoice", "vendor". */
  what: string;
  api: VistaApi;
  /** Fields the client adds to every create (APCo, VendorGroup). */
  header: Record<string, unknown>;
  /** The payload's natural key; a string says why there is none (a broken mapping override). */
  keyOf(item: LoadItem<Record<string, unknown>, TRecord>): TKey | string;
  /** The cache search that finds every record holding this key's number. */
  filters(key: TKey): CacheFilter[];
  /** True when a record the search found is this one (amount, date, name...), not one that shares the number. */
  matches(record: Record<string, unknown>, key: TKey): boolean;
  /** The id the record is settled on (the AP transaction, the vendor number). */
  idOf(record: Record<string, unknown>): unknown;
  /** How the key reads in messages ("invoice SUB-1 of vendor 2001"). */
  describe(key: TKey): string;
  /** The field Vista names when the number is already used: the holder may be our own earlier commit. */
  duplicateField: string;
  /** The connection setting that names the object (`invoiceObject`), for a 404. */
  setting: string;
}

export class QueuedLoader<TRecord, TKey> implements Loader<Record<string, unknown>, TRecord> {
  readonly #object: QueuedObject<TRecord, TKey>;
  readonly #now: () => Date;
  readonly #actions = new Map<string, string>();

  constructor(object: QueuedObject<TRecord, TKey>, now: () => Date) {
    this.#object = object;
    this.#now = now;
  }

  load(batch: LoadItem<Record<string, unknown>, TRecord>[], _context: LoadContext): Promise<Outcome[]> {
    return Promise.all(batch.map((item) => this.#post(item)));
  }

  async find(item: LoadItem<Record<string, unknown>, TRecord>, _context: LoadContext): Promise<Outcome | null> {
    const key = this.#object.keyOf(item);
    if (typeof key === 'string') return Outcomes.rejected(`${this.#object.what} ${item.id} cannot be looked up in Vista: ${key}; fix the mapping`, undefined, ErrorCodes.MAPPING_FAILED);
    const described = this.#object.describe(key);
    try {
      return await this.#find(item, key);
    } catch (error) {
      // A lost answer while looking: the earlier attempt's fate is still unknown, so the next one looks again.
      if (error instanceof HttpTransportError && error.reason !== 'cancelled') {
        return Outcomes.transport(`Vista Direct API, looking up ${described}: ${error.message}`, { reason: error.reason, committed: 'unknown' });
      }
      throw typedError(error, `looking up ${described}`);
    }
  }

  async #find(item: LoadItem<Record<string, unknown>, TRecord>, key: TKey): Promise<Outcome | null> {
    const object = this.#object;
    const actionId = this.#actions.get(item.idempotencyKey);
    const state = actionId === undefined ? undefined : await this.#actionState(actionId);
    if (state !== undefined && (state.status === 'Queued' || state.status === 'Processing')) return Outcomes.accepted(actionId);
    const holders = await searchAll(object.api, object.filters(key), `looking up ${object.describe(key)}`);
    const found = holders.find((record) => object.matches(record, key));
    // Replayed unless this process's own action made it (a failed action of ours means an earlier attempt did).
    if (found !== undefined) return this.#linked(found, key, state === undefined || state.status === 'Failed');
    if (state === undefined) return null;
    if (state.status === 'Successful') return Outcomes.accepted(actionId); // in Vista, not yet in the cache
    const problems = state.errors ?? [];
    // The number is taken but no holder is visible yet: it may be our own earlier commit the cache has not caught.
    if (holders.length === 0 && problems.some((problem) => problem.field === object.duplicateField)) return Outcomes.accepted(state.actionId);
    return this.#refused(problems, `action ${state.actionId} failed without a message`);
  }

  async #post(item: LoadItem<Record<string, unknown>, TRecord>): Promise<Outcome> {
    try {
      const response = await this.#object.api.create({ ...this.#object.header, ...item.payload });
      if (response.status === 400) return this.#refused(problemsOf(readJson(response.body)), erpAnswerOf(response).message);
      if (response.status === 404) {
        const erp = erpAnswerOf(response);
        return Outcomes.rejected(
          `Vista Direct API has no such ${this.#object.what} object at this subscriber (HTTP 404: ${erp.message}); check the connection's ${this.#object.setting}, module and apiVersion`,
          erp,
        );
      }
      if (response.status < 200 || response.status >= 300) return outcomeOfRefusedPost(response, this.#now().getTime());
      const accepted = asAccepted(readJson(response.body));
      if (accepted === undefined) {
        return Outcomes.serverError(
          `Vista Direct API answered HTTP ${response.status} to the ${this.#object.what} create action without a usable actionId; it is looked up before any retry`,
          { committed: 'unknown', erp: erpAnswerOf(response) },
        );
      }
      this.#actions.set(item.idempotencyKey, accepted.actionId);
      return Outcomes.accepted(accepted.actionId);
    } catch (error) {
      return transportOutcome(error);
    }
  }

  async #actionState(actionId: string): Promise<ActionState | undefined> {
    const response = await this.#object.api.action(actionId);
    if (response.status === 404) return undefined;
    const state = response.status === 200 ? asActionState(readJson(response.body)) : undefined;
    if (state === undefined) {
      throw response.status === 200 ? protocolError(response, `reading action ${actionId}`) : readFailure(response, `reading the state of action ${actionId}`);
    }
    return state;
  }

  /** Vista's refusal in its own words; nothing a user can fix by editing the record in ledgerlink. */
  #refused(problems: VistaProblem[], fallback: string): Outcome {
    const message = problems.length > 0 ? problems.map((problem) => problem.message).join('; ') : fallback;
    const erp = { message, ...(problems.length > 0 ? { detail: describeProblems(problems) } : {}) };
    return Outcomes.rejected(`Vista refused the ${this.#object.what}: ${message}. Fix it in Vista or in Procore, then export again.`, erp);
  }

  /** A blank or malformed id never settles the record: it exists (not posted again) and is looked up again. */
  #linked(record: Record<string, unknown>, key: TKey, replayed: boolean): Outcome {
    const id = soundId(this.#object.idOf(record));
    if (id !== undefined) return Outcomes.synced(id, { replayed });
    const outcome: RetryableOutcome = {
      kind: 'retryable',
      code: ErrorCodes.ERP_PROTOCOL,
      reason: 'server',
      committed: 'unknown',
      message: `Vista's cache shows ${this.#object.describe(key)} without a usable id (${JSON.stringify(this.#object.idOf(record)) ?? 'undefined'}); ledgerlink looks again before any new posting.`,
    };
    return outcome;
  }
}
