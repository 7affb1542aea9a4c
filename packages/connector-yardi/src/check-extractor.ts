import { ErrorCodes, HttpTransportError, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import { checksOf, importRecords, isFinal } from './check-records.js';
import type { YardiConfig } from './config.js';
import { readResult } from './yardi-messages.js';
import type { YardiSoap } from './yardi-soap.js';

/** Where an import stopped: every check dated on or before `through` has been read (as of that run). */
export interface YardiImportCursor {
  through: string;
}

const DAY_MS = 86_400_000;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function encodeCursor(cursor: YardiImportCursor): string {
  return JSON.stringify(cursor);
}

/** Reads a cursor: the JSON this extractor writes, or a bare `YYYY-MM-DD` to start after a date. */
export function decodeCursor(text: string): YardiImportCursor {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? text.trim() : undefined;
  let through = bare;
  if (through === undefined) {
    try {
      const parsed = JSON.parse(text) as { through?: unknown };
      if (typeof parsed.through === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(parsed.through)) through = parsed.through;
    } catch {
      // reported below
    }
  }
  if (through === undefined || Number.isNaN(Date.parse(`${through}T00:00:00Z`))) {
    throw new LedgerlinkError(
      ErrorCodes.CONNECTOR_CONFIG_INVALID,
      `the Yardi import cursor "${text}" is not {"through":"YYYY-MM-DD"} or a date; clear it to import from importStartDate`,
    );
  }
  return { through };
}

/**
 * Imports posted checks with `GetCheckInvoice` over check-date windows: Yardi's reads have no page tokens, only
 * date filters, so one window of `importWindowDays` is one page, from the cursor (less `importLookbackDays`, so
 * a check entered late with an earlier date is still seen) up to today. Unposted checks are left out: they
 * come in once posted, if within the lookback.
 */
export class CheckExtractor implements Extractor {
  constructor(
    private readonly soap: YardiSoap,
    private readonly config: YardiConfig,
    private readonly now: () => Date,
  ) {}

  async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
    const today = this.now().toISOString().slice(0, 10);
    let from = context.cursor === undefined ? this.config.importStartDate : addDays(decodeCursor(context.cursor).through, 1 - this.config.importLookbackDays);
    if (from > today) from = today;
    for (;;) {
      const windowEnd = [addDays(from, this.config.importWindowDays - 1), today].sort()[0] as string;
      const result = readResult('GetCheckInvoice', await this.read(from, windowEnd));
      const records = checksOf(result)
        .filter((check) => isFinal(check.fields))
        .flatMap(importRecords);
      yield { records, cursor: encodeCursor({ through: windowEnd }) };
      if (windowEnd >= today || context.signal.aborted) return;
      from = addDays(windowEnd, 1);
    }
  }

  /** One window's read; a lost answer is a retryable coded error (a shutdown, LL_CANCELLED), never a raw one. */
  private async read(from: string, to: string) {
    try {
      return await this.soap.call('GetCheckInvoice', [
        ['CheckFromDate', from],
        ['CheckToDate', to],
      ]);
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      const cancelled = error.reason === 'cancelled';
      throw new LedgerlinkError(cancelled ? ErrorCodes.CANCELLED : ErrorCodes.ERP_TRANSPORT, `Yardi did not answer GetCheckInvoice for ${from}..${to}: ${error.message}`, {
        disposition: 'retryable',
        cause: error,
      });
    }
  }
}
