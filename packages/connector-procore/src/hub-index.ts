import type { Payment } from '@ledgerlink/core';

/** Where a payment's records sit in Procore: requisitions and commitments are project-scoped. */
export interface Placement {
  projectId: string;
  commitmentId?: string;
  invoiceId?: string;
}

/**
 * What the client learned from payments it read: which project an invoice, a commitment, or an ERP bill id belongs
 * to. Procore's requisition and contract-payment endpoints need `project_id`, which the hub contract does not pass;
 * this spares a scan of the company's projects in the common case (the payment is read before its invoice or its
 * payment issued). Bounded: the oldest entries go first.
 */
export class HubIndex {
  private readonly entries = new Map<string, Placement>();

  constructor(private readonly capacity = 10_000) {}

  learn(companyId: string, payment: Payment): void {
    const placement: Placement = {
      projectId: payment.project.id,
      invoiceId: payment.invoice.id,
      ...(payment.commitmentId === undefined ? {} : { commitmentId: payment.commitmentId }),
    };
    this.put(`${companyId}/invoice/${payment.invoice.id}`, placement);
    if (payment.invoice.erpId !== undefined) this.put(`${companyId}/erp-invoice/${payment.invoice.erpId}`, placement);
    if (payment.commitmentId !== undefined) this.put(`${companyId}/commitment/${payment.commitmentId}`, { projectId: payment.project.id, commitmentId: payment.commitmentId });
  }

  invoice(companyId: string, invoiceId: string): Placement | undefined {
    return this.entries.get(`${companyId}/invoice/${invoiceId}`);
  }

  erpInvoice(companyId: string, erpInvoiceId: string): Placement | undefined {
    return this.entries.get(`${companyId}/erp-invoice/${erpInvoiceId}`);
  }

  commitment(companyId: string, commitmentId: string): Placement | undefined {
    return this.entries.get(`${companyId}/commitment/${commitmentId}`);
  }

  private put(key: string, placement: Placement): void {
    this.entries.delete(key);
    this.entries.set(key, placement);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
