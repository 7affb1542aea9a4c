import { ErrorCodes, Outcomes, type LoadContext, type LoadItem, type Loader, type Logger, type Outcome } from '@ledgerlink/core';
import { billPaymentCheckAdd, MEMO_MAX, PayloadError, REF_NUMBER_MAX, refOf } from './bill-payment-check-add.js';
import type { QbdConfig } from './config.js';
import { externalGuidFor, requestIdFor } from './external-guid.js';
import { PaymentLookup, type LookupKey } from './payment-lookup.js';
import { failureOutcome, transportOutcome } from './qbd-outcomes.js';
import { text, usableTxnId } from './qbxml-wire.js';
import type { WorkQueue } from './work-queue.js';

/** One payment's way through the queue: lookup, then add; `done` settles with its outcome (null: not in QuickBooks). */
interface Track {
  key: string;
  reference: string;
  finished: boolean;
  outcome: Outcome | null;
  done: Promise<Outcome | null>;
}

/**
 * Writes bill payment checks through the Web Connector. A load queues the payment and waits a short while
 * (`answerWaitMs`) for the Web Connector's answer; when none comes, the record stays `exporting` (accepted) and
 * `find` reports it once QuickBooks has answered. Every add is preceded by a query by check number: QuickBooks
 * does not refuse a check number already used, and does not dedupe, so both are the connector's job.
 */
export class BillPaymentLoader implements Loader {
  readonly #queue: WorkQueue;
  readonly #config: QbdConfig;
  readonly #logger: Logger;
  readonly #lookup: PaymentLookup;
  readonly #tracks = new Map<string, Track>();
  #sequence = 0;

  constructor(queue: WorkQueue, config: QbdConfig, logger: Logger, ready: () => Promise<void>) {
    this.#queue = queue;
    this.#config = config;
    this.#logger = logger;
    this.#lookup = new PaymentLookup(queue, (purpose) => this.#requestId('lookup', purpose));
    this.#ready = ready;
  }

  readonly #ready: () => Promise<void>;

  async load(batch: LoadItem[], context: LoadContext): Promise<Outcome[]> {
    await this.#ready();
    return Promise.all(batch.map((item) => this.#export(item, context.signal)));
  }

  async find(item: LoadItem, context: LoadContext): Promise<Outcome | null> {
    await this.#ready();
    this.#queue.loseOlderThan(this.#config.lostAfterMs);
    const track = this.#tracks.get(item.id);
    if (track !== undefined && track.key === item.idempotencyKey) {
      if (!track.finished) return Outcomes.accepted(track.reference);
      const known = track.outcome;
      // A retryable end says nothing about QuickBooks: ask it.
      if (known !== null && known.kind !== 'retryable') return known;
    }
    const fresh = this.#startTrack(item, async () => {
      const found = await this.#lookup.lookup(this.#lookupKey(item.payload));
      if (found.kind === 'error') return found.outcome;
      const ours = found.rets.find((ret) => isOurs(ret, externalGuidFor(item.id)));
      return ours === undefined ? null : syncedOrUnknown(ours);
    });
    const outcome = await this.#wait(fresh, context.signal);
    // "Not in QuickBooks" is an answer for this call only: the next load starts afresh.
    if (fresh.finished && fresh.outcome === null && this.#tracks.get(item.id) === fresh) this.#tracks.delete(item.id);
    return outcome;
  }

  async #export(item: LoadItem, signal: AbortSignal): Promise<Outcome> {
    const track = this.#tracks.get(item.id);
    if (track !== undefined && track.key === item.idempotencyKey) {
      const current = track.finished ? track.outcome : await this.#wait(track, signal);
      // Still on its way, or already in QuickBooks: never queue a second add for it.
      if (current?.kind === 'accepted') return current;
      if (current?.kind === 'synced') return Outcomes.synced(current.erpId, { replayed: true });
    }
    const fresh = this.#startTrack(item, () => this.#lookupThenAdd(item));
    return (await this.#wait(fresh, signal)) ?? Outcomes.accepted(fresh.reference);
  }

  async #lookupThenAdd(item: LoadItem): Promise<Outcome> {
    const { payload } = item;
    const refNumber = typeof payload.RefNumber === 'string' ? payload.RefNumber : undefined;
    if (refNumber !== undefined && refNumber.length > REF_NUMBER_MAX) {
      return Outcomes.needsEdit(
        ['checkNumber'],
        `check number "${refNumber}" is longer than the ${REF_NUMBER_MAX} characters QuickBooks Desktop keeps in No. (RefNumber); edit the check number and export again`,
      );
    }
    if (typeof payload.Memo === 'string' && payload.Memo.length > MEMO_MAX) {
      return Outcomes.rejected(`the notes are ${payload.Memo.length} characters; QuickBooks keeps at most ${MEMO_MAX} in Memo. Shorten them in the hub and export again.`);
    }
    const guid = externalGuidFor(item.id);
    let content: Record<string, unknown>;
    try {
      content = billPaymentCheckAdd(payload, guid);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      return Outcomes.rejected(`the mapped payment is not a valid BillPaymentCheckAdd: ${error.message}; fix the mapping override`, undefined, ErrorCodes.MAPPING_FAILED);
    }

    // The add follows the lookup's answer in the same Web Connector session: announce it, so the session is not
    // reported done (100) between the two.
    const release = this.#queue.hold();
    try {
      const found = await this.#lookup.lookup(this.#lookupKey(payload));
      if (found.kind === 'error') return found.outcome;
      const ours = found.rets.find((ret) => isOurs(ret, guid));
      if (ours !== undefined) return syncedOrUnknown(ours);
      const bank = refOf(payload, 'BankAccountRef');
      const clash = refNumber === undefined || bank === undefined ? undefined : found.rets.find((ret) => text(ret, 'BankAccountRef', bank.by) === bank.value);
      if (clash !== undefined) {
        const txnId = text(clash, 'TxnID') ?? '?';
        return Outcomes.needsEdit(
          ['checkNumber'],
          `check number ${refNumber} is already used on bank account "${bank?.value}" in QuickBooks (bill payment check ${txnId} of ` +
            `${text(clash, 'TxnDate') ?? '?'} to ${text(clash, 'PayeeEntityRef', 'FullName') ?? '?'}). QuickBooks would take it twice; ledgerlink does not. ` +
            'Edit the check number and export again.',
          {
            message: `BillPaymentCheck ${txnId} already has RefNumber "${refNumber}" on this bank account`,
            detail: `TxnID=${txnId}; TxnDate=${text(clash, 'TxnDate') ?? ''}; Amount=${text(clash, 'Amount') ?? ''}`,
          },
        );
      }
      const adding = this.#add(item, content, bank?.value ?? '');
      release();
      return await adding;
    } finally {
      release();
    }
  }

  /** Queues the add (synchronously: the caller's hold is released only after) and settles with its outcome. */
  #add(item: LoadItem, content: Record<string, unknown>, bankRef: string): Promise<Outcome> {
    const requestId = this.#requestId(item.idempotencyKey, 'add');
    const what = `adding payment ${item.record.id}`;
    return new Promise((resolve) => {
      this.#queue.enqueue({
        build: () => ({ name: 'BillPaymentCheckAddRq', requestId, content: { BillPaymentCheckAdd: content } }),
        answer: (answer) => {
          if (answer.kind !== 'response') {
            resolve(transportOutcome(answer, what, answer.kind !== 'cancelled'));
            return;
          }
          const { response } = answer;
          const said = text(response.rets[0], 'TxnID');
          const txnId = usableTxnId(said);
          const saved = response.statusCode === '0' || response.statusSeverity.toLowerCase() === 'warn';
          if (txnId !== undefined && saved) {
            if (response.statusCode !== '0') this.#logger.warn({ statusCode: response.statusCode }, `QuickBooks saved ${item.record.id} with a warning: ${response.statusMessage}`);
            resolve(Outcomes.synced(txnId));
            return;
          }
          if (saved) {
            // Saved, says QuickBooks, but without an id this record can be settled by: ask QuickBooks (ExternalGUID) next time.
            resolve(
              Outcomes.transport(`QuickBooks answered the add of ${item.record.id} as saved but with no usable TxnID (${JSON.stringify(said ?? null)}); ledgerlink looks it up before trying again`, {
                committed: 'unknown',
              }),
            );
            return;
          }
          resolve(failureOutcome(response, { bankRef, what }));
        },
      });
    });
  }

  #lookupKey(payload: Record<string, unknown>): LookupKey {
    const refNumber = typeof payload.RefNumber === 'string' && payload.RefNumber !== '' ? payload.RefNumber : undefined;
    const payee = refOf(payload, 'PayeeEntityRef');
    return {
      ...(refNumber === undefined ? {} : { refNumber }),
      ...(payee === undefined ? {} : { payee }),
      ...(typeof payload.TxnDate === 'string' ? { txnDate: payload.TxnDate } : {}),
      bankRef: refOf(payload, 'BankAccountRef')?.value ?? '',
    };
  }

  #startTrack(item: LoadItem, work: () => Promise<Outcome | null>): Track {
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

  /**
   * The track's outcome, or `accepted` when the Web Connector has not answered within `answerWaitMs`. No abort
   * listener: the wait is bounded, and closing the client ends every track (the queue is drained).
   */
  #wait(track: Track, _signal: AbortSignal): Promise<Outcome | null> {
    const accepted = Outcomes.accepted(track.reference);
    if (track.finished) return Promise.resolve(track.outcome);
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
    return requestIdFor(key, purpose, this.#sequence);
  }
}

/** A check QuickBooks holds for this item: synced by its TxnID, or (no usable TxnID) not settled by it. */
function syncedOrUnknown(ret: Record<string, unknown>): Outcome {
  const txnId = usableTxnId(text(ret, 'TxnID'));
  if (txnId !== undefined) return Outcomes.synced(txnId, { replayed: true });
  return Outcomes.transport('QuickBooks holds a bill payment check with this payment\'s ExternalGUID but no usable TxnID; ledgerlink asks again', { committed: 'unknown' });
}

function isOurs(ret: Record<string, unknown>, guid: string): boolean {
  return (text(ret, 'ExternalGUID') ?? '').toUpperCase() === guid.toUpperCase();
}
