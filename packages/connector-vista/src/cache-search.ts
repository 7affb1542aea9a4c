import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import { protocolError, readFailure } from './vista-errors.js';
import { asCachePage, readJson, type CacheFilter, type VistaApi } from './vista-wire.js';

/**
 * A search that is read to its end should end after a few pages; one that keeps handing out tokens is a
 * broken cache or a broken client, and must not spin for ever.
 */
const MAX_PAGES_PER_SEARCH = 200;

/**
 * Reads every page of a cache search: pages may be empty and still carry a token (the cache's own paging),
 * so the read goes on while there is a token, never while there are records.
 */
export async function searchAll(api: VistaApi, filters: CacheFilter[], doing: string): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  let token: string | null = null;
  for (let pages = 0; pages < MAX_PAGES_PER_SEARCH; pages++) {
    const response = await api.search(token, filters);
    if (response.status !== 200) throw readFailure(response, doing);
    const page = asCachePage(readJson(response.body));
    if (page === undefined) throw protocolError(response, doing);
    records.push(...page.data);
    if (page.continuationToken === null) return records;
    token = page.continuationToken;
  }
  throw new LedgerlinkError(
    ErrorCodes.ERP_PROTOCOL,
    `Vista Direct API kept returning continuation tokens after ${MAX_PAGES_PER_SEARCH} pages while ${doing}; report it to Trimble support`,
    { disposition: 'retryable' },
  );
}
