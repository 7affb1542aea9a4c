import type { PaymentIssued, SandboxPayment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { importAll, itemFor, paymentFor, runtimeFor, seedFor, startSandbox } from './support/intacct-fixtures.js';

/**
 * Every row of the Sage Intacct table in seeds/000, in the direction it gives: each export row shown arriving
 * in the sandbox under Intacct's field name, each import row coming back as a PaymentIssued field.
 */

describe('seed table, export: Procore -> Sage Intacct (create APPYMT)', () => {
  const byCheck = paymentFor(1, { amountCents: 12_345, method: 'check', checkNumber: '40001', fundedOn: '2025-01-31' });
  const byAch = paymentFor(2, { amountCents: 6_789, method: 'ach', checkNumber: '40002', fundedOn: '2025-02-03' });
  let sandbox: IntacctSandbox;
  let check: SandboxPayment;
  let ach: SandboxPayment;

  beforeAll(async () => {
    sandbox = await startSandbox();
    sandbox.seed(seedFor(byCheck));
    sandbox.seed(seedFor(byAch));
    const runtime = runtimeFor(sandbox);
    try {
      const outcomes = await runtime.exportPayments([itemFor(byCheck), itemFor(byAch)]);
      expect(outcomes.map((o) => o.kind)).toEqual(['synced', 'synced']);
    } finally {
      await runtime.close();
    }
    const landed = sandbox.payments();
    check = landed.find((p) => p.vendorId === 'V-1') as SandboxPayment;
    ach = landed.find((p) => p.vendorId === 'V-2') as SandboxPayment;
  });
  afterAll(() => sandbox.close());

  it('Amount -> Payment Txn Amount: APPYMTDETAIL/TRX_PAYMENTAMOUNT as an exact two-decimal string', () => {
    expect(check.fields.APPYMTDETAILS).toEqual({ APPYMTDETAIL: [{ RECORDKEY: '7001', TRX_PAYMENTAMOUNT: '123.45' }] });
  });

  it('Date Payment Funded -> Payment Date: PAYMENTDATE as mm/dd/yyyy', () => {
    expect(check.fields.PAYMENTDATE).toBe('01/31/2025');
  });

  it('Payment Method -> Payment Method: check -> Printed Check, ach -> EFT (PAYMENTMETHOD)', () => {
    expect([check.fields.PAYMENTMETHOD, ach.fields.PAYMENTMETHOD]).toEqual(['Printed Check', 'EFT']);
  });

  it('Bank ID -> Checking Account ID: FINANCIALENTITY', () => {
    expect(check.fields.FINANCIALENTITY).toBe('BA-1');
  });

  it('Check Number -> Document or Check No.: DOCNUMBER', () => {
    expect(check.fields.DOCNUMBER).toBe('40001');
  });

  it('Vendor ID -> Vendor ID: VENDORID', () => {
    expect(check.fields.VENDORID).toBe('V-1');
  });

  it("Invoice No. -> Invoice No.: the payment applies to the bill (APPYMTDETAIL/RECORDKEY = the bill's RECORDNO)", () => {
    expect(check.applications).toEqual([{ billId: byCheck.invoice.erpId, amountCents: 12_345 }]);
  });
});

describe('seed table, import: Sage Intacct -> Procore (query APPYMT, Approved and Posted)', () => {
  let sandbox: IntacctSandbox;
  let records: PaymentIssued[];
  let approvedCheck: string;
  let approvedEft: string;
  let draft: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const first = paymentFor(11);
    const second = paymentFor(12);
    const third = paymentFor(13);
    for (const payment of [first, second, third]) sandbox.seed(seedFor(payment));
    approvedCheck = sandbox.addPayment({
      vendorId: 'V-11', bankAccountId: 'BA-11', billId: '7011', amountCents: 25_050, date: '2025-03-04', method: 'check', checkNumber: '5511', final: true,
    });
    approvedEft = sandbox.addPayment({ vendorId: 'V-12', bankAccountId: 'BA-12', billId: '7012', amountCents: 999, date: '2025-03-05', method: 'ach', final: true });
    sandbox.setPaymentState(approvedEft, 'Approved');
    draft = sandbox.addPayment({ vendorId: 'V-13', bankAccountId: 'BA-13', billId: '7013', amountCents: 100, date: '2025-03-06', method: 'check', checkNumber: '5513', final: false });
    const runtime = runtimeFor(sandbox);
    try {
      const result = await importAll(runtime);
      expect(result.errors).toEqual([]);
      records = result.records;
    } finally {
      await runtime.close();
    }
  });
  afterAll(() => sandbox.close());

  const byId = (erpId: string): PaymentIssued => records.find((r) => r.erpPaymentId === erpId) as PaymentIssued;

  it("Payment Status: only final payments (Posted, Approved) come back, their state kept as erpStatus", () => {
    expect(records.map((r) => [r.erpPaymentId, r.erpStatus]).sort()).toEqual([
      [approvedCheck, 'Posted'],
      [approvedEft, 'Approved'],
    ].sort());
    expect(records.map((r) => r.erpPaymentId)).not.toContain(draft);
  });

  it('Payment Txn Amount -> Amount: exact cents', () => {
    expect(byId(approvedCheck).amountCents).toBe(25_050);
  });

  it('Payment Date -> Date Payment Funded: WHENCREATED (how PAYMENTDATE reads back), mm/dd/yyyy to ISO', () => {
    expect(byId(approvedCheck).paidOn).toBe('2025-03-04');
  });

  it('Payment Method -> Payment Method: Printed Check -> check, EFT -> ach', () => {
    expect([byId(approvedCheck).method, byId(approvedEft).method]).toEqual(['check', 'ach']);
  });

  it('Checking Account ID -> Bank ID', () => {
    expect(byId(approvedCheck).bankId).toBe('BA-11');
  });

  it('Document or Check No. -> Check Number', () => {
    expect(byId(approvedCheck).checkNumber).toBe('5511');
  });

  it('Vendor ID -> Vendor ID', () => {
    expect(byId(approvedCheck).vendorErpId).toBe('V-11');
  });

  it("Invoice No. -> Invoice No.: the paid bill's number (APBILL/RECORDID) and RECORDNO", () => {
    expect({ invoiceNumber: byId(approvedCheck).invoiceNumber, erpInvoiceId: byId(approvedCheck).erpInvoiceId }).toEqual({
      invoiceNumber: 'INV-11',
      erpInvoiceId: '7011',
    });
  });
});
