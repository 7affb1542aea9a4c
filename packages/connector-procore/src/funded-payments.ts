import { ErrorCodes, LedgerlinkError, type ExtractPage, type Logger, type Payment } from '@ledgerlink/core';
import type { HubIndex } from './hub-index.js';
import type { ProcoreApi } from './procore-api.js';
import { idText, nextLink, property, text } from './procore-wire.js';
import { readPayment } from './read-payment.js';

/** Where polling resumes: the newest `updated_at` seen, and the ids already read at exactly that time. */
export interface FundedCursor {
  since?: string;
  ids: string[];
}

/** The end of Procore's range filter `from...to` when only a start is wanted. */
const OPEN_END = '9999-12-31T23:59:59Z';

export function encodeFundedCursor(cursor: FundedCursor): string {
  return JSON.stringify(cursor);
}

/** Reads a cursor; a bare ISO time is accepted too, to start polling from a time. */
export function decodeFundedCursor(cursor: string | undefined): FundedCursor {
  if (cursor === undefined || cursor.trim() === '') return { ids: [] };
  if (!cursor.trim().startsWith('{') && !Number.isNaN(Date.parse(cursor))) return { since: cursor.trim(), ids: [] };
  try {
    const parsed = JSON.parse(cursor) as unknown;
    const since = property(parsed, 'since');
    const ids = property(parsed, 'ids');
    if ((since === undefined || typeof since === 'string') && Array.isArray(ids) && ids.every((id) => typeof id === 'string')) {
      return { ...(since === undefined ? {} : { since }), ids: ids as string[] };
    }
  } catch {
    // fall through to the error below
  }
  throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `the Procore polling cursor "${cursor.slice(0, 80)}" is not one this connector wrote; clear it to poll from the start`);
}

/**
 * Payments at 'Funding Complete', oldest `updated_at` first, as pages with a resumable cursor: the polling fallback
 * for missed webhooks. Keyset paging: each request asks for `updated_at >= since` and skips the ids already read at
 * that time, so a tie split across pages or runs is neither lost nor read twice, and a payment that changes during
 * the read (it moves to the end) cannot shift an unread one out of view. Only when a whole page shares one time does
 * `page` move on within it.
 */
export async function* fundedPayments(
  api: ProcoreApi,
  index: HubIndex,
  logger: Logger,
  options: { companyId: string; perPage: number; cursor?: string; signal: AbortSignal },
): AsyncGenerator<ExtractPage<Payment>> {
  const { companyId, perPage, signal } = options;
  let state = decodeFundedCursor(options.cursor);
  let page = 1;
  while (!signal.aborted) {
    const params: Record<string, string> = {
      'filters[status]': 'funding_complete',
      sort: 'updated_at',
      page: String(page),
      per_page: String(perPage),
    };
    if (state.since !== undefined) params['filters[updated_at]'] = `${state.since}...${OPEN_END}`;
    const { body, response } = await api.json({
      method: 'GET',
      path: `/rest/v1.0/companies/${encodeURIComponent(companyId)}/payments/disbursements`,
      companyId,
      params,
      doing: `listing funded payments of company ${companyId} (page ${page})`,
    });
    const rows = Array.isArray(body) ? body : [];
    const previous = state;
    const records: Payment[] = [];
    for (const row of rows) {
      const id = idText(property(row, 'id'));
      const updatedAt = text(property(row, 'updated_at'));
      if (id === undefined || updatedAt === undefined) {
        logger.error({ companyId, id }, 'Procore listed a payment without id or updated_at; it is skipped');
        continue;
      }
      if (state.since !== undefined && before(updatedAt, state.since)) continue;
      if (state.since !== undefined && same(updatedAt, state.since) && state.ids.includes(id)) continue;
      state = state.since !== undefined && same(updatedAt, state.since) ? { since: state.since, ids: [...state.ids, id] } : { since: updatedAt, ids: [id] };
      try {
        const payment = readPayment(row);
        index.learn(companyId, payment);
        records.push(payment);
      } catch (error) {
        // One unreadable payment must not stop the others; the webhook path reports it on the record itself.
        logger.error({ companyId, paymentId: id, reason: (error as Error).message }, 'a funded Procore payment cannot be read; it is skipped');
      }
    }
    if (records.length > 0 || state !== previous) yield { records, cursor: encodeFundedCursor(state) };
    if (nextLink(response.headers.link) === undefined || rows.length === 0) return;
    page = state.since === previous.since ? page + 1 : 1;
  }
}

function before(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}

function same(a: string, b: string): boolean {
  return a === b || Date.parse(a) === Date.parse(b);
}
