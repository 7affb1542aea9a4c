import { ErrorCodes, Invoice, LedgerlinkError, Payment, PaymentStatus, validateRecord } from '@ledgerlink/core';
import { amountCents, idText, isoDate, isRecord, optionalCents, property, text } from './procore-wire.js';

/**
 * Procore Pay disbursement payments as the `payments/disbursements` list returns them [I]: one record per payment,
 * with its vendor, invoice (requisition) and project embedded. Field names follow Procore's ERP events dictionary
 * (`create_contract_payment`: `payment_method`, `bank_id`, `check_number`, `payment_number`,
 * `date_payment_funded`, `date_payment_settled`).
 */
export function readPayment(wire: unknown): Payment {
  const id = idText(property(wire, 'id')) ?? '(no id)';
  if (isRecord(wire) && isoDate(wire.date_payment_funded) === undefined && wire.status !== 'funding_complete') {
    // Not funded yet: there is no Date Payment Funded, and nothing to export until 'Funding Complete'.
    throw new LedgerlinkError(
      ErrorCodes.RECORD_INVALID,
      `Procore payment ${id} is not funded yet (status ${text(wire.status) ?? 'unknown'}): it is exported once it reaches 'Funding Complete'`,
      { disposition: 'retryable', details: { id, status: text(wire.status) } },
    );
  }
  let candidate: unknown;
  try {
    candidate = toCanonical(wire);
  } catch (error) {
    throw invalid(id, (error as Error).message);
  }
  const checked = validateRecord(Payment, candidate, id);
  if (!checked.ok) throw invalid(id, checked.errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  return checked.value;
}

/** A requisition (subcontractor invoice) from `GET /rest/v1.1/requisitions/{id}`: its ERP id once synced. */
export function readRequisition(wire: unknown): Invoice {
  const id = idText(property(wire, 'id')) ?? '(no id)';
  let candidate: unknown;
  try {
    const summary = property(wire, 'summary');
    const erpId = text(property(wire, 'origin_id'));
    const commitmentId = idText(property(wire, 'commitment_id'));
    candidate = {
      id,
      number: text(property(wire, 'invoice_number')) ?? text(property(wire, 'number')),
      // The amount this invoice asks to be paid: the summary's current payment due [I].
      amountCents: amountCents(property(summary, 'current_payment_due') ?? property(wire, 'amount'), 'summary.current_payment_due'),
      ...(erpId === undefined ? {} : { erpId }),
      ...(commitmentId === undefined ? {} : { commitmentId }),
    };
  } catch (error) {
    throw invalid(id, (error as Error).message, 'requisition');
  }
  const checked = validateRecord(Invoice, candidate, id);
  if (!checked.ok) throw invalid(id, checked.errors.map((e) => `${e.field}: ${e.message}`).join('; '), 'requisition');
  return checked.value;
}

function toCanonical(wire: unknown): Record<string, unknown> {
  if (!isRecord(wire)) throw new RangeError('the record is not a JSON object');
  const vendor = wire.vendor;
  const invoice = wire.invoice;
  const project = wire.project;
  const status = text(wire.status)?.toLowerCase().replace(/[\s-]+/g, '_');
  const commitmentId = idText(wire.commitment_id) ?? idText(property(invoice, 'commitment_id'));
  const record: Record<string, unknown> = {
    id: idText(wire.id),
    status: PaymentStatus.safeParse(status).success ? status : (text(wire.status) ?? ''),
    amountCents: amountCents(wire.amount, 'amount'),
    method: methodOf(wire.payment_method),
    fundedOn: isoDate(wire.date_payment_funded),
    paidOn: isoDate(wire.date_payment_settled),
    bankId: text(wire.bank_id),
    checkNumber: text(wire.check_number),
    paymentNumber: text(wire.payment_number),
    notes: typeof wire.notes === 'string' && wire.notes !== '' ? wire.notes : undefined,
    vendor: {
      id: idText(property(vendor, 'id')),
      name: text(property(vendor, 'name')),
      code: text(property(vendor, 'origin_code')),
      erpId: text(property(vendor, 'origin_id')),
    },
    invoice: {
      id: idText(property(invoice, 'id')),
      number: text(property(invoice, 'invoice_number')) ?? text(property(invoice, 'number')),
      amountCents: amountCents(property(invoice, 'amount'), 'invoice.amount'),
      erpId: text(property(invoice, 'origin_id')),
      commitmentId,
    },
    project: {
      id: idText(property(project, 'id')),
      number: text(property(project, 'project_number')),
      name: text(property(project, 'name')),
    },
    commitmentId,
    taxCents: optionalCents(wire.tax_amount, 'tax_amount'),
    markupCents: optionalCents(wire.markup_amount, 'markup_amount'),
  };
  return dropUndefined(record);
}

/** `ach` / `check` as Procore writes them (any case); anything else is left for the schema to refuse by name. */
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

function invalid(id: string, reason: string, what = 'payment'): LedgerlinkError {
  return new LedgerlinkError(
    ErrorCodes.RECORD_INVALID,
    `Procore ${what} ${id} cannot be read: ${reason}. Fix it in Procore (or report the record to support if Procore shows it correctly)`,
    { disposition: 'rejected', details: { id, reason } },
  );
}
