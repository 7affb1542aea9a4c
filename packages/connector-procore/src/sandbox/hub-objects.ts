import { SandboxRefusal } from './http-io.js';
import { toId, type IdSequence } from './ids.js';
import type {
  CommitmentInput,
  CommitmentKind,
  CompanyInput,
  ContractPaymentInput,
  ContractPaymentStatus,
  IdInput,
  ProjectInput,
  RequisitionInput,
  VendorInput,
} from './types.js';

export interface Company {
  id: number;
  name: string;
}

export interface Project {
  id: number;
  companyId: number;
  projectNumber: string;
  name: string;
}

export interface Vendor {
  id: number;
  companyId: number;
  name: string;
  originCode: string | null;
  abbreviatedName: string | null;
  address: string;
  city: string;
  stateCode: string;
  zip: string;
  countryCode: string | null;
  emailAddress: string | null;
  businessPhone: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  /** Every `create_vendor` request raised for it, oldest first. */
  requestIds: number[];
  /** Link and unlink events, oldest first. */
  links: { requestId: number; linked: boolean; originId: string | null }[];
  /** Updates Company Vendors sync made. */
  syncUpdates: number;
}

export interface RequisitionLine {
  id: number;
  description: string;
  amountCents: number;
  retainageCents: number;
  costCodeOriginId: string | null;
  commitmentItemOriginId: string | null;
  lineItemTypeOriginId: string | null;
}

export interface Commitment {
  id: number;
  companyId: number;
  projectId: number;
  vendorId: number;
  kind: CommitmentKind;
  number: string;
  title: string;
}

export interface Requisition {
  id: number;
  companyId: number;
  projectId: number;
  commitmentId: number;
  invoiceNumber: string;
  number: number;
  totalCents: number;
  taxCents: number;
  markupCents: number;
  invoiceDate: string;
  createdAt: string;
  lines: RequisitionLine[];
  /** Every `create_requisitions` request that carried it, oldest first. */
  requestIds: number[];
  resets: number;
}

export interface ContractPayment {
  id: number;
  companyId: number;
  requisitionId: number;
  amountCents: number;
  paymentMethod: 'ach' | 'check';
  bankId: string;
  checkNumber: string | null;
  paymentNumber: string | null;
  externalPaymentId: string | null;
  retainageReleasedCents: number;
  status: ContractPaymentStatus;
  dateCreated: string;
  dateInitiated: string | null;
  dateFunded: string | null;
  dateSettled: string | null;
  /** Every `create_contract_payment` request raised for it, oldest first. */
  requestIds: number[];
}

/** Where an object's External Data lives: its `item_type`. */
export const COMMITMENT_ITEM_TYPE: Record<CommitmentKind, string> = { subcontract: 'work_order_contract', purchase_order: 'purchase_order_contract' };

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SandboxRefusal(422, `${what} must be a non-blank string`);
  return value;
}

function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new SandboxRefusal(422, `${what} must be a string`);
  return value;
}

function cents(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new SandboxRefusal(422, `${what} must be an integer number of cents, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The Procore objects a contract payment hangs from: companies, projects, vendors, commitments, requisitions and the
 * contract payments themselves. Maps by id, so seeding is linear.
 */
export class HubObjects {
  readonly companies = new Map<number, Company>();
  readonly projects = new Map<number, Project>();
  readonly vendors = new Map<number, Vendor>();
  readonly commitments = new Map<number, Commitment>();
  readonly requisitions = new Map<number, Requisition>();
  readonly contractPayments = new Map<number, ContractPayment>();

  constructor(private readonly ids: IdSequence) {}

  addCompany(input: CompanyInput): Company {
    const id = this.ids.take(input.id, 'company');
    const company = { id, name: text(input.name, `company ${id} name`) };
    this.companies.set(id, company);
    return company;
  }

  addProject(input: ProjectInput): Project {
    const company = this.company(input.companyId);
    const id = this.ids.take(input.id, 'project');
    const projectNumber = text(input.projectNumber, `project ${id} projectNumber`);
    const project = { id, companyId: company.id, projectNumber, name: input.name ?? projectNumber };
    this.projects.set(id, project);
    return project;
  }

  addVendor(input: VendorInput, createdAt: string): Vendor {
    const company = this.company(input.companyId);
    const id = this.ids.take(input.id, 'vendor');
    const at = `vendor ${id}`;
    if (input.isActive !== undefined && typeof input.isActive !== 'boolean') throw new SandboxRefusal(422, `${at} isActive must be true or false`);
    const vendor: Vendor = {
      id,
      companyId: company.id,
      name: text(input.name, `${at} name`),
      originCode: optionalText(input.originCode, `${at} originCode`),
      abbreviatedName: optionalText(input.abbreviatedName, `${at} abbreviatedName`),
      address: optionalText(input.address, `${at} address`) ?? '',
      city: optionalText(input.city, `${at} city`) ?? '',
      stateCode: optionalText(input.stateCode, `${at} stateCode`) ?? '',
      zip: optionalText(input.zip, `${at} zip`) ?? '',
      countryCode: input.countryCode === undefined ? 'US' : optionalText(input.countryCode, `${at} countryCode`),
      emailAddress: optionalText(input.emailAddress, `${at} emailAddress`),
      businessPhone: optionalText(input.businessPhone, `${at} businessPhone`) ?? '',
      isActive: input.isActive ?? true,
      createdAt,
      updatedAt: createdAt,
      requestIds: [],
      links: [],
      syncUpdates: 0,
    };
    this.vendors.set(id, vendor);
    return vendor;
  }

  addCommitment(input: CommitmentInput): Commitment {
    const project = this.project(input.projectId);
    const vendor = this.vendor(input.vendorId);
    if (vendor.companyId !== project.companyId) throw new SandboxRefusal(422, `commitment: vendor ${vendor.id} is not in project ${project.id}'s company`);
    const id = this.ids.take(input.id, 'commitment');
    const kind = input.kind ?? 'subcontract';
    if (kind !== 'subcontract' && kind !== 'purchase_order') throw new SandboxRefusal(422, `commitment ${id}: kind must be subcontract or purchase_order`);
    const commitment = { id, companyId: project.companyId, projectId: project.id, vendorId: vendor.id, kind, number: input.number ?? `SC-${id}`, title: input.title ?? `Commitment ${id}` };
    this.commitments.set(id, commitment);
    return commitment;
  }

  addRequisition(input: RequisitionInput, today: string, createdAt: string): Requisition {
    const commitment = this.commitment(input.commitmentId);
    const id = this.ids.take(input.id, 'requisition');
    const totalCents = cents(input.totalCents, `requisition ${id} totalCents`);
    const lines = this.linesOf(input, id, totalCents, commitment.title);
    const requisition: Requisition = {
      id,
      companyId: commitment.companyId,
      projectId: commitment.projectId,
      commitmentId: commitment.id,
      invoiceNumber: text(input.invoiceNumber, `requisition ${id} invoiceNumber`),
      number: input.number ?? 1,
      totalCents,
      taxCents: cents(input.taxCents ?? 0, `requisition ${id} taxCents`),
      markupCents: cents(input.markupCents ?? 0, `requisition ${id} markupCents`),
      invoiceDate: input.invoiceDate ?? today,
      createdAt,
      lines,
      requestIds: [],
      resets: 0,
    };
    this.requisitions.set(id, requisition);
    return requisition;
  }

  /** The lines as given (adding up to the total), or one line of the total. */
  private linesOf(input: RequisitionInput, id: number, totalCents: number, title: string): RequisitionLine[] {
    const at = `requisition ${id}`;
    if (input.lines === undefined) {
      // The one default line takes the requisition's id (a table of its own), so seeding moves no other ids.
      return [{ id, description: title, amountCents: totalCents, retainageCents: 0, costCodeOriginId: null, commitmentItemOriginId: null, lineItemTypeOriginId: null }];
    }
    if (!Array.isArray(input.lines) || input.lines.length === 0) throw new SandboxRefusal(422, `${at} lines must be a non-empty array`);
    const lines = input.lines.map((line, index): RequisitionLine => {
      const where = `${at} lines[${index}]`;
      if (typeof line !== 'object' || line === null) throw new SandboxRefusal(422, `${where} must be an object`);
      return {
        id: this.ids.take(line.id, 'requisition line'),
        description: optionalText(line.description, `${where} description`) ?? title,
        amountCents: cents(line.amountCents, `${where} amountCents`),
        retainageCents: cents(line.retainageCents ?? 0, `${where} retainageCents`),
        costCodeOriginId: optionalText(line.costCodeOriginId, `${where} costCodeOriginId`),
        commitmentItemOriginId: optionalText(line.commitmentItemOriginId, `${where} commitmentItemOriginId`),
        lineItemTypeOriginId: optionalText(line.lineItemTypeOriginId, `${where} lineItemTypeOriginId`),
      };
    });
    const sum = lines.reduce((total, line) => total + line.amountCents, 0);
    if (sum !== totalCents) throw new SandboxRefusal(422, `${at}: the lines add up to ${sum} cents, not totalCents ${totalCents}`);
    return lines;
  }

  addContractPayment(input: ContractPaymentInput, createdAt: string): ContractPayment {
    const requisition = this.requisition(input.requisitionId);
    const id = this.ids.take(input.id, 'contract payment');
    if (input.paymentMethod !== 'ach' && input.paymentMethod !== 'check') throw new SandboxRefusal(422, `contract payment ${id}: paymentMethod must be ach or check`);
    const payment: ContractPayment = {
      id,
      companyId: requisition.companyId,
      requisitionId: requisition.id,
      amountCents: cents(input.amountCents, `contract payment ${id} amountCents`),
      paymentMethod: input.paymentMethod,
      bankId: text(input.bankId, `contract payment ${id} bankId`),
      checkNumber: input.checkNumber ?? null,
      paymentNumber: input.paymentNumber ?? null,
      externalPaymentId: input.externalPaymentId ?? `pp-${id}`,
      retainageReleasedCents: cents(input.retainageReleasedCents ?? 0, `contract payment ${id} retainageReleasedCents`),
      status: input.status ?? 'pending',
      dateCreated: input.dateCreated ?? createdAt,
      dateInitiated: input.dateInitiated ?? null,
      dateFunded: input.dateFunded ?? null,
      dateSettled: input.dateSettled ?? null,
      requestIds: [],
    };
    this.contractPayments.set(id, payment);
    return payment;
  }

  company(id: IdInput): Company {
    return found(this.companies.get(toId(id, 'company')), `company ${String(id)}`);
  }

  project(id: IdInput): Project {
    return found(this.projects.get(toId(id, 'project')), `project ${String(id)}`);
  }

  vendor(id: IdInput): Vendor {
    return found(this.vendors.get(toId(id, 'vendor')), `vendor ${String(id)}`);
  }

  commitment(id: IdInput): Commitment {
    return found(this.commitments.get(toId(id, 'commitment')), `commitment ${String(id)}`);
  }

  requisition(id: IdInput): Requisition {
    return found(this.requisitions.get(toId(id, 'requisition')), `requisition ${String(id)}`);
  }

  contractPayment(id: IdInput): ContractPayment {
    return found(this.contractPayments.get(toId(id, 'contract payment')), `contract payment ${String(id)}`);
  }
}

function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new SandboxRefusal(404, `${what} not found`);
  return value;
}

/**
 * A vendor as Procore writes it (the `create_vendor` payload's `vendor`, erp_events_dictionary.md; the vendor reads
 * answer the same fields): blank strings and nulls where the directory has nothing, as in the docs' example.
 */
export function vendorPayload(vendor: Vendor, originId: string | null): Record<string, unknown> {
  return {
    id: vendor.id, name: vendor.name, abbreviated_name: vendor.abbreviatedName, address: vendor.address, authorized_bidder: true,
    business_phone: vendor.businessPhone, city: vendor.city, company: vendor.name, country_code: vendor.countryCode, created_at: vendor.createdAt,
    email_address: vendor.emailAddress, fax_number: '', is_active: vendor.isActive, labor_union: null, license_number: null, logo: null,
    mobile_phone: null, non_union_prevailing_wage: false, notes: null, origin_code: vendor.originCode, origin_data: null, origin_id: originId,
    prequalified: false, state_code: vendor.stateCode, synced_to_erp: originId !== null, trade_name: '', union_member: false,
    updated_at: vendor.updatedAt, website: null, zip: vendor.zip, erp_custom_fields: {}, business_register: null, primary_contact: null,
    attachments: [], vendor_group: null,
  };
}
