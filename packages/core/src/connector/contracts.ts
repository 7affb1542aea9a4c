import type { Logger } from '../logger.js';
import type { Payment } from '../model/payment.js';
import type { Requisition } from '../model/requisition.js';
import type { HubVendor } from '../model/vendor.js';
import type { HttpClient, LaneSignals } from './http.js';
import type { Outcome } from './outcome.js';

/** One record handed to a loader: the canonical record, its mapped payload, and the key that dedupes it. */
export interface LoadItem<TPayload = Record<string, unknown>, TRecord = Payment> {
  /** The ledger item id. */
  id: string;
  /**
   * Deterministic per ledger item and edit revision (`<item id>.r<revision>`): the same attempt retried
   * carries the same key, so a native idempotency store replays instead of posting twice; an edited record
   * gets a new key, so the ERP does not replay the old refusal.
   */
  idempotencyKey: string;
  /** The canonical record (the hub's vocabulary): a Payment, a Requisition or a HubVendor per the loader's entity. */
  record: TRecord;
  /** The ERP payload the connector's mapping produced from it. */
  payload: TPayload;
}

export interface LoadContext {
  signal: AbortSignal;
}

/** Writes records into the ERP: a batch in (at most `maxBatch`), one outcome per record out, same order. */
export interface Loader<TPayload = Record<string, unknown>, TRecord = Payment> {
  load(batch: LoadItem<TPayload, TRecord>[], context: LoadContext): Promise<Outcome[]>;
  /**
   * Finds what an earlier attempt may have committed (after a lost answer, a crash, or an `accepted`
   * outcome): by the idempotency key where the ERP keeps it, else by natural key (check number + vendor...).
   * Returns `synced` when the ERP has the record, `accepted` when it is still queued, `null` when absent.
   */
  find(item: LoadItem<TPayload, TRecord>, context: LoadContext): Promise<Outcome | null>;
}

/** A page of records read from a system, with the cursor that resumes after it. */
export interface ExtractPage<TRecord = Record<string, unknown>> {
  records: TRecord[];
  /** Opaque; pass it back to resume after this page. */
  cursor: string;
}

export interface ExtractContext {
  signal: AbortSignal;
  /** Where the previous run stopped; absent on the first run. */
  cursor?: string;
}

/** Reads records out of a system as pages with a resumable cursor. */
export interface Extractor<TRecord = Record<string, unknown>> {
  pages(context: ExtractContext): AsyncIterable<ExtractPage<TRecord>>;
}

/**
 * Where a client keeps credentials its ERP rotates (OAuth refresh tokens that are single-use), so a restart does
 * not lose the newest one. The runner keeps them in its store's `credentials` table (never in the ledger), shared by
 * its replicas.
 */
export interface CredentialStore {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/** What core gives a connector's `createClient`. */
export interface ClientContext<TConfig> {
  /** The connection settings, already validated by the connector's config schema. */
  config: TConfig;
  /** The only way to reach the ERP: bound to the tenant's lane. */
  http: HttpClient;
  /** Report an ERP throttle signal that did not arrive as HTTP 429. */
  lane: LaneSignals;
  logger: Logger;
  /** Current time, injectable for tests. */
  now: () => Date;
  /** Rotated credentials that must outlive the process; absent in tests that do not need it. */
  credentials?: CredentialStore;
}

/** A connector's client: speaks the ERP's wire format. Entities it does not support are absent. */
export interface ConnectorClient {
  /** Proves the connection settings work (logs in, reads the company). Throws a LedgerlinkError otherwise. */
  check(context: LoadContext): Promise<void>;
  payments: {
    /** Present when the connector declares `payment: [export]`. */
    exporter?: Loader;
    /** Present when the connector declares `payment: [import]`: yields ERP records the ERP treats as final. */
    importer?: Extractor;
  };
  /**
   * Subcontractor invoices as the ERP's AP bills. Present when the connector declares `requisition: [export]`. The
   * outcome's `erpId` is the bill's id: the payments of this requisition carry it as `invoice.erpId`.
   */
  requisitions?: {
    exporter?: Loader<Record<string, unknown>, Requisition>;
  };
  /** AP vendors. Present when the connector declares `vendor: [...]`. */
  vendors?: {
    /** `vendor: [export]`: creates the ERP vendor; `find` looks it up by the key sent, else by name/code. */
    exporter?: Loader<Record<string, unknown>, HubVendor>;
    /** `vendor: [import]`: yields the ERP's vendors (raw ERP records, mapped by the `vendor.import` mapping). */
    importer?: Extractor;
  };
  /**
   * Starts what the client hosts, for a client the ERP calls in to (QuickBooks Desktop's Web Connector service):
   * the runner calls it as soon as its replica holds the tenant's lease, so the holder (and no standby) answers
   * there. Absent for clients that only call out.
   */
  start?(): Promise<void>;
  /** Releases sessions and sockets (Acumatica's logout, say). */
  close(): Promise<void>;
}
