import { ErrorCodes, Invoice, LedgerlinkError, parseCents, validateRecord, type ErpRequest } from '@ledgerlink/core';
import type { HubReads } from './hub-reads.js';
import { platformPaths } from './platform-paths.js';
import { isoDate, isRecord, procoreId, property, text } from './procore-wire.js';

/** Where a requisition lives: learned from the payments read, since requisitions are project-scoped. */
export type RequisitionPlaces = Map<string, string>;

/**
 * The canonical payment candidate of a `create_contract_payment` request: the Procore Pay fields of
 * `request_data.contract_payment` (erp_events_dictionary.md, "create_payment"), with the vendor, the requisition
 * (invoice: number, amount, ERP bill id = its External Data `origin_id`, commitment) and the project read from the
 * hub, in parallel. Unvalidated: the runner validates it and reports what is wrong through the close-out. Fields
 * that cannot be read exactly (an amount that is not a plain decimal string) are refused here, by name.
 */
export async function contractPayment(reads: HubReads, places: RequisitionPlaces, request: ErpRequest): Promise<Record<string, unknown>> {
  const wire = request.data.contract_payment;
  if (!isRecord(wire)) {
    throw invalid(request, '(none)', 'contract_payment', `ERP request ${request.id} (${request.requestName}) carries no request_data.contract_payment object`);
  }
  const id = procoreId(wire.id);
  const paymentId = id ?? '(no id)';
  const companyId = request.companyId;
  const projectId = procoreId(wire.project_id);
  const vendorId = procoreId(wire.vendor_id);
  const requisitionId = procoreId(wire.requisition_id);
  const amountCents = money(request, paymentId, wire.amount, 'amount');

  const of = `of contract payment ${paymentId}`;
  const [vendor, requisition, project] = await Promise.all([
    vendorId === undefined
      ? undefined
      : reads.read(companyId, platformPaths.vendor(companyId, vendorId), {}, `reading vendor ${vendorId} ${of}`).then((found) => found ?? missing('vendor', vendorId, paymentId)),
    requisitionId === undefined || projectId === undefined
      ? undefined
      : reads
          .read(companyId, platformPaths.requisition(projectId, requisitionId), {}, `reading requisition ${requisitionId} ${of}`)
          .then((found) => found ?? missing('requisition', requisitionId, paymentId)),
    projectId === undefined
      ? undefined
      : reads
          .read(companyId, platformPaths.project(projectId), { company_id: companyId }, `reading project ${projectId} ${of}`)
          .then((found) => found ?? missing('project', projectId, paymentId)),
  ]);
  if (requisitionId !== undefined && projectId !== undefined) places.set(`${companyId}/${requisitionId}`, projectId);

  const commitmentId = procoreId(wire.contract_id) ?? procoreId(property(requisition, 'commitment_id'));
  // Tax and markups are the invoice's [I: requisition summary]; the payload may carry its own.
  const summary = property(requisition, 'summary');
  const taxCents = optionalMoney(request, paymentId, wire.tax_amount ?? property(summary, 'tax_amount'), 'tax_amount');
  const markupCents = optionalMoney(request, paymentId, wire.markup_amount ?? property(summary, 'markup_amount'), 'markup_amount');
  const invoiceAmount = requisitionAmount(requisition);
  const candidate: Record<string, unknown> = {
    id,
    status: text(wire.status)?.toLowerCase().replace(/[\s-]+/g, '_'),
    amountCents,
    method: methodOf(wire.payment_method),
    fundedOn: dateOf(wire.date_payment_funded),
    paidOn: dateOf(wire.date_payment_settled),
    bankId: text(wire.bank_id),
    checkNumber: text(wire.check_number),
    paymentNumber: text(wire.payment_number),
    notes: typeof wire.notes === 'string' && wire.notes !== '' ? wire.notes : undefined,
    vendor: {
      id: vendorId,
      name: text(property(vendor, 'name')),
      code: text(property(vendor, 'origin_code')) ?? text(property(vendor, 'vendor_number')),
      erpId: text(property(vendor, 'origin_id')),
    },
    invoice: {
      id: requisitionId,
      number: text(property(requisition, 'invoice_number')) ?? text(wire.invoice_number) ?? text(property(requisition, 'number')),
      amountCents: invoiceAmount === undefined ? undefined : money(request, paymentId, invoiceAmount.value, `requisition ${requisitionId ?? ''} ${invoiceAmount.field}`),
      erpId: text(property(requisition, 'origin_id')),
      commitmentId,
    },
    project: {
      id: projectId,
      number: text(property(project, 'project_number')),
      name: text(property(project, 'name')),
    },
    commitmentId,
    taxCents,
    markupCents,
  };
  return dropUndefined(candidate);
}

/** A requisition (subcontractor invoice) as the hub contract's `Invoice`; `undefined` when Procore has none. */
export function readRequisition(wire: unknown, requisitionId: string): Invoice {
  const amount = requisitionAmount(wire);
  const erpId = text(property(wire, 'origin_id'));
  const commitmentId = procoreId(property(wire, 'commitment_id'));
  let amountCents: number | undefined;
  try {
    amountCents = amount === undefined ? undefined : exactCents(amount.value);
  } catch (error) {
    throw requisitionInvalid(requisitionId, `${amount?.field ?? 'amount'}: ${(error as Error).message}`);
  }
  const candidate = {
    id: procoreId(property(wire, 'id')) ?? requisitionId,
    number: text(property(wire, 'invoice_number')) ?? text(property(wire, 'number')),
    amountCents,
    ...(erpId === undefined ? {} : { erpId }),
    ...(commitmentId === undefined ? {} : { commitmentId }),
  };
  const checked = validateRecord(Invoice, candidate, requisitionId);
  if (!checked.ok) throw requisitionInvalid(requisitionId, checked.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return checked.value;
}

/** The amount the requisition asks to be paid [I]: its summary's current payment due, else its total. */
function requisitionAmount(wire: unknown): { value: unknown; field: string } | undefined {
  const due = property(property(wire, 'summary'), 'current_payment_due');
  if (due !== undefined && due !== null) return { value: due, field: 'summary.current_payment_due' };
  const total = property(wire, 'total_amount');
  if (total !== undefined && total !== null) return { value: total, field: 'total_amount' };
  return undefined;
}

/**
 * Procore sends money as decimal strings (`"1.0"`, `"1250.00"`) [V]. A JSON number went through a float on the way
 * and is refused rather than trusted; more than two significant decimals is refused, not rounded.
 */
export function exactCents(value: unknown): number {
  if (typeof value !== 'string') {
    throw new RangeError(`expected a decimal string such as "1250.00", got ${value === null ? 'null' : typeof value}`);
  }
  return parseCents(value);
}

function money(request: ErpRequest, paymentId: string, value: unknown, field: string): number {
  try {
    return exactCents(value);
  } catch (error) {
    throw invalid(request, paymentId, field, `contract payment ${paymentId}: ${field} ${(error as Error).message}`);
  }
}

function optionalMoney(request: ErpRequest, paymentId: string, value: unknown, field: string): number | undefined {
  return value === undefined || value === null ? undefined : money(request, paymentId, value, field);
}

/** The date part of Procore's date-time; a value that is no date is passed on as is, for validation to name. */
function dateOf(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  return isoDate(value) ?? value;
}

/** `ach` / `check` in any case; anything else is left for validation to refuse by name. */
function methodOf(value: unknown): string | undefined {
  const method = text(value)?.toLowerCase();
  return method === 'ach' || method === 'check' ? method : text(value);
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    out[key] = isRecord(value) ? dropUndefined(value) : value;
  }
  return out;
}

function missing(what: string, id: string, paymentId: string): never {
  throw new LedgerlinkError(
    ErrorCodes.HUB_NOT_FOUND,
    `contract payment ${paymentId} names ${what} ${id}, which Procore does not have (HTTP 404): check the payment in Procore's ERP tool`,
    { disposition: 'rejected', details: { paymentId, [what]: id } },
  );
}

function invalid(request: ErpRequest, paymentId: string, field: string, message: string): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.RECORD_INVALID, `${message} (ERP request ${request.id})`, {
    disposition: 'rejected',
    details: { requestId: request.id, paymentId, field },
  });
}

function requisitionInvalid(id: string, reason: string): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.RECORD_INVALID, `Procore requisition ${id} cannot be read: ${reason}`, {
    disposition: 'rejected',
    details: { id, reason },
  });
}
