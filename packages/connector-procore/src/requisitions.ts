import { ErrorCodes, LedgerlinkError, type ErpRequest, type RequisitionReset } from '@ledgerlink/core';
import { exactCents } from './contract-payment.js';
import { isoDate, isRecord, procoreId, property, text } from './procore-wire.js';

/**
 * One requisition of a `create_requisitions` batch as its payload states it (erp_events_dictionary.md): the
 * candidate's own fields, and what the hub must still be asked (the payload names no project and no vendor).
 */
export interface PayloadRequisition {
  /** `procore_requisition_id`, when it is an id. */
  id?: string;
  /** `contract_id`: the commitment billed. */
  contractId?: string;
  /** `job_origin_id`: the project's ERP job id, which also helps find the project in the hub. */
  jobOriginId?: string;
  /** The canonical candidate so far (no vendor, project ids only as far as the payload goes). */
  candidate: Record<string, unknown>;
}

/**
 * Reads the batch of a `create_requisitions` request. Money is read as exact cents from decimal strings (a JSON
 * number, or more than two significant decimals, is refused by name); blank ids and origin ids are absent, never
 * ids. The totals are the lines' sums, as the canonical model defines them.
 */
export function readRequisitionBatch(request: ErpRequest): PayloadRequisition[] {
  const batch = request.data.requisitions;
  if (!Array.isArray(batch) || batch.length === 0) {
    throw invalid(request, undefined, 'requisitions', `ERP request ${request.id} (${request.requestName}) carries no request_data.requisitions list`);
  }
  return batch.map((wire, index) => readOne(request, wire, index));
}

function readOne(request: ErpRequest, wire: unknown, index: number): PayloadRequisition {
  if (!isRecord(wire)) throw invalid(request, undefined, `requisitions[${index}]`, `requisitions[${index}] of ERP request ${request.id} is not an object`);
  const id = procoreId(wire.procore_requisition_id);
  const named = id === undefined ? `requisitions[${index}] (no procore_requisition_id)` : `requisition ${id}`;
  const rawLines = wire.line_items;
  if (!Array.isArray(rawLines)) throw invalid(request, id, 'line_items', `${named} of ERP request ${request.id} carries no line_items list`);
  let totalCents = 0;
  let retainageCents = 0;
  const lines = rawLines.map((line, at) => {
    const where = `line_items[${at}]`;
    if (!isRecord(line)) throw invalid(request, id, where, `${named}: ${where} is not an object`);
    const amountCents = money(request, id, named, line.amount, `${where}.amount`);
    // A line without retainage this period holds nothing back.
    const retainage = line.retainage_this_period === undefined || line.retainage_this_period === null ? 0 : money(request, id, named, line.retainage_this_period, `${where}.retainage_this_period`);
    totalCents += amountCents;
    retainageCents += retainage;
    return dropUndefined({
      id: procoreId(line.procore_requisition_item_id),
      description: typeof line.description === 'string' ? line.description : typeof line.line_item_description === 'string' ? line.line_item_description : '',
      amountCents,
      retainageCents: retainage,
      costCodeOriginId: text(line.cost_code_origin_id),
      commitmentItemOriginId: text(line.commitment_item_origin_id),
      costTypeOriginId: text(line.line_item_type_origin_id),
    });
  });
  const contractId = procoreId(wire.contract_id);
  const jobOriginId = text(wire.job_origin_id);
  const billing = wire.billing_date;
  const candidate = dropUndefined({
    id,
    number: text(wire.invoice_number) ?? text(wire.code),
    // A value that is no date is passed on as is, for validation to name.
    billingDate: billing === null || billing === undefined ? undefined : (isoDate(billing) ?? billing),
    commitment: dropUndefined({ id: contractId, erpId: text(wire.contract_origin_id) }),
    project: dropUndefined({ erpId: jobOriginId }),
    totalCents,
    retainageCents,
    lines,
  });
  return { ...(id === undefined ? {} : { id }), ...(contractId === undefined ? {} : { contractId }), ...(jobOriginId === undefined ? {} : { jobOriginId }), candidate };
}

/** Reads a `reset_requisition` request (`requisition_id`, `project_id`, `requisition_origin_id`, `reset_override`). */
export function readRequisitionReset(request: ErpRequest): RequisitionReset {
  const data = request.data;
  const requisitionId = procoreId(data.requisition_id);
  if (requisitionId === undefined) {
    throw invalid(request, undefined, 'requisition_id', `ERP request ${request.id} (${request.requestName}) names no requisition: requisition_id ${JSON.stringify(data.requisition_id) ?? 'is missing'}`);
  }
  const projectId = procoreId(data.project_id);
  const originId = text(data.requisition_origin_id);
  return {
    requisitionId,
    ...(projectId === undefined ? {} : { projectId }),
    ...(originId === undefined ? {} : { originId }),
    resetOverride: data.reset_override === true,
  };
}

function money(request: ErpRequest, id: string | undefined, named: string, value: unknown, field: string): number {
  try {
    return exactCents(value);
  } catch (error) {
    throw invalid(request, id, field, `${named}: ${field} ${(error as Error).message}`);
  }
}

/** Drops absent fields (and the objects left empty), so validation names what is missing, not `undefined`. */
export function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}

function invalid(request: ErpRequest, requisitionId: string | undefined, field: string, message: string): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.RECORD_INVALID, `${message} (ERP request ${request.id})`, {
    disposition: 'rejected',
    details: { requestId: request.id, ...(requisitionId === undefined ? {} : { requisitionId }), field },
  });
}

/** The hub's answer for a requisition: its project, commitment and vendor ids. */
export function requisitionLinks(wire: unknown): { projectId?: string; commitmentId?: string; vendorId?: string } {
  const projectId = procoreId(property(wire, 'project_id'));
  const commitmentId = procoreId(property(wire, 'commitment_id')) ?? procoreId(property(wire, 'contract_id'));
  const vendorId = procoreId(property(property(wire, 'vendor'), 'id')) ?? procoreId(property(wire, 'vendor_id'));
  return {
    ...(projectId === undefined ? {} : { projectId }),
    ...(commitmentId === undefined ? {} : { commitmentId }),
    ...(vendorId === undefined ? {} : { vendorId }),
  };
}
