/**
 * Every row of the Acumatica seed table (seeds/000, "Procore Pay and ERP: Detailed Data Mapping") shown
 * arriving in the sandbox as Acumatica stores it (export), and coming back (import).
 */
import type { PaymentIssued, SandboxPayment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { BILLS, CASH, VENDOR, exportOnce, payment, runtimeFor, startSeeded } from './support.js';

let sandbox: AcumaticaSandbox;
const byMethod: Record<'ach' | 'check', SandboxPayment> = {} as Record<'ach' | 'check', SandboxPayment>;
const imported: Record<'ach' | 'check', PaymentIssued> = {} as Record<'ach' | 'check', PaymentIssued>;
const sent = {
  check: payment({ method: 'check', amountCents: 1_234_567, fundedOn: '2025-06-30', checkNumber: '004711', bill: BILLS[0] }),
  ach: payment({ method: 'ach', amountCents: 98_765, fundedOn: '2025-07-01', checkNumber: '004712', bill: BILLS[1] }),
};

beforeAll(async () => {
  sandbox = await startSeeded();
  for (const method of ['check', 'ach'] as const) {
    const outcome = await exportOnce(sandbox, sent[method]);
    expect(outcome).toMatchObject({ kind: 'synced' });
    const erpId = outcome.kind === 'synced' ? outcome.erpId : '';
    byMethod[method] = sandbox.payments().find((stored) => stored.erpId === erpId) as SandboxPayment;
  }
  const runtime = runtimeFor(sandbox);
  try {
    for await (const page of runtime.importPayments()) {
      for (const record of page.records) {
        if (record.erpPaymentId === byMethod.check.erpId) imported.check = record;
        if (record.erpPaymentId === byMethod.ach.erpId) imported.ach = record;
      }
    }
  } finally {
    await runtime.close();
  }
});
afterAll(() => sandbox.close());

describe('seed table, Procore -> Acumatica (export)', () => {
  it('Date Payment Funded -> Application Date', () => {
    expect(byMethod.check.fields.ApplicationDate).toBe('2025-06-30');
  });
  it('Check Number -> Payment Ref', () => {
    expect(byMethod.check.fields.PaymentRef).toBe('004711');
  });
  it('Payment Method -> Payment Method (ACH, CHECK)', () => {
    expect([byMethod.check.fields.PaymentMethod, byMethod.ach.fields.PaymentMethod]).toEqual(['CHECK', 'ACH']);
  });
  it('Amount -> Payment Amount', () => {
    expect(byMethod.check.fields.PaymentAmount).toBe('12345.67');
  });
  it('Amount -> Details - Amount Paid', () => {
    expect(byMethod.check.fields.Details).toEqual([{ DocType: 'Bill', ReferenceNbr: BILLS[0], AmountPaid: '12345.67' }]);
  });
  it('Vendor ID -> Vendor, Bank ID -> Cash Account, Notes -> Description (beside the table)', () => {
    expect([byMethod.check.fields.Vendor, byMethod.check.fields.CashAccount, byMethod.check.fields.Description]).toEqual([
      VENDOR,
      CASH,
      sent.check.notes,
    ]);
  });
  it('the check is released: Status Closed, not on hold', () => {
    expect([byMethod.check.fields.Status, byMethod.check.fields.Hold, byMethod.check.final]).toEqual(['Closed', false, true]);
  });
});

describe('seed table, Acumatica -> Procore (import)', () => {
  it('Application Date -> Date Payment Funded (paidOn)', () => {
    expect(imported.check.paidOn).toBe('2025-06-30');
  });
  it('Payment Ref -> Check Number', () => {
    expect(imported.check.checkNumber).toBe('004711');
  });
  it('Payment Method (ACH, CHECK) -> Payment Method', () => {
    expect([imported.check.method, imported.ach.method]).toEqual(['check', 'ach']);
  });
  it('Payment Amount / Details - Amount Paid -> Amount', () => {
    expect([imported.check.amountCents, imported.ach.amountCents]).toEqual([1_234_567, 98_765]);
  });
  it('Details - Reference Nbr. -> the bill paid, Vendor and Cash Account back', () => {
    expect([imported.check.erpInvoiceId, imported.check.invoiceNumber, imported.check.vendorErpId, imported.check.bankId]).toEqual([
      BILLS[0],
      'INV-1',
      VENDOR,
      CASH,
    ]);
  });
  it("Status -> the ERP's status, Description -> Notes", () => {
    expect([imported.check.erpStatus, imported.check.notes]).toEqual(['Closed', sent.check.notes]);
  });
});
