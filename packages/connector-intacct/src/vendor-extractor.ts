import { ErrorCodes, type ExtractContext, type ExtractPage, type Extractor, LedgerlinkError } from '@ledgerlink/core';
import type { IntacctGateway } from './intacct-gateway.js';
import { runQuery } from './intacct-query.js';
import type { QueryFilter } from './intacct-request.js';
import { isVendorId } from './vendor-loader.js';

/** The VENDOR fields read; the contact's as `DISPLAYCONTACT.*`, as Intacct's query names related fields. */
export const VENDOR_FIELDS = [
  'RECORDNO',
  'VENDORID',
  'NAME',
  'STATUS',
  'WHENMODIFIED',
  'DISPLAYCONTACT.EMAIL1',
  'DISPLAYCONTACT.PHONE1',
  'DISPLAYCONTACT.MAILADDRESS.ADDRESS1',
  'DISPLAYCONTACT.MAILADDRESS.CITY',
  'DISPLAYCONTACT.MAILADDRESS.STATE',
  'DISPLAYCONTACT.MAILADDRESS.ZIP',
  'DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE',
];

const CURSOR_PREFIX = 'intacct-vendor-v1:';

/** Where a vendor import stopped: the newest WHENMODIFIED read and the RECORDNOs read with exactly that time. */
interface Position {
  modified: string;
  seen: string[];
}

function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.startsWith(CURSOR_PREFIX)) {
    try {
      const value: unknown = JSON.parse(cursor.slice(CURSOR_PREFIX.length));
      if (Array.isArray(value) && typeof value[0] === 'string' && Array.isArray(value[1]) && value[1].every((id) => typeof id === 'string')) {
        return { modified: value[0], seen: value[1] as string[] };
      }
    } catch {
      // fall through to the error below
    }
  }
  throw new LedgerlinkError(
    ErrorCodes.CONNECTOR_CONFIG_INVALID,
    `"${cursor.slice(0, 80)}" is not an Intacct vendor import cursor; clear the tenant's vendor import cursor to import from the beginning`,
  );
}

/** A query row as a record: dotted names nested (`DISPLAYCONTACT.EMAIL1` → `DISPLAYCONTACT: { EMAIL1 }`), blanks left out. */
export function nestRow(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value.trim() === '') continue;
    const path = name.split('.');
    let at = out;
    for (const part of path.slice(0, -1)) {
      const next = at[part];
      at = (typeof next === 'object' && next !== null ? next : (at[part] = {})) as Record<string, unknown>;
    }
    at[path[path.length - 1] as string] = value;
  }
  return out;
}

/**
 * Intacct's vendors, active and inactive, in WHENMODIFIED order (then RECORDNO), page after page: each page asks
 * for what changed after the newest time read, or at that time and not yet read, so a vendor changed while the
 * import runs is read again rather than lost, and a run resumes from its cursor.
 */
export function createVendorExtractor(options: { gateway: IntacctGateway; pageSize: number }): Extractor {
  const { gateway, pageSize } = options;
  return {
    async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
      let after = decodeCursor(context.cursor);
      for (;;) {
        if (context.signal.aborted) return;
        const filter: QueryFilter | undefined =
          after === undefined
            ? undefined
            : {
                op: 'or',
                filters: [
                  { op: 'greaterthan', field: 'WHENMODIFIED', value: after.modified },
                  {
                    op: 'and',
                    filters: [
                      { op: 'equalto', field: 'WHENMODIFIED', value: after.modified },
                      ...(after.seen.length === 0 ? [] : [{ op: 'notin' as const, field: 'RECORDNO', values: after.seen }]),
                    ],
                  },
                ],
              };
        const page = await runQuery(
          gateway,
          { object: 'VENDOR', select: VENDOR_FIELDS, ...(filter === undefined ? {} : { filter }), orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }], pageSize },
          'importing vendors',
        );
        const rows = page.records;
        if (rows.length === 0) return;
        for (const [index, row] of rows.entries()) {
          if (!isVendorId(row.VENDORID) || !/^\d{1,20}$/.test(row.RECORDNO ?? '') || (row.WHENMODIFIED ?? '').trim() === '') {
            throw new LedgerlinkError(
              ErrorCodes.ERP_PROTOCOL,
              `Intacct answered the vendor import with a vendor (row ${index + 1}) without a well-formed VENDORID, RECORDNO or WHENMODIFIED; the import stops here and is retried`,
              { disposition: 'retryable' },
            );
          }
        }
        const modified = (rows[rows.length - 1] as Record<string, string>).WHENMODIFIED as string;
        const atLast = rows.filter((row) => row.WHENMODIFIED === modified).map((row) => row.RECORDNO as string);
        const earlier = after !== undefined && after.modified === modified ? after.seen : [];
        const next: Position = { modified, seen: [...new Set([...earlier, ...atLast])] };
        if (after !== undefined && after.modified === modified && next.seen.length === after.seen.length) {
          throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'Intacct answered the next vendor page with vendors already read; the import stops here and is retried', {
            disposition: 'retryable',
          });
        }
        after = next;
        yield { records: rows.map(nestRow), cursor: `${CURSOR_PREFIX}${JSON.stringify([after.modified, after.seen])}` };
        // A short page is the last one whatever numremaining says.
        if (rows.length < pageSize || page.numRemaining <= 0) return;
      }
    },
  };
}
