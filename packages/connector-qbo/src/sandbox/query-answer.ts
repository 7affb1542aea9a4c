import { answerTime, fault, json, type Answer } from './answers.js';
import type { QboCompany } from './company.js';
import { MAX_RESULTS, parseQuery, QuerySyntaxError, runQuery, runSortedQuery, type ParsedQuery } from './query.js';

const ENTITIES = ['BillPayment', 'Account', 'Vendor', 'Bill'];

/**
 * `GET /query`: `{"QueryResponse":{"<Entity>":[…],"startPosition":n,"maxResults":k},"time":…}`, an empty
 * `QueryResponse` when nothing matches, `totalCount` for count(*), and a Fault for a statement it cannot read.
 */
export function answerQuery(company: QboCompany, statement: string, now: Date): Answer {
  try {
    const parsed = parseQuery(statement);
    const byTime = readsByTime(parsed) ? company.billPaymentsInTimeOrder() : undefined;
    if (byTime !== undefined) {
      // An import's query: the payments are kept in that order, so the page is read without sorting them all.
      const page = runSortedQuery(byTime, { ...parsed, maxResults: Math.min(parsed.maxResults, MAX_RESULTS) });
      const queryResponse = page.length === 0 ? {} : { BillPayment: page, startPosition: parsed.startPosition, maxResults: page.length };
      return json(200, { QueryResponse: queryResponse, time: answerTime(now) });
    }
    const table = company.table(parsed.entity);
    if (table === undefined) {
      return fault(now, [{ Message: 'Invalid query', Detail: `QueryValidationError: Entity ${parsed.entity} is not supported`, code: '4001' }]);
    }
    // Name-list entities (Vendor) read active records only unless the query filters on Active itself.
    const rows =
      parsed.entity.toLowerCase() === 'vendor' && !parsed.where.some((condition) => condition.field.toLowerCase() === 'active')
        ? table.filter((row) => row['Active'] !== false)
        : table;
    const { page, total } = runQuery(rows, { ...parsed, maxResults: Math.min(parsed.maxResults, MAX_RESULTS) });
    if (parsed.count) return json(200, { QueryResponse: { totalCount: total }, time: answerTime(now) });
    const entity = ENTITIES.find((name) => name.toLowerCase() === parsed.entity.toLowerCase()) ?? parsed.entity;
    const queryResponse = page.length === 0 ? {} : { [entity]: page, startPosition: parsed.startPosition, maxResults: page.length };
    return json(200, { QueryResponse: queryResponse, time: answerTime(now) });
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error;
    return fault(now, [{ Message: error.code === '4000' ? 'Error parsing query' : 'Invalid query', Detail: error.message, code: error.code }]);
  }
}

/** A page of bill payments ordered by MetaData.LastUpdatedTime alone, ascending: how an import reads. */
function readsByTime(parsed: ParsedQuery): boolean {
  const [order] = parsed.orderBy;
  return (
    !parsed.count &&
    parsed.entity.toLowerCase() === 'billpayment' &&
    parsed.orderBy.length === 1 &&
    order !== undefined &&
    !order.descending &&
    order.field.toLowerCase() === 'metadata.lastupdatedtime'
  );
}
