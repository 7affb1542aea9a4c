/**
 * @ledgerlink/core: the canonical model, the connector contract, the mapping language, the rate-limited
 * engine and the ledger interface. This file is the package's whole public surface.
 */
export { CORE_VERSION } from './version.js';
export { ErrorCodes, LedgerlinkError, isLedgerlinkError } from './errors.js';
export type { ErrorCode, ErrorDisposition } from './errors.js';
export { silentLogger } from './logger.js';
export type { Logger, LogFn } from './logger.js';
export { TOKENS } from './tokens.js';
export type { InjectionToken } from './di.js';

// canonical model
export { formatCents, parseCents, MAX_CENTS } from './model/money.js';
export {
  Cents,
  Invoice,
  IsoDate,
  Payment,
  PaymentIssued,
  PaymentMethod,
  PaymentStatus,
  PositiveCents,
  Project,
  Vendor,
  isPartialPayment,
} from './model/payment.js';
export { CommitmentRef, Requisition, RequisitionLine } from './model/requisition.js';
export { Address, ErpVendor, HubVendor } from './model/vendor.js';
export { validateRecord } from './model/validate.js';

// entities: one definition each drives the runner's export and import flows
export { ENTITY_DEFINITIONS, HUB_REQUESTS, entityDirections } from './entity/definitions.js';
export type { AnyEntityDefinition, EntityAction, EntityDefinition, Prerequisite } from './entity/definitions.js';
export type { RecordValidation } from './model/validate.js';

// connector contract
export { Capabilities, Direction, Entity, RateLimit, entityOptionsOf, supports } from './connector/capabilities.js';
export type { CapabilitiesInput } from './connector/capabilities.js';
export { CONTRACT_VERSION, Manifest } from './connector/manifest.js';
export type { ContractVersion } from './connector/manifest.js';
export { assertCompatible, defineConnector } from './connector/define-connector.js';
export type { Connector, ConnectorDefinition } from './connector/define-connector.js';
export type {
  ClientContext,
  ConnectorClient,
  CredentialStore,
  ExtractContext,
  ExtractPage,
  Extractor,
  LoadContext,
  LoadItem,
  Loader,
} from './connector/contracts.js';
export { HttpTransportError, parseRetryAfter } from './connector/http.js';
export type { HttpClient, HttpRequest, HttpResponse, LaneSignals } from './connector/http.js';
export { EDITABLE_FIELDS, Outcomes } from './connector/outcome.js';
export type {
  AcceptedOutcome,
  EditableField,
  ErpAnswer,
  NeedsEditOutcome,
  Outcome,
  RejectedOutcome,
  RetryableOutcome,
  SyncedOutcome,
} from './connector/outcome.js';
export { defineHubConnector, stagedVendorRecord } from './connector/hub.js';
export { rotatingCredential } from './connector/credentials.js';
export { OAuthRefreshTokens } from './connector/oauth-tokens.js';
export { assertXmlSafe, decodeXmlText, XmlValueError } from './connector/xml-text.js';
export type { OAuthTokenOptions } from './connector/oauth-tokens.js';
export type {
  CloseOut,
  ErpMetadata,
  ErpRequest,
  ExternalDataUpdate,
  HubClient,
  HubConnector,
  HubConnectorDefinition,
  HubEvent,
  HubSetup,
  HubWebhooks,
  PaymentIssuedResult,
  PaymentIssuedWrite,
  RequestDetailStatus,
  RequisitionReset,
  SetupStep,
  StagedRecordResult,
  StagedRecordWrite,
  VendorLink,
  VendorUpdate,
  VendorUpdateResult,
} from './connector/hub.js';
export { maxInWindow } from './connector/sandbox.js';
export type {
  ErpSandbox,
  SandboxBill,
  SandboxFaults,
  SandboxOptions,
  SandboxPayment,
  SandboxPaymentInput,
  SandboxSeed,
  SandboxStats,
  SandboxVendor,
  SandboxVendorInput,
  StartSandbox,
} from './connector/sandbox.js';

// mapping language
export * from './mapping/index.js';

// engine
export * from './engine/index.js';

// ledger
export { ALLOWED_TRANSITIONS, LEDGER_STATES } from './ledger/types.js';
export type {
  Actor,
  AttemptRecord,
  AuditEntry,
  Ledger,
  LedgerError,
  LedgerFence,
  LedgerFilter,
  LedgerItem,
  LedgerIdPage,
  LedgerPage,
  LedgerState,
  NewLedgerItem,
} from './ledger/types.js';
export { MemoryLedger } from './ledger/memory-ledger.js';
export * from './ledger/ledger-rules.js';
