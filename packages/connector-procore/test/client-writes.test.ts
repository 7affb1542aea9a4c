import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentIssuedWrite } from '@ledgerlink/core';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPayment, clientFor, COMMITMENT, COMPANY, context, startHub } from './support.js';

const C = String(COMPANY);

function issued(n: number, overrides: Partial<PaymentIssuedWrite['payment']> = {}): PaymentIssuedWrite {
  return {
    originId: `acme-qbo:PAY-${n}`,
    payment: { erpPaymentId: `PAY-${n}`, amountCents: 1000_00 + n, paidOn: '2025-05-07', method: 'check', checkNumber: String(5000 + n), erpStatus: 'Approved', commitmentId: String(COMMITMENT), invoiceNumber: `INV-${n}`, notes: 'n & <m>', ...overrides },
  };
}

describe('the client on the ERP Platform sandbox: close-out, External Data, payments issued', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('a failed close-out is what Failed to Export shows; after the edit and Export, success with the origin_id', async () => {
    const client = clientFor(hub);
    const { paymentId, detailId } = addPayment(hub, 250_00, { checkNumber: '12' });
    const messages = ['QuickBooks Online: Duplicate Document Number Error (6140): check number 12 is already used on bank GS-OPERATING-1. Change the Check Number and export again.'];
    await client.closeOut(C, String(detailId), { status: 'failed', messages }, context);
    expect(hub.contractPayment(paymentId)).toMatchObject({ status: 'failed', messages: messages.map((message) => ({ message })) });
    expect(hub.erpTool(COMPANY).failedToExport.map((row) => row.id)).toEqual([paymentId]);

    // The accountant changes the check number and presses Export: a new request for the same contract payment.
    const again = hub.exportPayment(paymentId, { checkNumber: '13' });
    const request = await client.erpRequest(C, String(again.request.id), context);
    expect(request?.requestDetailId).toBe(String(again.detail?.id));
    expect(await client.contractPayment(request as NonNullable<typeof request>, context)).toMatchObject({ id: String(paymentId), checkNumber: '13' });
    await client.syncExternalData(C, [{ itemType: 'contract_payment', itemId: String(paymentId), originId: 'QBO-BILLPAY-77', originData: 'BillPayment 77' }], context);
    await client.closeOut(C, String(again.detail?.id), { status: 'success', messages: [] }, context);
    expect(hub.contractPayment(paymentId)).toMatchObject({ status: 'synced', originId: 'QBO-BILLPAY-77', messages: [] });
    expect(hub.erpTool(COMPANY).failedToExport).toEqual([]);
    expect(hub.externalData('contract_payment', paymentId)).toMatchObject({ origin_id: 'QBO-BILLPAY-77', origin_data: 'BillPayment 77' });
  });

  it('External Data that Procore refuses is an error naming the item', async () => {
    const client = clientFor(hub);
    const { paymentId } = addPayment(hub, 10_00);
    await client.syncExternalData(C, [{ itemType: 'contract_payment', itemId: String(paymentId), originId: 'A' }], context);
    // A synced object is locked: another origin_id for it is refused.
    const error = (await client
      .syncExternalData(C, [{ itemType: 'contract_payment', itemId: String(paymentId), originId: 'B' }], context)
      .catch((caught: unknown) => caught)) as { code: string; message: string };
    expect(error).toMatchObject({ code: 'LL_HUB_ERROR' });
    expect(error.message).toContain(`contract_payment ${paymentId}`);
    await expect(client.syncExternalData(C, [{ itemType: 'contract_payment', itemId: ' ', originId: 'B' }], context)).rejects.toMatchObject({ code: 'LL_HUB_ERROR' });
    // A blank ERP id never marks an object synced: refused before anything is sent.
    const other = addPayment(hub, 20_00);
    await expect(client.syncExternalData(C, [{ itemType: 'contract_payment', itemId: String(other.paymentId), originId: '  ' }], context)).rejects.toMatchObject({ code: 'LL_HUB_ERROR' });
    expect(hub.externalData('contract_payment', other.paymentId)?.origin_id ?? null).toBeNull();
  });

  it('syncs payments issued in bulk, one result per write; a replay updates the same payment, never a second one', async () => {
    const client = clientFor(hub);
    const writes = [1, 2, 3].map((n) => issued(n));
    const first = await client.syncPaymentsIssued(C, writes, context);
    expect(first.map((r) => [r.originId, r.ok, r.ok && r.created])).toEqual(writes.map((w) => [w.originId, true, true]));
    const replay = await client.syncPaymentsIssued(C, [issued(2, { erpStatus: 'Cleared' })], context);
    expect(replay).toEqual([{ originId: 'acme-qbo:PAY-2', ok: true, hubId: first[1]?.ok ? first[1].hubId : '', created: false }]);
    const inProcore = hub.paymentsIssued(COMPANY);
    expect(inProcore).toHaveLength(3);
    expect(inProcore.find((p) => p.origin_id === 'acme-qbo:PAY-2')).toMatchObject({ amount: '1000.02', date: '2025-05-07', payment_method: 'check', check_number: '5002', status: 'Cleared', notes: 'n & <m>', commitment_id: COMMITMENT });
  });

  it('chunks at 100 a call, and a refused payment is its own result while the others are written', async () => {
    const client = clientFor(hub);
    const writes = Array.from({ length: 150 }, (_, n) => issued(n + 1));
    writes[120] = issued(121, { commitmentId: '999999' });
    hub.resetStats();
    const results = await client.syncPaymentsIssued(C, writes, context);
    expect(hub.stats().byEndpoint['PATCH /rest/v1.0/companies/:id/invoice_payments/sync']).toBe(2);
    expect(results).toHaveLength(150);
    expect(results.filter((r) => !r.ok)).toEqual([{ originId: 'acme-qbo:PAY-121', ok: false, message: expect.stringContaining('commitment_id') as unknown }]);
    expect(hub.paymentsIssued(COMPANY)).toHaveLength(149);
    // A chunk in which every write is refused answers 422 with the errors: still one result per write.
    const refused = await client.syncPaymentsIssued(C, [issued(500, { commitmentId: '999999' })], context);
    expect(refused).toMatchObject([{ originId: 'acme-qbo:PAY-500', ok: false }]);
    // A blank origin_id is refused in place, the write beside it goes through, order kept.
    const mixed = await client.syncPaymentsIssued(C, [{ ...issued(501), originId: ' ' }, issued(502)], context);
    expect(mixed.map((r) => [r.originId, r.ok])).toEqual([[' ', false], ['acme-qbo:PAY-502', true]]);
  });

  it('unlinks a payment issued the ERP deleted', async () => {
    const client = clientFor(hub);
    const [result] = await client.syncPaymentsIssued(C, [issued(1)], context);
    const hubId = result?.ok ? result.hubId : '';
    await client.unlinkPaymentIssued(C, hubId, context);
    expect(hub.paymentsIssued(COMPANY).find((p) => String(p.id) === hubId)?.origin_id).toBeNull();
    await expect(client.unlinkPaymentIssued(C, '424242', context)).rejects.toMatchObject({ code: 'LL_HUB_NOT_FOUND' });
  });
});
