import { answerTime, fault, json, type Answer } from './answers.js';
import type { QboCompany } from './company.js';
import { MAX_RESULTS, parseQuery, QuerySyntaxError, runQuery } from './query.js';

const ENTITIES = ['BillPayment', 'Account', 'Vendor', 'Bill'];

/**
 * `GET /query`: `{"QueryResponse":{"<Entity>":[…],"startPosition":n,"maxResults":k},"time":…}`, an empty
 * `QueryResponse` when nothing matches, `totalCount` for count(*), and a Fault for a statement it cannot read.
 */
export function answerQuery(company: QboCompany, statement: string, now: Date): Answer {
  try {
    const parsed = parseQuery(statement);
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
