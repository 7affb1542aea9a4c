import { ErrorCodes, formatCents, LedgerlinkError, type PaymentIssued } from '@ledgerlink/core';
import type { HubIndex, Placement } from './hub-index.js';
import type { HubLookups } from './hub-lookups.js';
import type { ProcoreApi } from './procore-api.js';
import { idText, nextLink, parseJson, property, text } from './procore-wire.js';

/** Where a payment issued goes: the commitment (`contract_id`) in its project, and the requisition it pays. */
interface Target {
  projectId: string;
  contractId: string;
  requisitionId?: string;
}

/**
 * Writes a payment issued onto its commitment: `POST /rest/v1.0/contract_payments` with `origin_id`. Procore has
 * no idempotency key; `origin_id` is unique, so a repeat (after a lost answer, a crash, a retry) is refused with
 * 409, and the existing payment is then found by its `origin_id` and returned as `replayed`.
 */
export async function writePaymentIssued(
  api: ProcoreApi,
  lookups: HubLookups,
  index: HubIndex,
  companyId: string,
  payment: PaymentIssued,
  originId: string,
): Promise<{ hubId: string; replayed: boolean }> {
  const target = await resolveTarget(lookups, index, companyId, payment);
  const doing = `writing payment issued ${originId} to commitment ${target.contractId}`;
  const response = await api.call({
    method: 'POST',
    path: '/rest/v1.0/contract_payments',
    companyId,
    body: {
      project_id: Number(target.projectId),
      contract_id: Number(target.contractId),
      contract_payment: withoutUndefined({
        amount: formatCents(payment.amountCents),
        date: payment.paidOn,
        check_number: payment.checkNumber,
        invoice_number: payment.invoiceNumber,
        payment_number: payment.paymentNumber,
        notes: payment.notes,
        payment_method: payment.method,
        requisition_id: target.requisitionId === undefined ? undefined : Number(target.requisitionId),
        origin_id: originId,
        // The ERP's own status, as it said it: Procore keeps origin_data for the integrator.
        origin_data: payment.erpStatus,
      }),
    },
    doing,
  });
  if (response.status === 200 || response.status === 201) {
    const hubId = idText(property(parseJson(response.body), 'id'));
    if (hubId === undefined) throw new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `Procore answered ${doing} with HTTP ${response.status} but no id`);
    return { hubId, replayed: false };
  }
  if (response.status === 409) {
    const existing = await findByOrigin(api, companyId, target, originId);
    if (existing !== undefined) return { hubId: existing, replayed: true };
    throw new LedgerlinkError(
      ErrorCodes.ERP_REJECTED,
      `Procore says origin_id ${originId} is taken, but commitment ${target.contractId} has no payment issued with it: ` +
        'another commitment may hold it; look it up in Procore before writing again',
      { disposition: 'rejected', details: { originId, contractId: target.contractId } },
    );
  }
  throw api.error(response, doing);
}

async function resolveTarget(lookups: HubLookups, index: HubIndex, companyId: string, payment: PaymentIssued): Promise<Target> {
  const known: Placement | undefined =
    (payment.erpInvoiceId === undefined ? undefined : index.erpInvoice(companyId, payment.erpInvoiceId)) ??
    (payment.commitmentId === undefined ? undefined : index.commitment(companyId, payment.commitmentId));
  let projectId = known?.projectId;
  if (projectId === undefined && payment.projectNumber !== undefined) {
    projectId = await lookups.projectByNumber(companyId, payment.projectNumber);
    if (projectId === undefined) throw refusal(payment, `project number ${payment.projectNumber} is not a project of company ${companyId}`);
  }
  if (projectId === undefined && (payment.erpInvoiceId !== undefined || payment.invoiceNumber !== undefined)) {
    // No project named: the invoice it pays is looked for project by project (the ERP knows the bill, not the job).
    for (const candidate of await lookups.projectIds(companyId)) {
      const found = await lookups.findRequisition(companyId, candidate, {
        ...(payment.erpInvoiceId === undefined ? {} : { erpInvoiceId: payment.erpInvoiceId }),
        ...(payment.invoiceNumber === undefined ? {} : { invoiceNumber: payment.invoiceNumber }),
      });
      if (found !== undefined) {
        projectId = candidate;
        break;
      }
    }
  }
  if (projectId === undefined) {
    throw refusal(
      payment,
      `no project of company ${companyId} has an invoice ${payment.erpInvoiceId ?? payment.invoiceNumber ?? '(none named)'} synced from the ERP; ` +
        'sync the invoice first, or map projectNumber in the ERP mapping',
    );
  }
  let contractId = payment.commitmentId ?? known?.commitmentId;
  let requisitionId = payment.erpInvoiceId !== undefined && known !== undefined ? known.invoiceId : undefined;
  if (requisitionId === undefined && (payment.erpInvoiceId !== undefined || payment.invoiceNumber !== undefined)) {
    const found = await lookups.findRequisition(companyId, projectId, {
      ...(payment.erpInvoiceId === undefined ? {} : { erpInvoiceId: payment.erpInvoiceId }),
      ...(payment.invoiceNumber === undefined ? {} : { invoiceNumber: payment.invoiceNumber }),
      ...(contractId === undefined ? {} : { commitmentId: contractId }),
    });
    requisitionId = found?.id;
    contractId ??= found?.commitmentId;
  }
  if (contractId === undefined) {
    throw refusal(payment, `no commitment in project ${projectId} has an invoice ${payment.erpInvoiceId ?? payment.invoiceNumber ?? '(none named)'} synced from the ERP`);
  }
  return { projectId, contractId, ...(requisitionId === undefined ? {} : { requisitionId }) };
}

async function findByOrigin(api: ProcoreApi, companyId: string, target: Target, originId: string): Promise<string | undefined> {
  for (let page = 1; ; page++) {
    const { body, response } = await api.json({
      method: 'GET',
      path: '/rest/v1.0/contract_payments',
      companyId,
      params: { project_id: target.projectId, contract_id: target.contractId, 'filters[origin_id]': originId, page: String(page), per_page: '100' },
      doing: `looking up payment issued ${originId} on commitment ${target.contractId}`,
    });
    const rows = Array.isArray(body) ? body : [];
    // Compared here too: a filter Procore ignored must not hand back another payment.
    const found = rows.find((row) => text(property(row, 'origin_id')) === originId);
    if (found !== undefined) return idText(property(found, 'id'));
    if (rows.length === 0 || nextLink(response.headers.link) === undefined) return undefined;
  }
}

function refusal(payment: PaymentIssued, reason: string): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.ERP_REJECTED, `payment issued ${payment.erpPaymentId} cannot be placed in Procore: ${reason}`, {
    disposition: 'rejected',
    details: { erpPaymentId: payment.erpPaymentId },
  });
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
