import type { ProcoreSandboxSeed } from '@ledgerlink/connector-procore/sandbox';
import type { SandboxSeed } from '@ledgerlink/core';

/** One Procore Pay payment ready to fund and the ERP records it needs (vendor, bank account, bill). */
export interface SeededPayment {
  contractPaymentId: number;
  requisitionId: number;
  billId: string;
  bankId: string;
  checkNumber: string;
  amountCents: number;
}

export interface PlatformSeed {
  hub: ProcoreSandboxSeed;
  erp: SandboxSeed;
  payments: SeededPayment[];
}

/**
 * `count` payments of one Procore company, each on its own commitment and requisition (synced to the ERP: `origin_id`
 * = the bill's id), with the matching vendor, bank account and bill in a QuickBooks-style ERP seed. Each payment has
 * a vendor of its own, or, with `vendors`, the payments go round that many subcontractors (a company's pay run pays
 * the same subs again and again). Ids start at `firstId` so several companies can share one sandbox. Deterministic:
 * the same arguments, the same seed.
 */
export function platformSeed(options: { companyId: number; count: number; firstId?: number; companyName?: string; vendors?: number }): PlatformSeed {
  const first = options.firstId ?? 10_000;
  const hub: Required<Pick<ProcoreSandboxSeed, 'companies' | 'projects' | 'vendors' | 'commitments' | 'requisitions' | 'contractPayments'>> = {
    companies: [{ id: options.companyId, name: options.companyName ?? `Company ${options.companyId}` }],
    projects: [{ id: first, companyId: options.companyId, projectNumber: `P-${first}`, name: 'Harbor View Tower' }],
    vendors: [],
    commitments: [],
    requisitions: [],
    contractPayments: [],
  };
  const erp: Required<Pick<SandboxSeed, 'vendors' | 'bankAccounts' | 'bills'>> = { vendors: [], bankAccounts: [], bills: [] };
  const payments: SeededPayment[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = first + i;
    const amountCents = 10_000_00 + ((i * 7919) % 90_000_00);
    const vendorId = options.vendors === undefined ? id : first + (i % Math.max(1, options.vendors));
    const vendorErp = String(vendorId);
    const bankId = String(500 + (i % 5));
    const billId = String(900_000 + id);
    const checkNumber = String(100_000 + id);
    if (vendorId === id) {
      hub.vendors.push({ id, companyId: options.companyId, name: `Subcontractor ${id} LLC`, originId: vendorErp });
      erp.vendors.push({ id: vendorErp, name: `Subcontractor ${id} LLC` });
    }
    hub.commitments.push({ id, projectId: first, vendorId, number: `SC-${id}` });
    hub.requisitions.push({ id, commitmentId: id, invoiceNumber: `INV-${id}`, totalCents: amountCents, originId: billId });
    hub.contractPayments.push({ id, requisitionId: id, amountCents, paymentMethod: 'check', bankId, checkNumber });
    if (i < 5) erp.bankAccounts.push({ id: bankId });
    erp.bills.push({ id: billId, vendorId: vendorErp, number: `INV-${id}`, amountCents });
    payments.push({ contractPaymentId: id, requisitionId: id, billId, bankId, checkNumber, amountCents });
  }
  return { hub, erp, payments };
}
