import type { Outcome } from '@ledgerlink/core';
import { failureOutcome, isEmptyQuery, isOk } from './qbd-outcomes.js';
import { text, type QbxmlRequest } from './qbxml-wire.js';
import { transportOutcome } from './qbd-outcomes.js';
import type { RequestAnswer, WorkQueue } from './work-queue.js';

/** What QuickBooks holds for a lookup: the bill payment checks that matched, or why it could not say. */
export type LookupResult = { kind: 'found'; rets: Record<string, unknown>[] } | { kind: 'error'; outcome: Outcome };

interface Waiter {
  refNumber: string;
  resolve(result: LookupResult): void;
}

/** What a lookup needs to know about the payment. */
export interface LookupKey {
  refNumber?: string;
  payee?: { by: 'ListID' | 'FullName'; value: string };
  txnDate?: string;
  bankRef: string;
}

/**
 * Looks bill payment checks up in QuickBooks before an add (a check number already used on that bank account,
 * or our own earlier add whose answer was lost). QuickBooks has no ExternalGUID filter, so the query is by
 * RefNumber and the GUID is compared on the answers. Lookups by check number that wait for the same poll share
 * one `BillPaymentCheckQueryRq` (a RefNumber list), so a burst of exports costs one query, not one each.
 */
export class PaymentLookup {
  readonly #queue: WorkQueue;
  readonly #nextId: (purpose: string) => string;
  #open: Waiter[] | undefined;

  constructor(queue: WorkQueue, nextId: (purpose: string) => string) {
    this.#queue = queue;
    this.#nextId = nextId;
  }

  lookup(key: LookupKey): Promise<LookupResult> {
    return new Promise((resolve) => {
      if (key.refNumber !== undefined) this.#byRefNumber(key.refNumber, resolve);
      else this.#byPayeeAndDate(key, resolve);
    });
  }

  #byRefNumber(refNumber: string, resolve: (result: LookupResult) => void): void {
    if (this.#open !== undefined) {
      this.#open.push({ refNumber, resolve });
      return;
    }
    const waiters: Waiter[] = [{ refNumber, resolve }];
    this.#open = waiters;
    this.#queue.enqueue({
      build: (): QbxmlRequest => {
        // Handed out: later lookups start the next shared query.
        if (this.#open === waiters) this.#open = undefined;
        const refNumbers = [...new Set(waiters.map((waiter) => waiter.refNumber))];
        return { name: 'BillPaymentCheckQueryRq', requestId: this.#nextId('lookup'), content: { RefNumber: refNumbers } };
      },
      answer: (answer) => {
        for (const waiter of waiters) {
          waiter.resolve(resultOf(answer, (ret) => text(ret, 'RefNumber') === waiter.refNumber));
        }
      },
    });
  }

  #byPayeeAndDate(key: LookupKey, resolve: (result: LookupResult) => void): void {
    const content: Record<string, unknown> = {};
    if (key.txnDate !== undefined) content.TxnDateRangeFilter = { FromTxnDate: key.txnDate, ToTxnDate: key.txnDate };
    if (key.payee !== undefined) content.EntityFilter = { [key.payee.by]: key.payee.value };
    this.#queue.enqueue({
      build: () => ({ name: 'BillPaymentCheckQueryRq', requestId: this.#nextId('lookup'), content }),
      answer: (answer) => resolve(resultOf(answer, () => true)),
    });
  }
}

function resultOf(answer: RequestAnswer, keep: (ret: Record<string, unknown>) => boolean): LookupResult {
  if (answer.kind !== 'response') return { kind: 'error', outcome: transportOutcome(answer, 'looking the check number up', false) };
  const { response } = answer;
  if (isEmptyQuery(response)) return { kind: 'found', rets: [] };
  if (!isOk(response)) return { kind: 'error', outcome: failureOutcome(response, { bankRef: '', what: 'looking the check number up' }) };
  return { kind: 'found', rets: response.rets.filter(keep) };
}
