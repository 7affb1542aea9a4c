/**
 * Imports released checks: `GET …/Check?$filter=Status eq 'Closed' and LastModifiedDateTime ge …` with
 * `$expand=Details,History`, paged by `$top`/`$skip`. Only 'Closed' checks are final: released and fully
 * applied, so their applications no longer change. A check paying several bills becomes one record per bill.
 */
import { ErrorCodes, HttpTransportError, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import { erpAnswer, parseJson } from './acumatica-errors.js';
import { detailRows, entityUrl, fieldText, isRecord, odataDateTimeOffset, odataString, type WireEntity } from './acumatica-wire.js';
import type { AcumaticaConfig } from './config.js';
import { SignInError, type AcumaticaSession } from './session.js';

/** The one status this connector imports: a released check with nothing left to apply. */
export const FINAL_STATUS = 'Closed';

/**
 * Where an import stands. Between runs: the newest `LastModifiedDateTime` seen and the checks already taken
 * at exactly that instant (the next run asks `ge` that instant and skips them, so ties are neither lost nor
 * repeated). Within a run: the `$skip` reached and the newest instant seen so far.
 */
interface ImportCursor {
  since?: string;
  seen: string[];
  skip: number;
  runMax?: string;
  runMaxSeen: string[];
}

/** Pages one import run reads at most; the cursor keeps `$skip`, so the next run goes on from there. */
export const MAX_PAGES_PER_RUN = 1000;

/**
 * `maxPagesPerRun` ends a run whose pages stay full (a site that ignores `$skip` would otherwise keep one import
 * running for ever).
 */
export function createCheckImporter(context: { config: AcumaticaConfig; session: AcumaticaSession; maxPagesPerRun?: number }): Extractor {
  const maxPages = context.maxPagesPerRun ?? MAX_PAGES_PER_RUN;
  return {
    async *pages({ cursor, signal }: ExtractContext): AsyncIterable<ExtractPage> {
      const state = decodeCursor(cursor);
      for (let pages = 1; ; pages++) {
        if (signal.aborted) throw new LedgerlinkError(ErrorCodes.CANCELLED, 'import cancelled', { disposition: 'retryable' });
        const rows = await readPage(context, state);
        const records: Record<string, unknown>[] = [];
        for (const row of rows) {
          const referenceNbr = fieldText(row, 'ReferenceNbr');
          const modified = fieldText(row, 'LastModifiedDateTime');
          if (referenceNbr === undefined) continue;
          if (modified !== undefined && state.since !== undefined && sameInstant(modified, state.since) && state.seen.includes(referenceNbr)) {
            continue;
          }
          if (modified !== undefined) advanceRunMax(state, modified, referenceNbr);
          records.push(...applications(row, referenceNbr));
        }
        state.skip += rows.length;
        if (rows.length >= context.config.pageSize) {
          yield { records, cursor: encodeCursor(state) };
          if (pages >= maxPages) return;
          continue;
        }
        yield { records, cursor: encodeCursor(endOfRun(state)) };
        return;
      }
    },
  };
}

async function readPage(context: { config: AcumaticaConfig; session: AcumaticaSession }, state: ImportCursor): Promise<WireEntity[]> {
  const { config, session } = context;
  const conditions = [`Status eq ${odataString(FINAL_STATUS)}`];
  if (state.since !== undefined) conditions.push(`LastModifiedDateTime ge ${odataDateTimeOffset(state.since)}`);
  const url = entityUrl(config, 'Check', {
    $filter: conditions.join(' and '),
    $expand: 'Details,History',
    $top: config.pageSize,
    $skip: state.skip === 0 ? undefined : state.skip,
  });
  try {
    const response = await session.run((send) => send({ method: 'GET', url }));
    if (response.status !== 200) {
      const erp = erpAnswer(response);
      const code = response.status === 429 ? ErrorCodes.ERP_THROTTLED : response.status >= 500 ? ErrorCodes.ERP_SERVER_ERROR : ErrorCodes.ERP_REJECTED;
      throw new LedgerlinkError(code, `Acumatica refused the check query (HTTP ${response.status}): ${erp.message}`, {
        disposition: code === ErrorCodes.ERP_REJECTED ? 'fatal' : 'retryable',
        details: { erp },
      });
    }
    const parsed = parseJson(response.body);
    if (!Array.isArray(parsed)) {
      throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'Acumatica answered the check query with something other than a list of checks.', {
        details: { erp: erpAnswer(response) },
      });
    }
    return parsed.filter(isRecord);
  } catch (error) {
    if (error instanceof SignInError) throw error.toError();
    if (error instanceof HttpTransportError) {
      throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `No answer from Acumatica to the check query: ${error.message}`, {
        disposition: 'retryable',
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * One record per bill the check paid: the check's own fields, `History` narrowed to that application, and
 * `ApplicationKey` = the check's ReferenceNbr (or `<ReferenceNbr>/<bill>` when it paid several bills), the
 * import's natural key. Released applications are in `History`; `Details` holds unreleased ones only.
 */
function applications(check: WireEntity, referenceNbr: string): Record<string, unknown>[] {
  const history = detailRows(check, 'History');
  const rows = (history.length > 0 || Array.isArray(check.History) ? history : detailRows(check, 'Details')).filter(
    (row) => (fieldText(row, 'DocType') ?? 'Bill') === 'Bill',
  );
  return rows.map((row) => {
    const bill = fieldText(row, 'ReferenceNbr');
    const key = rows.length === 1 || bill === undefined ? referenceNbr : `${referenceNbr}/${bill}`;
    return { ...check, History: [row], ApplicationKey: { value: key } };
  });
}

function advanceRunMax(state: ImportCursor, modified: string, referenceNbr: string): void {
  if (state.runMax === undefined || Date.parse(modified) > Date.parse(state.runMax)) {
    state.runMax = modified;
    state.runMaxSeen = [referenceNbr];
  } else if (sameInstant(modified, state.runMax) && !state.runMaxSeen.includes(referenceNbr)) {
    state.runMaxSeen.push(referenceNbr);
  }
}

function endOfRun(state: ImportCursor): ImportCursor {
  if (state.runMax === undefined) return { ...(state.since === undefined ? {} : { since: state.since }), seen: state.seen, skip: 0, runMaxSeen: [] };
  const seen =
    state.since !== undefined && sameInstant(state.runMax, state.since) ? [...new Set([...state.seen, ...state.runMaxSeen])] : state.runMaxSeen;
  return { since: state.runMax, seen, skip: 0, runMaxSeen: [] };
}

function sameInstant(a: string, b: string): boolean {
  const left = Date.parse(a);
  const right = Date.parse(b);
  return Number.isNaN(left) || Number.isNaN(right) ? a === b : left === right;
}

function encodeCursor(state: ImportCursor): string {
  return JSON.stringify(state);
}

function decodeCursor(cursor: string | undefined): ImportCursor {
  if (cursor === undefined || cursor === '') return { seen: [], skip: 0, runMaxSeen: [] };
  try {
    const parsed = JSON.parse(cursor) as Partial<ImportCursor>;
    return {
      ...(typeof parsed.since === 'string' ? { since: parsed.since } : {}),
      seen: Array.isArray(parsed.seen) ? parsed.seen.filter((id): id is string => typeof id === 'string') : [],
      skip: typeof parsed.skip === 'number' && parsed.skip >= 0 ? parsed.skip : 0,
      ...(typeof parsed.runMax === 'string' ? { runMax: parsed.runMax } : {}),
      runMaxSeen: Array.isArray(parsed.runMaxSeen) ? parsed.runMaxSeen.filter((id): id is string => typeof id === 'string') : [],
    };
  } catch {
    throw new LedgerlinkError(ErrorCodes.CONNECTOR_CONFIG_INVALID, `The Acumatica import cursor "${cursor.slice(0, 80)}" is not one this connector wrote; start the import without a cursor.`);
  }
}
