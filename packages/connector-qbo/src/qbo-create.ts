import { ErrorCodes, Outcomes, type HttpResponse, type Outcome } from '@ledgerlink/core';
import { forbidden, type QboApi, type QboFailure } from './qbo-api.js';
import { faultIn } from './qbo-fault.js';
import { retryableOutcome, thrownOutcome } from './qbo-outcomes.js';
import { isQboId, parseJson, property, requestIdFor } from './qbo-wire.js';

/** What one create call came to: the new entity's Id, a refusal with its Fault, or an outcome already decided. */
export type CreateAnswer = { kind: 'created'; id: string } | { kind: 'refused'; failure: QboFailure } | { kind: 'outcome'; outcome: Outcome };

/**
 * `POST /{resource}?requestid=…` with the item's idempotency key as `requestid`: a retry of the same attempt gets
 * QuickBooks' stored answer instead of a second entity. Only an answer holding `{entity}.Id` well-formed is a
 * success; throttling, 5xx, lost connections and a 403 are decided here; any other Fault is the caller's to read.
 */
export async function createEntity(api: QboApi, realmId: string, resource: 'bill' | 'vendor', entity: 'Bill' | 'Vendor', body: unknown, idempotencyKey: string): Promise<CreateAnswer> {
  let response: HttpResponse;
  try {
    response = await api.call({ method: 'POST', path: resource, params: { requestid: requestIdFor(idempotencyKey) }, body });
  } catch (error) {
    return { kind: 'outcome', outcome: thrownOutcome(error) };
  }
  // QuickBooks can put a Fault in a 200: only an entity with an Id is a success. The answer is parsed once.
  const parsed = response.status === 200 ? parseJson(response.body) : undefined;
  if (response.status === 200 && faultIn(parsed) === undefined) {
    const id = property(property(parsed, entity), 'Id');
    if (isQboId(id)) return { kind: 'created', id };
    return {
      kind: 'outcome',
      outcome: Outcomes.serverError(`QuickBooks answered 200 without a well-formed ${entity} Id; the ${entity.toLowerCase()} may exist, it is looked up before any retry`, {
        committed: 'unknown',
        erp: { httpStatus: 200, message: `${entity}.Id in the answer: ${typeof id === 'string' ? JSON.stringify(id.slice(0, 40)) : typeof id}` },
      }),
    };
  }
  const failure = api.failure(response);
  const retryable = retryableOutcome(failure, 'unknown');
  if (retryable !== undefined) return { kind: 'outcome', outcome: retryable };
  if (failure.status === 403) return { kind: 'outcome', outcome: Outcomes.rejected(forbidden(failure, realmId).message, failure.erp, ErrorCodes.ERP_AUTH) };
  if (failure.fault === undefined || failure.fault.errors.length === 0) {
    return { kind: 'outcome', outcome: Outcomes.rejected(`QuickBooks answered HTTP ${failure.status} without a Fault`, failure.erp, ErrorCodes.ERP_PROTOCOL) };
  }
  return { kind: 'refused', failure };
}

/** QuickBooks' words for a refusal: code, message and detail. */
export function saidBy(failure: QboFailure): string {
  const { erp } = failure;
  return `${erp.code ?? `HTTP ${failure.status}`} ${erp.message}${erp.detail === undefined ? '' : ` (${erp.detail})`}`;
}

/** A string field of a mapped payload, or undefined. */
export function textAt(record: unknown, ...path: string[]): string | undefined {
  let value: unknown = record;
  for (const name of path) value = property(value, name);
  return typeof value === 'string' ? value : undefined;
}
