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
  /** Sent in a message of its own (set when a message it shared was refused as a whole). */
  alone?: boolean;
}

/** The HRESULT of QuickBooks' request processor for a message that does not fit the qbXML schema. */
const PARSE_ERROR_HRESULT = /^0x80040400$/i;

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
  /** Work about to be queued (a lookup's answer leads to an add): the session is not done while any is held. */
  #holds = 0;
  readonly #settled = new Set<() => void>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  enqueue(request: QueuedRequest): void {
    this.#waiting.push(request);
  }

  get hasWork(): boolean {
    return this.#waiting.length > 0;
  }

  /** Takes a request back that was never handed out (its caller gave up); false when it was already sent. */
  withdraw(request: QueuedRequest): boolean {
    const index = this.#waiting.indexOf(request);
    if (index === -1) return false;
    this.#waiting.splice(index, 1);
    return true;
  }

  /**
   * Announces work that will be queued shortly (the add that follows a lookup), so the session is not
   * reported done in between. The returned release must be called once, whether the work came or not.
   */
  hold(): () => void {
    this.#holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      if (this.#holds === 0) for (const wake of [...this.#settled]) wake();
    };
  }

  /** Resolves once no work is held (at most after `maxMs`): then the queue says what the session still has. */
  async settled(maxMs: number): Promise<void> {
    // Follow-up work is queued by promise continuations of the answer just given: let them run first.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#holds === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#settled.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.#settled.add(done);
    });
  }

  /** The next requests for the Web Connector session `ticket`, or none. A request marked `alone` goes by itself. */
  take(ticket: string): QbxmlRequest[] {
    const aloneAt = this.#waiting.findIndex((queued) => queued.alone === true);
    const taken = aloneAt === 0 ? this.#waiting.splice(0, 1) : this.#waiting.splice(0, aloneAt === -1 ? MAX_PER_MESSAGE : Math.min(aloneAt, MAX_PER_MESSAGE));
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

  /**
   * The whole message of session `ticket` failed (HRESULT): nothing of it was applied. A parse error of a
   * message of several requests says only that one of them does not fit the schema: each is sent again in a
   * message of its own (first in line, in the same session), so one bad request cannot sink the others; a
   * request refused alone gets the failure.
   */
  fail(ticket: string, hresult: string, message: string): void {
    const failed = [...this.#sent.values()].filter((sent) => sent.ticket === ticket);
    const split = PARSE_ERROR_HRESULT.test(hresult) && failed.length > 1;
    for (const sent of failed) this.#sent.delete(sent.request.requestId);
    if (split) {
      const again = failed.map(({ request, queued }): QueuedRequest => ({ build: () => request, answer: (result) => queued.answer(result), alone: true }));
      this.#waiting.unshift(...again);
      return;
    }
    for (const sent of failed) sent.queued.answer({ kind: 'failed', hresult, message });
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
    const left = this.#waiting.length + this.#sent.size + this.#holds;
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
