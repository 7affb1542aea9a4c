import { wireAmount } from './amounts.js';
import type {
  CommitmentInput,
  CompanyInput,
  IdInput,
  InvoiceInput,
  PaymentInput,
  ProcoreSandboxSeed,
  ProjectInput,
  SandboxPaymentStatus,
  VendorInput,
} from './types.js';

interface Company { id: number; name: string }
interface Project { id: number; companyId: number; number: string; name: string }
interface Vendor { id: number; companyId: number; name: string; code?: string; erpId?: string }
interface Commitment { id: number; projectId: number; vendorId: number; number: string; title: string }
interface Invoice { id: number; commitmentId: number; number: string; amountCents: number; erpId?: string; updatedAt: string }
interface Payment {
  id: number; invoiceId: number; amountCents: number; method: 'ach' | 'check'; bankId: string; checkNumber?: string;
  paymentNumber?: string; notes?: string; status: SandboxPaymentStatus; fundedOn?: string; settledOn?: string;
  taxCents: number; markupCents: number; createdAt: string; updatedAt: string;
}
export interface ContractPayment {
  id: number; projectId: number; contractId: number; requisitionId?: number; amountCents: number; date: string;
  checkNumber?: string; invoiceNumber?: string; paymentNumber?: string; notes?: string; paymentMethod?: string;
  originId?: string; originData?: string; createdAt: string;
}

/** A thrown refusal the routes turn into Procore's answer. */
export class HubRefusal extends Error {
  constructor(readonly status: number, readonly body: { message: string } | { errors: Record<string, string[]> | string }) {
    super('message' in body ? body.message : JSON.stringify(body.errors));
  }
}

function id(value: IdInput | undefined, next: () => number): number {
  if (value === undefined) return next();
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new RangeError(`"${String(value)}" is not a Procore id (a positive integer)`);
  return number;
}

/** Procore's times: ISO with whole seconds. */
export function wireTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The hub's records, in Procore's shapes: companies, projects, vendors (with their ERP origin ids), commitments,
 * requisitions (synced to the ERP or not), Procore Pay payments, and contract payments (Payments Issued).
 */
export class HubData {
  readonly companies = new Map<number, Company>();
  readonly projects = new Map<number, Project>();
  readonly vendors = new Map<number, Vendor>();
  readonly commitments = new Map<number, Commitment>();
  readonly invoices = new Map<number, Invoice>();
  readonly payments = new Map<number, Payment>();
  readonly contractPayments = new Map<number, ContractPayment>();
  private counter = 100_000;

  constructor(private readonly now: () => Date) {}

  private next = (): number => ++this.counter;

  seed(seed: ProcoreSandboxSeed): void {
    for (const input of seed.companies ?? []) this.addCompany(input);
    for (const input of seed.projects ?? []) this.addProject(input);
    for (const input of seed.vendors ?? []) this.addVendor(input);
    for (const input of seed.commitments ?? []) this.addCommitment(input);
    for (const input of seed.invoices ?? []) this.addInvoice(input);
    for (const input of seed.payments ?? []) this.addPayment(input);
  }

  addCompany(input: CompanyInput): number {
    const company = { id: id(input.id, this.next), name: input.name };
    this.companies.set(company.id, company);
    return company.id;
  }

  addProject(input: ProjectInput): number {
    const companyId = this.must(this.companies, input.companyId, 'company').id;
    const project = { id: id(input.id, this.next), companyId, number: input.number, name: input.name ?? `Project ${input.number}` };
    this.projects.set(project.id, project);
    return project.id;
  }

  addVendor(input: VendorInput): number {
    const companyId = this.must(this.companies, input.companyId, 'company').id;
    const vendor: Vendor = { id: id(input.id, this.next), companyId, name: input.name };
    if (input.code !== undefined) vendor.code = input.code;
    if (input.erpId !== undefined) vendor.erpId = input.erpId;
    this.vendors.set(vendor.id, vendor);
    return vendor.id;
  }

  addCommitment(input: CommitmentInput): number {
    const project = this.must(this.projects, input.projectId, 'project');
    const vendor = this.must(this.vendors, input.vendorId, 'vendor');
    if (vendor.companyId !== project.companyId) throw new RangeError(`vendor ${vendor.id} is not in the company of project ${project.id}`);
    const commitmentId = id(input.id, this.next);
    this.commitments.set(commitmentId, { id: commitmentId, projectId: project.id, vendorId: vendor.id, number: input.number ?? `SC-${commitmentId}`, title: input.title ?? `Subcontract ${commitmentId}` });
    return commitmentId;
  }

  addInvoice(input: InvoiceInput): number {
    const commitment = this.must(this.commitments, input.commitmentId, 'commitment');
    if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) throw new RangeError('an invoice amount is positive integer cents');
    const invoice: Invoice = { id: id(input.id, this.next), commitmentId: commitment.id, number: input.number, amountCents: input.amountCents, updatedAt: wireTime(this.now()) };
    if (input.erpId !== undefined) invoice.erpId = input.erpId;
    this.invoices.set(invoice.id, invoice);
    return invoice.id;
  }

  addPayment(input: PaymentInput): number {
    const invoice = this.must(this.invoices, input.invoiceId, 'invoice');
    if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) throw new RangeError('a payment amount is positive integer cents');
    const paid = [...this.payments.values()].filter((p) => p.invoiceId === invoice.id && p.status !== 'voided' && p.status !== 'failed').reduce((sum, p) => sum + p.amountCents, 0);
    if (paid + input.amountCents > invoice.amountCents) {
      throw new RangeError(`invoice ${invoice.id} has ${wireAmount(invoice.amountCents - paid)} left to pay; a payment of ${wireAmount(input.amountCents)} would overpay it`);
    }
    const at = wireTime(this.now());
    const payment: Payment = {
      id: id(input.id, this.next), invoiceId: invoice.id, amountCents: input.amountCents, method: input.method, bankId: input.bankId,
      status: input.status ?? 'pending', taxCents: input.taxCents ?? 0, markupCents: input.markupCents ?? 0, createdAt: at, updatedAt: at,
    };
    for (const key of ['checkNumber', 'paymentNumber', 'notes', 'fundedOn', 'settledOn'] as const) {
      if (input[key] !== undefined) payment[key] = input[key];
    }
    this.payments.set(payment.id, payment);
    return payment.id;
  }

  /** Moves a payment to 'Funding Complete' (today unless told), as Procore Pay does when the funds are in. */
  fund(paymentId: IdInput, fundedOn?: string): Payment {
    const payment = this.must(this.payments, paymentId, 'payment');
    payment.status = 'funding_complete';
    payment.fundedOn = fundedOn ?? payment.fundedOn ?? wireTime(this.now()).slice(0, 10);
    payment.updatedAt = wireTime(this.now());
    return payment;
  }

  /** Marks an invoice synced to the ERP with the ERP's id for it. */
  sync(invoiceId: IdInput, erpId: string): Invoice {
    const invoice = this.must(this.invoices, invoiceId, 'invoice');
    invoice.erpId = erpId;
    invoice.updatedAt = wireTime(this.now());
    return invoice;
  }

  companyOfPayment(payment: Payment): Company {
    const invoice = this.invoices.get(payment.invoiceId) as Invoice;
    const commitment = this.commitments.get(invoice.commitmentId) as Commitment;
    const project = this.projects.get(commitment.projectId) as Project;
    return this.companies.get(project.companyId) as Company;
  }

  projectOfInvoice(invoice: Invoice): Project {
    const commitment = this.commitments.get(invoice.commitmentId) as Commitment;
    return this.projects.get(commitment.projectId) as Project;
  }

  /** A payment as the disbursements endpoint shows it [I]. */
  paymentWire(payment: Payment): Record<string, unknown> {
    const invoice = this.invoices.get(payment.invoiceId) as Invoice;
    const commitment = this.commitments.get(invoice.commitmentId) as Commitment;
    const project = this.projects.get(commitment.projectId) as Project;
    const vendor = this.vendors.get(commitment.vendorId) as Vendor;
    return {
      id: payment.id,
      company_id: project.companyId,
      status: payment.status,
      amount: wireAmount(payment.amountCents),
      payment_method: payment.method,
      bank_id: payment.bankId,
      check_number: payment.checkNumber ?? null,
      payment_number: payment.paymentNumber ?? null,
      date_payment_funded: payment.fundedOn ?? null,
      date_payment_settled: payment.settledOn ?? null,
      notes: payment.notes ?? null,
      tax_amount: wireAmount(payment.taxCents),
      markup_amount: wireAmount(payment.markupCents),
      commitment_id: commitment.id,
      vendor: { id: vendor.id, name: vendor.name, origin_code: vendor.code ?? null, origin_id: vendor.erpId ?? null },
      invoice: { id: invoice.id, invoice_number: invoice.number, amount: wireAmount(invoice.amountCents), origin_id: invoice.erpId ?? null, commitment_id: commitment.id },
      project: { id: project.id, project_number: project.number, name: project.name },
      created_at: payment.createdAt,
      updated_at: payment.updatedAt,
    };
  }

  /** A requisition as `GET /rest/v1.1/requisitions/{id}` shows it (the parts the flows use). */
  requisitionWire(invoice: Invoice): Record<string, unknown> {
    const commitment = this.commitments.get(invoice.commitmentId) as Commitment;
    return {
      id: invoice.id,
      project_id: commitment.projectId,
      commitment_id: commitment.id,
      vendor_id: commitment.vendorId,
      invoice_number: invoice.number,
      status: 'approved',
      origin_id: invoice.erpId ?? null,
      erp_status: invoice.erpId === undefined ? 'not_synced' : 'synced',
      summary: { current_payment_due: wireAmount(invoice.amountCents) },
      updated_at: invoice.updatedAt,
    };
  }

  contractPaymentWire(payment: ContractPayment): Record<string, unknown> {
    return {
      id: payment.id,
      project_id: payment.projectId,
      contract_id: payment.contractId,
      requisition_id: payment.requisitionId ?? null,
      amount: wireAmount(payment.amountCents),
      date: payment.date,
      check_number: payment.checkNumber ?? null,
      invoice_number: payment.invoiceNumber ?? null,
      payment_number: payment.paymentNumber ?? null,
      notes: payment.notes ?? null,
      payment_method: payment.paymentMethod ?? null,
      origin_id: payment.originId ?? null,
      origin_data: payment.originData ?? null,
      created_at: payment.createdAt,
    };
  }

  private must<T>(map: Map<number, T>, value: IdInput, what: string): T {
    const found = map.get(typeof value === 'number' ? value : Number(value));
    if (found === undefined) throw new RangeError(`the sandbox has no ${what} ${String(value)}`);
    return found;
  }

  newId(): number {
    return this.next();
  }
}
