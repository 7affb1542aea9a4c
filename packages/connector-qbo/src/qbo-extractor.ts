import { ErrorCodes, type ExtractContext, type ExtractPage, type Extractor, LedgerlinkError } from '@ledgerlink/core';
import type { QboApi } from './qbo-api.js';
import { isQboId, property, queryLiteral, type WireBillPayment } from './qbo-wire.js';

/**
 * Where an import stopped: the last `MetaData.LastUpdatedTime` seen, how many payments with exactly that time were
 * read (their positions in QuickBooks' answer to `>=` that time), and the ids of the last of them. QuickBooks' times
 * have whole seconds, so several payments can share one; the next query asks for `>=` that time from the position
 * after them, less a small overlap whose ids are skipped, so a tie split across two pages or two runs is neither lost
 * nor repeated even if a few of the tied payments changed in between. The cursor stays the same size however many
 * payments share a second (a million imported at once did: it held every id).
 */
export interface QboImportCursor {
  lastUpdated: string;
  /** Payments with exactly `lastUpdated` read so far. */
  countAtLastUpdated: number;
  /** The ids of the last of them (at most `TIE_OVERLAP`; more only from an old cursor). */
  idsAtLastUpdated: string[];
}

/** Tied payments read again at the start of the next query, to survive that many of them changing in between. */
const TIE_OVERLAP = 100;

/** The cursor as a string. A bare timestamp is accepted too, so an operator can start an import from a time. */
export function encodeCursor(cursor: QboImportCursor): string {
  return JSON.stringify({ v: 2, t: cursor.lastUpdated, n: cursor.countAtLastUpdated, ids: cursor.idsAtLastUpdated });
}

export function decodeCursor(text: string | undefined): QboImportCursor | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(text) as { t?: unknown; n?: unknown; ids?: unknown };
    if (typeof parsed.t === 'string') {
      const ids = Array.isArray(parsed.ids) ? parsed.ids.filter((id): id is string => typeof id === 'string') : [];
      // A version 1 cursor listed every tied id: that many were read.
      const count = typeof parsed.n === 'number' && Number.isSafeInteger(parsed.n) && parsed.n >= ids.length ? parsed.n : ids.length;
      return { lastUpdated: parsed.t, countAtLastUpdated: count, idsAtLastUpdated: ids };
    }
  } catch {
    // not JSON: a bare timestamp
  }
  return { lastUpdated: text.trim(), countAtLastUpdated: 0, idsAtLastUpdated: [] };
}

/**
 * A bill payment QuickBooks treats as final. A created bill payment is posted at once; two kinds are not yet a
 * payment issued: a check still queued to print (`PrintStatus` `NeedToPrint`, not yet handed over), and a voided
 * one (QuickBooks zeroes a voided payment's amounts). Both come back once they change, with a later
 * LastUpdatedTime.
 */
export function isFinalBillPayment(row: WireBillPayment): boolean {
  if (typeof row.TotalAmt !== 'number' || row.TotalAmt <= 0) return false;
  return !(row.PayType === 'Check' && row.CheckPayment?.PrintStatus === 'NeedToPrint');
}

/**
 * Reads bill payments in `MetaData.LastUpdatedTime` order with `STARTPOSITION`/`MAXRESULTS`, page after page
 * while a page comes back full. Each page restarts at the newest time seen (keyset paging), so a payment updated
 * while the import runs cannot shift an unread one out of view; STARTPOSITION only steps over the payments tied at
 * that time already read (less the overlap, see QboImportCursor).
 */
/** What an extractor reads: the entity queried, a condition every query adds, and which rows it yields. */
export interface QboExtractedEntity {
  name: 'BillPayment' | 'Vendor';
  /** A condition ANDed to every query (`Active in (true, false)`: name lists read active records only otherwise). */
  where?: string;
  keep(row: WireBillPayment): boolean;
}

const BILL_PAYMENTS: QboExtractedEntity = { name: 'BillPayment', keep: isFinalBillPayment };

/** Vendors, active and inactive: an inactive vendor is imported with `isActive` false rather than left stale. */
export const VENDORS: QboExtractedEntity = { name: 'Vendor', where: 'Active in (true, false)', keep: () => true };

export class QboExtractor implements Extractor {
  constructor(
    private readonly api: QboApi,
    private readonly pageSize: number,
    private readonly entity: QboExtractedEntity = BILL_PAYMENTS,
  ) {}

  async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
    let cursor = decodeCursor(context.cursor);
    // Less than half a page, so every full page moves the cursor on.
    const overlap = Math.min(TIE_OVERLAP, Math.floor(this.pageSize / 2));
    for (;;) {
      if (context.signal.aborted) return;
      const startPosition = cursor === undefined ? 1 : Math.max(1, cursor.countAtLastUpdated - overlap + 1);
      const conditions = [
        ...(cursor === undefined ? [] : [`MetaData.LastUpdatedTime >= ${queryLiteral(cursor.lastUpdated)}`]),
        ...(this.entity.where === undefined ? [] : [this.entity.where]),
      ];
      const where = conditions.length === 0 ? '' : ` where ${conditions.join(' and ')}`;
      const statement =
        `select * from ${this.entity.name}${where} ORDERBY MetaData.LastUpdatedTime ` +
        `STARTPOSITION ${startPosition} MAXRESULTS ${this.pageSize}`;
      const rows = wellFormed(await this.api.query<unknown>(statement, this.entity.name), this.entity.name);

      const before = cursor;
      const seen = new Set(before?.idsAtLastUpdated ?? []);
      const fresh = rows.filter((row) => !(before !== undefined && timeOf(row) === before.lastUpdated && seen.has(row.Id)));
      // The rows tied at the cursor's time come first, from `startPosition` on: their count is their position.
      let tieTime = before?.lastUpdated;
      let tieCount = startPosition - 1;
      let tieIds = [...(before?.idsAtLastUpdated ?? [])];
      for (const row of rows) {
        const time = timeOf(row);
        if (time === undefined) continue;
        if (time !== tieTime) {
          tieTime = time;
          tieCount = 0;
          tieIds = [];
        }
        tieCount += 1;
        if (!(time === before?.lastUpdated && seen.has(row.Id))) tieIds.push(row.Id);
      }
      // The ids the next query's overlap reads again, and no more.
      tieIds = overlap === 0 ? [] : tieIds.slice(-overlap);
      if (tieTime !== undefined) cursor = { lastUpdated: tieTime, countAtLastUpdated: tieCount, idsAtLastUpdated: tieIds };

      yield {
        records: fresh.filter((row) => this.entity.keep(row)) as Record<string, unknown>[],
        cursor: cursor === undefined ? (context.cursor ?? '') : encodeCursor(cursor),
      };
      if (rows.length < this.pageSize) return;
    }
  }
}

function timeOf(row: WireBillPayment): string | undefined {
  const time = property(property(row, 'MetaData'), 'LastUpdatedTime');
  return typeof time === 'string' && time !== '' ? time : undefined;
}

/**
 * The rows of a page, each an object with a well-formed Id. A row QuickBooks would never send (not an object, a
 * blank or malformed Id) makes the page unreadable: a protocol error, retried later, rather than a payment issued
 * under a key that is not one.
 */
function wellFormed(rows: unknown[], entity: string): WireBillPayment[] {
  rows.forEach((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row) || !isQboId(property(row, 'Id'))) {
      throw new LedgerlinkError(
        ErrorCodes.ERP_PROTOCOL,
        `QuickBooks answered an import query with a ${entity === 'BillPayment' ? 'bill payment' : entity.toLowerCase()} (row ${index + 1}) that has no well-formed Id; the import stops here and is retried`,
        { disposition: 'retryable' },
      );
    }
  });
  return rows as WireBillPayment[];
}
