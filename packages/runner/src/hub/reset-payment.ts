import type { TenantScope } from '../container.js';
import type { RequestContext } from './request-dispatcher.js';

/** A string field of `request_data`, or undefined (numbers are taken as their digits). */
function field(data: Record<string, unknown>, name: string): string | undefined {
  const value = data[name];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Whether the tenant's ERP still has the payment: its final payments are read from the start (the import's own
 * read, without moving its cursor) until the id is seen. The connector contract has no "find a payment issued by
 * id", so this reads them all; a reset is a rare, support-driven event.
 */
async function erpHasPayment(scope: TenantScope, erpPaymentId: string, signal: AbortSignal): Promise<boolean> {
  for await (const page of scope.runtime.importPayments({ signal })) {
    if (page.records.some((record) => record.erpPaymentId === erpPaymentId)) return true;
  }
  return false;
}

/**
 * `reset_payment` (a super user's reset): the payment issued named by `origin_id` (ledgerlink writes
 * `<tenant>:<ERP payment id>`) is looked for in the ERP; if the ERP deleted it, it is unlinked in Procore (Invoice
 * Payments Unlink). Either way the request is closed out, saying which.
 */
export async function resetPayment({ dispatcher, hub, request, row, scopes, signal }: RequestContext): Promise<void> {
  const paymentId = field(request.data, 'payment_id');
  const originId = field(request.data, 'origin_id');
  if (paymentId === undefined || originId === undefined) {
    await dispatcher.closeOut(row, {
      status: 'failed',
      messages: [`reset_payment needs request_data.payment_id and request_data.origin_id; got payment_id=${String(request.data.payment_id)}, origin_id=${String(request.data.origin_id)}`],
    });
    return;
  }
  const separator = originId.indexOf(':');
  const tenantId = separator > 0 ? originId.slice(0, separator) : undefined;
  const erpPaymentId = separator > 0 ? originId.slice(separator + 1) : originId;
  const scope = scopes.find((candidate) => candidate.config.id === tenantId) ?? (scopes.length === 1 ? scopes[0] : undefined);
  if (scope === undefined) {
    await dispatcher.closeOut(row, { status: 'failed', messages: [`payment ${paymentId}: origin_id "${originId}" names no ERP connected to this company in ledgerlink`] });
    return;
  }
  const erpName = scope.runtime.connector.manifest.displayName;
  if (await erpHasPayment(scope, erpPaymentId, signal)) {
    await dispatcher.closeOut(row, { status: 'success', messages: [`Payment ${erpPaymentId} is still in ${erpName}: it stays linked.`] });
    return;
  }
  await hub.client.unlinkPaymentIssued(request.companyId, paymentId, { signal });
  scope.logger.info({ paymentId, erpPaymentId }, `reset_payment: payment ${erpPaymentId} is no longer in ${erpName}; unlinked in the hub`);
  await dispatcher.closeOut(row, { status: 'success', messages: [`Payment ${erpPaymentId} is no longer in ${erpName}: unlinked.`] });
}
