import type { ExportItem, Payment } from '../../src/index.js';

/** A valid full payment of BILL-<n>, with check number CHK-<n>; override what a test is about. */
export function payment(n: number, overrides: Partial<Payment> = {}): Payment {
  return {
    id: `P-${n}`,
    status: 'funding_complete',
    amountCents: 125_000,
    method: 'check',
    fundedOn: '2025-03-14',
    bankId: 'BANK-OPS',
    checkNumber: `CHK-${n}`,
    vendor: { id: 'V-1', name: 'Acme Drywall', erpId: 'VEND-1' },
    invoice: { id: `I-${n}`, number: `INV-${n}`, amountCents: 125_000, erpId: `BILL-${n}` },
    project: { id: 'PR-1', number: '2025-001' },
    ...overrides,
  };
}

export function exportItem(record: Payment, overrides: Partial<ExportItem> = {}): ExportItem {
  return { id: `item-${record.id}`, idempotencyKey: `item-${record.id}.r1`, record, ...overrides };
}

/** The lookup tables a tenant of the test ERP configures. */
export const LOOKUPS = { bankAccounts: { 'BANK-OPS': '1010', 'BANK-PAYROLL': '1020' } };
