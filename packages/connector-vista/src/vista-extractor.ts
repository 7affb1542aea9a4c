import { ErrorCodes, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import { protocolError, readFailure, typedError } from './vista-errors.js';
import { asCachePage, readJson, type CacheFilter, type VistaApi } from './vista-wire.js';

/** Pages one import run reads at most (at the default 1,000 records a page, a million records). */
export const MAX_PAGES_PER_RUN = 1000;

/** The payment statuses this connector treats as final: posted in AP, or cleared in CM. */
export const FINAL_STATUSES: readonly string[] = ['Posted', 'Cleared'];

/**
 * Where an import stopped. `since`: the newest `LastUpdated` of a finished read (the next read asks for
 * records changed after it); `token` and `high` while a read is under way (the continuation token to go on
 * with, and the newest `LastUpdated` seen so far).
 */
interface ImportCursor {
  since?: string;
  token?: string;
  high?: string;
}

/**
 * The import side: the payment object's cache, read with `cache/search` and continuation tokens. Pages may
 * hold no records and still carry a token; the read goes on while there is one. Only final payments are
 * yielded, but the cursor moves past every record seen: a payment that becomes final later is changed, so
 * its `LastUpdated` moves past the cursor and it comes back.
 */
/** What an extractor reads besides AP payments: the object's base filter, what it keeps, how it says it. */
export interface ExtractorScope {
  /** For messages: "reading <what> from the cache". */
  what: string;
  /** The filter every search carries (the company or vendor group). */
  base: CacheFilter;
  /** Which records a page yields; the cursor moves past the others too. */
  keep: (record: Record<string, unknown>) => boolean;
}

export class VistaExtractor implements Extractor {
  readonly #api: VistaApi;
  readonly #maxPages: number;
  readonly #scope: ExtractorScope;

  /**
   * `maxPagesPerRun` ends a run that keeps receiving continuation tokens (a broken cache would otherwise keep one
   * import running for ever); the cursor holds the token, so the next run goes on from there.
   */
  constructor(api: VistaApi, apCompany: number, maxPagesPerRun = MAX_PAGES_PER_RUN, scope?: ExtractorScope) {
    this.#api = api;
    this.#maxPages = maxPagesPerRun;
    this.#scope = scope ?? {
      what: 'AP payments',
      base: { field: 'APCo', operator: 'eq', value: String(apCompany) },
      keep: (record) => typeof record.PaymentStatus === 'string' && FINAL_STATUSES.includes(record.PaymentStatus),
    };
  }

  async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
    const start = parseCursor(context.cursor);
    const since = start.since;
    let high = start.high ?? since;
    let token = start.token ?? null;
    const { what, base, keep } = this.#scope;
    const filters: CacheFilter[] = [
      base,
      ...(since === undefined ? [] : [{ field: 'LastUpdated', operator: 'gt' as const, value: since }]),
    ];
    const search = async (from: string | null) => {
      try {
        return await this.#api.search(from, filters);
      } catch (error) {
        throw typedError(error, `reading ${what} from the cache`);
      }
    };
    for (let pages = 1; ; pages++) {
      let response = await search(token);
      if (response.status === 400 && token !== null && token === start.token) {
        // A stored token the cache no longer honours (tokens are not promised to live): read again from `since`.
        token = null;
        high = since;
        response = await search(token);
      }
      if (response.status !== 200) throw readFailure(response, `reading ${what} from the cache`);
      const page = asCachePage(readJson(response.body));
      if (page === undefined) throw protocolError(response, `reading ${what} from the cache`);
      for (const record of page.data) {
        const updated = record.LastUpdated;
        if (typeof updated === 'string' && (high === undefined || updated > high)) high = updated;
      }
      const records = page.data.filter(keep);
      if (page.continuationToken === null) {
        yield { records, cursor: formatCursor(high === undefined ? {} : { since: high }) };
        return;
      }
      token = page.continuationToken;
      yield { records, cursor: formatCursor({ ...(since === undefined ? {} : { since }), token, ...(high === undefined ? {} : { high }) }) };
      if (context.signal.aborted || pages >= this.#maxPages) return;
    }
  }
}

function formatCursor(cursor: ImportCursor): string {
  return JSON.stringify(cursor);
}

function parseCursor(text: string | undefined): ImportCursor {
  if (text === undefined || text === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { since, token, high } = value as Record<string, unknown>;
      const ok = [since, token, high].every((part) => part === undefined || typeof part === 'string');
      if (ok) {
        return {
          ...(typeof since === 'string' ? { since } : {}),
          ...(typeof token === 'string' ? { token } : {}),
          ...(typeof high === 'string' ? { high } : {}),
        };
      }
    }
  } catch {
    // fall through to the error below
  }
  throw new LedgerlinkError(
    ErrorCodes.CONNECTOR_CONFIG_INVALID,
    `the Vista import cursor ${JSON.stringify(text.slice(0, 200))} is not one this connector wrote; clear the import cursor to read from the start`,
  );
}
