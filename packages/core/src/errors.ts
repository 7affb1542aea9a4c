/**
 * Stable error codes, in one place. A code never changes meaning once released; the runner, the HTTP API
 * and the CLI show it next to the message, and operators search for it.
 */
export const ErrorCodes = {
  /** A connector's manifest states a core range this core does not satisfy. */
  PLUGIN_CORE_RANGE: 'LL_PLUGIN_CORE_RANGE',
  /** A connector's contract version is not one this core speaks. */
  PLUGIN_CONTRACT_VERSION: 'LL_PLUGIN_CONTRACT_VERSION',
  /** A connector definition failed validation (manifest, capabilities, mapping). */
  PLUGIN_INVALID: 'LL_PLUGIN_INVALID',
  /** A connector's connection settings failed its config schema. */
  CONNECTOR_CONFIG_INVALID: 'LL_CONNECTOR_CONFIG_INVALID',
  /** A mapping file is not valid (syntax, unknown operator, unknown path...). */
  MAPPING_INVALID: 'LL_MAPPING_INVALID',
  /** A record could not be mapped (missing required field, unmapped value...). */
  MAPPING_FAILED: 'LL_MAPPING_FAILED',
  /** A record failed the canonical schema. */
  RECORD_INVALID: 'LL_RECORD_INVALID',
  /** Partial payment against a connector that does not declare `partialPayments`. */
  PARTIAL_PAYMENT_UNSUPPORTED: 'LL_PARTIAL_PAYMENT_UNSUPPORTED',
  /** Tax on a payment record: not supported when syncing payments. */
  TAX_UNSUPPORTED: 'LL_TAX_UNSUPPORTED',
  /** Markups on a payment record: not supported when syncing payments. */
  MARKUP_UNSUPPORTED: 'LL_MARKUP_UNSUPPORTED',
  /** The entity/direction is not among the connector's capabilities. */
  CAPABILITY_MISSING: 'LL_CAPABILITY_MISSING',
  /** The ERP refused the record (its own code and text are kept beside this one). */
  ERP_REJECTED: 'LL_ERP_REJECTED',
  /** The ERP refused the record and a user can fix it by editing the named fields. */
  ERP_NEEDS_EDIT: 'LL_ERP_NEEDS_EDIT',
  /** The ERP throttled the call. */
  ERP_THROTTLED: 'LL_ERP_THROTTLED',
  /** The ERP failed on its side (5xx). */
  ERP_SERVER_ERROR: 'LL_ERP_SERVER_ERROR',
  /** The call timed out or the connection broke; whether the ERP committed is unknown. */
  ERP_TRANSPORT: 'LL_ERP_TRANSPORT',
  /** The ERP refused our credentials. */
  ERP_AUTH: 'LL_ERP_AUTH',
  /** The ERP answered something the client cannot read. */
  ERP_PROTOCOL: 'LL_ERP_PROTOCOL',
  /** Retries ran out for a retryable outcome. */
  RETRIES_EXHAUSTED: 'LL_RETRIES_EXHAUSTED',
  /** A ledger transition that the state machine does not allow. */
  LEDGER_TRANSITION: 'LL_LEDGER_TRANSITION',
  /** An attempt to change the ERP id of a synced record (there is no unlink). */
  LEDGER_LINK_IMMUTABLE: 'LL_LEDGER_LINK_IMMUTABLE',
  /** An edit of a field that is not editable, or of a record that is not failed. */
  LEDGER_EDIT_REFUSED: 'LL_LEDGER_EDIT_REFUSED',
  /** No ledger item with that id. */
  LEDGER_NOT_FOUND: 'LL_LEDGER_NOT_FOUND',
  /** The work was cancelled (shutdown). */
  CANCELLED: 'LL_CANCELLED',
  /**
   * This process no longer holds the tenant's lease (another replica took it over, or it could not renew it in
   * time): the ERP call or ledger write was refused before it happened, and the tenant's new holder carries on.
   */
  LEASE_LOST: 'LL_LEASE_LOST',
  /** The deployment config is invalid (every problem is listed with its file:line:col). */
  CONFIG_INVALID: 'LL_CONFIG_INVALID',
  /** A webhook delivery's signature or bearer secret is missing or wrong. */
  WEBHOOK_UNAUTHENTICATED: 'LL_WEBHOOK_UNAUTHENTICATED',
  /** A webhook delivery is older than the hub's own retry horizon (a replay). */
  WEBHOOK_STALE: 'LL_WEBHOOK_STALE',
  /** A webhook delivery's body is not the hub's event shape. */
  WEBHOOK_MALFORMED: 'LL_WEBHOOK_MALFORMED',
  /** The hub answered with an error or not at all. */
  HUB_ERROR: 'LL_HUB_ERROR',
  /** The hub does not have the record asked for (payment, invoice, company). */
  HUB_NOT_FOUND: 'LL_HUB_NOT_FOUND',
  /** The hub refused ledgerlink's credentials (client id/secret, or the service account's permissions). */
  HUB_AUTH: 'LL_HUB_AUTH',
  /** A payment's invoice is not in the ERP yet: the payment waits, blocked, until it is. */
  INVOICE_NOT_IN_ERP: 'LL_INVOICE_NOT_IN_ERP',
  /** A record needs another entity in the ERP first (a requisition its vendor): it waits until that one is synced. */
  PREREQUISITE_NOT_IN_ERP: 'LL_PREREQUISITE_NOT_IN_ERP',
  /** No tenant with that id in this deployment. */
  TENANT_NOT_FOUND: 'LL_TENANT_NOT_FOUND',
  /** An approver rejected the payment while the tenant requires approval: only an approver may export it again. */
  APPROVAL_REQUIRED: 'LL_APPROVAL_REQUIRED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What the runner should do with an error. */
export type ErrorDisposition = 'retryable' | 'rejected' | 'needs-edit' | 'fatal';

/** Base of every error ledgerlink throws on purpose: a stable code, a disposition, a chained cause. */
export class LedgerlinkError extends Error {
  readonly code: ErrorCode;
  readonly disposition: ErrorDisposition;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { disposition?: ErrorDisposition; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LedgerlinkError';
    this.code = code;
    this.disposition = options.disposition ?? 'fatal';
    this.details = options.details;
  }
}

export function isLedgerlinkError(error: unknown): error is LedgerlinkError {
  return error instanceof LedgerlinkError;
}
