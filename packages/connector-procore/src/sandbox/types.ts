/**
 * The Procore ERP Platform sandbox's public shapes: what a test, the demo or a benchmark seeds, controls and reads.
 * Wire shapes (what the REST API answers) are built in the route files; these are the programmatic side.
 */

/** Ids are Procore's: positive integers. Inputs take a number or its digits; omitted ids are assigned. */
export type IdInput = number | string;

export interface CompanyInput {
  id?: IdInput;
  name: string;
}

export interface ProjectInput {
  id?: IdInput;
  companyId: IdInput;
  /** `project_number` (Yardi's Property ID, the ERP's job number). */
  projectNumber: string;
  name?: string;
  /** The ERP's job id (`origin_id`), once synced. */
  originId?: string;
}

export interface VendorInput {
  id?: IdInput;
  companyId: IdInput;
  name: string;
  /** The vendor's code in the ERP (`origin_code`). */
  originCode?: string;
  /** The vendor's id in the ERP (`origin_id`), once synced. */
  originId?: string;
  /** Directory fields the `create_vendor` payload carries (blank when absent, as in the docs' example). */
  abbreviatedName?: string;
  address?: string;
  city?: string;
  stateCode?: string;
  zip?: string;
  /** Default `US`, as in the docs' example. */
  countryCode?: string;
  emailAddress?: string;
  businessPhone?: string;
  /** Default true. */
  isActive?: boolean;
}

export type CommitmentKind = 'subcontract' | 'purchase_order';

export interface CommitmentInput {
  id?: IdInput;
  projectId: IdInput;
  vendorId: IdInput;
  /** Default `subcontract` (External Data item type `work_order_contract`); a PO is `purchase_order_contract`. */
  kind?: CommitmentKind;
  number?: string;
  title?: string;
  originId?: string;
}

/** One line of a requisition (`line_items[]` of `create_requisitions`). */
export interface RequisitionLineInput {
  /** `procore_requisition_item_id`; assigned when omitted. */
  id?: IdInput;
  description?: string;
  /** Work billed this period on the line, in cents (`amount`). */
  amountCents: number;
  /** Retainage held this period, in cents (`retainage_this_period`); default 0. */
  retainageCents?: number;
  costCodeOriginId?: string;
  commitmentItemOriginId?: string;
  lineItemTypeOriginId?: string;
}

/** A requisition: a subcontractor invoice against a commitment. */
export interface RequisitionInput {
  id?: IdInput;
  commitmentId: IdInput;
  invoiceNumber: string;
  /** The pay application's number (`number`, the payload's `draw_request_number`); default 1. */
  number?: number;
  /** What the invoice asks for, in cents (`total_amount`, the current payment due). */
  totalCents: number;
  /** Tax and markups on the invoice, in cents (0 unless told). */
  taxCents?: number;
  markupCents?: number;
  /** `YYYY-MM-DD`; default the day it is added. */
  invoiceDate?: string;
  /** The ERP bill's id (`origin_id`): present once the invoice is synced to the ERP. */
  originId?: string;
  /** Its lines; their amounts add up to `totalCents`. Default: one line of `totalCents`, no retainage. */
  lines?: RequisitionLineInput[];
}

/** Procore Pay's status of a contract payment (`status` in the payload); funding sets `paid`, as the docs' example. */
export type ContractPaymentStatus = 'draft' | 'pending' | 'paid' | 'failed' | 'voided';

/** A Procore Pay payment of a requisition: the fields of the `create_contract_payment` payload. */
export interface ContractPaymentInput {
  id?: IdInput;
  requisitionId: IdInput;
  amountCents: number;
  paymentMethod: 'ach' | 'check';
  bankId: string;
  checkNumber?: string;
  paymentNumber?: string;
  externalPaymentId?: string;
  retainageReleasedCents?: number;
  /** Default `pending`; `fundPayment` makes it `paid`. */
  status?: ContractPaymentStatus;
  /** ISO times; `dateFunded` is set by `fundPayment` unless given there. */
  dateCreated?: string;
  dateInitiated?: string;
  dateFunded?: string;
  dateSettled?: string;
}

/** A payment issued (Invoice Payment) as the ERP reported it, for seeding what an earlier sync wrote. */
export interface InvoicePaymentInput {
  id?: IdInput;
  companyId: IdInput;
  originId: string;
  amountCents: number;
  /** `YYYY-MM-DD`. */
  date: string;
  paymentMethod: 'check' | 'ach';
  commitmentId?: IdInput;
  requisitionId?: IdInput;
  invoiceNumber?: string;
  checkNumber?: string;
  paymentNumber?: string;
  notes?: string;
  status?: string;
}

/** A whole company (or several) at once; ids given here are kept, so a test or the demo can refer to them. */
export interface ProcoreSandboxSeed {
  companies?: CompanyInput[];
  projects?: ProjectInput[];
  vendors?: VendorInput[];
  commitments?: CommitmentInput[];
  requisitions?: RequisitionInput[];
  contractPayments?: ContractPaymentInput[];
  invoicePayments?: InvoicePaymentInput[];
}

/** How many of each object a `seed` call added. */
export interface SeedCounts {
  companies: number;
  projects: number;
  vendors: number;
  commitments: number;
  requisitions: number;
  contractPayments: number;
  invoicePayments: number;
}

/** The ERP Request names the sandbox's control actions raise (the events dictionary's `request_name`). */
export type ErpRequestName =
  | 'create_contract_payment'
  | 'sync_contract_payments'
  | 'reset_payment'
  | 'create_vendor'
  | 'sync_vendors'
  | 'link_vendor'
  | 'unlink_vendor'
  | 'create_vendor_in_procore'
  | 'create_requisitions'
  | 'reset_requisition';

/** A Request Detail's status, as the docs name them. */
export type RequestDetailStatus = 'in_progress' | 'success' | 'failed' | 'stale';

/** One close-out message, as Procore's ERP tab shows it. */
export interface RequestDetailMessage {
  message: string;
}

/** An ERP Request as `GET .../erp_requests/{id}` answers it (ids as numbers, as on the wire). */
export interface ErpRequestWire {
  id: number;
  company_id: number;
  request_name: ErpRequestName;
  request_data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  integration_app_name: string | null;
}

/** A Request Detail as the API answers it. */
export interface RequestDetailWire {
  id: number;
  erp_request_id: number;
  status: RequestDetailStatus;
  messages: RequestDetailMessage[];
  created_at: string;
  updated_at: string;
}

/** What a control action raised: the request, and its detail when the event has one. */
export interface RaisedRequest {
  request: ErpRequestWire;
  detail?: RequestDetailWire;
}

/** The sync status Procore's ERP tool shows for one contract payment. */
export type ContractPaymentSyncStatus = 'not_synced' | 'in_progress' | 'synced' | 'failed';

/** One row of the ERP tool's contract payments list. */
export interface ContractPaymentView {
  id: number;
  companyId: number;
  requisitionId: number;
  status: ContractPaymentSyncStatus;
  /** The External Data `origin_id` once synced. */
  originId: string | null;
  /** The messages of the latest close-out (what Failed to Export shows). */
  messages: RequestDetailMessage[];
  /** Every `create_contract_payment` request raised for it, oldest first. */
  requestIds: number[];
  /** The latest request detail's status, when there is one. */
  lastDetailStatus?: RequestDetailStatus;
  checkNumber: string | null;
  bankId: string;
  amount: string;
}

/**
 * The sync status the ERP tool shows for a requisition or a vendor: `in_progress` once exported and until synced
 * (a requisition's export has no request detail, so it stays there until its `origin_id` is written), `failed` after
 * a failed or stale close-out (vendors).
 */
export type ObjectSyncStatus = 'not_synced' | 'in_progress' | 'synced' | 'failed';

/** One row of the ERP tool's requisitions (subcontractor invoices) list. */
export interface RequisitionView {
  id: number;
  companyId: number;
  projectId: number;
  commitmentId: number;
  invoiceNumber: string;
  status: ObjectSyncStatus;
  /** External Data `origin_id` (the ERP bill's id) once synced. */
  originId: string | null;
  /** Every `create_requisitions` request that carried it, oldest first. */
  requestIds: number[];
  /** `reset_requisition` requests raised for it. */
  resets: number;
}

/** One row of the ERP tool's vendors list. */
export interface VendorView {
  id: number;
  companyId: number;
  name: string;
  status: ObjectSyncStatus;
  originId: string | null;
  /** The messages of the latest `create_vendor` close-out. */
  messages: RequestDetailMessage[];
  lastDetailStatus?: RequestDetailStatus;
  /** Every `create_vendor` request raised for it, oldest first. */
  requestIds: number[];
  /** Link and unlink events raised for it, oldest first. */
  links: { requestId: number; linked: boolean; originId: string | null }[];
  /** Updates Company Vendors sync made to it. */
  syncUpdates: number;
}

/** A payment issued (Invoice Payment) as the API shows it. */
export interface InvoicePaymentWire {
  id: number;
  company_id: number;
  origin_id: string | null;
  commitment_id: number | null;
  requisition_id: number | null;
  invoice_number: string | null;
  amount: string;
  date: string;
  payment_method: string;
  check_number: string | null;
  payment_number: string | null;
  notes: string | null;
  status: string | null;
  created_at: string;
  updated_at: string;
}

/** An External Data record: the ERP's id of one Procore object. */
export interface ExternalDataRecord {
  item_type: string;
  item_id: number;
  origin_id: string | null;
  origin_data: string | null;
}

export type StagedRecordStatus = 'staged' | 'archived' | 'imported' | 'invalid';

export interface StagedRecordWire {
  id: number;
  company_id: number;
  item_type: string;
  origin_id: string;
  origin_code: string | null;
  origin_data: string | null;
  parent_id: number | null;
  status: StagedRecordStatus;
  data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface ErpConnectionWire {
  id: number;
  company_id: number;
  name: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface HookWire {
  id: number;
  company_id: number;
  namespace: string;
  destination_url: string;
  destination_headers: Record<string, string>;
  api_version: string;
}

export interface TriggerWire {
  id: number;
  hook_id: number;
  resource_name: string;
  event_type: string;
}

/** One try at delivering one event to one hook. */
export interface DeliveryAttempt {
  attempt: number;
  /** ISO time the POST started. */
  at: string;
  /** The receiver's HTTP status, when it answered in time. */
  status?: number;
  /** Why there was no usable answer. */
  error?: 'timeout' | 'network';
  durationMs: number;
}

/**
 * One event's delivery to one hook. `ok` after a 2xx; `retried` while failing and queued again; `discarded` when
 * the hook's queue was flushed after the horizon (or a `discardNext` knob dropped it); `stopped` when the sandbox
 * closed. The webhooks API calls the first three `outcome`.
 */
export interface Delivery {
  id: number;
  hookId: number;
  companyId: number;
  /** The event's `ulid` (the same on a duplicate). */
  ulid: string;
  /** The event's `id`. */
  eventId: number;
  /** The ERP Request id (`resource_id`). */
  resourceId: number;
  requestName: ErpRequestName;
  outcome: 'pending' | 'ok' | 'retried' | 'discarded' | 'stopped';
  /** True for a copy sent by the `duplicateNext` knob. */
  duplicate: boolean;
  attempts: DeliveryAttempt[];
  /** The JSON body sent (the same on every attempt). */
  body: string;
  /** The headers sent (the hook's `destination_headers` and content type). */
  headers: Record<string, string>;
}

/** What the ERP tool and the sandbox's counters show, per company. */
export interface ErpToolView {
  companyId: number;
  contractPayments: ContractPaymentView[];
  /** Contract payments whose last close-out failed (Procore's Failed to Export filter). */
  failedToExport: ContractPaymentView[];
  paymentsIssued: InvoicePaymentWire[];
  /**
   * Payments issued whose origin_id is the origin_id of one of the company's synced contract payments: an export
   * written back as a payment issued (what must never happen).
   */
  exportsWrittenBack: InvoicePaymentWire[];
  requestDetails: RequestDetailWire[];
  requisitions: RequisitionView[];
  vendors: VendorView[];
  /** The Ready to Import page (and what was imported, archived or marked invalid). */
  stagedRecords: StagedRecordWire[];
  /** The latest Refresh Vendors List: its detail's status and messages, when it was pressed. */
  lastVendorSync?: RequestDetailWire;
}

/** Faults applied to the REST API (not to the control endpoints or the token endpoint unless said). */
export interface ProcoreSandboxFaults {
  /** Added before every API answer, in milliseconds. */
  latencyMs: number;
  /** Share of API requests (0..1) answered 500. */
  errorRate: number;
  /** The next N API requests get 429 with `Retry-After` and the X-Rate-Limit headers (remaining 0). */
  throttleNext: number;
  /** The `Retry-After` of a throttled answer, in seconds. */
  retryAfterSeconds: number;
  /** The next N writes (POST/PUT/PATCH/DELETE) commit, then the connection is destroyed without an answer. */
  commitThenDrop: number;
}

/** Webhook knobs: what Procore's delivery service sometimes does. */
export interface DeliveryKnobs {
  /** The next N events are each delivered twice (same `ulid`). */
  duplicateNext: number;
  /** The next N events are discarded for good, never attempted (as after a 12 h flush). */
  discardNext: number;
  /** While true, nothing is sent; events queue and go out on resume. */
  paused: boolean;
}

/** Call counts, per endpoint as `METHOD /path/with/:ids`, and in total. */
export interface ProcoreSandboxStats {
  /** REST API requests received (not the token endpoint, not `/_sandbox`). */
  requests: number;
  /** Answered 429. */
  throttled: number;
  /** Token endpoint calls, successful or not. */
  tokenRequests: number;
  /** Tokens issued. */
  tokensIssued: number;
  maxConcurrent: number;
  /** Calls per endpoint pattern, e.g. `PATCH /rest/v1.0/companies/:id/erp_request_details/:id`. */
  byEndpoint: Record<string, number>;
}

/** The service account (Developer Managed Service Account): client credentials, no refresh token. */
export interface ServiceAccount {
  clientId: string;
  clientSecret: string;
}

export interface ProcoreSandboxOptions {
  port?: number;
  host?: string;
  /** The one service account the sandbox knows (test values by default). */
  serviceAccount?: Partial<ServiceAccount>;
  seed?: ProcoreSandboxSeed;
  faults?: Partial<ProcoreSandboxFaults>;
  /** Access token lifetime in milliseconds (Procore: 5,400 s). */
  accessTokenTtlMs?: number;
  /** Requests allowed per token per window (Procore: 3,600 an hour) and the window. */
  rateLimit?: { limit?: number; windowMs?: number; /** Answer 429 past the limit (default false: headers only). */ enforce?: boolean };
  /** Webhook delivery timings (Procore: 5 s timeout, backoff from 1 s to 1 h, discard after 12 h of retries). */
  webhooks?: { timeoutMs?: number; baseDelayMs?: number; maxDelayMs?: number; horizonMs?: number; /** Deliveries in flight per hook while healthy (default 4). */ concurrency?: number };
  /** Default `integration_app_name` of requests (null, as in the docs' example). */
  integrationAppName?: string | null;
}

/** Edits the accountant makes to a failed payment before pressing Export again. */
export interface PaymentEdits {
  checkNumber?: string;
  bankId?: string;
}

/**
 * The sandbox's control panel: what a person does in Procore (fund, edit and export, sync, reset), what Procore's ERP
 * tool shows, and the knobs of its webhooks and faults. The same actions are HTTP endpoints under `/_sandbox/`.
 */
export interface ProcoreSandbox {
  /** Base URL of the REST API (`apiBaseUrl`), e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The token endpoint (`tokenUrl`): `${url}/oauth/token`. */
  readonly tokenUrl: string;
  readonly serviceAccount: ServiceAccount;

  /** Adds companies, projects, vendors, commitments, requisitions, contract payments, payments issued; linear time. */
  seed(seed: ProcoreSandboxSeed): SeedCounts;
  addCompany(input: CompanyInput): number;
  addProject(input: ProjectInput): number;
  addVendor(input: VendorInput): number;
  addCommitment(input: CommitmentInput): number;
  addRequisition(input: RequisitionInput): number;
  addContractPayment(input: ContractPaymentInput): number;

  /** Procore Pay funds the payment: status `paid`, `date_payment_funded` set, a `create_contract_payment` request. */
  fundPayment(contractPaymentId: IdInput, options?: { dateFunded?: string }): RaisedRequest;
  /**
   * The accountant edits the payment (check number, bank id) and presses Export: a new `create_contract_payment`
   * request for the same contract payment with the edited fields. Refused (throws) while the payment is synced.
   */
  exportPayment(contractPaymentId: IdInput, edits?: PaymentEdits): RaisedRequest;
  /** 'Sync Payments' on the Subcontractor Invoices tab: `sync_contract_payments`. */
  syncPayments(companyId: IdInput): RaisedRequest;
  /** 'Refresh Vendors List': `sync_vendors`. */
  refreshVendors(companyId: IdInput): RaisedRequest;
  /** A vendor exported to the ERP: `create_vendor`. */
  exportVendor(vendorId: IdInput): RaisedRequest;
  /** A batch of requisitions exported: `create_requisitions` (no request detail, as in the docs). */
  exportRequisitions(requisitionIds: IdInput[]): RaisedRequest;
  /**
   * The accountant imports a staged vendor (Ready to Import): a synced Procore vendor, the record `imported`,
   * `create_vendor_in_procore` (no detail).
   */
  importStagedVendor(stagedRecordId: IdInput): RaisedRequest;
  /** The accountant links a Procore vendor to an ERP vendor: External Data written, `link_vendor` (no detail). */
  linkVendor(vendorId: IdInput, originId: string): RaisedRequest;
  /** The accountant unlinks a synced vendor: External Data cleared, `unlink_vendor` (no detail). */
  unlinkVendor(vendorId: IdInput): RaisedRequest;
  /** A super user resets a synced requisition: unsynced, `reset_requisition` (no detail). */
  resetRequisition(requisitionId: IdInput, options?: { resetOverride?: boolean }): RaisedRequest;
  /** One requisition's row in the ERP tool. */
  requisition(requisitionId: IdInput): RequisitionView;
  /** One vendor's row in the ERP tool. */
  vendor(vendorId: IdInput): VendorView;
  /** A super user resets a payment issued: `reset_payment` (no request detail). */
  resetPayment(invoicePaymentId: IdInput, options?: { resetOverride?: boolean }): RaisedRequest;
  /** Another party synced the requisition's invoice to the ERP: its External Data `origin_id` is set. */
  markRequisitionSynced(requisitionId: IdInput, originId: string): void;

  /** What Procore's ERP tool shows for a company. */
  erpTool(companyId: IdInput): ErpToolView;
  /** One contract payment's row in the ERP tool. */
  contractPayment(contractPaymentId: IdInput): ContractPaymentView;
  /** The `create_contract_payment` payload Procore would send now for this payment. */
  contractPaymentPayload(contractPaymentId: IdInput): Record<string, unknown>;
  erpRequest(id: IdInput): ErpRequestWire | undefined;
  requestDetail(id: IdInput): RequestDetailWire | undefined;
  /** External Data of one object, when it has a record. */
  externalData(itemType: string, itemId: IdInput): ExternalDataRecord | undefined;
  paymentsIssued(companyId: IdInput): InvoicePaymentWire[];
  stagedRecords(companyId: IdInput): StagedRecordWire[];
  erpConnections(companyId: IdInput): ErpConnectionWire[];
  hooks(companyId?: IdInput): HookWire[];

  /** Every delivery with its attempts, oldest first. */
  deliveries(): Delivery[];
  /** Resolves when no delivery is pending or waiting for a retry (paused queues count as idle). */
  deliveriesIdle(): Promise<void>;
  setDeliveryKnobs(knobs: Partial<DeliveryKnobs>): void;

  setFaults(faults: Partial<ProcoreSandboxFaults>): void;
  stats(): ProcoreSandboxStats;
  resetStats(): void;
  /** Ends every access token now: the next API call gets 401 `invalid_token`. */
  expireAccessTokens(): void;
  /** Stops the server and every pending delivery. */
  close(): Promise<void>;
}
