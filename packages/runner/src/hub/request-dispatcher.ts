import { ENTITY_DEFINITIONS, HUB_REQUESTS, stagedVendorRecord, supports, type CloseOut, type ErpVendor, type Entity, type EntityAction, type ErpRequest, type HubEvent, type Ledger, type LedgerItem, type Logger } from '@ledgerlink/core';
import type { TenantScope } from '../container.js';
import type { HubRequestRow, HubRequests } from '../store/hub-requests.js';
import { closeOutFor, isFinal, sameCloseOut } from './close-outs.js';
import { ExternalDataWrites } from './external-data-writes.js';
import type { HubRuntime } from './hub-runtime.js';
import { resetPayment } from './reset-payment.js';

/** What a handler works with: the dispatcher (close-outs) and the tenants of the request's company. */
export interface RequestContext {
  readonly dispatcher: HubRequestDispatcher;
  readonly hub: HubRuntime;
  readonly request: ErpRequest;
  readonly row: HubRequestRow;
  /** The tenants connected to the request's company (one, in practice: one ERP connection per company). */
  readonly scopes: TenantScope[];
  readonly signal: AbortSignal;
}

/** One row of the dispatch table: which entity flow a request name goes to, and its handler. */
export interface RequestRoute {
  entity: Entity;
  action: EntityAction;
  handle(context: RequestContext): Promise<void>;
}

const HUB_ACTOR = { kind: 'hub', id: 'procore' } as const;

/** The runner's handler of each entity × action; a pair without one is closed out saying ledgerlink cannot do it yet. */
const HANDLERS: Partial<Record<`${Entity}:${EntityAction}`, RequestRoute['handle']>> = {
  'payment:export': exportRequest,
  'payment:import': syncContractPayments,
  'payment:reset': resetPayment,
  'requisition:export': exportRequest,
  'vendor:export': exportRequest,
  'vendor:import': syncVendors,
  'vendor:link': recordLink,
  'vendor:unlink': recordLink,
};

/**
 * THE dispatch table, from core's `HUB_REQUESTS`: `request_name` → (entity, action) → handler. A name not there is
 * closed out `failed` with "this integration does not handle <name>" (Procore shows it to the user), and logged.
 */
export const REQUEST_ROUTES: Readonly<Record<string, RequestRoute>> = Object.freeze(
  Object.fromEntries(
    Object.entries(HUB_REQUESTS).map(([name, { entity, action }]) => [name, { entity, action, handle: HANDLERS[`${entity}:${action}`] ?? notYet(name, entity, action) }]),
  ),
);

/** A request core names but the runner has no handler for yet: closed out failed, saying so. */
function notYet(name: string, entity: Entity, action: EntityAction): RequestRoute['handle'] {
  return ({ dispatcher, row }) =>
    dispatcher.closeOut(row, { status: 'failed', messages: [`ledgerlink cannot ${action} ${ENTITY_DEFINITIONS[entity].label}s yet (${name}): nothing was changed in the ERP`] });
}

/** The records an export request names, read from the hub (unvalidated: the export flow validates them). */
async function exportRecordsOf(hub: HubRuntime, entity: Entity, request: ErpRequest, signal: AbortSignal): Promise<unknown[]> {
  switch (entity) {
    case 'payment':
      return [await hub.client.contractPayment(request, { signal })];
    case 'vendor':
      return [await hub.client.vendor(request, { signal })];
    case 'requisition':
      return hub.client.requisitions(request, { signal });
  }
}

/**
 * Any entity's export request (`create_contract_payment`, `create_vendor`, `create_requisitions`): its records
 * into the tenant's one export flow (`intakeRecord`); the close-out follows the ledger item. A batch
 * (`create_requisitions`) gives each record its own ledger item and its own `hub_requests` row (`<request>#<n>`,
 * tied to the item, so each one's External Data `origin_id` is written when it syncs); the request itself is closed
 * out once every record is taken on, failed with a message per record refused.
 */
async function exportRequest({ dispatcher, hub, request, row, scopes, signal }: RequestContext): Promise<void> {
  const scope = scopes[0];
  if (scope === undefined) return;
  const { entity } = HUB_REQUESTS[request.requestName] ?? { entity: 'payment' as const };
  const records = await exportRecordsOf(hub, entity, request, signal);
  if (records.length === 1 && row.requestName !== 'create_requisitions') {
    const result = await scope.exporter.intakeRecord(entity, records[0], HUB_ACTOR);
    if (result.kind === 'ignored') await dispatcher.closeOut(row, { status: 'failed', messages: [result.reason] });
    else await dispatcher.link(row, result.item.id);
    return;
  }
  const messages: string[] = [];
  for (const [index, record] of records.entries()) {
    const result = await scope.exporter.intakeRecord(entity, record, HUB_ACTOR);
    if (result.kind === 'ignored') {
      messages.push(result.reason);
      continue;
    }
    await dispatcher.linkPart(row, index, result.item.id);
  }
  await dispatcher.closeOut(row, messages.length === 0 ? { status: 'success', messages: [] } : { status: 'failed', messages });
}

/**
 * `sync_vendors` (Refresh Vendors): the tenant's ERP vendors read through its import; those already linked to a
 * hub vendor are updated (Company Vendors sync), the others staged as Staged Records for the accountant to import
 * or link; then the close-out, failed naming each vendor that could not be read, updated or staged.
 */
async function syncVendors({ dispatcher, hub, row, scopes, signal }: RequestContext): Promise<void> {
  const messages: string[] = [];
  for (const scope of scopes) {
    const erpName = scope.runtime.connector.manifest.displayName;
    if (!supports(scope.runtime.connector.capabilities, 'vendor', 'import')) {
      messages.push(`${erpName} does not report vendors to import: Refresh Vendors has nothing to bring in for this company.`);
      continue;
    }
    try {
      for await (const page of scope.runtime.importRecords('vendor', { signal })) {
        for (const error of page.errors) messages.push(`Vendor ${error.recordId ?? '(unknown)'} in ${erpName} could not be read: ${error.field}: ${error.message}`);
        const vendors = page.records as ErpVendor[];
        if (vendors.length === 0) continue;
        const updated = await hub.client.syncVendors(row.companyId, vendors.map((vendor) => ({ originId: vendor.erpVendorId, vendor })), { signal });
        const unlinked = new Set(updated.filter((result) => !result.ok && result.notLinked).map((result) => result.originId));
        for (const result of updated) if (!result.ok && !result.notLinked) messages.push(`Vendor ${result.originId} from ${erpName} was not updated: ${result.message}`);
        const staged = vendors.filter((vendor) => unlinked.has(vendor.erpVendorId)).map(stagedVendorRecord);
        if (staged.length === 0) continue;
        for (const result of await hub.client.syncStagedRecords(row.companyId, staged, { signal })) {
          if (!result.ok) messages.push(`Vendor ${result.originId} from ${erpName} was not staged: ${result.message}`);
        }
      }
    } catch (error) {
      scope.logger.warn({ err: error }, 'sync_vendors: reading the ERP vendors stopped');
      messages.push(`Refresh Vendors could not finish reading ${erpName}: ${(error as Error).message}. Press Refresh Vendors again.`);
    }
  }
  await dispatcher.closeOut(row, messages.length === 0 ? { status: 'success', messages: [] } : { status: 'failed', messages });
}

/**
 * `link_vendor` / `unlink_vendor`: the accountant tied (or untied) a Procore vendor and an ERP vendor in Procore's
 * tool; nothing is required of the ERP. The request is recorded in `hub_requests` (company, id, name, when) as the
 * audit trail, logged, and closed out success where it carries a detail. A link also unblocks the requisitions
 * waiting on that vendor (someone else put it in the ERP).
 */
async function recordLink({ dispatcher, hub, request, row, scopes }: RequestContext): Promise<void> {
  scopes[0]?.logger.info({ requestId: request.id, requestName: request.requestName, data: request.data }, `ERP Request ${request.id}: ${request.requestName} recorded`);
  // A vendor linked to its ERP vendor is in the ERP: requisitions waiting on it go on.
  let links;
  try {
    links = hub.client.vendorLinks(request);
  } catch (error) {
    await dispatcher.closeOut(row, { status: 'failed', messages: [(error as Error).message] });
    return;
  }
  for (const link of links) {
    if (!link.linked || link.originId === undefined) continue;
    for (const scope of scopes) await scope.exporter.prerequisiteSynced('vendor', link.vendorId, link.originId);
  }
  await dispatcher.closeOut(row, { status: 'success', messages: [] });
}

/** `sync_contract_payments`: the tenant's import, written with Invoice Payments Sync in bulk, then the close-out. */
async function syncContractPayments({ dispatcher, row, scopes }: RequestContext): Promise<void> {
  const messages: string[] = [];
  for (const scope of scopes) {
    const erpName = scope.runtime.connector.manifest.displayName;
    if (!supports(scope.runtime.connector.capabilities, 'payment', 'import')) {
      messages.push(`${erpName} does not report payments to import: Sync Payments has nothing to bring in for this company.`);
      continue;
    }
    let summary;
    try {
      summary = await scope.importer.run(HUB_ACTOR);
    } catch (error) {
      // The accountant sees it and presses Sync Payments again; the import resumes from its cursor.
      scope.logger.warn({ err: error }, 'sync_contract_payments: the import stopped');
      messages.push(`Sync Payments could not finish reading ${erpName}: ${(error as Error).message}. Press Sync Payments again.`);
      continue;
    }
    for (const failure of summary.notWritten) messages.push(`Payment ${failure.erpPaymentId} from ${erpName} was not written: ${failure.message}`);
    if (summary.failed > summary.notWritten.length) messages.push(`${summary.failed - summary.notWritten.length} more payment(s) from ${erpName} were not written.`);
    for (const error of summary.errors) messages.push(`Payment ${error.recordId} in ${erpName} could not be read: ${error.field}: ${error.message}`);
    if (summary.unmappable > summary.errors.length) messages.push(`${summary.unmappable - summary.errors.length} more payment(s) in ${erpName} could not be read.`);
  }
  await dispatcher.closeOut(row, messages.length === 0 ? { status: 'success', messages: [] } : { status: 'failed', messages });
}

/**
 * Takes ERP Requests (from webhook deliveries and from the fallback listing), dispatches them through
 * `REQUEST_ROUTES`, and closes out their Request Details from what the ledger says. Every step is recorded in
 * `hub_requests` first, so a crash anywhere is finished by the close-out pass after the restart.
 */
export class HubRequestDispatcher {
  readonly #closing = new AbortController();
  /** External Data writes of close-outs, many in one call. */
  readonly #externalData = new ExternalDataWrites(() => this.hub.client, this.#closing.signal);

  constructor(
    private readonly hub: HubRuntime,
    private readonly requests: HubRequests,
    private readonly ledger: Ledger,
    private readonly tenants: ReadonlyMap<string, TenantScope>,
    private readonly logger: Logger,
    /** Whether this process holds a tenant's lease (a request row's tenant): the close-out pass only works on those. */
    private readonly owns: (tenant: string | undefined) => boolean = () => true,
  ) {}

  private scopesOf(companyId: string): TenantScope[] {
    return [...this.tenants.values()].filter((scope) => scope.config.hubCompanyId === companyId);
  }

  /** A delivery's event: fetch the ERP Request it names and take it on. False when the hub has no such request. */
  async event(event: HubEvent): Promise<boolean> {
    if (event.resourceName !== 'ERP Requests') {
      this.logger.info({ event }, `hub event on "${event.resourceName}" ignored: this integration acts on ERP Requests`);
      return true;
    }
    const request = await this.hub.client.erpRequest(event.companyId, event.resourceId, { signal: this.#closing.signal });
    if (request === undefined) {
      this.logger.warn({ event }, `ERP Request ${event.resourceId} of company ${event.companyId} not found in the hub: the event is dropped`);
      return false;
    }
    await this.take(request);
    return true;
  }

  /**
   * Takes one ERP Request: recorded once by its id; a request already closed out is not acted on again (its
   * close-out is sent again if the hub never took it), nor one already tied to its ledger item; one taken on but
   * not that far is dispatched again (every handler is idempotent: the ledger keys the payment, the importer joins a
   * run in progress).
   */
  async take(request: ErpRequest): Promise<void> {
    const scopes = this.scopesOf(request.companyId);
    const { row } = await this.requests.take({
      companyId: request.companyId,
      requestId: request.id,
      requestName: request.requestName,
      ...(request.requestDetailId === undefined ? {} : { detailId: request.requestDetailId }),
      ...(scopes[0] === undefined ? {} : { tenant: scopes[0].config.id }),
    });
    if (isFinal(row.closeOut)) {
      if (row.closeOutSentAt === undefined) await this.send(row);
      return;
    }
    // Taken on before and tied to its item (a delivery acted on just before a crash): only its close-out is left.
    if (row.itemId !== undefined) {
      await this.settleItem(row.itemId);
      return;
    }
    const route = REQUEST_ROUTES[request.requestName];
    if (route === undefined) {
      this.logger.warn({ requestId: request.id, requestName: request.requestName }, `ERP Request ${request.id}: this integration does not handle ${request.requestName}`);
      await this.closeOut(row, { status: 'failed', messages: [`this integration does not handle ${request.requestName}`] });
      return;
    }
    if (scopes.length === 0) {
      this.logger.warn({ requestId: request.id, companyId: request.companyId }, `ERP Request ${request.id}: no tenant is connected to hub company ${request.companyId}`);
      await this.closeOut(row, { status: 'failed', messages: [`no ERP is connected to this company in ledgerlink (hub company ${request.companyId})`] });
      return;
    }
    await route.handle({ dispatcher: this, hub: this.hub, request, row, scopes, signal: this.#closing.signal });
  }

  /** Ties a request to its ledger item and closes it out if the item already says how (synced, refused, blocked). */
  async link(row: HubRequestRow, itemId: string): Promise<void> {
    await this.requests.linkItem(row.companyId, row.requestId, itemId);
    await this.settleItem(itemId);
  }

  /**
   * One record of a batch request tied to its ledger item, as a row of its own (`<request>#<index>`, no detail):
   * its External Data `origin_id` is written when the item syncs, by the same close-out machinery.
   */
  async linkPart(row: HubRequestRow, index: number, itemId: string): Promise<void> {
    const part = { companyId: row.companyId, requestId: `${row.requestId}#${index}`, requestName: row.requestName, ...(row.tenant === undefined ? {} : { tenant: row.tenant }) };
    const { row: taken } = await this.requests.take(part);
    if (taken.itemId === undefined) await this.link(taken, itemId);
    else await this.settleItem(taken.itemId);
  }

  /**
   * An item moved (an attempt ended, an edit, an approval): close out the requests waiting on it. `moved`: the item as
   * the committed write that moved it returned it. Synced, it is taken instead of a read: nothing moves an item out of
   * synced nor changes its ERP id, so it is still the item's latest whenever it is looked at. With another close-out
   * to give (failed), it only says the requests are worth listing: the item is read after the listing.
   */
  async settleItem(itemId: string, moved?: LedgerItem): Promise<void> {
    let item = moved?.id === itemId && this.closeOutOf(moved) !== undefined ? moved : await this.ledger.get(itemId);
    if (item === undefined) return;
    let closeOut = this.closeOutOf(item);
    // On its way (pending, exporting): nothing to say to any request, so none is listed. The write that moves it on
    // (an attempt's end, or the close-out pass) settles them; a request tied to it later is settled by its own link.
    if (closeOut === undefined) return;
    const rows = await this.requests.openForItem(itemId);
    if (rows.length === 0) return;
    if (item.state !== 'synced') {
      // Read again after the listing: a request tied to the item after the read above (a failed item exported again
      // is moved to pending, then its new request is tied to it) must get what the item says now, not the state it left.
      item = await this.ledger.get(itemId);
      if (item === undefined) return;
      closeOut = this.closeOutOf(item);
      if (closeOut === undefined) return;
    }
    for (const row of rows) {
      if (sameCloseOut(row.closeOut, closeOut) && row.closeOutSentAt !== undefined) continue;
      await this.closeOut({ ...row, itemId }, closeOut, item);
    }
  }

  private closeOutOf(item: LedgerItem): CloseOut | undefined {
    return closeOutFor(item, this.tenants.get(item.tenant)?.runtime.connector.manifest.displayName ?? 'the ERP');
  }

  /**
   * Decides a close-out and sends it; `item`: the request's ledger item, when the caller just read it. A close-out
   * decided without an item (a refusal, a batch's, an import's) is recorded first: nothing else could give it again.
   * One that follows from the row's ledger item is recorded once the hub took it, in the same statement as the time
   * sent (one write fewer per payment): until then the row is open with its item, and after a crash the pass works it
   * out again from the item.
   */
  async closeOut(row: HubRequestRow, closeOut: CloseOut, item?: LedgerItem): Promise<void> {
    const fromItem = row.itemId !== undefined;
    if (!fromItem) await this.requests.decide(row.companyId, row.requestId, closeOut);
    await this.send({ ...row, closeOut }, item, fromItem);
  }

  /**
   * Sends a close-out (`undecided`: not recorded yet, see `closeOut`): for a success about a ledger item, its
   * `origin_id` goes first through External Data (idempotent), so Procore never shows a success without the link. A
   * failure is logged and left for the pass.
   */
  private async send(row: HubRequestRow, read?: LedgerItem, undecided = false): Promise<void> {
    const closeOut = row.closeOut;
    if (closeOut === undefined) return;
    const context = { signal: this.#closing.signal };
    try {
      if (closeOut.status === 'success' && row.itemId !== undefined && HUB_REQUESTS[row.requestName]?.action === 'export') {
        const item = read?.id === row.itemId ? read : await this.ledger.get(row.itemId);
        if (item?.targetId !== undefined) {
          const itemType = ENTITY_DEFINITIONS[item.entity].hubItemType;
          await this.#externalData.write(row.companyId, { itemType, itemId: item.sourceId, originId: item.targetId });
        }
      }
      if (row.detailId !== undefined) await this.hub.client.closeOut(row.companyId, row.detailId, closeOut, context);
      if (undecided) await this.requests.recordSent(row.companyId, row.requestId, closeOut);
      else await this.requests.markSent(row.companyId, row.requestId, closeOut.status);
      this.logger.info({ requestId: row.requestId, requestName: row.requestName, status: closeOut.status }, `ERP Request ${row.requestId} closed out: ${closeOut.status}`);
    } catch (error) {
      this.logger.warn({ err: error, requestId: row.requestId }, `closing out ERP Request ${row.requestId} failed; sent again by the close-out pass`);
    }
  }

  /** The close-out pass (at start and on the hub schedule): items settled meanwhile, close-outs the hub did not take. */
  async pass(): Promise<number> {
    let done = 0;
    for (const row of await this.requests.unfinished()) {
      if (this.#closing.signal.aborted) break;
      if (!this.owns(row.tenant)) continue;
      if (row.itemId !== undefined && !isFinal(row.closeOut)) await this.settleItem(row.itemId);
      else if (row.closeOutSentAt === undefined && row.closeOut !== undefined) await this.send(row);
      done += 1;
    }
    return done;
  }

  /** The fallback for lost or discarded deliveries: every open request of each connected company, taken like a delivery. */
  async poll(companyId: string, waiting: ReadonlySet<string> = new Set()): Promise<number> {
    let seen = 0;
    // What this runner holds is not read from the hub again: a delivery waiting in the inbox (`waiting`: the intake acts
    // on it), or a request it is working on (see `#holds`).
    const known = async (requestIds: readonly string[]): Promise<ReadonlySet<string>> => {
      const held = await Promise.all(requestIds.map(async (requestId) => waiting.has(requestId) || this.#holds(companyId, requestId)));
      return new Set(requestIds.filter((_, index) => held[index]));
    };
    for await (const page of this.hub.client.openRequests(companyId, { signal: this.#closing.signal, known })) {
      for (const request of page) {
        seen += 1;
        // The requisition batches the client lists by name come unfiltered by `known`.
        if (await this.#holds(request.companyId, request.id)) continue;
        try {
          await this.take(request);
        } catch (error) {
          this.logger.warn({ err: error, requestId: request.id }, `ERP Request ${request.id} found by the fallback could not be acted on yet`);
        }
      }
    }
    return seen;
  }

  /** Taken before and tied to its item, or closed out: the flows and the close-out pass finish it, not the fallback. */
  async #holds(companyId: string, requestId: string): Promise<boolean> {
    const row = await this.requests.get(companyId, requestId);
    return row !== undefined && (row.itemId !== undefined || isFinal(row.closeOut));
  }

  stop(): void {
    this.#closing.abort();
  }
}
