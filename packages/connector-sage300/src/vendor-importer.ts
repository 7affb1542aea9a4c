/**
 * The import of Sage 300 CRE's AP vendors: `GET /v1/ap/vendors` page after page, each vendor as the agent shows it
 * (the import mapping makes it an ErpVendor). A run reads every vendor (they change in place, so there is no
 * "since" to resume from between runs); within a run the cursor is the agent's, so a stopped run goes on from
 * the page after the last one delivered.
 */
import { ErrorCodes, type ExtractContext, type ExtractPage, type Extractor, HttpTransportError, LedgerlinkError } from '@ledgerlink/core';
import type { AgentClient } from './agent-client.js';
import { erpAnswerOf } from './agent-errors.js';
import { readJson } from './agent-wire.js';
import { statusCode } from './agent-writes.js';
import { VendorPage } from './bill-wire.js';

const PAGE_SIZE = 100;
/** A run that pages on and on is an agent whose cursor does not move: stop it with a message. */
const MAX_PAGES = 1_000;
/** The cursor of the last page of a run: the next run starts from the first vendor again. */
export const END_OF_PASS = 'end';

export class VendorImporter implements Extractor {
  constructor(private readonly agent: AgentClient) {}

  async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
    let cursor = context.cursor === undefined || context.cursor === END_OF_PASS || context.cursor === '' ? null : context.cursor;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor === null ? {} : { cursor }) });
      let response;
      try {
        response = await this.agent.call({ method: 'GET', path: `/v1/ap/vendors?${query.toString()}` });
      } catch (error) {
        if (!(error instanceof HttpTransportError)) throw error;
        throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `No answer from the Sage agent at ${this.agent.baseUrl} while reading vendors: ${error.message}`, {
          disposition: error.reason === 'cancelled' ? 'fatal' : 'retryable',
          cause: error,
        });
      }
      if (response.status !== 200) {
        const erp = erpAnswerOf(response);
        const retryable = response.status === 429 || response.status >= 500;
        throw new LedgerlinkError(statusCode(response.status), `The Sage agent refused the vendor list (HTTP ${response.status}): ${erp.message}`, {
          disposition: retryable ? 'retryable' : 'fatal',
          details: { erp },
        });
      }
      const answer = readJson(VendorPage, response.body);
      if (!answer) {
        throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `The Sage agent answered the vendor list with a body that is not a page of vendors: ${response.body.slice(0, 200)}`, {
          disposition: 'retryable',
        });
      }
      if (answer.nextCursor !== null && answer.nextCursor === cursor) {
        throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'The Sage agent answered the vendor list with the cursor it was sent: the list does not move on.', {
          disposition: 'retryable',
        });
      }
      yield { records: answer.vendors, cursor: answer.nextCursor ?? END_OF_PASS };
      if (answer.nextCursor === null) return;
      cursor = answer.nextCursor;
    }
    throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `The Sage agent's vendor list did not end after ${MAX_PAGES} pages; the run stops here.`, { disposition: 'retryable' });
  }
}
