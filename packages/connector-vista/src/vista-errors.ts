import {
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  Outcomes,
  parseRetryAfter,
  type ErpAnswer,
  type HttpResponse,
  type Outcome,
} from '@ledgerlink/core';
import { problemsOf, readJson, type VistaProblem } from './vista-wire.js';

/** The wire field that a user fixes by editing the check number or the Bank ID (see mapping.yaml). */
const CHECK_NUMBER_FIELD = 'DocumentOrCheckNo';
const BANK_FIELD = 'Account';

/** What Vista (or the API in front of it) said, verbatim: its `statusCode`, `message`, and each problem. */
export function erpAnswerOf(response: HttpResponse): ErpAnswer {
  // The lane always hands over text; an HttpClient that does not (a test double, a plugin's) must not turn a
  // refusal into a TypeError (issue 10 found 112 of them here).
  const text = typeof response.body === 'string' ? response.body : '';
  const body = readJson(text) as { statusCode?: unknown; message?: unknown } | null | undefined;
  const message = typeof body?.message === 'string' && body.message.trim() !== '' ? body.message : text.slice(0, 500) || `HTTP ${response.status}`;
  const problems = problemsOf(body);
  return {
    ...(typeof body?.statusCode === 'number' ? { code: String(body.statusCode) } : {}),
    message,
    httpStatus: response.status,
    ...(problems.length > 0 ? { detail: describeProblems(problems) } : {}),
  };
}

/** Vista's message as the end of one of our sentences: its own closing full stop dropped, so ours is not a second. */
export function clause(message: string): string {
  return message.trimEnd().replace(/\.+$/, '');
}

export function describeProblems(problems: VistaProblem[]): string {
  return problems.map((problem) => (problem.field === undefined ? problem.message : `${problem.field}: ${problem.message}`)).join('; ');
}

/**
 * A refusal by Vista, synchronous (HTTP 400 at POST time) or from a failed queued action: the check number and
 * the CM account are the fields a user may edit; anything else (vendor, invoice, amounts) is rejected.
 */
export function refusalOf(problems: VistaProblem[], erp: ErpAnswer): Outcome {
  const fields = new Set(problems.map((problem) => problem.field));
  if (fields.has(CHECK_NUMBER_FIELD) && fields.size === 1) {
    return Outcomes.needsEdit(['checkNumber'], `Vista refused the check number: ${clause(erp.message)}. Edit the check number and export again.`, erp);
  }
  if (fields.has(BANK_FIELD) && fields.size === 1) {
    return Outcomes.needsEdit(['bankId'], `Vista does not know the CM account: ${clause(erp.message)}. Edit the Bank ID (or the bankAccounts lookup) and export again.`, erp);
  }
  return Outcomes.rejected(
    `Vista refused the payment: ${clause(erp.message)}. Fix it in Vista or in Procore (vendor, invoice, amount), then export again.`,
    erp,
  );
}

/** The outcome of a POST that Vista answered without queueing the action. */
export function outcomeOfRefusedPost(response: HttpResponse, retryAt: number): Outcome {
  const erp = erpAnswerOf(response);
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], retryAt);
    return Outcomes.throttled(`Vista Direct API throttled the call: ${erp.message}`, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      erp,
    });
  }
  if (response.status >= 500) {
    // The Action Queue may have taken the action before the gateway failed: look before posting again.
    return Outcomes.serverError(`Vista Direct API failed (HTTP ${response.status}): ${erp.message}`, { committed: 'unknown', erp });
  }
  if (response.status === 401 || response.status === 403) {
    return Outcomes.rejected(
      `Vista Direct API refused the application key (HTTP ${response.status}): ${clause(erp.message)}. Check the connection's applicationKey and subscriberUid.`,
      erp,
      ErrorCodes.ERP_AUTH,
    );
  }
  return refusalOf(problemsOf(readJson(response.body)), erp);
}

/** A failed read, as a coded error that keeps Vista's answer and says what to do. */
export function readFailure(response: HttpResponse, doing: string): LedgerlinkError {
  const erp = erpAnswerOf(response);
  const [code, disposition, next] =
    response.status === 401 || response.status === 403
      ? ([ErrorCodes.ERP_AUTH, 'fatal', ' Check the connection applicationKey (and that it is the key of this environment) and subscriberUid.'] as const)
      : response.status === 429
        ? ([ErrorCodes.ERP_THROTTLED, 'retryable', ' Try again after the time Vista asked for.'] as const)
        : response.status >= 500
          ? ([ErrorCodes.ERP_SERVER_ERROR, 'retryable', ' Try again later.'] as const)
          : response.status === 404
            ? ([ErrorCodes.ERP_PROTOCOL, 'fatal', ' Check the connection module, apiVersion and paymentObject.'] as const)
            : ([ErrorCodes.ERP_PROTOCOL, 'fatal', ''] as const);
  return new LedgerlinkError(code, `Vista Direct API answered HTTP ${response.status} while ${doing}: ${clause(erp.message)}.${next}`, {
    disposition,
    details: { erp },
  });
}

/** A body that is not what the Direct API sends. */
export function protocolError(response: HttpResponse, doing: string): LedgerlinkError {
  return new LedgerlinkError(
    ErrorCodes.ERP_PROTOCOL,
    `Vista Direct API answered HTTP ${response.status} with a body this client cannot read while ${doing}; check baseUrl points at the Direct API.`,
    { details: { erp: erpAnswerOf(response) } },
  );
}

/** A transport failure as an outcome; cancellation (shutdown) is thrown as a coded error for the engine. */
export function transportOutcome(error: unknown): Outcome {
  if (error instanceof HttpTransportError && error.reason !== 'cancelled') {
    return Outcomes.transport(`Vista Direct API: ${error.message}`, { reason: error.reason, committed: error.committed });
  }
  throw typedError(error, 'calling the Direct API');
}

/**
 * A lost answer as a LedgerlinkError: retryable `LL_ERP_TRANSPORT`, or `LL_CANCELLED` on shutdown, so no raw
 * transport error reaches the engine or the import flow. Any other error is returned unchanged.
 */
export function typedError(error: unknown, doing: string): unknown {
  if (error instanceof HttpTransportError) {
    return error.reason === 'cancelled'
      ? new LedgerlinkError(ErrorCodes.CANCELLED, `Vista Direct API call cancelled while ${doing}: ${error.message}`, { disposition: 'retryable', cause: error })
      : new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `Vista Direct API did not answer while ${doing}: ${error.message}`, {
          disposition: 'retryable',
          cause: error,
        });
  }
  return error;
}
