/**
 * The sandbox's Sage 300 CRE company: AP vendors, AP banks, AP invoices (with their two invoice codes) and
 * the AP check register. The agent's rules for setting the codes are in set-codes.ts. Written from the
 * protocol text (README.md, "Agent protocol v1"), not from the connector's client.
 */
import { amountText } from './amounts.js';

export interface ApVendor {
  /** Sage's vendor id (up to 10 characters), assigned by the customer. */
  id: string;
  name: string;
  status: 'Active' | 'Inactive';
  address?: { street?: string; city?: string; state?: string; zip?: string };
  phone?: string;
  email?: string;
  /** Kept, never shown back on the wire (a tax id is the vendor's secret). */
  taxId?: string;
  /** True when the agent created it (POST /v1/ap/vendors), false when seeded or entered in Sage. */
  createdByAgent: boolean;
}

/** One distribution (record APD of Sage's AP import) of an invoice: where its cost goes, and its retainage. */
export interface ApDistribution {
  description: string;
  amountCents: number;
  retainageCents: number;
  job: string | null;
  costCode: string | null;
  category: string | null;
  commitment: string | null;
  commitmentItem: string | null;
}

export interface ApBank {
  bank: string;
  name: string;
}

export interface ApInvoice {
  vendor: string;
  invoice: string;
  description: string;
  invoiceDate: string;
  amountCents: number;
  balanceCents: number;
  invoiceCode1: string;
  invoiceCode2: string;
  /** Kept by the agent beside the codes: the AP bank the check is drawn on, and its date. */
  bank: string | null;
  checkDate: string | null;
  codesSetAt: string | null;
  /** True once the agent set the codes (what payments() reports), as opposed to codes typed in Sage. */
  setByAgent: boolean;
  /** Retainage held on the invoice; the open balance excludes it until it is released. */
  retainageCents: number;
  dueDate: string | null;
  job: string | null;
  commitment: string | null;
  distributions: ApDistribution[];
  /** True when the agent created it (POST /v1/ap/invoices), false when seeded or entered in Sage. */
  createdByAgent: boolean;
}

/** A check in Sage's AP check register (a payment made in Sage itself). */
export interface ApCheck {
  bank: string;
  checkNumber: string;
  vendor: string;
  invoice: string;
  amountCents: number;
  date: string;
  method: 'Check' | 'ACH';
  memo?: string;
}

/** An answer of the agent: HTTP status and JSON body. */
export interface AgentAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The PUT .../codes body, already checked for shape. */
export interface SetCodesRequest {
  invoiceCode1: string;
  invoiceCode2: string;
  bank: string;
  amount?: string;
  checkDate?: string;
  expect?: { invoiceCode1?: string; invoiceCode2?: string };
}

export function agentError(status: number, code: string, message: string, found?: Record<string, unknown>): AgentAnswer {
  return { status, body: { error: found === undefined ? { code, message } : { code, message, found } } };
}

export function invoiceStatus(invoice: ApInvoice): string {
  if (invoice.balanceCents === 0) return 'Fully paid';
  // Retainage is held, not paid: an invoice nobody paid yet is Open while its balance excludes the retainage.
  return invoice.balanceCents < invoice.amountCents - invoice.retainageCents ? 'Partially paid' : 'Open';
}

/** The invoice as the protocol shows it. */
export function invoiceJson(invoice: ApInvoice): Record<string, unknown> {
  return {
    vendor: invoice.vendor,
    invoice: invoice.invoice,
    description: invoice.description,
    invoiceDate: invoice.invoiceDate,
    amount: amountText(invoice.amountCents),
    balance: amountText(invoice.balanceCents),
    status: invoiceStatus(invoice),
    invoiceCode1: invoice.invoiceCode1,
    invoiceCode2: invoice.invoiceCode2,
    bank: invoice.bank,
    checkDate: invoice.checkDate,
    codesSetAt: invoice.codesSetAt,
    retainage: amountText(invoice.retainageCents),
    dueDate: invoice.dueDate,
    job: invoice.job,
    commitment: invoice.commitment,
    distributions: invoice.distributions.map((line) => ({
      description: line.description,
      amount: amountText(line.amountCents),
      retainage: amountText(line.retainageCents),
      job: line.job,
      costCode: line.costCode,
      category: line.category,
      commitment: line.commitment,
      commitmentItem: line.commitmentItem,
    })),
  };
}

/** The vendor as the protocol shows it (never its tax id). */
export function vendorJson(vendor: ApVendor): Record<string, unknown> {
  return {
    vendor: vendor.id,
    name: vendor.name,
    status: vendor.status,
    address: vendor.address ?? null,
    phone: vendor.phone ?? null,
    email: vendor.email ?? null,
  };
}

export class ApCompany {
  readonly vendors = new Map<string, ApVendor>();
  readonly banks = new Map<string, ApBank>();
  /** Keyed by vendor, then invoice number: Sage's own key for an AP invoice. */
  readonly invoices = new Map<string, Map<string, ApInvoice>>();
  readonly checks: ApCheck[] = [];
  /** Cost codes the company's jobs hold; when set, a distribution naming another is refused. */
  costCodes: Set<string> | undefined;

  constructor(
    readonly name: string,
    readonly codeMaxLength: number,
  ) {}

  addInvoice(
    invoice: Omit<ApInvoice, 'invoiceCode1' | 'invoiceCode2' | 'bank' | 'checkDate' | 'codesSetAt' | 'setByAgent' | 'retainageCents' | 'dueDate' | 'job' | 'commitment' | 'distributions' | 'createdByAgent'> &
      Partial<Pick<ApInvoice, 'retainageCents' | 'dueDate' | 'job' | 'commitment' | 'distributions' | 'createdByAgent'>>,
  ): ApInvoice {
    // An invoice of a vendor that is not seeded stays unreachable (VENDOR_NOT_FOUND): the unknown-vendor case.
    let byNumber = this.invoices.get(invoice.vendor);
    if (!byNumber) this.invoices.set(invoice.vendor, (byNumber = new Map()));
    const stored: ApInvoice = {
      retainageCents: 0,
      dueDate: null,
      job: null,
      commitment: null,
      distributions: [],
      createdByAgent: false,
      ...invoice,
      invoiceCode1: '',
      invoiceCode2: '',
      bank: null,
      checkDate: null,
      codesSetAt: null,
      setByAgent: false,
    };
    byNumber.set(invoice.invoice, stored);
    return stored;
  }

  allInvoices(): ApInvoice[] {
    return [...this.invoices.values()].flatMap((byNumber) => [...byNumber.values()]);
  }

  /** Finds one invoice, or the protocol's 404 saying whether the vendor or the invoice is missing. */
  locate(vendor: string, invoice: string): ApInvoice | AgentAnswer {
    if (!this.vendors.has(vendor)) {
      return agentError(404, 'VENDOR_NOT_FOUND', `Vendor ${vendor} does not exist in Sage AP.`, { vendor });
    }
    const found = this.invoices.get(vendor)?.get(invoice);
    if (found) return found;
    const elsewhere = this.allInvoices()
      .filter((candidate) => candidate.invoice === invoice)
      .map((candidate) => candidate.vendor);
    const hint = elsewhere.length > 0 ? ` Invoice ${invoice} exists for vendor ${elsewhere.join(', ')}.` : '';
    return agentError(404, 'INVOICE_NOT_FOUND', `Vendor ${vendor} has no invoice ${invoice} in Sage AP.${hint}`, {
      vendor,
      invoice,
      ...(elsewhere.length > 0 ? { invoiceExistsForVendors: elsewhere } : {}),
    });
  }

  /** Records a check made in Sage itself and applies it to the invoice it pays. */
  recordCheck(check: ApCheck): void {
    if (!this.banks.has(check.bank)) throw new Error(`sandbox: bank ${check.bank} is not seeded`);
    const located = this.locate(check.vendor, check.invoice);
    if (!('invoiceCode1' in located)) throw new Error(`sandbox: ${JSON.stringify(located.body)}`);
    if (check.amountCents > located.balanceCents) {
      throw new Error(`sandbox: check of ${amountText(check.amountCents)} is above the open balance ${amountText(located.balanceCents)}`);
    }
    located.balanceCents -= check.amountCents;
    this.checks.push(check);
  }
}
