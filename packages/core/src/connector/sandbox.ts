/**
 * The contract every connector's sandbox offers its tests, the conformance kit and the demo. A sandbox is a
 * real server on a loopback port that speaks its ERP's wire format; this interface is only its in-process
 * control panel (seed data, fault knobs, what landed, what it counted). It is written from the ERP's wire
 * format and shares no code with the client that talks to it.
 */

export interface SandboxSeed {
  vendors?: { id: string; name: string }[];
  bankAccounts?: { id: string; name?: string }[];
  /** Open bills (AP invoices) a payment can apply to. */
  bills?: { id: string; vendorId: string; number: string; amountCents: number; projectNumber?: string }[];
}

export interface SandboxFaults {
  /** Added before every answer, in milliseconds. */
  latencyMs: number;
  /** The next N requests are answered with the ERP's own throttle response. */
  throttleNext: number;
  /** Share of requests (0..1) answered with a server error. */
  serverErrorRate: number;
  /** The next N writes commit, then the connection is destroyed without an answer. */
  commitThenDrop: number;
  /** Answer with the ERP's throttle response whenever its published rate or concurrency is exceeded. */
  enforceLimits: boolean;
}

/** The sandbox's own reading of a payment it holds, in neutral terms, plus its stored wire record. */
export interface SandboxPayment {
  erpId: string;
  vendorId: string;
  bankAccountId: string;
  checkNumber?: string;
  amountCents: number;
  /** ISO date. */
  date: string;
  /** The ERP's own method value as stored (`Check`, `EFT`, `ACH`...). */
  method: string;
  /** The ERP's own status value (`Approved`, `Draft`, `Closed`...). */
  status: string;
  /** Whether the ERP treats it as final (importable). */
  final: boolean;
  applications: { billId: string; amountCents: number }[];
  /** The memo / description / notes as stored, for round-trip checks of special characters. */
  memo?: string;
  /** The payment's fields under the ERP's own names, as the sandbox stored them (for seed-table checks). */
  fields: Record<string, unknown>;
}

/** A payment made in the ERP directly (for import tests and the demo). */
export interface SandboxPaymentInput {
  vendorId: string;
  bankAccountId: string;
  billId: string;
  amountCents: number;
  date: string;
  method: 'ach' | 'check';
  checkNumber?: string;
  notes?: string;
  /** Whether the ERP treats it as final (Intacct 'Approved'...). */
  final: boolean;
}

export interface SandboxStats {
  /** Requests received, throttled or not. */
  requests: number;
  /** Requests answered with the throttle response. */
  throttled: number;
  /** Most requests in flight at once. */
  maxConcurrent: number;
  /** Arrival time (ms since epoch) of every request, for sliding-window rate checks. */
  arrivals: number[];
}

/**
 * The sandbox's reading of an AP bill it holds: seeded (`seed({ bills })`) or created by a requisition export.
 * Present on sandboxes of connectors that declare `requisition: [export]`.
 */
export interface SandboxBill {
  erpId: string;
  vendorId: string;
  /** The bill's number as stored (the requisition's invoice number). */
  number: string;
  /** The bill's total, integer cents (for an exported requisition: its `totalCents`). */
  amountCents: number;
  /** Retainage held on the bill, integer cents, where the ERP keeps it. */
  retainageCents?: number;
  /** ISO date. */
  date?: string;
  projectNumber?: string;
  /** One per requisition line, in order, where the ERP keeps lines. */
  lines: { amountCents: number; description?: string; costCode?: string }[];
  /** True when created through the ERP's API (an export), false when seeded. */
  created: boolean;
  /** The bill's fields under the ERP's own names, as stored. */
  fields: Record<string, unknown>;
}

/** The sandbox's reading of a vendor it holds. Present on sandboxes of connectors that declare `vendor`. */
export interface SandboxVendor {
  erpId: string;
  name: string;
  /** The vendor's code or number, where the ERP keeps one. */
  code?: string;
  active: boolean;
  /** True when created through the ERP's API (an export), false when seeded or added with `addVendor`. */
  created: boolean;
  fields: Record<string, unknown>;
}

/** A vendor made in the ERP directly (for vendor import tests and the demo). */
export interface SandboxVendorInput {
  name: string;
  code?: string;
  active: boolean;
}

export interface ErpSandbox {
  /** Base URL the connector's config points at. */
  readonly url: string;
  seed(seed: SandboxSeed): void;
  setFaults(faults: Partial<SandboxFaults>): void;
  payments(): SandboxPayment[];
  addPayment(input: SandboxPaymentInput): string;
  /** Every bill the ERP holds (seeded and exported): required where the connector exports requisitions. */
  bills?(): SandboxBill[];
  /** Every vendor the ERP holds: required where the connector declares `vendor`. */
  vendors?(): SandboxVendor[];
  /** A vendor made in the ERP directly; returns its ERP id (what vendor import must return as `erpVendorId`). */
  addVendor?(input: SandboxVendorInput): string;
  stats(): SandboxStats;
  resetStats(): void;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  host?: string;
  faults?: Partial<SandboxFaults>;
  seed?: SandboxSeed;
}

export type StartSandbox = (options?: SandboxOptions) => Promise<ErpSandbox>;

/** Largest number of arrivals inside any window of `windowMs`: what a rate-limit check compares. */
export function maxInWindow(arrivals: number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
