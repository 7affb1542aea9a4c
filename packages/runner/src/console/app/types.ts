/** The API's answers as the console reads them (a subset: the console shows what it needs). */

export interface Problem {
  code: string;
  message: string;
  details?: { field?: string } & Record<string, unknown>;
}

export interface Session {
  subject: string;
  role: 'read_only' | 'standard' | 'admin';
  accountingApprover: boolean;
  permissions: string[];
}

export interface ErpAnswer {
  code?: string;
  message: string;
  httpStatus?: number;
}

export interface LedgerError {
  code: string;
  message: string;
  kind: string;
  editableFields?: string[];
  erp?: ErpAnswer;
}

export interface PaymentRecord {
  amountCents?: number;
  checkNumber?: string;
  bankId?: string;
  method?: string;
  fundedOn?: string;
  vendor?: { name?: string };
  invoice?: { number?: string };
  project?: { number?: string };
  erpPaymentId?: string;
}

/** The columns the API gives each record, whatever its entity (`server/record-summary.ts`). */
export interface RecordSummary {
  entity: string;
  /** "Payment", "Requisition", "Vendor". */
  label: string;
  /** Invoice number (a payment's, a requisition's); a vendor's code. */
  number?: string;
  /** The vendor's name (a vendor record: its own). */
  vendor?: string;
  amountCents?: number;
  checkNumber?: string;
  bankId?: string;
}

export interface Item {
  id: string;
  tenant: string;
  entity: string;
  summary: RecordSummary;
  direction: 'export' | 'import';
  sourceId: string;
  state: string;
  record: PaymentRecord;
  targetId?: string;
  revision: number;
  attempts: number;
  lastError?: LedgerError;
  blockedReason?: string;
  createdAt: string;
  updatedAt: string;
}

export interface RecordPage {
  items: Item[];
  nextCursor?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { kind: string; id: string };
  action: string;
  detail?: Record<string, unknown>;
}

export interface AttemptView {
  number: number;
  startedAt: string;
  finishedAt?: string;
  outcome: { kind: string; code?: string; message?: string; erpId?: string } | null;
  erp: ErpAnswer | null;
}

export interface RecordDetail {
  item: Item;
  audit: AuditEntry[];
  attempts: AttemptView[];
}

export interface LaneView {
  key: string;
  queued: number;
  running: number;
  throttled: boolean;
  throttlePauses: number;
  rateLimit: { requests: number; intervalMs: number; concurrency: number };
}

export interface TenantView {
  id: string;
  name: string;
  erp: { id: string; name: string; version: string };
  exportsEnabled: boolean;
  requiresApproval: boolean;
  importEveryMinutes: number;
  importRunning: boolean;
  importable: boolean;
  lane: LaneView;
  counts: Record<string, number>;
}

export interface TenantsView {
  tenants: TenantView[];
  hub: { lane: LaneView } | null;
}

export interface ExportStats {
  from: string;
  to: string;
  bucketMinutes: number;
  buckets: { at: string; counts: Record<string, number> }[];
  partial: boolean;
}
