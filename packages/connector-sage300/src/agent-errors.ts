/**
 * What each refusal of the agent means for a payment record (README.md, "Error mapping"). The agent's own
 * code, message and `found` values are kept verbatim in `erp`, so the accountant sees what Sage holds.
 */
import { type ErpAnswer, ErrorCodes, type HttpResponse, type LaneSignals, type Outcome, Outcomes, parseRetryAfter } from '@ledgerlink/core';
import { AgentErrorBody, type SetCodesPayload, readJson } from './agent-wire.js';

/** The agent's answer as ledgerlink keeps it: code, message, HTTP status and the `found` values as JSON. */
export function erpAnswerOf(response: HttpResponse): ErpAnswer {
  const parsed = readJson(AgentErrorBody, response.body);
  if (!parsed) {
    return { message: response.body.slice(0, 500) || `HTTP ${response.status} without a body`, httpStatus: response.status };
  }
  const { code, message, found } = parsed.error;
  return found === undefined
    ? { code, message, httpStatus: response.status }
    : { code, message, httpStatus: response.status, detail: JSON.stringify(found) };
}

/**
 * The outcome of an answer every write shares: busy (429/503), failed (5xx), or the token refused (401);
 * undefined for a refusal of the record itself, which each writer reads in its own terms.
 */
export function transientOutcome(response: HttpResponse, lane: LaneSignals, what: string): Outcome | undefined {
  const erp = erpAnswerOf(response);
  const said = `The Sage agent said: ${erp.message}`;
  if (response.status === 429 || response.status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    // The lane pauses by itself on a 429 and on a 503 with Retry-After; a bare 503 (Sage unreachable behind a
    // live agent) is told to it here, so no other call goes out meanwhile.
    if (response.status === 503 && retryAfterMs === undefined) lane.throttled();
    return Outcomes.throttled(`Sage is busy (${erp.code ?? `HTTP ${response.status}`}); ledgerlink will try again. ${said}`, {
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      erp,
    });
  }
  if (response.status >= 500) {
    return Outcomes.serverError(`The Sage agent failed (HTTP ${response.status}); ledgerlink will check the ${what} and try again. ${said}`, {
      committed: 'unknown',
      erp,
    });
  }
  if (erp.code === 'UNAUTHORIZED' || response.status === 401) {
    return Outcomes.rejected(
      `The Sage agent refused ledgerlink's token: set the tenant's agentToken to the token configured on the agent, then export again.`,
      erp,
      ErrorCodes.ERP_AUTH,
    );
  }
  return undefined;
}

/** The agent's `found` values of a refusal (empty when it gave none). */
export function foundOf(response: HttpResponse): Record<string, unknown> {
  return readJson(AgentErrorBody, response.body)?.error.found ?? {};
}

/** The outcome of a refused `PUT .../codes` (any status outside 2xx). */
export function refusalOutcome(response: HttpResponse, payload: SetCodesPayload, lane: LaneSignals): Outcome {
  const transient = transientOutcome(response, lane, 'invoice');
  if (transient) return transient;
  const erp = erpAnswerOf(response);
  const where = `invoice ${payload.invoice} of Sage vendor ${payload.vendor}`;
  const said = `The Sage agent said: ${erp.message}`;

  switch (erp.code) {
    case 'VENDOR_NOT_FOUND':
      return Outcomes.rejected(
        `${said} Check the vendor's Sage vendor id (${payload.vendor}) in the hub's vendor link, then export again.`,
        erp,
      );
    case 'INVOICE_NOT_FOUND':
      return Outcomes.rejected(
        `${said} Sync the invoice to Sage AP first (as invoice ${payload.invoice} of vendor ${payload.vendor}), then export again.`,
        erp,
      );
    case 'CODE_CONFLICT': {
      const found = foundOf(response);
      const code1 = typeof found.invoiceCode1 === 'string' ? found.invoiceCode1 : '';
      // Invoice Code 1 in other use is Sage's business to sort out; a different check number in Code 2 may
      // be ours to correct, so the check number becomes editable.
      if (code1 !== '' && code1 !== payload.invoiceCode1) {
        return Outcomes.rejected(`${said} ${where} is marked for something else in Sage: clear its Invoice Code 1 there, then export again.`, erp);
      }
      return Outcomes.needsEdit(['checkNumber'], `${said} Then export again.`, erp);
    }
    case 'DUPLICATE_CHECK':
      return Outcomes.needsEdit(['checkNumber'], `${said} Edit the check number, then export again.`, erp);
    case 'BANK_NOT_FOUND':
      return Outcomes.needsEdit(['bankId'], `${said} Edit the Bank ID (or the tenant's bank lookup), then export again.`, erp);
    case 'CODE_TOO_LONG':
      return foundOf(response).field === 'invoiceCode2'
        ? Outcomes.needsEdit(['checkNumber'], `${said} Use a check number that fits, then export again.`, erp)
        : Outcomes.rejected(`${said} Widen Invoice Code 1 in Sage's AP settings or change the mapping's code.`, erp);
    case 'INVOICE_PAID':
      return Outcomes.rejected(`${said} The invoice was paid in Sage already: check for a double payment before doing anything else.`, erp);
    case 'AMOUNT_MISMATCH':
      return Outcomes.rejected(`${said} Correct the invoice in Sage AP (or the payment in the hub) so they agree, then export again.`, erp);
    case 'IDEMPOTENCY_KEY_REUSED':
      return Outcomes.rejected(`${said} The mapped request changed between attempts of one revision; edit the record to export it afresh.`, erp, ErrorCodes.ERP_PROTOCOL);
    default:
      return Outcomes.rejected(`The Sage agent refused the request (HTTP ${response.status}). ${said}`, erp, ErrorCodes.ERP_PROTOCOL);
  }
}
