import { isRecord, SandboxRefusal } from './http-io.js';
import type { HubObjects } from './hub-objects.js';
import type { IdSequence } from './ids.js';
import { isIsoDate, readAmount, wireAmount } from './money.js';
import type { InvoicePaymentInput, InvoicePaymentWire } from './types.js';

const METHODS: ReadonlySet<string> = new Set(['check', 'ach']);

interface InvoicePayment {
  id: number;
  companyId: number;
  originId: string | null;
  commitmentId: number | null;
  requisitionId: number | null;
  invoiceNumber: string | null;
  amountCents: number;
  date: string;
  paymentMethod: string;
  checkNumber: string | null;
  paymentNumber: string | null;
  notes: string | null;
  status: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SyncAnswer {
  entities: InvoicePaymentWire[];
  errors: { origin_id: unknown; message: string }[];
}

function optionalText(update: Record<string, unknown>, field: string, where: string): string | null | undefined {
  const value = update[field];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') throw new SandboxRefusal(422, `${where}: ${field} must be a string`);
  return value;
}

/**
 * Payments issued (Invoice Payments): created or updated in bulk by `origin_id` (the ERP's payment id), so a repeated
 * origin_id updates the same payment and never makes a second one; unlinking clears the origin_id.
 */
export class InvoicePayments {
  private readonly payments = new Map<number, InvoicePayment>();
  /** `${companyId}:${originId}` → payment id, for the linked ones. */
  private readonly byOrigin = new Map<string, number>();

  constructor(
    private readonly ids: IdSequence,
    private readonly objects: HubObjects,
  ) {}

  get(id: number): InvoicePaymentWire | undefined {
    const payment = this.payments.get(id);
    return payment === undefined ? undefined : wire(payment);
  }

  ofCompany(companyId: number): InvoicePaymentWire[] {
    const rows: InvoicePaymentWire[] = [];
    for (const payment of this.payments.values()) if (payment.companyId === companyId) rows.push(wire(payment));
    return rows;
  }

  /** Seeds one payment issued as an earlier sync would have written it. */
  seed(input: InvoicePaymentInput): number {
    const companyId = this.objects.company(input.companyId).id;
    const update: Record<string, unknown> = {
      origin_id: input.originId,
      amount: wireAmount(input.amountCents),
      date: input.date,
      payment_method: input.paymentMethod,
      commitment_id: input.commitmentId === undefined ? undefined : Number(input.commitmentId),
      requisition_id: input.requisitionId === undefined ? undefined : Number(input.requisitionId),
      invoice_number: input.invoiceNumber,
      check_number: input.checkNumber,
      payment_number: input.paymentNumber,
      notes: input.notes,
      status: input.status,
    };
    return this.upsert(companyId, update, `invoice payment ${input.originId}`, input.id === undefined ? undefined : this.ids.take(input.id, 'invoice payment')).id;
  }

  /** `PATCH .../invoice_payments/sync`: each update checked on its own; the good ones are written. */
  sync(companyId: number, body: unknown): SyncAnswer {
    if (!isRecord(body) || !Array.isArray(body.updates)) throw new SandboxRefusal(400, 'the body must be { "updates": [ … ] }');
    const answer: SyncAnswer = { entities: [], errors: [] };
    body.updates.forEach((update: unknown, index) => {
      const originId = isRecord(update) ? update.origin_id : undefined;
      try {
        if (!isRecord(update)) throw new SandboxRefusal(422, `updates[${index}] must be an object`);
        answer.entities.push(wire(this.upsert(companyId, update, `updates[${index}]`)));
      } catch (error) {
        if (!(error instanceof SandboxRefusal)) throw error;
        answer.errors.push({ origin_id: originId ?? null, message: error.message });
      }
    });
    return answer;
  }

  /** `PATCH .../invoice_payments/{id}/unlink`: the payment stays, its origin_id goes. */
  unlink(companyId: number, id: number): InvoicePaymentWire {
    const payment = this.payments.get(id);
    if (payment === undefined || payment.companyId !== companyId) throw new SandboxRefusal(404, `invoice payment ${id} not found in company ${companyId}`);
    if (payment.originId !== null) this.byOrigin.delete(`${companyId}:${payment.originId}`);
    payment.originId = null;
    payment.updatedAt = stampAfter(payment.createdAt);
    return wire(payment);
  }

  private upsert(companyId: number, update: Record<string, unknown>, where: string, givenId?: number): InvoicePayment {
    const originId = update.origin_id;
    if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `${where}: origin_id must be a non-blank string, got ${JSON.stringify(originId)}`);
    const existingId = this.byOrigin.get(`${companyId}:${originId}`);
    const existing = existingId === undefined ? undefined : this.payments.get(existingId);
    const amountCents = update.amount === undefined && existing !== undefined ? existing.amountCents : readAmount(update.amount);
    if (amountCents === undefined) throw new SandboxRefusal(422, `${where}: amount must be a decimal string like "1250.00", got ${JSON.stringify(update.amount)}`);
    if (amountCents <= 0) throw new SandboxRefusal(422, `${where}: amount must be greater than 0`);
    const date = update.date === undefined && existing !== undefined ? existing.date : update.date;
    if (!isIsoDate(date)) throw new SandboxRefusal(422, `${where}: date must be YYYY-MM-DD, got ${JSON.stringify(update.date)}`);
    const method = update.payment_method === undefined && existing !== undefined ? existing.paymentMethod : update.payment_method;
    if (typeof method !== 'string' || !METHODS.has(method)) throw new SandboxRefusal(422, `${where}: payment_method must be check or ach, got ${JSON.stringify(update.payment_method)}`);
    const requisitionId = this.reference(update.requisition_id, companyId, 'requisition', where);
    const commitmentId = this.reference(update.commitment_id, companyId, 'commitment', where);
    const at = existing === undefined ? new Date().toISOString() : stampAfter(existing.createdAt);
    const fields = {
      commitmentId: commitmentId ?? existing?.commitmentId ?? (requisitionId === undefined ? null : this.objects.requisition(requisitionId).commitmentId),
      requisitionId: requisitionId ?? existing?.requisitionId ?? null,
      invoiceNumber: optionalText(update, 'invoice_number', where) ?? existing?.invoiceNumber ?? null,
      amountCents,
      date,
      paymentMethod: method,
      checkNumber: optionalText(update, 'check_number', where) ?? existing?.checkNumber ?? null,
      paymentNumber: optionalText(update, 'payment_number', where) ?? existing?.paymentNumber ?? null,
      notes: optionalText(update, 'notes', where) ?? existing?.notes ?? null,
      status: optionalText(update, 'status', where) ?? existing?.status ?? null,
      updatedAt: at,
    };
    if (existing !== undefined) {
      Object.assign(existing, fields);
      return existing;
    }
    const payment: InvoicePayment = { id: givenId ?? this.ids.take(undefined, 'invoice payment'), companyId, originId, createdAt: at, ...fields };
    this.payments.set(payment.id, payment);
    this.byOrigin.set(`${companyId}:${originId}`, payment.id);
    return payment;
  }

  private reference(value: unknown, companyId: number, kind: 'requisition' | 'commitment', where: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const object = kind === 'requisition' ? this.objects.requisitions.get(id) : this.objects.commitments.get(id);
    if (object === undefined || object.companyId !== companyId) throw new SandboxRefusal(422, `${where}: ${kind}_id ${JSON.stringify(value)} is not a ${kind} of company ${companyId}`);
    return id;
  }
}

function wire(payment: InvoicePayment): InvoicePaymentWire {
  return {
    id: payment.id,
    company_id: payment.companyId,
    origin_id: payment.originId,
    commitment_id: payment.commitmentId,
    requisition_id: payment.requisitionId,
    invoice_number: payment.invoiceNumber,
    amount: wireAmount(payment.amountCents),
    date: payment.date,
    payment_method: payment.paymentMethod,
    check_number: payment.checkNumber,
    payment_number: payment.paymentNumber,
    notes: payment.notes,
    status: payment.status,
    created_at: payment.createdAt,
    updated_at: payment.updatedAt,
  };
}

/**
 * Now, as a later write's `updated_at`: at least a millisecond after `createdAt`, as a database's clock would give a
 * row written again in another request. A replay in the same millisecond as the create must not read as a create
 * (clients tell a create from an update by equal `created_at` and `updated_at`).
 */
function stampAfter(createdAt: string): string {
  const now = Date.now();
  const created = Date.parse(createdAt);
  return new Date(Number.isNaN(created) || now > created ? now : created + 1).toISOString();
}
