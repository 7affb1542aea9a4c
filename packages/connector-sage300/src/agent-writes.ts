/**
 * What the agent's create calls (invoices, vendors) share: the POST with its Idempotency-Key and what no answer
 * means, the retryable outcome of a 2xx that settles nothing, and the error a lookup throws when it cannot tell.
 */
import { type ErrorCode, ErrorCodes, HttpTransportError, type HttpResponse, LedgerlinkError, type Outcome, Outcomes, type RetryableOutcome } from '@ledgerlink/core';
import type { AgentClient } from './agent-client.js';

/** POSTs a body; an outcome when no answer came (cancelled throws), else the answer. */
export async function post(agent: AgentClient, path: string, body: unknown, idempotencyKey: string): Promise<HttpResponse | Outcome> {
  try {
    return await agent.call({ method: 'POST', path, body, idempotencyKey });
  } catch (error) {
    if (error instanceof HttpTransportError && error.reason === 'cancelled') {
      throw new LedgerlinkError(ErrorCodes.CANCELLED, `The call to the Sage agent was cancelled: ${error.message}`, { disposition: 'retryable', cause: error });
    }
    if (error instanceof HttpTransportError) {
      return Outcomes.transport(`No answer from the Sage agent at ${agent.baseUrl}: ${error.message}`, {
        reason: error.reason === 'timeout' ? 'timeout' : 'network',
        committed: error.committed,
      });
    }
    throw error;
  }
}

/** A 2xx whose body does not show the record sent settles nothing: the engine looks it up before any retry. */
export function settleUnknown(what: string, response: HttpResponse): RetryableOutcome {
  return {
    kind: 'retryable',
    code: ErrorCodes.ERP_PROTOCOL,
    reason: 'server',
    committed: 'unknown',
    message: `${what}; ledgerlink looks it up before trying again.`,
    erp: { message: response.body.slice(0, 500), httpStatus: response.status },
  };
}

export function statusCode(status: number): ErrorCode {
  if (status === 401) return ErrorCodes.ERP_AUTH;
  if (status === 429 || status === 503) return ErrorCodes.ERP_THROTTLED;
  return status >= 500 ? ErrorCodes.ERP_SERVER_ERROR : ErrorCodes.ERP_PROTOCOL;
}

/** `find` has no outcome for "could not tell": it throws, and the engine keeps the record to settle later. */
export function lookupFailed(what: string, code: ErrorCode, detail: string, cause?: unknown): LedgerlinkError {
  return new LedgerlinkError(code, `Could not look the ${what} up on the Sage agent: ${detail}. ledgerlink will try again.`, {
    disposition: 'retryable',
    ...(cause === undefined ? {} : { cause }),
  });
}
