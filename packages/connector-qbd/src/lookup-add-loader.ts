import { Outcomes, type LoadContext, type LoadItem, type Loader, type Logger, type Outcome } from '@ledgerlink/core';
import type { QbdConfig } from './config.js';
import { externalGuidFor, requestIdFor } from './external-guid.js';
import { addFailureOutcome, isEmptyQuery, isOk, transportOutcome } from './qbd-outcomes.js';
import { text, usableTxnId, type QbxmlRequest } from './qbxml-wire.js';
import type { RequestAnswer, WorkQueue } from './work-queue.js';

/** What one entity's add looks like on the wire: the add and the lookup that precedes it. */
export interface AddSpec<TRecord> {
  entity: 'requisition' | 'vendor';
  /** For messages: "bill", "vendor". */
  label: string;
  /** The Ret's id element: `TxnID` for a bill, `ListID` for a vendor. */
  idElement: 'TxnID' | 'ListID';
  /** The add request (`BillAddRq`) and its content element (`BillAdd`). */
  addRequest: string;
  addElement: string;
  /** The add's content in schema order with the ExternalGUID, or the outcome that stops it before QuickBooks. */
  content(item: LoadItem<Record<string, unknown>, TRecord>, externalGuid: string): { content: Record<string, unknown> } | { outcome: Outcome };
  /** The lookup that finds an earlier add of this record (and a clash with another record). */
  lookup(item: LoadItem<Record<string, unknown>, TRecord>): QbxmlRequest;
  /** A record QuickBooks holds that stops the add (a bill number the vendor already used): its refusal, else null. */
  clash(rets: Record<string, unknown>[], item: LoadItem<Record<string, unknown>, TRecord>): Outcome | null;
  /** What to do when QuickBooks refuses a reference (3140). */
  hint: string;
}

interface Track {
  key: string;
  reference: string;
  finished: boolean;
  outcome: Outcome | null;
  done: Promise<Outcome | null>;
}

type Found = { kind: 'found'; rets: Record<string, unknown>[] } | { kind: 'error'; outcome: Outcome };

/**
 * Writes one record per add through the Web Connector, exactly once: QuickBooks has no idempotency key, so every
 * add is preceded by a lookup (in the same Web Connector session) and the record's `ExternalGUID` — derived from
 * the ledger item, the same for every attempt — tells our earlier add from anything else. As for payments, `load`
 * waits `answerWaitMs` for the answer and otherwise leaves the record `accepted` for `find`.
 */
export class LookupAddLoader<TRecord> implements Loader<Record<string, unknown>, TRecord> {
  readonly #queue: WorkQueue;
  readonly #config: QbdConfig;
  readonly #logger: Logger;
  readonly #ready: () => Promise<void>;
  readonly #spec: AddSpec<TRecord>;
  readonly #tracks = new Map<string, Track>();
  #sequence = 0;

  constructor(spec: AddSpec<TRecord>, queue: WorkQueue, config: QbdConfig, logger: Logger, ready: () => Promise<void>) {
    this.#spec = spec;
    this.#queue = queue;
    this.#config = config;
    this.#logger = logger;
    this.#ready = ready;
  }

  async load(batch: LoadItem<Record<string, unknown>, TRecord>[], _context: LoadContext): Promise<Outcome[]> {
    await this.#ready();
    return Promise.all(batch.map((item) => this.#export(item)));
  }

  async find(item: LoadItem<Record<string, unknown>, TRecord>, _context: LoadContext): Promise<Outcome | null> {
    await this.#ready();
    this.#queue.loseOlderThan(this.#config.lostAfterMs);
    const track = this.#tracks.get(item.id);
    if (track !== undefined && track.key === item.idempotencyKey) {
      if (!track.finished) return Outcomes.accepted(track.reference);
      if (track.outcome !== null && track.outcome.kind !== 'retryable') return track.outcome;
    }
    const guid = externalGuidFor(item.id, this.#spec.entity);
    // A record QuickBooks cannot take was never added: nothing to look up (and a lookup by it would not parse).
    if ('outcome' in this.#spec.content(item, guid)) return null;
    const fresh = this.#startTrack(item, async () => {
      const found = await this.#lookup(item);
      if (found.kind === 'error') return found.outcome;
      const ours = found.rets.find((ret) => isOurs(ret, guid));
      return ours === undefined ? null : this.#syncedOrUnknown(ours);
    });
    const outcome = await this.#wait(fresh);
    if (fresh.finished && fresh.outcome === null && this.#tracks.get(item.id) === fresh) this.#tracks.delete(item.id);
    return outcome;
  }

  async #export(item: LoadItem<Record<string, unknown>, TRecord>): Promise<Outcome> {
    const track = this.#tracks.get(item.id);
    if (track !== undefined && track.key === item.idempotencyKey) {
      const current = track.finished ? track.outcome : await this.#wait(track);
      if (current?.kind === 'accepted') return current;
      if (current?.kind === 'synced') return Outcomes.synced(current.erpId, { replayed: true });
    }
    const fresh = this.#startTrack(item, () => this.#lookupThenAdd(item));
    return (await this.#wait(fresh)) ?? Outcomes.accepted(fresh.reference);
  }

  async #lookupThenAdd(item: LoadItem<Record<string, unknown>, TRecord>): Promise<Outcome> {
    const guid = externalGuidFor(item.id, this.#spec.entity);
    const built = this.#spec.content(item, guid);
    if ('outcome' in built) return built.outcome;
    // The add follows the lookup's answer in the same Web Connector session: announce it.
    const release = this.#queue.hold();
    try {
      const found = await this.#lookup(item);
      if (found.kind === 'error') return found.outcome;
      const ours = found.rets.find((ret) => isOurs(ret, guid));
      if (ours !== undefined) return this.#syncedOrUnknown(ours);
      const clash = this.#spec.clash(found.rets, item);
      if (clash !== null) return clash;
      const adding = this.#add(item, built.content);
      release();
      return await adding;
    } finally {
      release();
    }
  }

  #lookup(item: LoadItem<Record<string, unknown>, TRecord>): Promise<Found> {
    const request = this.#spec.lookup(item);
    const requestId = this.#requestId(item.idempotencyKey, 'lookup');
    const what = `looking ${this.#spec.label} ${item.id} up`;
    return new Promise((resolve) => {
      this.#queue.enqueue({
        build: () => ({ ...request, requestId }),
        answer: (answer: RequestAnswer) => {
          if (answer.kind !== 'response') {
            resolve({ kind: 'error', outcome: transportOutcome(answer, what, false) });
            return;
          }
          const { response } = answer;
          if (isEmptyQuery(response)) resolve({ kind: 'found', rets: [] });
          else if (isOk(response)) resolve({ kind: 'found', rets: response.rets });
          else resolve({ kind: 'error', outcome: addFailureOutcome(response, what, this.#spec.hint) });
        },
      });
    });
  }

  /** Queues the add (synchronously: the caller's hold is released only after) and settles with its outcome. */
  #add(item: LoadItem<Record<string, unknown>, TRecord>, content: Record<string, unknown>): Promise<Outcome> {
    const requestId = this.#requestId(item.idempotencyKey, 'add');
    const what = `adding ${this.#spec.label} ${item.id}`;
    return new Promise((resolve) => {
      this.#queue.enqueue({
        build: () => ({ name: this.#spec.addRequest, requestId, content: { [this.#spec.addElement]: content } }),
        answer: (answer) => {
          if (answer.kind !== 'response') {
            resolve(transportOutcome(answer, what, answer.kind !== 'cancelled'));
            return;
          }
          const { response } = answer;
          const said = text(response.rets[0], this.#spec.idElement);
          const id = usableTxnId(said);
          const saved = response.statusCode === '0' || response.statusSeverity.toLowerCase() === 'warn';
          if (id !== undefined && saved) {
            if (response.statusCode !== '0') this.#logger.warn({ statusCode: response.statusCode }, `QuickBooks saved ${this.#spec.label} ${item.id} with a warning: ${response.statusMessage}`);
            resolve(Outcomes.synced(id));
            return;
          }
          if (saved) {
            resolve(
              Outcomes.transport(
                `QuickBooks answered the add of ${this.#spec.label} ${item.id} as saved but with no usable ${this.#spec.idElement} (${JSON.stringify(said ?? null)}); ledgerlink looks it up before trying again`,
                { committed: 'unknown' },
              ),
            );
            return;
          }
          resolve(addFailureOutcome(response, what, this.#spec.hint));
        },
      });
    });
  }

  #syncedOrUnknown(ret: Record<string, unknown>): Outcome {
    const id = usableTxnId(text(ret, this.#spec.idElement));
    if (id !== undefined) return Outcomes.synced(id, { replayed: true });
    return Outcomes.transport(`QuickBooks holds a ${this.#spec.label} with this record's ExternalGUID but no usable ${this.#spec.idElement}; ledgerlink asks again`, {
      committed: 'unknown',
    });
  }

  #startTrack(item: LoadItem<Record<string, unknown>, TRecord>, work: () => Promise<Outcome | null>): Track {
    const track: Track = { key: item.idempotencyKey, reference: `${item.idempotencyKey}@qbwc`, finished: false, outcome: null, done: Promise.resolve(null) };
    track.done = work().then(
      (outcome) => {
        track.finished = true;
        track.outcome = outcome;
        return outcome;
      },
      (error: unknown) => {
        const outcome = Outcomes.transport(`QuickBooks Desktop client failed: ${error instanceof Error ? error.message : String(error)}`, { committed: 'unknown' });
        track.finished = true;
        track.outcome = outcome;
        return outcome;
      },
    );
    this.#tracks.set(item.id, track);
    return track;
  }

  /** The track's outcome, or `accepted` when the Web Connector has not answered within `answerWaitMs`. */
  #wait(track: Track): Promise<Outcome | null> {
    if (track.finished) return Promise.resolve(track.outcome);
    const accepted = Outcomes.accepted(track.reference);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(accepted), this.#config.answerWaitMs);
      void track.done.then((outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  }

  #requestId(key: string, purpose: string): string {
    this.#sequence += 1;
    return requestIdFor(key, `${this.#spec.entity.slice(0, 3)}-${purpose}`, this.#sequence);
  }
}

/** Whether a Ret carries this record's ExternalGUID (QuickBooks writes GUIDs in upper case; compared without case). */
export function isOurs(ret: Record<string, unknown>, guid: string): boolean {
  return (text(ret, 'ExternalGUID') ?? '').toUpperCase() === guid.toUpperCase();
}
