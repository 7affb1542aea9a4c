import { randomUUID } from 'node:crypto';
import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import { erpAnswerOf } from './intacct-errors.js';
import type { IntacctGateway } from './intacct-gateway.js';
import { failureError } from './intacct-outcomes.js';
import { queryFunction, type QueryOptions } from './intacct-request.js';
import { recordFields } from './intacct-xml.js';

/** One page of a `query`: the records as flat field maps, and how many rows remain after it. */
export interface QueryPage {
  records: Record<string, string>[];
  numRemaining: number;
}

/** Runs one `query` function. Throws a LedgerlinkError (retryable where a retry can help) when it fails. */
export async function runQuery(gateway: IntacctGateway, options: QueryOptions, doing: string): Promise<QueryPage> {
  const controlId = `ledgerlink-query-${randomUUID()}`;
  const reply = await gateway.call([queryFunction(controlId, options)], { controlId, uniqueId: false });
  if (reply.kind !== 'results') throw failureError(reply, doing);
  const result = reply.results[0];
  if (result === undefined) {
    throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `Intacct answered the query while ${doing} without a result`, { disposition: 'retryable' });
  }
  if (result.status !== 'success') {
    const erp = erpAnswerOf(result.errors, undefined);
    throw new LedgerlinkError(ErrorCodes.ERP_REJECTED, `Intacct refused the query on ${options.object} while ${doing}: ${erp.message}`, {
      details: { erp },
    });
  }
  const records = (result.data?.records ?? []).map(recordFields);
  return { records, numRemaining: result.data?.numRemaining ?? 0 };
}

/** Every row of a query, page after page by offset (Intacct returns at most 2,000 rows per call). */
export async function runQueryAll(
  gateway: IntacctGateway,
  options: Omit<QueryOptions, 'offset'>,
  doing: string,
  signal: AbortSignal,
): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  const pageSize = options.pageSize ?? 1000;
  for (;;) {
    if (signal.aborted) throw new LedgerlinkError(ErrorCodes.CANCELLED, `cancelled while ${doing}`, { disposition: 'retryable' });
    const page = await runQuery(gateway, { ...options, pageSize, offset: rows.length }, doing);
    rows.push(...page.records);
    // A short page is the last one whatever numremaining claims, so a confused answer cannot page forever.
    if (page.numRemaining <= 0 || page.records.length < pageSize) return rows;
  }
}
