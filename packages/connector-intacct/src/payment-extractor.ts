import { ErrorCodes, type ExtractContext, type ExtractPage, type Extractor, LedgerlinkError } from '@ledgerlink/core';
import type { IntacctGateway } from './intacct-gateway.js';
import { runQuery, runQueryAll } from './intacct-query.js';
import type { QueryFilter } from './intacct-request.js';

/**
 * Imports the payments Intacct treats as final: `STATE` Approved or Posted. Seed 000 asks for "an 'Approved'
 * status"; Intacct posts a payment at once when the company has no payment approvals, and moves an approved one
 * on to Posted when it is printed or confirmed, so reading Approved alone would never import either kind.
 * Whether Intacct's filters compare `STATE` with the display value (`Posted`) or the stored code (`C`) is not
 * documented, so the query asks for both (`STATE in ('Approved', 'Posted', 'A', 'C')`: no code is another
 * state's display value), and each header read is checked again here. Filtering in the query (rather than
 * reading every state) keeps the keyset cursor right: a payment read as Submitted and approved later within the
 * same second would otherwise be behind the cursor. Pages are read by key, not by offset: each page asks for what
 * was modified at or after the newest `WHENMODIFIED` read and leaves out the payments already read at exactly
 * that time. So a payment approved while a run pages through cannot shift the pages under it, and one approved
 * later in the same second as the last one read (Intacct's timestamps have whole seconds) is still found,
 * whatever its RECORDNO. The cursor is that time and those RECORDNOs.
 *
 * On read, the payment date is `WHENCREATED` (`PAYMENTDATE` is a create field; Intacct reads it back as
 * WHENCREATED, a `mm/dd/yyyy` date); `WHENMODIFIED` is the audit timestamp the cursor follows.
 *
 * One record per bill a payment applies to (`APPYMTDETAIL`): the hub keeps a payment issued per invoice. Each
 * record holds the payment's header fields, its `APPYMTDETAIL` and the paid bill's `APBILL` (`RECORDID` is the
 * bill number, the seed's "Invoice No."), under Intacct's own names, plus `ledgerlink.paymentKey`: the payment's
 * RECORDNO, or `RECORDNO.detailRECORDNO` when one payment pays several bills, so every record has its own key.
 */

/** The states the import reads, as display values and as Intacct's stored codes. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['Approved', 'Posted', 'A', 'C']);

/** Whether a payment header read back is final (Approved or Posted). */
export function isFinalPayment(header: Record<string, string>): boolean {
  return FINAL_STATES.has((header.STATE ?? '').trim());
}

const HEADER_FIELDS = [
  'RECORDNO',
  'STATE',
  'PAYMENTMETHOD',
  'FINANCIALENTITY',
  'VENDORID',
  'VENDORNAME',
  'DOCNUMBER',
  'DESCRIPTION',
  'WHENCREATED',
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
  if (modified === undefined || modified.trim() === '' || headers.some((header) => !/^\d+$/.test(header.RECORDNO ?? ''))) {
    throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'Intacct returned a payment without WHENMODIFIED or a well-formed RECORDNO; the import cannot resume after it', {
      disposition: 'retryable',
    });
  }
  const atLast = headers.filter((header) => header.WHENMODIFIED === modified).map((header) => header.RECORDNO as string);
  const earlier = after !== undefined && after.modified === modified ? after.seen : [];
  const next = { modified, seen: [...new Set([...earlier, ...atLast])] };
  if (after !== undefined && after.modified === modified && next.seen.length === after.seen.length) {
    // The page held only payments already read: Intacct ignored the cursor's filter. Reading on would never end.
    throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, 'Intacct answered the next import page with payments already read; the import stops here and is retried', {
      disposition: 'retryable',
    });
  }
  return next;
}

export interface PaymentExtractorOptions {
  gateway: IntacctGateway;
  pageSize: number;
}

export function createPaymentExtractor(options: PaymentExtractorOptions): Extractor {
  const { gateway, pageSize } = options;

  async function readPage(after: Position | undefined): Promise<Record<string, string>[]> {
    const final: QueryFilter = { op: 'in', field: 'STATE', values: [...FINAL_STATES] };
    const filter: QueryFilter =
      after === undefined
        ? final
        : {
            op: 'and',
            filters: [
              final,
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
      {
        object: 'APPYMT',
        select: HEADER_FIELDS,
        filter,
        orderBy: [{ field: 'WHENMODIFIED' }, { field: 'RECORDNO' }],
        pageSize,
      },
      'importing payments',
    );
    return page.records;
  }

  return {
    async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
      let after = decodeCursor(context.cursor);
      for (;;) {
        if (context.signal.aborted) return;
        const read = await readPage(after);
        if (read.length === 0) return;
        const headers = read.filter(isFinalPayment);
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
                'reading the bills the imported payments pay',
                context.signal,
              );
        const billKeys = [...new Set(details.map((d) => d.RECORDKEY).filter((key): key is string => key !== undefined))];
        const bills =
          billKeys.length === 0
            ? []
            : await runQueryAll(
                gateway,
                { object: 'APBILL', select: BILL_FIELDS, filter: { op: 'in', field: 'RECORDNO', values: billKeys } },
                'reading the bills the imported payments pay',
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
        after = advance(after, read);
        yield { records, cursor: encodeCursor(after) };
        if (read.length < pageSize) return;
      }
    },
  };
}
