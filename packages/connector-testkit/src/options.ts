import type { ErpSandbox, HubVendor, Invoice, Payment, Project, Requisition, RequisitionLine, StartSandbox, Vendor } from '@ledgerlink/core';
import type { ConformanceCheck } from './check-names.js';

/**
 * Canonical fields set on every generated payment. Nested objects are merged into the generated ones, so
 * `{ vendor: { code: 'C1' } }` keeps the generated vendor's id, name and ERP id.
 */
export type PaymentDefaults = Partial<Omit<Payment, 'vendor' | 'invoice' | 'project'>> & {
  vendor?: Partial<Vendor>;
  invoice?: Partial<Invoice>;
  project?: Partial<Project>;
};

/** How the kit names the records it seeds and generates. `n` numbers one payment and its vendor, bank and bill. */
export interface ConformanceFixtures {
  /** ERP id of vendor `n` (default `V${n}`). */
  vendorId?: (n: number) => string;
  /** ERP id of bank account `n` (default `BANK${n}`). */
  bankAccountId?: (n: number) => string;
  /** ERP id of bill `n` (default `${1000 + n}`). */
  billId?: (n: number) => string;
  /** Per-connector lookup tables passed to the runtime (default none). */
  lookups?: Record<string, Record<string, string>>;
  /** Canonical payment fields to set on every generated payment (e.g. vendor.code, project.number for Yardi). */
  paymentDefaults?: (n: number) => PaymentDefaults;
  /**
   * Which canonical date the ERP's payment date is mapped from: `fundedOn` (Date Payment Funded, the default)
   * or `paidOn` (Date Paid, as Yardi maps it).
   */
  exportDate?: 'fundedOn' | 'paidOn';
  /**
   * Canonical fields set on every generated requisition (requisition checks): e.g. `project.erpId` (the ERP job),
   * `commitment.erpId`, and `line` fields set on every line (a `costCodeOriginId` the sandbox knows). Nested
   * objects are merged into the generated ones.
   */
  requisitionDefaults?: (n: number) => RequisitionDefaults;
  /** Canonical fields set on every generated hub vendor (vendor-export checks), e.g. a `code` the ERP requires. */
  vendorDefaults?: (n: number) => Partial<HubVendor>;
}

/** What `requisitionDefaults` may set; `line` is merged into every generated line. */
export type RequisitionDefaults = Partial<Omit<Requisition, 'vendor' | 'project' | 'commitment' | 'lines'>> & {
  vendor?: Partial<Requisition['vendor']>;
  project?: Partial<Requisition['project']>;
  commitment?: Partial<Requisition['commitment']>;
  line?: Partial<Omit<RequisitionLine, 'id' | 'amountCents' | 'retainageCents'>>;
};

export interface ConformanceOptions<TConfig> {
  /** The connector's sandbox starter (its `./sandbox` export). */
  startSandbox: StartSandbox;
  /** A valid connection config pointing at the running sandbox. */
  config: (sandbox: ErpSandbox) => TConfig;
  /** An invalid config and the field path its error message must name (e.g. 'realmId'). */
  invalidConfig: { config: (sandbox: ErpSandbox) => unknown; field: string };
  /** Optional: a config with wrong credentials; check() must fail with code LL_ERP_AUTH. */
  badCredentials?: (sandbox: ErpSandbox) => TConfig;
  fixtures: ConformanceFixtures;
  /** Checks skipped for a reason other than a capability: check name -> written reason (required, non-empty). */
  skip?: Partial<Record<ConformanceCheck, string>>;
}
