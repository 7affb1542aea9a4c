/**
 * Imports Acumatica's vendors as raw records (mapped by `entities.vendor.import`): `GET …/Vendor` with
 * `$expand=MainContact`, paged by `$top`/`$skip`, changed since the last run (`LastModifiedDateTime ge …`). The
 * boundary instant is asked again with `ge`, so a vendor changed at exactly that instant comes again rather than
 * being lost: importing a vendor twice only updates it twice.
 */
import { ErrorCodes, HttpTransportError, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import { erpAnswer, parseJson } from './acumatica-errors.js';
import { entityUrl, fieldText, isRecord, odataDateTimeOffset, type WireEntity } from './acumatica-wire.js';
import { MAX_PAGES_PER_RUN } from './check-importer.js';
import type { AcumaticaConfig } from './config.js';
import { soundId } from './erp-id.js';
import { SignInError, type AcumaticaSession } from './session.js';

/** Between runs: the newest change seen. Within a run: the `$skip` reached and the newest change so far. */
interface VendorCursor {
  since?: string;
  skip: number;
  runMax?: string;
}

export function createVendorImporter(context: { config: AcumaticaConfig; session: AcumaticaSession; maxPagesPerRun?: number }): Extractor {
  const maxPages = context.maxPagesPerRun ?? MAX_PAGES_PER_RUN;
  return {
    async *pages({ cursor, signal }: ExtractContext): AsyncIterable<ExtractPage> {
      const state = decodeCursor(cursor);
      for (let pages = 1; ; pages++) {
        if (signal.aborted) throw new LedgerlinkError(ErrorCodes.CANCELLED, 'vendor import cancelled', { disposition: 'retryable' });
        const rows = await readPage(context, state);
        const records: Record<string, unknown>[] = [];
        for (const row of rows) {
          // A vendor without a usable Vendor ID cannot be staged (it is the Staged Record's origin_id).
          if (soundId(fieldText(row, 'VendorID')) === undefined) continue;
          const modified = fieldText(row, 'LastModifiedDateTime');
          if (modified !== undefined && !Number.isNaN(Date.parse(modified)) && (state.runMax === undefined || Date.parse(modified) > Date.parse(state.runMax))) {
            state.runMax = modified;
          }
          records.push(row);
        }
        state.skip += rows.length;
        if (rows.length >= context.config.pageSize) {
          yield { records, cursor: JSON.stringify(state) };
          if (pages >= maxPages) return;
          continue;
        }
        const since = state.runMax ?? state.since;
        yield { records, cursor: JSON.stringify({ ...(since === undefined ? {} : { since }), skip: 0 }) };
        return;
      }
    },
  };
}

async function readPage(context: { config: AcumaticaConfig; session: AcumaticaSession }, state: VendorCursor): Promise<WireEntity[]> {
  const { config, session } = context;
  const url = entityUrl(config, 'Vendor', {
    $filter: state.since === undefined ? undefined : `LastModifiedDateTime ge ${odataDateTimeOffset(state.since)}`,
    $expand: 'MainContact',
    $top: config.pageSize,
    $skip: state.skip === 0 ? undefined : state.skip,
  });
  try {
    const response = await session.run((send) => send({ method: 'GET', url }));
    if (response.status !== 200) {
      const erp = erpAnswer(response);
      const code = response.status === 429 ? ErrorCodes.ERP_THROTTLED : response.status >= 500 ? ErrorCodes.ERP_SERVER_ERROR : ErrorCodes.ERP_REJECTED;
      throw new LedgerlinkError(code, `Acumatica refused the vendor query (HTTP ${response.status}): ${erp.message}`, {
        disposition: code === ErrorCodes.ERP_REJECTED ? 'fatal' : 'retryable',
        details: { erp },
      });
    }
    const parsed = parseJson(response.body);
    if (!Array.isArray(parsed)) {
      throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'Acumatica answered the vendor query with something other than a list of vendors.', {
        details: { erp: erpAnswer(response) },
      });
    }
    return parsed.filter(isRecord);
  } catch (error) {
    if (error instanceof SignInError) throw error.toError();
    if (error instanceof HttpTransportError) {
      throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `No answer from Acumatica to the vendor query: ${error.message}`, { disposition: 'retryable', cause: error });
    }
    throw error;
  }
}

function decodeCursor(cursor: string | undefined): VendorCursor {
  if (cursor === undefined || cursor === '') return { skip: 0 };
  try {
    const parsed = JSON.parse(cursor) as Partial<VendorCursor> | null;
    if (!isRecord(parsed)) throw new Error('not an object');
    return {
      ...(typeof parsed.since === 'string' ? { since: parsed.since } : {}),
      skip: typeof parsed.skip === 'number' && Number.isSafeInteger(parsed.skip) && parsed.skip >= 0 ? parsed.skip : 0,
      ...(typeof parsed.runMax === 'string' ? { runMax: parsed.runMax } : {}),
    };
  } catch {
    throw new LedgerlinkError(ErrorCodes.CONNECTOR_CONFIG_INVALID, `The Acumatica vendor import cursor "${cursor.slice(0, 80)}" is not one this connector wrote; start the import without a cursor.`);
  }
}
