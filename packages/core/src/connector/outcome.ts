import type { ErrorCode } from '../errors.js';
import { ErrorCodes } from '../errors.js';

/** The fields of a failed payment a user may edit before exporting again (seed 001). */
export const EDITABLE_FIELDS = ['checkNumber', 'bankId'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** What the ERP itself said, kept as it said it: shown to accountants next to ledgerlink's own code. */
export interface ErpAnswer {
  /** The ERP's own error code (`6140`, `GW-0010`, `3120`...), when it gave one. */
  code?: string;
  /** The ERP's own message, verbatim. */
  message: string;
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number;
  /** Further ERP detail (field name, correction hint), verbatim. */
  detail?: string;
}

/** The ERP has the record: `erpId` is its id there. */
export interface SyncedOutcome {
  kind: 'synced';
  erpId: string;
  /** True when the ERP answered from its idempotency store or a lookup found an earlier commit. */
  replayed?: boolean;
}

/**
 * The ERP took the record into a queue and will apply it later (QuickBooks Desktop's Web Connector poll,
 * Vista's action queue). The record stays `exporting` until `Loader.find` sees it.
 */
export interface AcceptedOutcome {
  kind: 'accepted';
  /** The ERP's or the queue's reference for the pending write, when there is one. */
  reference?: string;
}

/** Try again later. */
export interface RetryableOutcome {
  kind: 'retryable';
  code: ErrorCode;
  message: string;
  reason: 'throttled' | 'server' | 'timeout' | 'network';
  /**
   * Whether the ERP may have committed the write. `unknown` (a lost answer, a timeout) means the next attempt
   * must first look the record up unless the connector has native idempotency.
   */
  committed: 'no' | 'unknown';
  /** How long the ERP asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  erp?: ErpAnswer;
}

/** The ERP said no and editing cannot fix it (unknown vendor, bill not in the ERP), or ledgerlink refused. */
export interface RejectedOutcome {
  kind: 'rejected';
  code: ErrorCode;
  message: string;
  erp?: ErpAnswer;
}

/** The ERP said no, and a user can fix it by editing these fields (check number, bank ID). */
export interface NeedsEditOutcome {
  kind: 'needs-edit';
  code: ErrorCode;
  message: string;
  fields: EditableField[];
  erp?: ErpAnswer;
}

/** One outcome per record of a load: it is never a thrown error, so one bad record never sinks a batch. */
export type Outcome = SyncedOutcome | AcceptedOutcome | RetryableOutcome | RejectedOutcome | NeedsEditOutcome;

export const Outcomes = {
  synced(erpId: string, options: { replayed?: boolean } = {}): SyncedOutcome {
    return options.replayed ? { kind: 'synced', erpId, replayed: true } : { kind: 'synced', erpId };
  },
  accepted(reference?: string): AcceptedOutcome {
    return reference === undefined ? { kind: 'accepted' } : { kind: 'accepted', reference };
  },
  throttled(message: string, options: { retryAfterMs?: number; erp?: ErpAnswer } = {}): RetryableOutcome {
    return { kind: 'retryable', code: ErrorCodes.ERP_THROTTLED, reason: 'throttled', committed: 'no', message, ...options };
  },
  serverError(message: string, options: { committed?: 'no' | 'unknown'; erp?: ErpAnswer } = {}): RetryableOutcome {
    const { committed = 'unknown', ...rest } = options;
    return { kind: 'retryable', code: ErrorCodes.ERP_SERVER_ERROR, reason: 'server', committed, message, ...rest };
  },
  transport(message: string, options: { reason?: 'timeout' | 'network'; committed?: 'no' | 'unknown' } = {}): RetryableOutcome {
    return {
      kind: 'retryable',
      code: ErrorCodes.ERP_TRANSPORT,
      reason: options.reason ?? 'network',
      committed: options.committed ?? 'unknown',
      message,
    };
  },
  rejected(message: string, erp?: ErpAnswer, code: ErrorCode = ErrorCodes.ERP_REJECTED): RejectedOutcome {
    return erp === undefined ? { kind: 'rejected', code, message } : { kind: 'rejected', code, message, erp };
  },
  needsEdit(fields: EditableField[], message: string, erp?: ErpAnswer): NeedsEditOutcome {
    const outcome: NeedsEditOutcome = { kind: 'needs-edit', code: ErrorCodes.ERP_NEEDS_EDIT, message, fields };
    return erp === undefined ? outcome : { ...outcome, erp };
  },
} as const;
