import type { ClientContext, LoadContext } from './contracts.js';
import { defineConnector, type Connector, type ConnectorDefinition } from './define-connector.js';
import type { Invoice, PaymentIssued } from '../model/payment.js';
import type { ErpVendor } from '../model/vendor.js';

/**
 * The hub side (Procore's ERP Platform): work arrives as ERP Requests, results go back by closing out Request
 * Details and by writing `origin_id` through External Data; payments the ERP issued go back in bulk. A hub
 * connector is a plugin like an ERP connector, with this client instead of a loader/extractor pair.
 *
 * Vocabulary (Procore's `erp_integration/` docs): an **ERP Request** `{id, company_id, request_name,
 * request_data {request_detail_id, …}}` is what a user's action in Procore's ERP tool produced; the webhook
 * delivery names it by `resource_id` and never carries it. Its **Request Detail** is closed out with a status and
 * messages, which Procore shows to the user (the seeds' "Failed to Export").
 */

/** A webhook delivery's event, verified and parsed: an ERP Request was created. */
export interface HubEvent {
  /** The delivery's `ulid` (26 characters; falls back to `id`): the dedupe key, deliveries repeat. */
  eventId: string;
  /** The hub company the event belongs to: routes it to a tenant. */
  companyId: string;
  /** `ERP Requests` for every event ledgerlink acts on. */
  resourceName: string;
  /** `create` for ERP Requests. */
  eventType: string;
  /** The ERP Request's id: fetch it with `HubClient.erpRequest`. */
  resourceId: string;
  /** When the hub says it happened (ISO). */
  occurredAt: string;
}

/** One ERP Request as Procore's "ERP Requests Show" returns it, lightly typed. */
export interface ErpRequest {
  /** The ERP Request id. */
  id: string;
  companyId: string;
  /** `create_contract_payment`, `sync_contract_payments`, `reset_payment`, `create_requisitions`, … */
  requestName: string;
  /** `request_data.request_detail_id`: the detail to close out (absent for events that need none). */
  requestDetailId?: string;
  /** `request_data` exactly as the hub sent it (the entity's payload: `contract_payment`, …). */
  data: Record<string, unknown>;
  /** ISO time the request was created. */
  createdAt: string;
}

/** How a Request Detail is closed out (Procore's statuses). */
export type RequestDetailStatus = 'in_progress' | 'success' | 'failed' | 'stale';

/** A close-out: the status and the messages Procore shows the user in its ERP tool. */
export interface CloseOut {
  status: RequestDetailStatus;
  /** Plain sentences in the ERP's own words and what to change (Check Number, Bank ID); empty on success. */
  messages: string[];
}

/** One External Data write: marks a hub object synced (and locked) with the ERP's id. */
export interface ExternalDataUpdate {
  /** Procore's item type: `contract_payment`, `requisition`, `vendor`, `project`, … */
  itemType: string;
  /** The hub object's id. */
  itemId: string;
  /** The ERP's id of the record; `null` unlinks (the object is no longer synced). */
  originId: string | null;
  /** Free text Procore keeps with it (the ERP's code or number, say). */
  originData?: string;
}

/** One payment issued for Invoice Payments Sync: created or updated in Procore by its `origin_id`. */
export interface PaymentIssuedWrite {
  /** The ERP's payment id as the hub keeps it (ledgerlink writes `<tenant>:<erp id>`). */
  originId: string;
  payment: PaymentIssued;
}

/** What Invoice Payments Sync did with one payment issued. */
export type PaymentIssuedResult =
  | { originId: string; ok: true; hubId: string; created: boolean }
  | { originId: string; ok: false; message: string };

/**
 * One ERP record staged in Procore (Staged Records sync, erp_staged_records.md): created or updated by
 * (`itemType`, `originId`) within the company, so staging the same ERP record again never makes a second one.
 */
export interface StagedRecordWrite {
  /** Procore's staged item type: `vendor`, `project`, `work_order_contract`, … */
  itemType: string;
  /** The ERP's id of the record: the key (a blank one is refused, never sent). */
  originId: string;
  /** The ERP's code or number of the record, shown in the Ready to Import page. */
  originCode?: string;
  /** Free text Procore keeps with the record. */
  originData?: string;
  /** The Procore fields the record becomes when the accountant imports it (erp_staged_records.md, Supported Fields). */
  data: Record<string, unknown>;
}

/** What Staged Records sync did with one record, in the order given. */
export type StagedRecordResult =
  | { originId: string; ok: true; /** The staged record's Procore id. */ stagedId: string; /** `staged`, `imported`, … */ status: string }
  | { originId: string; ok: false; message: string };

/** An update of a hub vendor already linked to an ERP vendor (`sync_vendors`: "update vendors already synced"). */
export interface VendorUpdate {
  /** The ERP vendor's id, which the hub vendor carries as its External Data `origin_id`. */
  originId: string;
  /** The vendor as the ERP holds it now. */
  vendor: ErpVendor;
}

/**
 * What Company Vendors sync did with one update. `notLinked`: no hub vendor is linked to that ERP vendor (stage it
 * with `syncStagedRecords` instead, for the accountant to import or link).
 */
export type VendorUpdateResult =
  | { originId: string; ok: true; hubId: string }
  | { originId: string; ok: false; notLinked: boolean; message: string };

/** A vendor linked or unlinked in Procore's ERP tool (`link_vendor`, `link_all_vendors`, `unlink_vendor`). */
export interface VendorLink {
  /** The hub vendor's id. */
  vendorId: string;
  /** The ERP vendor's id it is (or was) linked to; absent on an unlink whose payload names none. */
  originId?: string;
  /** True for a link, false for an unlink. */
  linked: boolean;
}

/** A super user reset a synced requisition (`reset_requisition`): Procore no longer shows it synced. */
export interface RequisitionReset {
  /** The hub requisition's id. */
  requisitionId: string;
  projectId?: string;
  /** The ERP bill's id it had, when the payload names one. */
  originId?: string;
  /** Procore's `reset_override`. */
  resetOverride: boolean;
}

/**
 * The Staged Record of an ERP vendor: Procore's documented vendor fields (erp_staged_records.md, "Vendor"), keyed by
 * the ERP vendor id. Blank parts are left out rather than staged as empty text.
 */
export function stagedVendorRecord(vendor: ErpVendor): StagedRecordWrite {
  const data: Record<string, unknown> = { name: vendor.name, is_active: vendor.isActive };
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined && value.trim() !== '') data[key] = value;
  };
  put('abbreviated_name', vendor.code);
  put('address', vendor.address?.street);
  put('city', vendor.address?.city);
  put('state_code', vendor.address?.stateCode);
  put('zip', vendor.address?.zip);
  put('country_code', vendor.address?.countryCode);
  put('email_address', vendor.email);
  put('business_phone', vendor.phone);
  return {
    itemType: 'vendor',
    originId: vendor.erpVendorId,
    ...(vendor.code === undefined ? {} : { originCode: vendor.code }),
    ...(vendor.erpStatus === undefined ? {} : { originData: vendor.erpStatus }),
    data,
  };
}

/** The ERP connection's metadata (Procore `erp_metadata_details.md`): what Procore's ERP tool offers the customer. */
export type ErpMetadata = Record<string, unknown>;

/** What one setup step did (`ledgerlink procore connect` prints it). */
export interface SetupStep {
  what: 'erp_connection' | 'hook' | 'trigger';
  action: 'created' | 'updated' | 'unchanged';
  id: string;
  detail?: string;
}

/** The one-time setup of a company for the integration: ERP connection with metadata, hook, trigger. All idempotent. */
export interface HubSetup {
  ensureConnection(companyId: string, metadata: ErpMetadata, context: LoadContext): Promise<SetupStep>;
  /** The hook delivering to `destinationUrl` with `Authorization: Bearer <bearer>` in its `destination_headers`. */
  ensureHook(companyId: string, hook: { destinationUrl: string; bearer: string }, context: LoadContext): Promise<SetupStep>;
  /** The trigger `{resource_name: 'ERP Requests', event_type: 'create'}` on that hook. */
  ensureTrigger(companyId: string, hookId: string, context: LoadContext): Promise<SetupStep>;
}

export interface HubClient {
  /** Proves the connection settings work (the client credentials grant, the company reachable). */
  check(context: LoadContext): Promise<void>;
  /** ERP Requests Show: the request a webhook names; `undefined` when the hub has no such request. */
  erpRequest(companyId: string, requestId: string, context: LoadContext): Promise<ErpRequest | undefined>;
  /**
   * The fallback for lost or discarded webhooks: requests whose Request Detail is still open (not closed out),
   * oldest first, page by page (`create_contract_payment`, `sync_contract_payments`, `create_vendor`,
   * `sync_vendors`, …); then the `create_requisitions` requests (which have no Request Detail) with a requisition
   * Procore does not show synced yet. `known`, given the ids of a page of open requests before they are read, names
   * those the caller already holds (a delivery of it waiting in its inbox, or the request being worked on): they are
   * not read again, so a runner with a backlog does not spend the hub's rate limit reading what it has.
   */
  openRequests(companyId: string, context: LoadContext & { known?: (requestIds: readonly string[]) => Promise<ReadonlySet<string>> }): AsyncIterable<ErpRequest[]>;
  /**
   * The canonical payment of a `create_contract_payment` request: the payload's Procore Pay fields, with the vendor,
   * the requisition (its total and its ERP id = External Data origin_id) and the project read from the hub. Returned
   * unvalidated (`unknown`): the runner validates it and reports what is wrong through the close-out.
   */
  contractPayment(request: ErpRequest, context: LoadContext): Promise<unknown>;
  /** One requisition (subcontractor invoice) with its ERP id once synced (the invoice-before-payment rule). */
  invoice(companyId: string, invoiceId: string, context: LoadContext): Promise<Invoice | undefined>;
  /**
   * The ERP id the hub holds for one of its objects (Procore: the External Data `origin_id` of `itemType` /
   * `itemId`), undefined while it has none or the object is unknown. The runner's periodic re-check asks it for
   * each blocked record's missing prerequisite (the definition's `hubItemType`): someone other than ledgerlink may
   * have put it in the ERP (a vendor created by another integration, an invoice synced elsewhere).
   */
  originId(companyId: string, itemType: string, itemId: string, context: LoadContext): Promise<string | undefined>;
  /** Closes out (or updates) a Request Detail. */
  closeOut(companyId: string, requestDetailId: string, closeOut: CloseOut, context: LoadContext): Promise<void>;
  /** External Data Sync: writes `origin_id`s in one call. */
  syncExternalData(companyId: string, updates: ExternalDataUpdate[], context: LoadContext): Promise<void>;
  /** Invoice Payments Sync: creates or updates payments issued in bulk, by origin id; one result per write. */
  syncPaymentsIssued(companyId: string, writes: PaymentIssuedWrite[], context: LoadContext): Promise<PaymentIssuedResult[]>;
  /** Invoice Payments Unlink: the payment issued no longer exists in the ERP (`reset_payment`). */
  unlinkPaymentIssued(companyId: string, paymentId: string, context: LoadContext): Promise<void>;
  /**
   * The canonical requisition candidates of a `create_requisitions` request, one per requisition of the batch, in
   * its order: the payload's money as exact cents (lines' `amount`, `retainage_this_period`), the lines' origin ids,
   * the commitment (`contract_id`, `contract_origin_id`), the project (`job_origin_id`) and the vendor (its
   * `origin_id` as `erpId`) read from the hub where the payload lacks them. Unvalidated (`unknown`), like
   * `contractPayment`; a requisition that cannot be read at all is thrown as a LedgerlinkError naming it.
   */
  requisitions(request: ErpRequest, context: LoadContext): Promise<unknown[]>;
  /** The canonical `HubVendor` candidate of a `create_vendor` request (`request_data.vendor`), unvalidated. */
  vendor(request: ErpRequest, context: LoadContext): Promise<unknown>;
  /** Staged Records sync: ERP records staged (or updated) by item type and origin id; one result per record. */
  syncStagedRecords(companyId: string, records: StagedRecordWrite[], context: LoadContext): Promise<StagedRecordResult[]>;
  /** Company Vendors sync: hub vendors already linked to an ERP vendor updated from it; one result per update. */
  syncVendors(companyId: string, updates: VendorUpdate[], context: LoadContext): Promise<VendorUpdateResult[]>;
  /** Reads a `link_vendor` / `link_all_vendors` / `unlink_vendor` request; a LedgerlinkError names what is wrong. */
  vendorLinks(request: ErpRequest): VendorLink[];
  /** Reads a `reset_requisition` request; a LedgerlinkError names what is wrong. */
  requisitionReset(request: ErpRequest): RequisitionReset;
  /** The one-time company setup. */
  readonly setup: HubSetup;
  close(): Promise<void>;
}

/** Parses and verifies webhook deliveries; pure, no I/O (the runner's HTTP route calls it). */
export interface HubWebhooks {
  /**
   * Verifies the delivery's bearer (constant-time, from the hook's `destination_headers`) and parses it. Throws a
   * LedgerlinkError with what is wrong (bad bearer, malformed body).
   */
  parse(body: string, headers: Record<string, string>, secret: string, now: Date): HubEvent[];
}

/** A hub connector: the hub's client factory plus its webhook parser. */
export interface HubConnector<TConfig = unknown> extends Omit<Connector<TConfig>, 'createClient'> {
  readonly role: 'hub';
  createHubClient(context: ClientContext<TConfig>): HubClient;
  readonly webhooks: HubWebhooks;
}

export interface HubConnectorDefinition<TConfig> extends Omit<ConnectorDefinition<TConfig>, 'createClient'> {
  createHubClient(context: ClientContext<TConfig>): HubClient;
  webhooks: HubWebhooks;
}

/** Defines the hub connector, validated like an ERP connector (manifest, capabilities). */
export function defineHubConnector<TConfig>(definition: HubConnectorDefinition<TConfig>): HubConnector<TConfig> {
  const { createHubClient, webhooks, ...rest } = definition;
  const base = defineConnector<TConfig>({
    ...rest,
    createClient: () => {
      throw new Error('a hub connector has no ERP client; use createHubClient');
    },
  });
  return Object.freeze({
    manifest: base.manifest,
    capabilities: base.capabilities,
    configSchema: base.configSchema,
    mapping: base.mapping,
    role: 'hub' as const,
    createHubClient,
    webhooks,
  });
}
