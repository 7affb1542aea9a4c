import type { QbxmlRequest, QbxmlResponse } from './qbxml-wire.js';

/** What became of a request handed to the Web Connector. */
export type RequestAnswer =
  /** QuickBooks answered it: its `…Rs`. */
  | { kind: 'response'; response: QbxmlResponse }
  /** The whole message failed before QuickBooks answered (an HRESULT from the Web Connector or QuickBooks). */
  | { kind: 'failed'; hresult: string; message: string }
  /** Handed out, never answered (session dropped, QuickBooks closed): it may have been applied. */
  | { kind: 'lost'; why: string }
  /** Never handed out (the connector is closing): nothing reached QuickBooks. */
  | { kind: 'cancelled'; why: string };

/** A request waiting for the Web Connector. `build` runs when it is handed out, so late joiners can share it. */
export interface QueuedRequest {
  build(): QbxmlRequest;
  answer(result: RequestAnswer): void;
}

interface SentRequest {
  request: QbxmlRequest;
  queued: QueuedRequest;
  ticket: string;
  sentAt: number;
}

/** Requests per qbXML message: large enough to drain a burst in one session, small enough for QuickBooks. */
const MAX_PER_MESSAGE = 25;

/**
 * The per-company-file queue of qbXML requests: filled by the loader, extractor and `check()`, drained by the
 * Web Connector's `sendRequestXML`, answered by its `receiveResponseXML`. In memory: after a restart the loader
 * asks QuickBooks (a query by check number) instead of trusting a queue it no longer has.
 */
export class WorkQueue {
  readonly #waiting: QueuedRequest[] = [];
  readonly #sent = new Map<string, SentRequest>();
  readonly #now: () => number;
  /** Requests answered in the current session, for the percent-done answer. */
  #doneInSession = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  enqueue(request: QueuedRequest): void {
    this.#waiting.push(request);
  }

  get hasWork(): boolean {
    return this.#waiting.length > 0;
  }

  /** The next requests for the Web Connector session `ticket`, or none. */
  take(ticket: string): QbxmlRequest[] {
    const taken = this.#waiting.splice(0, MAX_PER_MESSAGE);
    return taken.map((queued) => {
      const request = queued.build();
      this.#sent.set(request.requestId, { request, queued, ticket, sentAt: this.#now() });
      return request;
    });
  }

  /** Hands each answer of a message to its request, by requestID; requests of the message left unanswered are lost. */
  answer(ticket: string, responses: QbxmlResponse[]): void {
    for (const response of responses) {
      const sent = response.requestId === undefined ? undefined : this.#sent.get(response.requestId);
      if (sent === undefined || sent.ticket !== ticket) continue;
      this.#sent.delete(sent.request.requestId);
      this.#doneInSession += 1;
      sent.queued.answer({ kind: 'response', response });
    }
    this.#settle((sent) => sent.ticket === ticket, { kind: 'lost', why: 'QuickBooks returned no answer for it in its response message' });
  }

  /** The whole message of session `ticket` failed (HRESULT): nothing of it was applied. */
  fail(ticket: string, hresult: string, message: string): void {
    this.#settle((sent) => sent.ticket === ticket, { kind: 'failed', hresult, message });
  }

  /** Requests handed out in other sessions than `current` (or in any, when absent) and never answered are lost. */
  loseUnanswered(why: string, current?: string): void {
    this.#settle((sent) => sent.ticket !== current, { kind: 'lost', why });
  }

  /** Requests handed out longer than `maxAgeMs` ago are lost. */
  loseOlderThan(maxAgeMs: number): void {
    const cutoff = this.#now() - maxAgeMs;
    this.#settle((sent) => sent.sentAt < cutoff, { kind: 'lost', why: `no answer within ${Math.round(maxAgeMs / 1000)} s` });
  }

  /** receiveResponseXML's answer: 100 when nothing is left, else how much of the session is done (0..99). */
  percentDone(): number {
    const left = this.#waiting.length + this.#sent.size;
    if (left === 0) {
      this.#doneInSession = 0;
      return 100;
    }
    // An integer: the Web Connector fails on a decimal.
    return Math.min(99, Math.floor((this.#doneInSession * 100) / (this.#doneInSession + left)));
  }

  startSession(): void {
    this.#doneInSession = 0;
  }

  /** Closing: everything waiting or sent ends, so no caller waits forever. */
  drain(why: string): void {
    this.#settle(() => true, { kind: 'lost', why });
    for (const queued of this.#waiting.splice(0)) queued.answer({ kind: 'cancelled', why });
  }

  #settle(match: (sent: SentRequest) => boolean, result: RequestAnswer): void {
    for (const [id, sent] of [...this.#sent]) {
      if (!match(sent)) continue;
      this.#sent.delete(id);
      sent.queued.answer(result);
    }
  }
}
