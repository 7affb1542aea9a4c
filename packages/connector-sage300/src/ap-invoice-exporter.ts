/**
 * The export of a requisition (subcontractor invoice) as a Sage 300 CRE AP invoice with its distributions, through
 * `POST /v1/ap/invoices`. The bill's ERP id is its Sage invoice number: with the vendor it is Sage's key of an AP
 * invoice, and what the requisition's payments carry as `invoice.erpId`.
 */
import { ErrorCodes, type LaneSignals, type LoadItem, type Loader, type Outcome, Outcomes, type Requisition } from '@ledgerlink/core';
import type { AgentClient } from './agent-client.js';
import { erpAnswerOf, foundOf, transientOutcome } from './agent-errors.js';
import { invoicePath, readJson } from './agent-wire.js';
import { AgentBill, CreateInvoiceAnswer, CreateInvoicePayload, DESCRIPTION_WIDTH, centsOfAmount } from './bill-wire.js';
import { lookupFailed, post, settleUnknown, statusCode } from './agent-writes.js';

type BillItem = LoadItem<Record<string, unknown>, Requisition>;

export class ApInvoiceExporter implements Loader<Record<string, unknown>, Requisition> {
  constructor(
    private readonly agent: AgentClient,
    private readonly lane: LaneSignals,
  ) {}

  async load(batch: BillItem[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  /** This requisition's invoice: same vendor and number, and the same total and date (never another bill). */
  async find(item: BillItem): Promise<Outcome | null> {
    const parsed = CreateInvoicePayload.safeParse(item.payload);
    if (!parsed.success) return null;
    const payload = parsed.data;
    let response;
    try {
      response = await this.agent.call({ method: 'GET', path: invoicePath(payload.vendor, payload.invoice) });
    } catch (error) {
      throw lookupFailed('invoice', ErrorCodes.ERP_TRANSPORT, `no answer (${error instanceof Error ? error.message : String(error)})`, error);
    }
    if (response.status === 404) return null;
    if (response.status !== 200) throw lookupFailed('invoice', statusCode(response.status), `HTTP ${response.status}: ${response.body.slice(0, 300)}`);
    const found = readJson(AgentBill, response.body);
    if (!found) throw lookupFailed('invoice', ErrorCodes.ERP_PROTOCOL, 'an invoice the connector cannot read');
    return isThisBill(found, payload) ? Outcomes.synced(payload.invoice, { replayed: true }) : null;
  }

  private async loadOne(item: BillItem): Promise<Outcome> {
    const parsed = CreateInvoicePayload.safeParse(item.payload);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
      return Outcomes.rejected(
        `Requisition ${item.record.number}: the mapped payload is not a Sage AP invoice (${fields}); see the requisition export of mapping.yaml.`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    const payload = fitDescriptions(parsed.data);
    const sent = await post(this.agent, '/v1/ap/invoices', payload, item.idempotencyKey);
    if ('kind' in sent) return sent;
    const response = sent;
    if (response.status >= 200 && response.status < 300) {
      const answer = readJson(CreateInvoiceAnswer, response.body);
      if (!answer || !isThisBill(answer.invoice, payload)) {
        return settleUnknown(`The Sage agent answered HTTP ${response.status} with a body that is not this invoice`, response);
      }
      const replayed = !answer.created || response.headers['idempotency-replayed'] === 'true';
      return Outcomes.synced(payload.invoice, { replayed });
    }
    const transient = transientOutcome(response, this.lane, 'invoice');
    if (transient) return transient;
    const erp = erpAnswerOf(response);
    const said = `The Sage agent said: ${erp.message}`;
    switch (erp.code) {
      case 'VENDOR_NOT_FOUND':
        return Outcomes.rejected(`${said} Export or link the vendor (Sage vendor id ${payload.vendor}) first, then export the requisition again.`, erp);
      case 'DUPLICATE_INVOICE': {
        const found = foundOf(response);
        // The same vendor, number, total and date is this requisition, committed earlier (an answer lost before
        // the key was kept, or an earlier revision): settled. Anything else is another bill with that number.
        if (found.amount === payload.amount && found.invoiceDate === payload.invoiceDate) return Outcomes.synced(payload.invoice, { replayed: true });
        return Outcomes.rejected(`${said} Give the requisition an invoice number the vendor has not used in Sage, then export again.`, erp);
      }
      case 'FIELD_TOO_LONG':
        return foundOf(response).field === 'invoice'
          ? Outcomes.rejected(`${said} Sage invoice numbers hold at most 15 characters: shorten the invoice number, then export again.`, erp)
          : Outcomes.rejected(`${said} Shorten the value in the hub or in the mapping, then export again.`, erp);
      case 'COST_CODE_NOT_FOUND':
        return Outcomes.rejected(`${said} Set the cost code up on the job in Sage (or correct the line's cost code in the hub), then export again.`, erp);
      default:
        return Outcomes.rejected(`The Sage agent refused the invoice (HTTP ${response.status}). ${said}`, erp, ErrorCodes.ERP_PROTOCOL);
    }
  }
}

/** Sage keeps 30 characters of a description: the rest is cut here rather than the whole invoice refused. */
function fitDescriptions(payload: CreateInvoicePayload): CreateInvoicePayload {
  const cut = (text: string | undefined): string | undefined => (text === undefined ? undefined : [...text].slice(0, DESCRIPTION_WIDTH).join(''));
  return {
    ...payload,
    ...(payload.description === undefined ? {} : { description: cut(payload.description) as string }),
    distributions: payload.distributions.map((line) => ({ ...line, ...(line.description === undefined ? {} : { description: cut(line.description) as string }) })),
  };
}

function isThisBill(found: AgentBill, payload: CreateInvoicePayload): boolean {
  const amount = centsOfAmount(found.amount);
  return (
    found.vendor === payload.vendor &&
    found.invoice === payload.invoice &&
    amount !== undefined &&
    amount === centsOfAmount(payload.amount) &&
    found.invoiceDate === payload.invoiceDate
  );
}
