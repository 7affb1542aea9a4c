/**
 * The export of a payment: set Invoice Code 1 = PROCOREPAY and Invoice Code 2 = the check number on the paid
 * AP invoice, so that Sage's "Select invoices to pay" picks it. One invoice per call (`maxBatch` 1).
 */
import {
  type ErrorCode,
  ErrorCodes,
  HttpTransportError,
  LedgerlinkError,
  type LaneSignals,
  type LoadItem,
  type Loader,
  type Outcome,
  Outcomes,
  parseCents,
  type RetryableOutcome,
} from '@ledgerlink/core';
import type { AgentClient } from './agent-client.js';
import { refusalOutcome } from './agent-errors.js';
import { AgentInvoice, SetCodesAnswer, SetCodesPayload, invoicePath, paymentErpId, readJson } from './agent-wire.js';

export class InvoiceCodeExporter implements Loader {
  constructor(
    private readonly agent: AgentClient,
    private readonly lane: LaneSignals,
  ) {}

  async load(batch: LoadItem[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  async find(item: LoadItem): Promise<Outcome | null> {
    const payload = SetCodesPayload.safeParse(item.payload);
    if (!payload.success) return null;
    const { vendor, invoice, invoiceCode1, invoiceCode2 } = payload.data;
    let response;
    try {
      response = await this.agent.call({ method: 'GET', path: invoicePath(vendor, invoice) });
    } catch (error) {
      throw lookupFailed(ErrorCodes.ERP_TRANSPORT, `no answer (${error instanceof Error ? error.message : String(error)})`, error);
    }
    if (response.status === 404) return null;
    if (response.status !== 200) throw lookupFailed(codeForStatus(response.status), `HTTP ${response.status}: ${response.body.slice(0, 300)}`);
    const found = readJson(AgentInvoice, response.body);
    if (!found) throw lookupFailed(ErrorCodes.ERP_PROTOCOL, 'an invoice the connector cannot read');
    if (found.vendor !== vendor || found.invoice !== invoice) {
      throw lookupFailed(ErrorCodes.ERP_PROTOCOL, `the agent answered with invoice ${JSON.stringify(found.invoice)} of vendor ${JSON.stringify(found.vendor)}`);
    }
    return found.invoiceCode1 === invoiceCode1 && found.invoiceCode2 === invoiceCode2 && isThisPayment(found, payload.data)
      ? Outcomes.synced(paymentErpId(vendor, invoice), { replayed: true })
      : null;
  }

  private async loadOne(item: LoadItem): Promise<Outcome> {
    const parsed = SetCodesPayload.safeParse(item.payload);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      return Outcomes.rejected(
        `The mapped payload lacks ${fields}: the mapping must produce vendor, invoice, invoiceCode1, invoiceCode2 and bank (see mapping.yaml).`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    const payload = parsed.data;
    const { vendor, invoice, ...body } = payload;
    let response;
    try {
      response = await this.agent.call({ method: 'PUT', path: `${invoicePath(vendor, invoice)}/codes`, body, idempotencyKey: item.idempotencyKey });
    } catch (error) {
      if (error instanceof HttpTransportError && error.reason === 'cancelled') {
        throw new LedgerlinkError(ErrorCodes.CANCELLED, `The call to the Sage agent was cancelled: ${error.message}`, { disposition: 'retryable', cause: error });
      }
      if (error instanceof HttpTransportError) {
        return Outcomes.transport(`No answer from the Sage agent at ${this.agent.baseUrl}: ${error.message}`, {
          reason: error.reason === 'timeout' ? 'timeout' : 'network',
          committed: error.committed,
        });
      }
      throw error;
    }
    if (response.status < 200 || response.status >= 300) return refusalOutcome(response, payload, this.lane);

    const answer = readJson(SetCodesAnswer, response.body);
    if (!answer) {
      // A 2xx means the agent applied the codes; an unreadable body is settled by looking the invoice up.
      return Outcomes.serverError(`The Sage agent answered HTTP ${response.status} with a body the connector cannot read.`, {
        committed: 'unknown',
        erp: { message: response.body.slice(0, 500), httpStatus: response.status },
      });
    }
    const marked = answer.invoice;
    if (marked.vendor !== vendor || marked.invoice !== invoice || marked.invoiceCode1 !== payload.invoiceCode1 || marked.invoiceCode2 !== payload.invoiceCode2) {
      // A 2xx about another invoice, or other codes, settles nothing: look the invoice up before trying again.
      const outcome: RetryableOutcome = {
        kind: 'retryable',
        code: ErrorCodes.ERP_PROTOCOL,
        reason: 'server',
        committed: 'unknown',
        message:
          `The Sage agent answered HTTP ${response.status} for invoice ${JSON.stringify(marked.invoice)} of vendor ${JSON.stringify(marked.vendor)} ` +
          `with codes ${JSON.stringify(marked.invoiceCode1)}/${JSON.stringify(marked.invoiceCode2)}, not what was sent; ledgerlink looks the invoice up before trying again.`,
        erp: { message: response.body.slice(0, 500), httpStatus: response.status },
      };
      return outcome;
    }
    const replayed = !answer.changed || response.headers['idempotency-replayed'] === 'true';
    return Outcomes.synced(paymentErpId(vendor, invoice), { replayed });
  }
}

/**
 * The codes on the invoice are this payment's, not another one's that reused the check number (issue 11, item 1):
 * the bank and check date the agent recorded with them are the ones sent, and the amount sent is what the agent
 * accepted: the open balance (or, once the check run paid it, the invoice's total).
 */
function isThisPayment(found: AgentInvoice, sent: SetCodesPayload): boolean {
  if ((found.bank ?? undefined) !== sent.bank) return false;
  if (sent.checkDate !== undefined && (found.checkDate ?? undefined) !== sent.checkDate) return false;
  if (sent.amount === undefined) return true;
  const amount = centsOf(sent.amount);
  if (amount === undefined) return false;
  const balance = centsOf(found.balance);
  return balance === amount || (balance === 0 && centsOf(found.amount) === amount);
}

function centsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return ErrorCodes.ERP_AUTH;
  if (status === 429 || status === 503) return ErrorCodes.ERP_THROTTLED;
  return status >= 500 ? ErrorCodes.ERP_SERVER_ERROR : ErrorCodes.ERP_PROTOCOL;
}

/** `find` has no outcome for "could not tell": it throws, and the engine keeps the record to settle later. */
function lookupFailed(code: ErrorCode, what: string, cause?: unknown): LedgerlinkError {
  return new LedgerlinkError(code, `Could not look the invoice up on the Sage agent: ${what}. ledgerlink will try again.`, {
    disposition: 'retryable',
    ...(cause === undefined ? {} : { cause }),
  });
}
