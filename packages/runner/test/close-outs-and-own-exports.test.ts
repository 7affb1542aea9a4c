import type { LedgerItem, Payment, PaymentIssued } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { sameNaturalKey } from '../src/flows/own-exports.js';
import { closeOutFor } from '../src/hub/close-outs.js';

/** The two rules the hub flows rest on, case by case: what Procore is told, and what counts as our own export. */

const item = (overrides: Partial<LedgerItem>): LedgerItem =>
  ({
    id: 'it-1',
    tenant: 'acme',
    entity: 'payment',
    direction: 'export',
    sourceId: '7001',
    state: 'failed',
    record: {},
    revision: 1,
    attempts: 1,
    idempotencyKey: 'k',
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    ...overrides,
  }) as LedgerItem;

describe('closeOutFor', () => {
  it("a failed export: the ERP's own words first, then which field to change", () => {
    const closeOut = closeOutFor(
      item({
        lastError: {
          code: 'LL_ERP_NEEDS_EDIT',
          kind: 'needs-edit',
          message: 'check number 10003 is already used on bank op1: enter another check number, and export again',
          editableFields: ['checkNumber'],
          erp: { code: 'DUPLICATE_CHECK', message: 'Check number 10003 already exists for bank op1.' },
        },
      } as Partial<LedgerItem>),
      'Yardi Voyager',
    );
    expect(closeOut).toEqual({
      status: 'failed',
      messages: [
        'Yardi Voyager said (DUPLICATE_CHECK): Check number 10003 already exists for bank op1.',
        'check number 10003 is already used on bank op1: enter another check number, and export again',
        'Change Check Number on this payment and export it again.',
      ],
    });
  });

  it('both fields, a refusal without an ERP answer, and one with no reason at all', () => {
    const both = closeOutFor(item({ lastError: { code: 'LL_ERP_NEEDS_EDIT', kind: 'needs-edit', message: 'bank unknown', editableFields: ['checkNumber', 'bankId'] } } as Partial<LedgerItem>), 'Acumatica');
    expect(both?.messages.at(-1)).toBe('Change Check Number or Bank ID on this payment and export it again.');
    const refused = closeOutFor(item({ lastError: { code: 'LL_PARTIAL_PAYMENT_UNSUPPORTED', kind: 'rejected', message: 'partial payment: refused' } } as Partial<LedgerItem>), 'Sage 300 CRE');
    expect(refused).toEqual({ status: 'failed', messages: ['partial payment: refused'] });
    expect(closeOutFor(item({}), 'QuickBooks Online')?.messages).toEqual(['The payment was not exported to QuickBooks Online; no reason was recorded.']);
  });

  it('synced: success; blocked and awaiting approval: in progress, saying why; on its way: nothing yet', () => {
    expect(closeOutFor(item({ state: 'synced', targetId: '55' }), 'X')).toEqual({ status: 'success', messages: [] });
    expect(closeOutFor(item({ state: 'blocked', blockedReason: 'invoice INV-1 is not in X yet' }), 'X')).toEqual({ status: 'in_progress', messages: ['invoice INV-1 is not in X yet'] });
    expect(closeOutFor(item({ state: 'awaiting_approval' }), 'X')?.status).toBe('in_progress');
    expect(closeOutFor(item({ state: 'pending' }), 'X')).toBeUndefined();
    expect(closeOutFor(item({ state: 'exporting' }), 'X')).toBeUndefined();
  });
});

describe('sameNaturalKey (an ERP payment read by the import vs an export in flight)', () => {
  const exported = {
    amountCents: 125_000,
    checkNumber: '10452',
    vendor: { id: 'v', name: 'Summit', erpId: 'V-9' },
    invoice: { id: 'i', number: 'INV-7', amountCents: 125_000, erpId: 'B-7' },
  } as Payment;
  const read = (overrides: Partial<PaymentIssued>): PaymentIssued =>
    ({ erpPaymentId: 'P-1', amountCents: 125_000, paidOn: '2026-12-01', method: 'check', erpStatus: 'Created', ...overrides }) as PaymentIssued;

  it('same amount and same bill (or invoice number, or check number): ours', () => {
    expect(sameNaturalKey(read({ erpInvoiceId: 'B-7' }), exported)).toBe(true);
    expect(sameNaturalKey(read({ invoiceNumber: 'INV-7' }), exported)).toBe(true);
    expect(sameNaturalKey(read({ checkNumber: '10452' }), exported)).toBe(true);
  });

  it('another amount, another check number or another vendor: not ours; nothing identifying: not ours', () => {
    expect(sameNaturalKey(read({ erpInvoiceId: 'B-7', amountCents: 124_999 }), exported)).toBe(false);
    expect(sameNaturalKey(read({ erpInvoiceId: 'B-7', checkNumber: '10453' }), exported)).toBe(false);
    expect(sameNaturalKey(read({ erpInvoiceId: 'B-7', vendorErpId: 'V-8' }), exported)).toBe(false);
    expect(sameNaturalKey(read({ vendorErpId: 'V-9' }), exported)).toBe(false);
  });
});
