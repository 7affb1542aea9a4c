import type { Connector } from '../connector/define-connector.js';
import type { RateLimit } from '../connector/capabilities.js';
import type { HttpClient } from '../connector/http.js';
import type { CredentialStore } from '../connector/contracts.js';
import type { Entity } from '../connector/capabilities.js';
import type { Outcome, RejectedOutcome } from '../connector/outcome.js';
import type { Logger } from '../logger.js';
import type { MappingDocument, RecordError } from '../mapping/types.js';
import type { Payment, PaymentIssued } from '../model/payment.js';

/** Exponential back-off with full jitter: delay = random(0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))). */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 30_000 };

/** A customer's rate limit for a lane. Above the connector's declared limit only with `allowAboveDeclared`. */
export interface RateLimitOverride extends Partial<RateLimit> {
  allowAboveDeclared?: boolean;
}

/** One record of any entity handed to `exportRecords`: validated there against the entity's export model. */
export interface RecordExportItem {
  /** Ledger item id. */
  id: string;
  /** `<id>.r<revision>`: see LoadItem. */
  idempotencyKey: string;
  /** The canonical record (a Payment, a Requisition, a HubVendor...), as the hub gave it. */
  record: unknown;
  /**
   * True when an earlier attempt with this key may have committed (a crash mid-call, a lost answer): the
   * runtime asks the connector's `find` before writing again.
   */
  mayBeCommitted?: boolean;
}

/** A payment to export (the payment case of `RecordExportItem`). */
export interface ExportItem extends RecordExportItem {
  record: Payment;
}

/** Called around every ERP call so the ledger is written before and after it. */
export interface ExportHooks<TItem extends RecordExportItem = ExportItem> {
  /** Before each attempt of each item (the ledger's `beginAttempt`). */
  beforeAttempt?(item: TItem): Promise<void>;
  /** After each attempt with its outcome (the ledger's `completeAttempt`). */
  afterAttempt?(item: TItem, outcome: Outcome): Promise<void>;
}

/** Options of one `exportRecords` call. */
export interface ExportRecordsOptions {
  signal?: AbortSignal;
  /**
   * The ledger's hooks for this call. Defaults to `RuntimeOptions.hooks` for payments only: those are typed for
   * payment items, so other entities pass their own.
   */
  hooks?: ExportHooks<RecordExportItem>;
}

export interface RuntimeOptions {
  tenant: string;
  /** The tenant's raw connection settings; validated against the connector's config schema. */
  config: unknown;
  /** Per-customer lookup tables for the mapping's `lookup` operator. */
  lookups?: Record<string, Record<string, string>>;
  /** The customer's mapping override, merged onto the connector's mapping.yaml. */
  mappingOverride?: MappingDocument;
  rateLimit?: RateLimitOverride;
  retry?: Partial<RetryPolicy>;
  /** Per-call HTTP timeout (default 30 s). */
  timeoutMs?: number;
  /** Where the client keeps rotated credentials (see CredentialStore). */
  credentials?: CredentialStore;
  /** The transport under the lane (default: fetch). The runner's composition root injects it. */
  transport?: HttpClient;
  /** Asked right before each ERP call leaves the lane; throws to stop it unsent (see `LaneOptions.gate`). */
  gate?: () => void | Promise<void>;
  /** Ages (ms) of this account's recent calls made by another process: they count against the window. */
  recentCallAgesMs?: readonly number[];
  logger?: Logger;
  hooks?: ExportHooks;
  now?: () => Date;
}

export interface ImportPage<TRecord = PaymentIssued> {
  records: TRecord[];
  /** Records that could not be mapped: which record, which field. Nothing is dropped silently. */
  errors: RecordError[];
  cursor: string;
}

export interface LaneStats {
  key: string;
  /** Requests waiting in the lane. */
  queued: number;
  /** Requests in flight. */
  running: number;
  /** Times the lane paused for a throttle signal. */
  throttlePauses: number;
  /** The longest throttle pause so far, in milliseconds (from its start to its end, extensions included). */
  longestPauseMs: number;
  /** True while paused for a throttle signal. */
  paused: boolean;
  rateLimit: RateLimit;
}

/** One connector for one tenant: its client behind its lane, its compiled mapping, retries and checks. */
export interface ConnectorRuntime {
  readonly connector: Connector;
  readonly tenant: string;
  /** The effective rate limit of the lane. */
  readonly rateLimit: RateLimit;
  check(): Promise<void>;
  /**
   * The checks before any call: the capability, partial payment vs `partialPayments`, tax and markups
   * refused. Returns the refusal, or null when the payment may go.
   */
  preflight(payment: Payment): RejectedOutcome | null;
  /** Maps one payment with the export mapping (for dry runs and the CLI). */
  mapPayment(payment: Payment, recordId?: string): { ok: true; value: Record<string, unknown> } | { ok: false; errors: RecordError[] };
  /**
   * Exports payments: preflight, map, batch by `maxBatch`, load through the lane, retry `retryable` outcomes
   * with back-off (after a `find` when the earlier attempt may have committed and the connector's
   * idempotency is `lookup`), and return one final outcome per item, same order. Never throws for a record.
   */
  exportPayments(items: ExportItem[], options?: { signal?: AbortSignal; hooks?: ExportHooks<RecordExportItem> }): Promise<Outcome[]>;
  /** Settles an item whose earlier attempt may have committed: the connector's `find`. */
  settle(item: ExportItem, options?: { signal?: AbortSignal }): Promise<Outcome | null>;
  /** Imports final payments from the ERP, page by page, from `cursor` (`importRecords('payment')`). */
  importPayments(options?: { cursor?: string; signal?: AbortSignal }): AsyncIterable<ImportPage>;
  /**
   * Exports records of any entity the connector declares for export: validate with the entity's export model,
   * preflight (payments: `preflight`; other entities: the capability and each prerequisite's ERP id, e.g. a
   * requisition's `vendor.erpId`), map with `entities.<entity>.export`, load through the entity's loader in
   * batches of its `entityOptionsOf` size, with the retries, back-off and commit-then-drop lookups of payments.
   * One final outcome per item, same order; an undeclared entity is `rejected` LL_CAPABILITY_MISSING before any
   * call, naming `capabilities.unsupported`'s reason when the connector gives one. Never throws for a record.
   */
  exportRecords(entity: Entity, items: RecordExportItem[], options?: ExportRecordsOptions): Promise<Outcome[]>;
  /** Maps one record of any entity with its export mapping (dry runs, the CLI, the kit). */
  mapRecord(entity: Entity, record: unknown, recordId?: string): { ok: true; value: Record<string, unknown> } | { ok: false; errors: RecordError[] };
  /** Settles an item of any entity whose earlier attempt may have committed: its loader's `find`. */
  settleRecord(entity: Entity, item: RecordExportItem, options?: { signal?: AbortSignal }): Promise<Outcome | null>;
  /**
   * Imports records of an entity with an importer (payments, vendors), page by page from `cursor`, each mapped
   * by `entities.<entity>.import` and validated against the entity's import model. Undeclared: the first step
   * rejects with LL_CAPABILITY_MISSING before any call.
   */
  importRecords(entity: Entity, options?: { cursor?: string; signal?: AbortSignal }): AsyncIterable<ImportPage<unknown>>;
  laneStats(): LaneStats;
  /** Starts what the client hosts (`ConnectorClient.start`); nothing for a client that only calls out. */
  start(): Promise<void>;
  /** Stops taking work, cancels waiting calls, closes the client. */
  close(): Promise<void>;
}
