import type { Connections } from './connections.js';
import type { DeliveryService } from './deliveries.js';
import { detailWire, requestWire, type ErpRequests } from './erp-requests.js';
import type { ExternalData } from './external-data.js';
import { SandboxRefusal } from './http-io.js';
import { COMMITMENT_ITEM_TYPE, vendorPayload, type ContractPayment, type HubObjects, type Requisition, type Vendor } from './hub-objects.js';
import { toId } from './ids.js';
import type { InvoicePayments } from './invoice-payments.js';
import { wireAmount } from './money.js';
import type { StagedRecords } from './staged-records.js';
import type { ContractPaymentView, ErpRequestName, ErpToolView, IdInput, PaymentEdits, RaisedRequest, RequisitionView, VendorView } from './types.js';

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
    private readonly stagedRecords: StagedRecords,
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
    const raised = this.raise(vendor.companyId, 'create_vendor', true, (detailId) => ({
      vendor: vendorPayload(vendor, null),
      request_detail_id: detailId,
      company_id: vendor.companyId,
    }));
    vendor.requestIds.push(raised.request.id);
    return raised;
  }

  /** The accountant links a Procore vendor to an ERP vendor in the ERP tool: External Data first, then the event. */
  linkVendor(vendorId: IdInput, originId: string): RaisedRequest {
    const vendor = this.objects.vendor(vendorId);
    if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `vendor ${vendor.id}: origin_id must be a non-blank string`);
    const outcome = this.externalData.write('vendor', vendor.id, originId, undefined);
    if ('refused' in outcome) throw new SandboxRefusal(409, outcome.refused);
    const raised = this.raise(vendor.companyId, 'link_vendor', false, () => ({ vendor: { id: vendor.id, origin_id: originId }, company_id: vendor.companyId }));
    vendor.links.push({ requestId: raised.request.id, linked: true, originId });
    return raised;
  }

  /** The accountant unlinks a synced vendor: it is no longer synced (nor locked); the event names the old origin_id. */
  unlinkVendor(vendorId: IdInput): RaisedRequest {
    const vendor = this.objects.vendor(vendorId);
    const originId = this.externalData.originId('vendor', vendor.id);
    if (originId === null) throw new SandboxRefusal(409, `vendor ${vendor.id} is not synced: nothing to unlink`);
    this.externalData.write('vendor', vendor.id, null, undefined);
    const raised = this.raise(vendor.companyId, 'unlink_vendor', false, () => ({ vendor: { id: vendor.id, origin_id: originId }, company_id: vendor.companyId }));
    vendor.links.push({ requestId: raised.request.id, linked: false, originId });
    return raised;
  }

  /**
   * The accountant imports a staged vendor from Ready to Import: a Procore vendor made from its `data`, synced with
   * its `origin_id`, the record `imported`, then `create_vendor_in_procore` (no detail). Only vendors are imported
   * here; a vendor already synced with that origin_id is refused (409).
   */
  importStagedVendor(stagedId: IdInput, createdAt: string): RaisedRequest {
    const record = this.stagedRecords.get(toId(stagedId, 'staged record'));
    if (record === undefined) throw new SandboxRefusal(404, `staged record ${String(stagedId)} not found`);
    if (record.item_type !== 'vendor') throw new SandboxRefusal(422, `staged record ${record.id} is a ${record.item_type}: only vendors are imported here`);
    if (record.status !== 'staged') throw new SandboxRefusal(409, `staged record ${record.id} is ${record.status}, not staged`);
    const linked = this.externalData.itemsWithOrigin('vendor', record.origin_id).filter((id) => this.objects.vendors.get(id)?.companyId === record.company_id);
    if (linked.length > 0) throw new SandboxRefusal(409, `vendor ${linked[0]} is already synced with origin_id ${JSON.stringify(record.origin_id)}: link it instead`);
    const data = record.data;
    const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
    const name = textOf(data.name);
    if (name === undefined || name.trim() === '') throw new SandboxRefusal(422, `staged record ${record.id}: data.name is required to import a vendor`);
    const vendor = this.objects.addVendor(
      {
        companyId: record.company_id,
        name,
        ...(record.origin_code === null ? {} : { originCode: record.origin_code }),
        ...(textOf(data.abbreviated_name) === undefined ? {} : { abbreviatedName: textOf(data.abbreviated_name) }),
        ...(textOf(data.address) === undefined ? {} : { address: textOf(data.address) }),
        ...(textOf(data.city) === undefined ? {} : { city: textOf(data.city) }),
        ...(textOf(data.state_code) === undefined ? {} : { stateCode: textOf(data.state_code) }),
        ...(textOf(data.zip) === undefined ? {} : { zip: textOf(data.zip) }),
        ...(textOf(data.country_code) === undefined ? {} : { countryCode: textOf(data.country_code) }),
        ...(textOf(data.email_address) === undefined ? {} : { emailAddress: textOf(data.email_address) }),
        ...(textOf(data.business_phone) === undefined ? {} : { businessPhone: textOf(data.business_phone) }),
        isActive: data.is_active !== false,
      },
      createdAt,
    );
    this.externalData.write('vendor', vendor.id, record.origin_id, record.origin_data);
    this.stagedRecords.markImported(record);
    return this.raise(record.company_id, 'create_vendor_in_procore', false, () => ({ vendor: { id: vendor.id, origin_id: record.origin_id }, company_id: record.company_id }));
  }

  exportRequisitions(ids: IdInput[]): RaisedRequest {
    if (!Array.isArray(ids) || ids.length === 0) throw new SandboxRefusal(422, 'export requisitions: give at least one requisition id');
    const requisitions = ids.map((id) => this.objects.requisition(id));
    const companyId = (requisitions[0] as { companyId: number }).companyId;
    if (requisitions.some((r) => r.companyId !== companyId)) throw new SandboxRefusal(422, 'export requisitions: a batch belongs to one company');
    if (new Set(requisitions.map((r) => r.id)).size !== requisitions.length) throw new SandboxRefusal(422, 'export requisitions: a requisition appears twice in the batch');
    for (const r of requisitions) {
      const originId = this.externalData.originId('requisition', r.id);
      if (originId !== null) throw new SandboxRefusal(409, `requisition ${r.id} is synced (origin_id ${JSON.stringify(originId)}) and locked: it cannot be exported again`);
    }
    const raised = this.raise(companyId, 'create_requisitions', false, () => ({
      requisitions: requisitions.map((r) => this.requisitionPayload(r)),
    }));
    for (const r of requisitions) r.requestIds.push(raised.request.id);
    return raised;
  }

  /** A super user resets a synced requisition: Procore unsyncs it, then tells the integrator. */
  resetRequisition(requisitionId: IdInput, resetOverride: boolean): RaisedRequest {
    const requisition = this.objects.requisition(requisitionId);
    const originId = this.externalData.originId('requisition', requisition.id);
    if (originId === null) throw new SandboxRefusal(409, `requisition ${requisition.id} is not synced: only a synced requisition can be reset`);
    this.externalData.write('requisition', requisition.id, null, undefined);
    requisition.resets += 1;
    return this.raise(requisition.companyId, 'reset_requisition', false, () => ({
      requisition_id: requisition.id,
      project_id: requisition.projectId,
      requisition_origin_id: originId,
      reset_override: resetOverride,
    }));
  }

  /** One requisition of a `create_requisitions` payload, as the events dictionary shows it. */
  requisitionPayload(r: Requisition): Record<string, unknown> {
    const commitment = this.objects.commitment(r.commitmentId);
    const due = r.totalCents + r.taxCents + r.markupCents - r.lines.reduce((sum, line) => sum + line.retainageCents, 0);
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
      line_items: r.lines.map((line) => ({
        procore_requisition_item_id: line.id, accounting_method: 'amount', amount: wireAmount(line.amountCents), change_order_line_item_origin_id: null,
        commitment_item_origin_id: line.commitmentItemOriginId, cost_code_id: null, cost_code_origin_id: line.costCodeOriginId, description: line.description,
        formatted_amount: dollars(line.amountCents), formatted_unit_cost: dollars(line.amountCents), line_item_description: line.description,
        line_item_type_origin_id: line.lineItemTypeOriginId, qty: '0.0', released_work_completed_this_period: '0.0', requisition_item_type: 'Billings::ContractItem',
        retainage_materials_presently_stored: '0.0', retainage_materials_previously_stored: '0.0', retainage_this_period: wireAmount(line.retainageCents),
        retainage_work_completed_this_period: wireAmount(line.retainageCents), scheduled_total_amount: wireAmount(line.amountCents), tax_code_origin_id: null,
        unit_cost: wireAmount(line.amountCents), uom: 'ls',
      })),
    };
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

  requisitionView(r: Requisition): RequisitionView {
    const originId = this.externalData.originId('requisition', r.id);
    // An export has no request detail: exported and not (or no longer) synced reads as in progress, unless a reset
    // came after the last export.
    const exported = r.requestIds.length > 0 && r.resets === 0;
    return {
      id: r.id,
      companyId: r.companyId,
      projectId: r.projectId,
      commitmentId: r.commitmentId,
      invoiceNumber: r.invoiceNumber,
      status: originId !== null ? 'synced' : exported ? 'in_progress' : 'not_synced',
      originId,
      requestIds: [...r.requestIds],
      resets: r.resets,
    };
  }

  vendorView(vendor: Vendor): VendorView {
    const originId = this.externalData.originId('vendor', vendor.id);
    const lastRequestId = vendor.requestIds[vendor.requestIds.length - 1];
    const lastRequest = lastRequestId === undefined ? undefined : this.requests.requests.get(lastRequestId);
    const detail = lastRequest?.detailId == null ? undefined : this.requests.details.get(lastRequest.detailId);
    let status: VendorView['status'] = 'not_synced';
    if (originId !== null) status = 'synced';
    else if (detail?.status === 'in_progress') status = 'in_progress';
    else if (detail?.status === 'failed' || detail?.status === 'stale') status = 'failed';
    const view: VendorView = {
      id: vendor.id,
      companyId: vendor.companyId,
      name: vendor.name,
      status,
      originId,
      messages: detail?.messages.map((m) => ({ message: m.message })) ?? [],
      requestIds: [...vendor.requestIds],
      links: vendor.links.map((link) => ({ ...link })),
      syncUpdates: vendor.syncUpdates,
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
    const view: ErpToolView = {
      companyId: company.id,
      contractPayments,
      failedToExport: contractPayments.filter((p) => p.status === 'failed'),
      paymentsIssued,
      exportsWrittenBack: paymentsIssued.filter((p) => p.origin_id !== null && exportedOrigins.has(p.origin_id)),
      requestDetails: this.requests.listDetails(company.id, null, null).map(detailWire),
      requisitions: [...this.objects.requisitions.values()].filter((r) => r.companyId === company.id).map((r) => this.requisitionView(r)),
      vendors: [...this.objects.vendors.values()].filter((v) => v.companyId === company.id).map((v) => this.vendorView(v)),
      stagedRecords: this.stagedRecords.list(company.id, null, null),
    };
    const vendorSyncs = [...this.requests.requests.values()].filter((r) => r.company_id === company.id && r.request_name === 'sync_vendors' && r.detailId != null);
    const last = vendorSyncs[vendorSyncs.length - 1];
    const lastDetail = last?.detailId == null ? undefined : this.requests.details.get(last.detailId);
    if (lastDetail !== undefined) view.lastVendorSync = detailWire(lastDetail);
    return view;
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
