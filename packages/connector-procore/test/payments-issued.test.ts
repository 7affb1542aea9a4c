import type { PaymentIssued } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPaid, clientFor, COMMITMENT, COMPANY, context, PROJECT, startHub } from './support.js';

function issued(overrides: Partial<PaymentIssued> = {}): PaymentIssued {
  return {
    erpPaymentId: 'ERP-PAY-1',
    amountCents: 1234_50,
    paidOn: '2025-05-06',
    method: 'check',
    checkNumber: '4711',
    erpStatus: 'Approved',
    paymentNumber: 'APPYMT-88',
    notes: 'Paid in the ERP',
    ...overrides,
  };
}

describe('payments issued (contract_payments) with origin_id', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('writes a payment issued onto the commitment of the invoice it pays, every field on the wire', async () => {
    const { invoiceId } = addPaid(hub, 1234_50, { erpId: 'BILL-9' });
    const client = clientFor(hub);
    const result = await client.writePaymentIssued(
      String(COMPANY),
      issued({ erpInvoiceId: 'BILL-9', invoiceNumber: `INV-${invoiceId}`, projectNumber: 'P-100' }),
      'll-erp-pay-1',
      context,
    );
    expect(result.replayed).toBe(false);
    const written = hub.paymentsIssued(COMPANY);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      id: Number(result.hubId),
      project_id: PROJECT,
      contract_id: COMMITMENT,
      requisition_id: invoiceId,
      amount: '1234.5',
      date: '2025-05-06',
      check_number: '4711',
      invoice_number: `INV-${invoiceId}`,
      payment_number: 'APPYMT-88',
      notes: 'Paid in the ERP',
      payment_method: 'check',
      origin_id: 'll-erp-pay-1',
      origin_data: 'Approved',
    });
  });

  it('a repeat with the same origin_id gets 409 and returns the existing one as replayed', async () => {
    addPaid(hub, 500_00, { erpId: 'BILL-10' });
    const client = clientFor(hub);
    const payment = issued({ erpInvoiceId: 'BILL-10', projectNumber: 'P-100', amountCents: 500_00 });
    const first = await client.writePaymentIssued(String(COMPANY), payment, 'origin-10', context);
    const again = await client.writePaymentIssued(String(COMPANY), payment, 'origin-10', context);
    expect(again).toEqual({ hubId: first.hubId, replayed: true });
    expect(hub.paymentsIssued(COMPANY)).toHaveLength(1);
  });

  it('after a write that committed but lost its answer, the retry is replayed, not written twice', async () => {
    const { paymentId } = addPaid(hub, 700_00, { erpId: 'BILL-11' });
    hub.fundPayment(paymentId);
    const client = clientFor(hub);
    // Read through a payment first: the client then knows the invoice's project and commitment.
    await client.payment(String(COMPANY), String(paymentId), context);
    hub.setFaults({ commitThenDrop: 1 });
    const payment = issued({ erpInvoiceId: 'BILL-11', amountCents: 700_00 });
    await expect(client.writePaymentIssued(String(COMPANY), payment, 'origin-11', context)).rejects.toMatchObject({
      code: 'LL_ERP_TRANSPORT',
      disposition: 'retryable',
    });
    expect(hub.paymentsIssued(COMPANY)).toHaveLength(1);
    const retried = await client.writePaymentIssued(String(COMPANY), payment, 'origin-11', context);
    expect(retried.replayed).toBe(true);
    expect(retried.hubId).toBe(String(hub.paymentsIssued(COMPANY)[0]?.id));
    expect(hub.paymentsIssued(COMPANY)).toHaveLength(1);
  });

  it('refuses what it cannot place, and keeps Procore\'s own words for what Procore refuses', async () => {
    const client = clientFor(hub);
    await expect(client.writePaymentIssued(String(COMPANY), issued({ projectNumber: 'P-404', commitmentId: String(COMMITMENT) }), 'o-1', context)).rejects.toMatchObject({
      code: 'LL_ERP_REJECTED',
      disposition: 'rejected',
      message: expect.stringContaining('project number P-404 is not a project of company') as unknown as string,
    });
    await expect(client.writePaymentIssued(String(COMPANY), issued({ projectNumber: 'P-100', erpInvoiceId: 'BILL-NOPE' }), 'o-2', context)).rejects.toMatchObject({
      code: 'LL_ERP_REJECTED',
      message: expect.stringContaining('no commitment in project') as unknown as string,
    });
    // A commitment that is not in the project: Procore's own 404 text is kept verbatim.
    await expect(
      client.writePaymentIssued(String(COMPANY), issued({ projectNumber: 'P-100', commitmentId: '999' }), 'o-3', context),
    ).rejects.toMatchObject({ code: 'LL_ERP_REJECTED', details: { status: 404, erp: { message: `Contract 999 not found in project ${PROJECT}` } } });
    expect(hub.paymentsIssued(COMPANY)).toHaveLength(0);
  });
});
