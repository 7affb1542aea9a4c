import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPaid, clientFor, collect, COMMITMENT, COMPANY, context, PROJECT, startHub, VENDOR } from './support.js';

describe('reading payments and invoices', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('pages through every funded payment oldest first, once each, and resumes from the cursor', async () => {
    const funded: string[] = [];
    for (let n = 0; n < 7; n++) {
      const { paymentId } = addPaid(hub, 100_00 + n);
      hub.fundPayment(paymentId, '2025-05-02');
      funded.push(String(paymentId));
    }
    addPaid(hub, 555_00); // pending: never listed
    const client = clientFor(hub, { config: { perPage: 3 } });
    const first = await collect(client.fundedPayments(String(COMPANY), context));
    expect(first.records.map((p) => p.id).sort()).toEqual([...funded].sort());
    expect(first.cursors.length).toBeGreaterThanOrEqual(3);
    expect(hub.stats().log.filter((line) => line.includes('/payments/disbursements')).length).toBeGreaterThanOrEqual(3);

    const resumed = await collect(client.fundedPayments(String(COMPANY), { ...context, cursor: first.cursors.at(-1) as string }));
    expect(resumed.records).toEqual([]);
    const { paymentId } = addPaid(hub, 42_00);
    hub.fundPayment(paymentId, '2025-05-03');
    const later = await collect(client.fundedPayments(String(COMPANY), { ...context, cursor: first.cursors.at(-1) as string }));
    expect(later.records.map((p) => p.id)).toEqual([String(paymentId)]);
  });

  it('reads one payment with its vendor, invoice and project in the canonical model', async () => {
    const { paymentId, invoiceId } = addPaid(hub, 1234_50, { invoiceCents: 2000_00 });
    hub.fundPayment(paymentId, '2025-05-02');
    const payment = await clientFor(hub).payment(String(COMPANY), String(paymentId), context);
    expect(payment).toEqual({
      id: String(paymentId),
      status: 'funding_complete',
      amountCents: 123_450,
      method: 'check',
      fundedOn: '2025-05-02',
      bankId: 'GS-OPERATING-1',
      checkNumber: String(10_000 + invoiceId),
      paymentNumber: `PP-${invoiceId}`,
      notes: 'Progress payment & retainage <final>',
      vendor: { id: String(VENDOR), name: 'Summit Drywall Inc.', code: 'SUMMIT', erpId: 'V-100' },
      invoice: { id: String(invoiceId), number: `INV-${invoiceId}`, amountCents: 200_000, erpId: `BILL-${invoiceId}`, commitmentId: String(COMMITMENT) },
      project: { id: String(PROJECT), number: 'P-100', name: 'Harbor View Tower' },
      commitmentId: String(COMMITMENT),
      taxCents: 0,
      markupCents: 0,
    });
    const client = clientFor(hub);
    expect(await client.payment(String(COMPANY), '999999', context)).toBeUndefined();
    const pending = addPaid(hub, 10_00).paymentId;
    await expect(client.payment(String(COMPANY), String(pending), context)).rejects.toMatchObject({
      code: 'LL_RECORD_INVALID',
      disposition: 'retryable',
      message: expect.stringContaining('not funded yet (status pending)') as unknown as string,
    });
  });

  it('parses Procore amounts digit by digit: "0.1", "1.0" and "99999999.99" stay exact', async () => {
    const amounts = [10, 100, 9_999_999_999, 1];
    const ids = amounts.map((cents) => addPaid(hub, cents).paymentId);
    for (const id of ids) hub.fundPayment(id);
    expect(hub.payment(ids[0] as number)?.amount).toBe('0.1');
    expect(hub.payment(ids[1] as number)?.amount).toBe('1.0');
    expect(hub.payment(ids[2] as number)?.amount).toBe('99999999.99');
    const client = clientFor(hub);
    const read = await Promise.all(ids.map((id) => client.payment(String(COMPANY), String(id), context)));
    expect(read.map((p) => p?.amountCents)).toEqual(amounts);
  });

  it('reads an invoice without erpId until it is synced to the ERP, then with it', async () => {
    const { invoiceId, paymentId } = addPaid(hub, 500_00, { erpId: null });
    const client = clientFor(hub);
    // Not read through a payment first: the client finds the invoice's project by itself.
    const before = await client.invoice(String(COMPANY), String(invoiceId), context);
    expect(before).toEqual({ id: String(invoiceId), number: `INV-${invoiceId}`, amountCents: 50_000, commitmentId: String(COMMITMENT) });
    hub.syncInvoice(invoiceId, 'BILL-77');
    hub.fundPayment(paymentId);
    await client.payment(String(COMPANY), String(paymentId), context);
    const after = await client.invoice(String(COMPANY), String(invoiceId), context);
    expect(after?.erpId).toBe('BILL-77');
    expect(await client.invoice(String(COMPANY), '424242', context)).toBeUndefined();
  });

  it('check() proves the connection and names a company the app is not connected to', async () => {
    await expect(clientFor(hub).check(context)).resolves.toBeUndefined();
    await expect(clientFor(hub, { config: { companyIds: [String(COMPANY), '999'] } }).check(context)).rejects.toMatchObject({
      code: 'LL_ERP_AUTH',
      message: expect.stringContaining('not connected to company 999') as unknown as string,
    });
  });
});
