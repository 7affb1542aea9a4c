import { ErrorCodes, type ExtractContext, type ExtractPage, type Extractor, LedgerlinkError } from '@ledgerlink/core';
import type { IntacctGateway } from './intacct-gateway.js';
import { runQuery, runQueryAll } from './intacct-query.js';
import type { QueryFilter } from './intacct-request.js';

/**
 * Imports the payments Intacct treats as final: `STATE` = `Approved` (seed 000: "Payments in Sage Intacct must
 * be in an 'Approved' status before they can be imported"). Pages are read by key, not by offset: ordered by
 * (`WHENMODIFIED`, `RECORDNO`), each page asks for what was modified at or after the newest `WHENMODIFIED` read
 * and leaves out the payments already read at exactly that time. So a payment approved while a run pages
 * through cannot shift the pages under it, and one approved later in the same second as the last one read
 * (Intacct's timestamps have whole seconds) is still found, whatever its RECORDNO. The cursor is that time
 * and those RECORDNOs.
 *
 * One record per bill a payment applies to (`APPYMTDETAIL`): the hub keeps a payment issued per invoice. Each
 * record holds the payment's header fields, its `APPYMTDETAIL` and the paid bill's `APBILL` (`RECORDID` is the
 * bill number, the seed's "Invoice No."), under Intacct's own names, plus `ledgerlink.paymentKey`: the payment's
 * RECORDNO, or `RECORDNO.detailRECORDNO` when one payment pays several bills, so every record has its own key.
 */

/** The state the import reads (the display value Intacct shows and filters on). */
export const APPROVED_STATE = 'Approved';

const HEADER_FIELDS = [
  'RECORDNO',
  'STATE',
  'PAYMENTMETHOD',
  'FINANCIALENTITY',
  'VENDORID',
  'VENDORNAME',
  'DOCNUMBER',
  'DESCRIPTION',
  'PAYMENTDATE',
  'CURRENCY',
  'TRX_TOTALENTERED',
  'WHENMODIFIED',
];
const DETAIL_FIELDS = ['RECORDNO', 'PAYMENTKEY', 'RECORDKEY', 'TRX_PAYMENTAMOUNT'];
const BILL_FIELDS = ['RECORDNO', 'RECORDID', 'VENDORID'];

interface Position {
  /** The newest `WHENMODIFIED` read, as Intacct wrote it. */
  modified: string;
  /** The RECORDNOs already read whose `WHENMODIFIED` is exactly `modified`. */
  seen: string[];
}

const CURSOR_PREFIX = 'intacct-appymt-v2:';

function encodeCursor(position: Position): string {
  return `${CURSOR_PREFIX}${JSON.stringify([position.modified, position.seen])}`;
}

function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.startsWith(CURSOR_PREFIX)) {
    try {
      const value: unknown = JSON.parse(cursor.slice(CURSOR_PREFIX.length));
      if (
        Array.isArray(value) &&
        value.length === 2 &&
        typeof value[0] === 'string' &&
        Array.isArray(value[1]) &&
        value[1].length > 0 &&
        value[1].every((id) => typeof id === 'string')
      ) {
        return { modified: value[0], seen: value[1] as string[] };
      }
    } catch {
      // fall through to the error below
    }
  }
  throw new LedgerlinkError(
    ErrorCodes.CONNECTOR_CONFIG_INVALID,
    `"${cursor.slice(0, 80)}" is not an Intacct import cursor; clear the tenant's import cursor to import from the beginning`,
  );
}

/** Where the next page starts, after `headers` were read from `after`. */
function advance(after: Position | undefined, headers: Record<string, string>[]): Position {
  const last = headers[headers.length - 1] as Record<string, string>;
  const modified = last.WHENMODIFIED;
  if (modified === undefined || headers.some((header) => header.RECORDNO === undefined)) {
    throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'Intacct returned a payment without WHENMODIFIED or RECORDNO; the import cannot resume after it', {
      disposition: 'retryable',
    });
  }
  const atLast = headers.filter((header) => header.WHENMODIFIED === modified).map((header) => header.RECORDNO as string);
  const earlier = after !== undefined && after.modified === modified ? after.seen : [];
  return { modified, seen: [...new Set([...earlier, ...atLast])] };
}

export interface PaymentExtractorOptions {
  gateway: IntacctGateway;
  pageSize: number;
}

export function createPaymentExtractor(options: PaymentExtractorOptions): Extractor {
  const { gateway, pageSize } = options;

  async function readPage(after: Position | undefined): Promise<Record<string, string>[]> {
    const approved: QueryFilter = { op: 'equalto', field: 'STATE', value: APPROVED_STATE };
    const filter: QueryFilter =
      after === undefined
        ? approved
        : {
            op: 'and',
            filters: [
              approved,
              {
                op: 'or',
                filters: [
                  { op: 'greaterthan', field: 'WHENMODIFIED', value: after.modified },
                  {
                    op: 'and',
                    filters: [
                      { op: 'equalto', field: 'WHENMODIFIED', value: after.modified },
                      { op: 'notin', field: 'RECORDNO', values: after.seen },
                    ],
                  },
                ],
              },
            ],
          };
    const page = await runQuery(
      gateway,
      { object: 'APPYMT', select: HEADER_FIELDS, filter, orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }], pageSize },
      'importing approved payments',
    );
    return page.records;
  }

  return {
    async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
      let after = decodeCursor(context.cursor);
      for (;;) {
        if (context.signal.aborted) return;
        const headers = await readPage(after);
        if (headers.length === 0) return;
        const paymentKeys = headers.map((h) => h.RECORDNO).filter((key): key is string => key !== undefined);
        const details =
          paymentKeys.length === 0
            ? []
            : await runQueryAll(
                gateway,
                {
                  object: 'APPYMTDETAIL',
                  select: DETAIL_FIELDS,
                  filter: { op: 'in', field: 'PAYMENTKEY', values: paymentKeys },
                  orderBy: [{ field: 'RECORDNO' }],
                },
                'reading the bills the approved payments pay',
                context.signal,
              );
        const billKeys = [...new Set(details.map((d) => d.RECORDKEY).filter((key): key is string => key !== undefined))];
        const bills =
          billKeys.length === 0
            ? []
            : await runQueryAll(
                gateway,
                { object: 'APBILL', select: BILL_FIELDS, filter: { op: 'in', field: 'RECORDNO', values: billKeys } },
                'reading the bills the approved payments pay',
                context.signal,
              );
        const billByKey = new Map(bills.map((bill) => [bill.RECORDNO, bill]));

        const records: Record<string, unknown>[] = [];
        for (const header of headers) {
          const applications = details.filter((d) => d.PAYMENTKEY === header.RECORDNO);
          for (const detail of applications) {
            const bill = detail.RECORDKEY === undefined ? undefined : billByKey.get(detail.RECORDKEY);
            records.push({
              ...header,
              APPYMTDETAIL: detail,
              ...(bill === undefined ? {} : { APBILL: bill }),
              ledgerlink: {
                paymentKey: applications.length === 1 ? header.RECORDNO : `${header.RECORDNO ?? ''}.${detail.RECORDNO ?? ''}`,
              },
            });
          }
        }
        after = advance(after, headers);
        yield { records, cursor: encodeCursor(after) };
        if (headers.length < pageSize) return;
      }
    },
  };
}
