import { ErrorCodes, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import { decodeCursor, encodeCursor, hasMore, PageBuffer } from './bill-payment-extractor.js';
import type { QbdConfig } from './config.js';
import { requestIdFor } from './external-guid.js';
import { erpAnswerOf, isEmptyQuery, isOk } from './qbd-outcomes.js';
import { text, usableTxnId, type QbxmlResponse } from './qbxml-wire.js';
import type { RequestAnswer, WorkQueue } from './work-queue.js';

/**
 * Imports QuickBooks' vendors page by page: `VendorQueryRq` with `iterator="Start"`, `MaxReturned`
 * (`importPageSize`) and `ActiveStatus All` (inactive vendors too: the hub updates the ones it links), then
 * `iterator="Continue"`, all in one Web Connector session (QuickBooks keeps an iterator only for its session). The
 * cursor is `{"modifiedFrom": <newest TimeModified>}` (`FromModifiedDate`), moved only after the last page; a vendor
 * without a usable ListID reaches the mapping with ListID "" so it is reported, never staged under a blank id.
 */
export class VendorExtractor implements Extractor {
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
      const response = readAnswer(await pages.next(this.#config.importWaitMs, context.signal));
      for (const ret of response.rets) {
        const modified = text(ret, 'TimeModified');
        if (modified !== undefined && !Number.isNaN(Date.parse(modified)) && (latest === undefined || Date.parse(modified) > Date.parse(latest))) latest = modified;
      }
      const more = !isEmptyQuery(response) && hasMore(response);
      const records = response.rets.map((ret) => (usableTxnId(text(ret, 'ListID')) === undefined ? { ...ret, ListID: '' } : ret));
      yield { records, cursor: encodeCursor(more ? start : latest === undefined ? {} : { modifiedFrom: latest }) };
      if (!more || context.signal.aborted) return;
    }
  }

  #request(pages: PageBuffer, attributes: Record<string, string>, modifiedFrom: string | undefined): void {
    this.#sequence += 1;
    const requestId = requestIdFor('vendors', attributes.iterator === 'Start' ? 'start' : 'continue', this.#sequence);
    const content: Record<string, unknown> =
      attributes.iterator === 'Start'
        ? { MaxReturned: String(this.#config.importPageSize), ActiveStatus: 'All', ...(modifiedFrom === undefined ? {} : { FromModifiedDate: modifiedFrom }) }
        : { MaxReturned: String(this.#config.importPageSize) };
    this.#queue.enqueue({
      build: () => ({ name: 'VendorQueryRq', requestId, attributes, content }),
      answer: (answer) => {
        // The next page is queued the moment this one arrives: the iterator lives only as long as this session.
        if (answer.kind === 'response' && isOk(answer.response) && !isEmptyQuery(answer.response) && hasMore(answer.response)) {
          this.#request(pages, { iterator: 'Continue', iteratorID: answer.response.iteratorId as string }, undefined);
        }
        pages.push(answer);
      },
    });
  }
}

function readAnswer(answer: RequestAnswer): QbxmlResponse {
  if (answer.kind === 'response') {
    const { response } = answer;
    if (isEmptyQuery(response)) return { ...response, rets: [] };
    if (isOk(response)) return response;
    const erp = erpAnswerOf(response);
    throw new LedgerlinkError(ErrorCodes.ERP_REJECTED, `QuickBooks refused the vendor import query (${erp.code}: ${erp.message}); run the import again`, {
      disposition: 'retryable',
      details: { erp },
    });
  }
  const why = answer.kind === 'failed' ? `${answer.hresult}: ${answer.message}` : answer.why;
  throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `the vendor import page did not come back from the Web Connector (${why}); run the import again`, {
    disposition: 'retryable',
  });
}
