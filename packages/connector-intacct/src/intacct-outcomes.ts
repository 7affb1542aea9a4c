import { ErrorCodes, LedgerlinkError, Outcomes, type Outcome, type RetryableOutcome } from '@ledgerlink/core';
import { erpAnswerOf } from './intacct-errors.js';
import { type GatewayReply, SENDER_NOT_AUTHORISED } from './intacct-gateway.js';

/**
 * Gateway replies that are not a function's own answer (throttle, 5xx, lost connection, sign-in refused...)
 * as a payment's outcome, or as the error a lookup or an import throws. Each message says what to do next.
 */

type Failure = Exclude<GatewayReply, { kind: 'results' }>;

function authMessage(reply: Extract<Failure, { kind: 'control-failure' | 'authentication-failure' }>): string {
  if (reply.kind === 'control-failure') {
    return (
      'Intacct refused the Web Services sender: check senderId and senderPassword, and that the sender is authorised ' +
      "in the company's Web Services settings"
    );
  }
  const said = reply.errors[0]?.errorno === undefined ? `HTTP ${reply.httpStatus}` : reply.errors[0].errorno;
  return (
    `Intacct refused the sign-in (${said}): check companyId, userId and userPassword (and entity/locationId, and the ` +
    'senderId/senderPassword authorised for the company) in the connection settings'
  );
}

function isSenderRefusal(reply: Failure): boolean {
  return reply.kind === 'control-failure' && reply.errors.some((error) => error.errorno === SENDER_NOT_AUTHORISED);
}

/** The outcome of a write whose request did not reach a function result. */
export function failureOutcome(reply: Failure, doing: string): Outcome {
  switch (reply.kind) {
    case 'throttled':
      return Outcomes.throttled(`Intacct throttled the request while ${doing} (${reply.erp.code ?? 'HTTP 429'}); it will be retried`, {
        erp: reply.erp,
        ...(reply.retryAfterMs === undefined ? {} : { retryAfterMs: reply.retryAfterMs }),
      });
    case 'server-error':
      return Outcomes.serverError(`Intacct failed on its side while ${doing}; it will be retried`, { committed: 'unknown', erp: reply.erp });
    case 'transport':
      return Outcomes.transport(`no answer from Intacct while ${doing}: ${reply.error.message}`, {
        reason: reply.error.reason === 'timeout' ? 'timeout' : 'network',
        committed: reply.error.committed,
      });
    case 'unreadable':
      return protocolOutcome(`Intacct's answer while ${doing} could not be read: ${reply.message}`);
    case 'authentication-failure':
      return Outcomes.rejected(`${authMessage(reply)}; then export again`, erpAnswerOf(reply.errors, undefined, reply.httpStatus), ErrorCodes.ERP_AUTH);
    case 'control-failure':
      if (isSenderRefusal(reply)) {
        return Outcomes.rejected(`${authMessage(reply)}; then export again`, erpAnswerOf(reply.errors, undefined, reply.httpStatus), ErrorCodes.ERP_AUTH);
      }
      return Outcomes.rejected(
        `Intacct refused the request while ${doing} before running it; report this to ledgerlink support with the Intacct error shown`,
        erpAnswerOf(reply.errors, undefined, reply.httpStatus),
      );
  }
}

/** An answer that cannot be read: the write may have happened. */
export function protocolOutcome(message: string): RetryableOutcome {
  return { ...Outcomes.serverError(message, { committed: 'unknown' }), code: ErrorCodes.ERP_PROTOCOL };
}

/** The error a read (lookup, import, connection check) throws for a failed request. */
export function failureError(reply: Failure, doing: string): LedgerlinkError {
  const outcome = failureOutcome(reply, doing);
  if (reply.kind === 'authentication-failure' || isSenderRefusal(reply)) {
    return new LedgerlinkError(ErrorCodes.ERP_AUTH, authMessage(reply as Extract<Failure, { kind: 'control-failure' | 'authentication-failure' }>), {
      details: outcome.kind === 'rejected' && outcome.erp !== undefined ? { erp: outcome.erp } : {},
    });
  }
  if (outcome.kind === 'retryable') {
    return new LedgerlinkError(outcome.code, outcome.message, {
      disposition: 'retryable',
      details: {
        ...(outcome.erp === undefined ? {} : { erp: outcome.erp }),
        ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
      },
      ...(reply.kind === 'transport' ? { cause: reply.error } : {}),
    });
  }
  const erp = outcome.kind === 'rejected' ? outcome.erp : undefined;
  return new LedgerlinkError(ErrorCodes.ERP_REJECTED, `Intacct refused the request while ${doing}${erp === undefined ? '' : `: ${erp.message}`}`, {
    details: erp === undefined ? {} : { erp },
  });
}
