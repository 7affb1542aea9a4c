import type { Connections } from './connections.js';
import type { DeliveryService } from './deliveries.js';
import { detailWire, requestWire, type ErpRequests } from './erp-requests.js';
import type { ExternalData } from './external-data.js';
import { SandboxRefusal } from './http-io.js';
import { COMMITMENT_ITEM_TYPE, type ContractPayment, type HubObjects } from './hub-objects.js';
import { toId } from './ids.js';
import type { InvoicePayments } from './invoice-payments.js';
import { wireAmount } from './money.js';
import type { ContractPaymentView, ErpRequestName, ErpToolView, IdInput, PaymentEdits, RaisedRequest } from './types.js';

/** ISO time without milliseconds, as the events dictionary writes them (`2023-05-02T15:06:02Z`). */
export function isoSeconds(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function dollars(cents: number): string {
  const whole = Math.floor(Math.abs(cents) / 100).toLocaleString('en-US');
  return `${cents < 0 ? '-' : ''}$${whole}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
}

/**
 * Procore's ERP Integrations tool: what a person does there (fund, edit and export, sync, refresh, reset) raises
 * ERP Requests and delivers their webhooks; what the tool shows is read from the request details and External Data.
 */
export class ErpTool {
  constructor(
    private readonly objects: HubObjects,
    private readonly externalData: ExternalData,
    private readonly requests: ErpRequests,
    private readonly invoicePayments: InvoicePayments,
    private readonly connections: Connections,
    private readonly deliveries: DeliveryService,
  ) {}

  fundPayment(id: IdInput, dateFunded: string | undefined): RaisedRequest {
    const payment = this.objects.contractPayment(id);
    if (payment.status === 'paid') throw new SandboxRefusal(409, `contract payment ${payment.id} is already funded`);
    if (payment.status === 'voided') throw new SandboxRefusal(409, `contract payment ${payment.id} is voided`);
    const now = isoSeconds();
    payment.status = 'paid';
    payment.dateInitiated ??= now;
    payment.dateFunded = dateFunded ?? now;
    return this.raisePayment(payment);
  }

  exportPayment(id: IdInput, edits: PaymentEdits = {}): RaisedRequest {
    const payment = this.objects.contractPayment(id);
    const originId = this.externalData.originId('contract_payment', payment.id);
    if (originId !== null) throw new SandboxRefusal(409, `contract payment ${payment.id} is synced (origin_id ${JSON.stringify(originId)}) and locked: it cannot be edited or exported again`);
    if (payment.status !== 'paid') throw new SandboxRefusal(409, `contract payment ${payment.id} is not funded yet (status ${payment.status})`);
    if (edits.checkNumber !== undefined) {
      if (typeof edits.checkNumber !== 'string' || edits.checkNumber.trim() === '') throw new SandboxRefusal(422, `contract payment ${payment.id}: checkNumber must be a non-blank string`);
      payment.checkNumber = edits.checkNumber.trim();
    }
    if (edits.bankId !== undefined) {
      if (typeof edits.bankId !== 'string' || edits.bankId.trim() === '') throw new SandboxRefusal(422, `contract payment ${payment.id}: bankId must be a non-blank string`);
      payment.bankId = edits.bankId.trim();
    }
    return this.raisePayment(payment);
  }

  syncPayments(companyId: IdInput): RaisedRequest {
    const company = this.objects.company(companyId);
    return this.raise(company.id, 'sync_contract_payments', true, (detailId) => ({ request_detail_id: detailId }));
  }

  refreshVendors(companyId: IdInput): RaisedRequest {
    const company = this.objects.company(companyId);
    return this.raise(company.id, 'sync_vendors', true, (detailId) => ({ request_detail_id: detailId, company_id: company.id }));
  }

  exportVendor(vendorId: IdInput): RaisedRequest {
    const vendor = this.objects.vendor(vendorId);
    const originId = this.externalData.originId('vendor', vendor.id);
    if (originId !== null) throw new SandboxRefusal(409, `vendor ${vendor.id} is synced (origin_id ${JSON.stringify(originId)}): nothing to export`);
    return this.raise(vendor.companyId, 'create_vendor', true, (detailId) => ({
      vendor: {
        id: vendor.id, name: vendor.name, abbreviated_name: null, address: '', authorized_bidder: true, business_phone: '', city: '', company: vendor.name,
        country_code: 'US', created_at: vendor.createdAt, email_address: null, fax_number: '', is_active: true, labor_union: null, license_number: null,
        logo: null, mobile_phone: null, non_union_prevailing_wage: false, notes: null, origin_code: vendor.originCode, origin_data: null, origin_id: null,
        prequalified: false, state_code: '', synced_to_erp: false, trade_name: '', union_member: false, updated_at: vendor.createdAt, website: null, zip: '',
        erp_custom_fields: {}, business_register: null, primary_contact: null, attachments: [], vendor_group: null,
      },
      request_detail_id: detailId,
      company_id: vendor.companyId,
    }));
  }

  exportRequisitions(ids: IdInput[]): RaisedRequest {
    if (!Array.isArray(ids) || ids.length === 0) throw new SandboxRefusal(422, 'export requisitions: give at least one requisition id');
    const requisitions = ids.map((id) => this.objects.requisition(id));
    const companyId = (requisitions[0] as { companyId: number }).companyId;
    if (requisitions.some((r) => r.companyId !== companyId)) throw new SandboxRefusal(422, 'export requisitions: a batch belongs to one company');
    return this.raise(companyId, 'create_requisitions', false, () => ({
      requisitions: requisitions.map((r) => {
        const commitment = this.objects.commitment(r.commitmentId);
        const due = r.totalCents;
        return {
          procore_requisition_id: r.id,
          accounting_method: 'amount',
          billing_date: r.invoiceDate,
          code: r.invoiceNumber,
          contract_id: commitment.id,
          contract_origin_id: this.externalData.originId(COMMITMENT_ITEM_TYPE[commitment.kind], commitment.id),
          created_at: r.createdAt,
          custom_fields: {},
          erp_custom_fields: {},
          formatted_payment_due: dollars(due),
          invoice_number: r.invoiceNumber,
          job_origin_id: this.externalData.originId('project', r.projectId),
          line_items: [{
            procore_requisition_item_id: r.id, accounting_method: 'amount', amount: wireAmount(due), change_order_line_item_origin_id: null,
            commitment_item_origin_id: null, cost_code_id: null, cost_code_origin_id: null, description: commitment.title, formatted_amount: dollars(due),
            formatted_unit_cost: dollars(due), line_item_description: commitment.title, line_item_type_origin_id: null, qty: '0.0',
            released_work_completed_this_period: '0.0', requisition_item_type: 'Billings::ContractItem', retainage_materials_presently_stored: '0.0',
            retainage_materials_previously_stored: '0.0', retainage_this_period: '0.0', retainage_work_completed_this_period: '0.0',
            scheduled_total_amount: wireAmount(due), tax_code_origin_id: null, unit_cost: wireAmount(due), uom: 'ls',
          }],
        };
      }),
    }));
  }

  resetPayment(invoicePaymentId: IdInput, resetOverride: boolean): RaisedRequest {
    const payment = this.invoicePayments.get(toId(invoicePaymentId, 'invoice payment'));
    if (payment === undefined) throw new SandboxRefusal(404, `invoice payment ${String(invoicePaymentId)} not found`);
    if (payment.origin_id === null) throw new SandboxRefusal(409, `invoice payment ${payment.id} is not synced: only a synced payment can be reset`);
    return this.raise(payment.company_id, 'reset_payment', false, () => ({
      payment_id: payment.id,
      payment_type: payment.payment_method,
      origin_id: payment.origin_id,
      origin_code: null,
      origin_data: null,
      reset_override: resetOverride,
    }));
  }

  markRequisitionSynced(requisitionId: IdInput, originId: string): void {
    const requisition = this.objects.requisition(requisitionId);
    if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `requisition ${requisition.id}: origin_id must be a non-blank string`);
    const outcome = this.externalData.write('requisition', requisition.id, originId, undefined);
    if ('refused' in outcome) throw new SandboxRefusal(422, outcome.refused);
  }

  /** The `create_contract_payment` payload's `contract_payment`, from the payment as it is now. */
  contractPaymentPayload(payment: ContractPayment): Record<string, unknown> {
    const requisition = this.objects.requisition(payment.requisitionId);
    const commitment = this.objects.commitment(requisition.commitmentId);
    return {
      id: payment.id,
      company_id: payment.companyId,
      project_id: requisition.projectId,
      contract_id: commitment.id,
      requisition_id: requisition.id,
      external_payment_id: payment.externalPaymentId,
      invoice_number: requisition.invoiceNumber,
      invoice_date: requisition.invoiceDate,
      status: payment.status,
      amount: wireAmount(payment.amountCents),
      date_payment_created: payment.dateCreated,
      date_payment_initiated: payment.dateInitiated,
      date_payment_funded: payment.dateFunded,
      date_payment_settled: payment.dateSettled,
      retainage_released_payment_amount: wireAmount(payment.retainageReleasedCents),
      draw_request_number: requisition.number,
      payment_method: payment.paymentMethod,
      payment_number: payment.paymentNumber,
      vendor_id: commitment.vendorId,
      bank_id: payment.bankId,
      check_number: payment.checkNumber,
    };
  }

  contractPaymentView(payment: ContractPayment): ContractPaymentView {
    const originId = this.externalData.originId('contract_payment', payment.id);
    const lastRequestId = payment.requestIds[payment.requestIds.length - 1];
    const lastRequest = lastRequestId === undefined ? undefined : this.requests.requests.get(lastRequestId);
    const detail = lastRequest?.detailId == null ? undefined : this.requests.details.get(lastRequest.detailId);
    let status: ContractPaymentView['status'] = 'not_synced';
    if (originId !== null) status = 'synced';
    else if (detail?.status === 'in_progress') status = 'in_progress';
    else if (detail?.status === 'failed' || detail?.status === 'stale') status = 'failed';
    const view: ContractPaymentView = {
      id: payment.id,
      companyId: payment.companyId,
      requisitionId: payment.requisitionId,
      status,
      originId,
      messages: detail?.messages.map((m) => ({ message: m.message })) ?? [],
      requestIds: [...payment.requestIds],
      checkNumber: payment.checkNumber,
      bankId: payment.bankId,
      amount: wireAmount(payment.amountCents),
    };
    if (detail !== undefined) view.lastDetailStatus = detail.status;
    return view;
  }

  view(companyId: IdInput): ErpToolView {
    const company = this.objects.company(companyId);
    const contractPayments: ContractPaymentView[] = [];
    for (const payment of this.objects.contractPayments.values()) if (payment.companyId === company.id) contractPayments.push(this.contractPaymentView(payment));
    const exportedOrigins = new Set(contractPayments.map((p) => p.originId).filter((o): o is string => o !== null));
    const paymentsIssued = this.invoicePayments.ofCompany(company.id);
    return {
      companyId: company.id,
      contractPayments,
      failedToExport: contractPayments.filter((p) => p.status === 'failed'),
      paymentsIssued,
      exportsWrittenBack: paymentsIssued.filter((p) => p.origin_id !== null && exportedOrigins.has(p.origin_id)),
      requestDetails: this.requests.listDetails(company.id, null, null).map(detailWire),
    };
  }

  private raisePayment(payment: ContractPayment): RaisedRequest {
    const raised = this.raise(payment.companyId, 'create_contract_payment', true, (detailId) => ({
      request_detail_id: detailId,
      contract_payment: this.contractPaymentPayload(payment),
      company_id: payment.companyId,
    }));
    payment.requestIds.push(raised.request.id);
    return raised;
  }

  private raise(companyId: number, name: ErpRequestName, withDetail: boolean, buildData: (detailId: number | null) => Record<string, unknown>): RaisedRequest {
    const { request, detail } = this.requests.create(companyId, name, withDetail, buildData);
    this.deliveries.publish({ companyId, requestId: request.id, requestName: name }, this.connections.subscribed(companyId, 'ERP Requests', 'create'));
    return detail === undefined ? { request: requestWire(request) } : { request: requestWire(request), detail: detailWire(detail) };
  }
}
