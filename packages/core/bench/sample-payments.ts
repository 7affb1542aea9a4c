import type { Payment } from '../src/model/payment.js';

export const BANK_ACCOUNTS: Record<string, string> = {
  'BANK-1': 'BA1143',
  'BANK-2': 'BA1144',
  'BANK-3': 'WF-OPERATING',
  'BANK-4': 'CHASE-7781',
  'BANK-5': 'SVB-PAYABLES',
};

/** Canonical payments with the variety real ones have: both methods, optional fields present or not. */
export function samplePayments(count: number): Payment[] {
  const payments: Payment[] = [];
  for (let i = 0; i < count; i++) {
    const amountCents = 1 + ((i * 7_919_993) % 2_500_000_00);
    const check = i % 3 !== 0;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + (i % 12)).padStart(2, '0');
    payments.push({
      id: `PAY-${100_000 + i}`,
      status: 'funding_complete',
      amountCents,
      method: check ? 'check' : 'ach',
      fundedOn: `2025-${month}-${day}`,
      bankId: `BANK-${1 + (i % 5)}`,
      ...(check ? { checkNumber: String(10_000 + i) } : {}),
      ...(i % 4 === 0 ? { notes: `Retention release, pay app ${i % 17}` } : {}),
      vendor: { id: `V-${i % 97}`, name: `Subcontractor ${i % 97}`, erpId: `VEND-${1_000 + (i % 97)}` },
      invoice: { id: `INV-${i}`, number: `PA-${2_000 + i}`, amountCents: amountCents + (i % 5 === 0 ? 5_000 : 0), erpId: `${50_000 + i}` },
      project: { id: `PRJ-${i % 13}`, number: `24-${100 + (i % 13)}`, name: `Project ${i % 13}` },
    });
  }
  return payments;
}
