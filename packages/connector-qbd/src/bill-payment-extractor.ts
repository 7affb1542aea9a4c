import { ErrorCodes, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import type { QbdConfig } from './config.js';
import { requestIdFor } from './external-guid.js';
import { erpAnswerOf, isEmptyQuery, isOk } from './qbd-outcomes.js';
import { text, usableTxnId, type QbxmlResponse } from './qbxml-wire.js';
import type { RequestAnswer, WorkQueue } from './work-queue.js';

/** Where an import resumes: bill payment checks modified at or after this time (QuickBooks' own TimeModified). */
interface ImportCursor {
  modifiedFrom?: string;
}

export function encodeCursor(cursor: ImportCursor): string {
  return JSON.stringify(cursor);
}

export function decodeCursor(cursor: string | undefined): ImportCursor {
  if (cursor === undefined || cursor === '') return {};
  try {
    const parsed = JSON.parse(cursor) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const { modifiedFrom } = parsed as Record<string, unknown>;
      if (modifiedFrom === undefined || typeof modifiedFrom === 'string') return modifiedFrom === undefined ? {} : { modifiedFrom };
    }
  } catch {
    // reported below
  }
  throw new LedgerlinkError(ErrorCodes.CONFIG_INVALID, `the QuickBooks Desktop import cursor ${JSON.stringify(cursor)} is not one this connector wrote; start the import without a cursor`);
}

/**
 * Imports bill payment checks page by page: `BillPaymentCheckQueryRq` with `iterator="Start"` and `MaxReturned`,
 * then `iterator="Continue"`. Each page waits for the Web Connector's next visit. QuickBooks keeps an iterator
 * only for its session, so the next page is queued as soon as one arrives: the session goes on until the last.
 * Every bill payment check QuickBooks holds is posted; a check still "to be printed" has not been issued (it has
 * no check number yet) and is left out until it is printed.
 */
export class BillPaymentExtractor implements Extractor {
  readonly #queue: WorkQueue;
  readonly #config: QbdConfig;
  readonly #ready: () => Promise<void>;
  #sequence = 0;

  constructor(queue: WorkQueue, config: QbdConfig, ready: () => Promise<void>) {
    this.#queue = queue;
    this.#config = config;
    this.#ready = ready;
  }

  async *pages(context: ExtractContext): AsyncGenerator<ExtractPage> {
    await this.#ready();
    const start = decodeCursor(context.cursor);
    const pages = new PageBuffer();
    let latest = start.modifiedFrom;
    this.#request(pages, { iterator: 'Start' }, start.modifiedFrom);
    for (;;) {
      const next = await pages.next(this.#config.importWaitMs, context.signal);
      const response = this.#readAnswer(next);
      for (const ret of response.rets) {
        const modified = text(ret, 'TimeModified');
        if (modified !== undefined && (latest === undefined || Date.parse(modified) > Date.parse(latest))) latest = modified;
      }
      // The next page was queued when this one arrived (see #request).
      const more = !isEmptyQuery(response) && hasMore(response);
      // A Ret without a usable TxnID (blank, padded, not text) is passed on with TxnID "" so the mapping reports
      // the record (erpPaymentId is required) instead of importing it under a blank id.
      const records = response.rets
        .filter((ret) => text(ret, 'IsToBePrinted') !== 'true')
        .map((ret) => (usableTxnId(text(ret, 'TxnID')) === undefined ? { ...ret, TxnID: '' } : ret));
      // Until the last page the cursor stays at the run's start: QuickBooks' iterator order is not TimeModified order.
      yield { records, cursor: encodeCursor(more ? start : latest === undefined ? {} : { modifiedFrom: latest }) };
      if (!more || context.signal.aborted) return;
    }
  }

  #request(pages: PageBuffer, attributes: Record<string, string>, modifiedFrom: string | undefined): void {
    this.#sequence += 1;
    const requestId = requestIdFor('import', attributes.iterator === 'Start' ? 'start' : 'continue', this.#sequence);
    const content: Record<string, unknown> = { MaxReturned: String(this.#config.importPageSize) };
    if (modifiedFrom !== undefined) content.ModifiedDateRangeFilter = { FromModifiedDate: modifiedFrom };
    content.IncludeLineItems = 'true';
    this.#queue.enqueue({
      build: () => ({ name: 'BillPaymentCheckQueryRq', requestId, attributes, content }),
      answer: (answer) => {
        // The next page is queued the moment this one arrives, before the Web Connector is told how much is
        // left: QuickBooks' iterator lives only as long as this session, and the consumer may be slow.
        if (answer.kind === 'response' && isOk(answer.response) && !isEmptyQuery(answer.response) && hasMore(answer.response)) {
          this.#request(pages, { iterator: 'Continue', iteratorID: answer.response.iteratorId as string }, undefined);
        }
        pages.push(answer);
      },
    });
  }

  #readAnswer(answer: RequestAnswer): QbxmlResponse {
    if (answer.kind === 'response') {
      const { response } = answer;
      if (isEmptyQuery(response)) return { ...response, rets: [] };
      if (isOk(response)) return response;
      const erp = erpAnswerOf(response);
      throw new LedgerlinkError(ErrorCodes.ERP_REJECTED, `QuickBooks refused the import query (${erp.code}: ${erp.message}); run the import again`, {
        disposition: 'retryable',
        details: { erp },
      });
    }
    const why = answer.kind === 'failed' ? `${answer.hresult}: ${answer.message}` : answer.why;
    throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `the import page did not come back from the Web Connector (${why}); run the import again`, {
      disposition: 'retryable',
    });
  }
}

export function hasMore(response: QbxmlResponse): boolean {
  return (response.iteratorRemainingCount ?? 0) > 0 && response.iteratorId !== undefined && response.iteratorId !== '';
}

/** Answers arrive on the Web Connector's schedule; the generator takes them in order (the vendor import shares it). */
export class PageBuffer {
  readonly #answers: RequestAnswer[] = [];
  #wake: (() => void) | undefined;

  push(answer: RequestAnswer): void {
    this.#answers.push(answer);
    this.#wake?.();
  }

  async next(waitMs: number, signal: AbortSignal): Promise<RequestAnswer> {
    const deadline = Date.now() + waitMs;
    while (this.#answers.length === 0) {
      if (signal.aborted) throw new LedgerlinkError(ErrorCodes.CANCELLED, 'the import was cancelled while waiting for the Web Connector', { disposition: 'retryable' });
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new LedgerlinkError(
          ErrorCodes.ERP_TRANSPORT,
          `the Web Connector did not deliver the import page within ${Math.round(waitMs / 1000)} s; check that it runs (its schedule, the .qwc) and QuickBooks is open, then run the import again`,
          { disposition: 'retryable' },
        );
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.#wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, left);
        signal.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
    }
    return this.#answers.shift() as RequestAnswer;
  }
}
