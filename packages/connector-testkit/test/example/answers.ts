import { ErrorCodes, Outcomes, parseRetryAfter, type ErpAnswer, type HttpResponse, type Outcome } from '@ledgerlink/core';

/**
 * How the Example ERP's answers to its writes (POST /v1/payments, /v1/bills, /v1/vendors) become outcomes: which refusals a user can fix by an
 * edit (check number, bank ID), which are final, which are worth a retry. The ERP's own code and message are
 * kept verbatim in `erp`.
 */
export function outcomeOf(response: HttpResponse, what = 'payment'): Outcome {
  if (response.status === 201 || response.status === 200) {
    const id = readJson<{ id?: unknown }>(response.body)?.id;
    if (typeof id === 'string' && id !== '') return Outcomes.synced(id, { replayed: response.headers['idempotent-replay'] === 'true' });
    return Outcomes.serverError(`Example ERP accepted the ${what} but its answer names no ${what} id; it may have been posted`, {
      erp: { message: response.body.slice(0, 500), httpStatus: response.status },
    });
  }
  const erp = erpAnswerOf(response);
  switch (response.status) {
    case 409:
      if (erp.code === 'DUPLICATE_CHECK_NUMBER') {
        return Outcomes.needsEdit(['checkNumber'], `Example ERP: ${erp.message} Edit the check number and export again.`, erp);
      }
      break;
    case 404:
      if (erp.code === 'BANK_ACCOUNT_NOT_FOUND') {
        return Outcomes.needsEdit(['bankId'], `Example ERP: ${erp.message} Edit the Bank ID and export again.`, erp);
      }
      break;
    case 401:
      return Outcomes.rejected(`Example ERP refused the API key: ${erp.message} Fix the connection's apiKey.`, erp, ErrorCodes.ERP_AUTH);
    case 429: {
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      return Outcomes.throttled(`Example ERP throttled the call: ${erp.message}`, { erp, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
  }
  if (response.status >= 500) return Outcomes.serverError(`Example ERP failed: ${erp.message}`, { erp });
  return Outcomes.rejected(`Example ERP refused the ${what}: ${erp.message}`, erp);
}

/** The ERP's error body, `{ "error": { "code", "message", "field" } }`, kept as it said it. */
export function erpAnswerOf(response: HttpResponse): ErpAnswer {
  const error = readJson<{ error?: { code?: unknown; message?: unknown; field?: unknown } }>(response.body)?.error;
  return {
    ...(typeof error?.code === 'string' ? { code: error.code } : {}),
    message: typeof error?.message === 'string' ? error.message : `HTTP ${response.status}: ${response.body.slice(0, 200)}`,
    httpStatus: response.status,
    ...(typeof error?.field === 'string' ? { detail: `field ${error.field}` } : {}),
  };
}

export function readJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
