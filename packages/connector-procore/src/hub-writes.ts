import {
  ErrorCodes,
  formatCents,
  LedgerlinkError,
  type ExternalDataUpdate,
  type PaymentIssuedResult,
  type PaymentIssuedWrite,
} from '@ledgerlink/core';
import { MAX_BULK, platformPaths } from './platform-paths.js';
import type { ProcoreApi, ProcoreCall } from './procore-api.js';
import { unreadable } from './procore-errors.js';
import { isRecord, parseJson, procoreId, property, text } from './procore-wire.js';

/**
 * External Data Sync: `origin_id`s written in chunks of at most 100. An item Procore refuses is an error naming it:
 * the runner must not believe an object synced that Procore does not show synced.
 */
export async function syncExternalData(api: ProcoreApi, companyId: string, updates: ExternalDataUpdate[]): Promise<void> {
  for (const update of updates) {
    // A blank ERP id would mark the object synced (and locked) with nothing behind it.
    const problem =
      procoreId(update.itemId) === undefined
        ? 'not a Procore id'
        : update.originId !== null && (typeof update.originId !== 'string' || update.originId.trim() === '')
          ? 'a blank origin_id (the ERP id); null unlinks'
          : undefined;
    if (problem !== undefined) {
      throw new LedgerlinkError(ErrorCodes.HUB_ERROR, `External Data for ${update.itemType} "${update.itemId}": ${problem}`, {
        disposition: 'rejected',
        details: { itemType: update.itemType, itemId: update.itemId },
      });
    }
  }
  for (let start = 0; start < updates.length; start += MAX_BULK) {
    const chunk = updates.slice(start, start + MAX_BULK);
    const doing = `writing External Data (${chunk.length} item${chunk.length === 1 ? '' : 's'}) for company ${companyId}`;
    const body = await bulkAnswer(api, {
      method: 'PATCH',
      path: platformPaths.externalDataSync(companyId),
      companyId,
      body: {
        updates: chunk.map((update) => ({
          item_type: update.itemType,
          item_id: Number(update.itemId),
          origin_id: update.originId,
          ...(update.originData === undefined ? {} : { origin_data: update.originData }),
        })),
      },
      doing,
    });
    const errors = property(body, 'errors');
    if (Array.isArray(errors) && errors.length > 0) {
      const said = errors.map((error) => `${text(property(error, 'item_type')) ?? '?'} ${text(property(error, 'item_id')) ?? '?'}: ${text(property(error, 'message')) ?? 'refused'}`);
      throw new LedgerlinkError(ErrorCodes.HUB_ERROR, `Procore refused External Data: ${said.join('; ')}`, {
        disposition: 'rejected',
        details: { errors: said },
      });
    }
  }
}

/**
 * Invoice Payments Sync: payments issued created or updated by `origin_id`, in chunks of at most 100, one result per
 * write in the order given. A repeated `origin_id` updates the payment Procore already has (never a second one).
 */
export async function syncPaymentsIssued(api: ProcoreApi, companyId: string, writes: PaymentIssuedWrite[]): Promise<PaymentIssuedResult[]> {
  const results = new Map<PaymentIssuedWrite, PaymentIssuedResult>();
  // A blank origin_id cannot name a payment: it is refused here, never sent.
  const sendable = writes.filter((write) => {
    if (typeof write.originId === 'string' && write.originId.trim() !== '') return true;
    results.set(write, { originId: write.originId, ok: false, message: 'a payment issued needs a non-blank origin_id (the ERP payment id)' });
    return false;
  });
  for (let start = 0; start < sendable.length; start += MAX_BULK) {
    const chunk = sendable.slice(start, start + MAX_BULK);
    const doing = `syncing ${chunk.length} payment${chunk.length === 1 ? '' : 's'} issued to company ${companyId}`;
    const body = await bulkAnswer(api, {
      method: 'PATCH',
      path: platformPaths.invoicePaymentsSync(companyId),
      companyId,
      body: { updates: chunk.map(toWire) },
      doing,
    });
    const entities = property(body, 'entities');
    const errors = property(body, 'errors');
    const done = new Map<string, PaymentIssuedResult>();
    for (const error of Array.isArray(errors) ? errors : []) {
      const originId = text(property(error, 'origin_id'));
      if (originId !== undefined) done.set(originId, { originId, ok: false, message: text(property(error, 'message')) ?? 'refused by Procore' });
    }
    for (const entity of Array.isArray(entities) ? entities : []) {
      const originId = text(property(entity, 'origin_id'));
      const hubId = procoreId(property(entity, 'id'));
      if (originId === undefined || done.has(originId)) continue;
      done.set(
        originId,
        hubId === undefined
          ? { originId, ok: false, message: 'Procore answered without the payment id' }
          : { originId, ok: true, hubId, created: createdNow(entity) },
      );
    }
    for (const write of chunk) {
      results.set(write, done.get(write.originId) ?? { originId: write.originId, ok: false, message: `Procore answered nothing for payment ${write.originId}; it is sent again on the next sync` });
    }
  }
  return writes.map((write) => results.get(write) as PaymentIssuedResult);
}

/** Invoice Payments Unlink: the payment issued is no longer in the ERP. */
export async function unlinkPaymentIssued(api: ProcoreApi, companyId: string, paymentId: string): Promise<void> {
  if (procoreId(paymentId) === undefined) {
    throw new LedgerlinkError(ErrorCodes.HUB_ERROR, `cannot unlink payment "${paymentId}": not a Procore id`, { disposition: 'rejected', details: { paymentId } });
  }
  const doing = `unlinking payment ${paymentId} of company ${companyId}`;
  const response = await api.call({ method: 'PATCH', path: platformPaths.invoicePaymentUnlink(companyId, paymentId), companyId, doing });
  if (response.status < 200 || response.status >= 300) throw api.error(response, doing);
}

/**
 * A bulk write's answer `{ entities, errors }`: on a 2xx, and on the 422 Procore gives when every item was refused
 * (the per-item errors are the answer then, not a failure of the call). Anything else is thrown as a coded error.
 */
export async function bulkAnswer(api: ProcoreApi, call: ProcoreCall): Promise<unknown> {
  const response = await api.call(call);
  const ok = response.status >= 200 && response.status < 300;
  const body = parseJson(response.body);
  if (ok || response.status === 422) {
    if (Array.isArray(property(body, 'entities')) || Array.isArray(property(body, 'errors'))) return body;
    if (ok) throw unreadable(call.doing, `HTTP ${response.status} without entities or errors`, { status: response.status });
  }
  throw api.error(response, call.doing);
}

function toWire(write: PaymentIssuedWrite): Record<string, unknown> {
  const { payment } = write;
  const commitmentId = procoreId(payment.commitmentId);
  const wire: Record<string, unknown> = {
    origin_id: write.originId,
    ...(commitmentId === undefined || !Number.isSafeInteger(Number(commitmentId)) ? {} : { commitment_id: Number(commitmentId) }),
    ...(payment.invoiceNumber === undefined ? {} : { invoice_number: payment.invoiceNumber }),
    amount: formatCents(payment.amountCents),
    date: payment.paidOn,
    payment_method: payment.method,
    ...(payment.checkNumber === undefined ? {} : { check_number: payment.checkNumber }),
    ...(payment.paymentNumber === undefined ? {} : { payment_number: payment.paymentNumber }),
    ...(payment.notes === undefined ? {} : { notes: payment.notes }),
    status: payment.erpStatus,
  };
  return wire;
}

/** [I] Whether the sync created the payment: `created: true` when Procore says so, else equal create/update times. */
function createdNow(entity: unknown): boolean {
  if (!isRecord(entity)) return false;
  if (typeof entity.created === 'boolean') return entity.created;
  const created = text(entity.created_at);
  return created !== undefined && created === text(entity.updated_at);
}
