/** Ids are Procore's: positive integers. Inputs take a number or its digits; omitted ids are assigned. */
export type IdInput = number | string;

export interface CompanyInput {
  id?: IdInput;
  name: string;
}

export interface ProjectInput {
  id?: IdInput;
  companyId: IdInput;
  /** Project Number (Yardi's Property ID). */
  number: string;
  name?: string;
}

export interface VendorInput {
  id?: IdInput;
  companyId: IdInput;
  name: string;
  /** The vendor's code in the ERP (`origin_code`): the seed's Vendor Code. */
  code?: string;
  /** The vendor's id in the ERP (`origin_id`), once linked. */
  erpId?: string;
}

export interface CommitmentInput {
  id?: IdInput;
  projectId: IdInput;
  vendorId: IdInput;
  number?: string;
  title?: string;
}

export interface InvoiceInput {
  id?: IdInput;
  commitmentId: IdInput;
  /** Invoice number. */
  number: string;
  amountCents: number;
  /** The bill's id in the ERP: present when the invoice is synced to the ERP. */
  erpId?: string;
}

export type SandboxPaymentStatus = 'pending' | 'funding_in_progress' | 'funding_complete' | 'paid' | 'failed' | 'voided';

export interface PaymentInput {
  id?: IdInput;
  invoiceId: IdInput;
  amountCents: number;
  method: 'ach' | 'check';
  bankId: string;
  checkNumber?: string;
  paymentNumber?: string;
  notes?: string;
  /** Starts `pending` unless told; `fundPayment` moves it to `funding_complete`. */
  status?: SandboxPaymentStatus;
  fundedOn?: string;
  settledOn?: string;
  taxCents?: number;
  markupCents?: number;
}

/** A whole hub at once; ids given here are kept, so a test or the demo can refer to them. */
export interface ProcoreSandboxSeed {
  companies?: CompanyInput[];
  projects?: ProjectInput[];
  vendors?: VendorInput[];
  commitments?: CommitmentInput[];
  invoices?: InvoiceInput[];
  payments?: PaymentInput[];
}

export interface ProcoreSandboxFaults {
  /** Added before every API answer, in milliseconds. */
  latencyMs: number;
  /** The next N API requests get 429 with the X-Rate-Limit headers (remaining 0). */
  throttleNext: number;
  /** Seconds until `X-Rate-Limit-Reset` on a `throttleNext` 429. */
  throttleResetSeconds: number;
  /** The next N API requests get 503 with `Retry-After` (Procore's heavy-load answer). */
  unavailableNext: number;
  /** The `Retry-After` of those 503s, in seconds. */
  retryAfterSeconds: number;
  /** Share of API requests (0..1) answered 500. */
  serverErrorRate: number;
  /** The next N writes commit, then the connection is destroyed without an answer. */
  commitThenDrop: number;
  /** Answer 429 when a token exceeds its hourly or spike window. */
  enforceLimits: boolean;
}

/** One try at delivering one event to one subscriber. */
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

export interface Delivery {
  id: string;
  eventId: string;
  eventType: 'payment.funding_complete' | 'invoice.synced';
  resourceId: string;
  url: string;
  /** `delivered` after a 2xx; `discarded` past the retry horizon; `stopped` when the sandbox closed. */
  state: 'pending' | 'delivered' | 'discarded' | 'stopped';
  attempts: DeliveryAttempt[];
  /** The JSON body sent (the same on every attempt). */
  body: string;
}

export interface ProcoreSandboxStats {
  /** API requests received (not the token endpoint). */
  requests: number;
  /** Answered 429. */
  throttled: number;
  /** Answered 503 with Retry-After. */
  unavailable: number;
  /** Token endpoint calls. */
  tokenRequests: number;
  /** Refresh tokens rotated. */
  tokenRotations: number;
  maxConcurrent: number;
  /** Every API request as `METHOD path?query`, in order. */
  log: string[];
}
