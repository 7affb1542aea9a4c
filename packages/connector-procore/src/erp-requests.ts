import { ErrorCodes, isLedgerlinkError, LedgerlinkError, type CloseOut, type ErpRequest, type Logger } from '@ledgerlink/core';
import { platformPaths } from './platform-paths.js';
import type { ProcoreApi } from './procore-api.js';
import { unreadable } from './procore-errors.js';
import { isRecord, procoreId, property } from './procore-wire.js';

/**
 * An ERP Request as "ERP Requests Show" returns it (`{id, company_id, request_name, request_data {request_detail_id,
 * …}, created_at}`). `request_data` is a list for a few batch events (`create_standard_cost_codes`): it is kept as
 * `data.items`, each item carrying its own `request_detail_id`.
 */
export function readErpRequest(wire: unknown, companyId: string, doing: string): ErpRequest {
  if (!isRecord(wire)) throw unreadable(doing, 'something that is not an ERP request object');
  const id = procoreId(wire.id);
  const requestName = typeof wire.request_name === 'string' ? wire.request_name.trim() : '';
  const missing = [id === undefined ? 'id' : undefined, requestName === '' ? 'request_name' : undefined].filter((name) => name !== undefined);
  if (missing.length > 0) throw unreadable(doing, `an ERP request without ${missing.join(', ')}`, { missing });
  const raw = wire.request_data;
  const data: Record<string, unknown> = Array.isArray(raw) ? { items: raw } : isRecord(raw) ? raw : {};
  const requestDetailId = procoreId(data.request_detail_id);
  const createdAt = typeof wire.created_at === 'string' && !Number.isNaN(Date.parse(wire.created_at)) ? new Date(wire.created_at).toISOString() : '';
  return {
    id: id as string,
    companyId: procoreId(wire.company_id) ?? companyId,
    requestName,
    ...(requestDetailId === undefined ? {} : { requestDetailId }),
    data,
    createdAt,
  };
}

/** ERP Requests Show; `undefined` on a 404. */
export async function fetchErpRequest(api: ProcoreApi, companyId: string, requestId: string): Promise<ErpRequest | undefined> {
  const doing = `reading ERP request ${requestId} of company ${companyId}`;
  const body = await api.jsonOrMissing({ method: 'GET', path: platformPaths.erpRequest(companyId, requestId), companyId, doing });
  return body === undefined ? undefined : readErpRequest(body, companyId, doing);
}

/**
 * The fallback for lost or discarded webhooks: every Request Detail still `in_progress`, oldest first, each
 * resolved to its ERP Request. The open details are listed whole before the first page is handed out: the caller
 * closes details out as it goes, and a status-filtered page list would shift under it and skip some. `known` names the
 * requests of a page the caller holds already: those are not read (one call each saved from the hub's rate limit).
 */
export async function* openRequests(
  api: ProcoreApi,
  logger: Logger,
  companyId: string,
  perPage: number,
  closedBatches: Set<string> = new Set(),
  known?: (requestIds: readonly string[]) => Promise<ReadonlySet<string>>,
): AsyncGenerator<ErpRequest[]> {
  const doing = `listing the open request details of company ${companyId}`;
  const open: { detailId: string; requestId: string }[] = [];
  const seenDetails = new Set<string>();
  for await (const rows of api.pages(
    { method: 'GET', path: platformPaths.erpRequestDetails(companyId), companyId, params: { 'filters[status]': 'in_progress' }, doing },
    perPage,
  )) {
    for (const row of rows) {
      const detailId = procoreId(property(row, 'id'));
      const requestId = procoreId(property(row, 'erp_request_id'));
      // Procore filtered by status already; a detail that says otherwise is not acted on twice.
      const status = property(row, 'status');
      if (detailId === undefined || requestId === undefined || (status !== undefined && status !== 'in_progress')) {
        logger.warn({ companyId, detail: detailId }, 'skipped a request detail without an id, an ERP request id, or still open');
        continue;
      }
      if (seenDetails.has(detailId)) continue;
      seenDetails.add(detailId);
      open.push({ detailId, requestId });
    }
  }
  const seenRequests = new Set<string>();
  for (let start = 0; start < open.length; start += perPage) {
    let wanted = open.slice(start, start + perPage).filter(({ requestId }) => {
      if (seenRequests.has(requestId)) return false;
      seenRequests.add(requestId);
      return true;
    });
    if (known !== undefined && wanted.length > 0) {
      const held = await known(wanted.map(({ requestId }) => requestId));
      wanted = wanted.filter(({ requestId }) => !held.has(requestId));
    }
    // Read side by side: the lane holds them to Procore's concurrency.
    const found = await Promise.all(wanted.map(({ requestId }) => fetchErpRequest(api, companyId, requestId)));
    const page: ErpRequest[] = [];
    found.forEach((request, index) => {
      const { detailId, requestId } = wanted[index] as { detailId: string; requestId: string };
      if (request === undefined) {
        logger.warn({ companyId, requestId, detailId }, 'an open request detail names an ERP request Procore no longer has');
        return;
      }
      page.push(request.requestDetailId === undefined ? { ...request, requestDetailId: detailId } : request);
    });
    if (page.length > 0) yield page;
  }
  yield* openRequisitionBatches(api, logger, companyId, perPage, seenRequests, closedBatches);
}

/**
 * `create_requisitions` has no Request Detail [V erp_events_dictionary.md], so the open details never name it: its
 * requests are listed by name, and a batch is open while a requisition it is the latest request for is not synced
 * (no External Data `origin_id`). A requisition exported again later is the later batch's.
 */
async function* openRequisitionBatches(
  api: ProcoreApi,
  logger: Logger,
  companyId: string,
  perPage: number,
  seen: Set<string>,
  closedBatches: Set<string>,
): AsyncGenerator<ErpRequest[]> {
  const doing = `listing the create_requisitions requests of company ${companyId}`;
  const requests: ErpRequest[] = [];
  try {
    for await (const rows of api.pages(
      { method: 'GET', path: platformPaths.erpRequests(companyId), companyId, params: { 'filters[request_name]': 'create_requisitions' }, doing },
      perPage,
    )) {
      for (const row of rows) {
        let request: ErpRequest;
        try {
          request = readErpRequest(row, companyId, doing);
        } catch {
          logger.warn({ companyId, request: procoreId(property(row, 'id')) }, 'skipped a create_requisitions request that cannot be read');
          continue;
        }
        if (request.requestName === 'create_requisitions' && !seen.has(request.id)) requests.push(request);
      }
    }
  } catch (error) {
    // An inferred path: where Procore has no such list, the fallback covers the requests with details only.
    if (!(isLedgerlinkError(error) && error.code === ErrorCodes.HUB_NOT_FOUND)) throw error;
    logger.warn({ companyId }, 'cannot list the create_requisitions requests (HTTP 404); check platformPaths.erpRequests');
    return;
  }
  const latest = new Map<string, string>();
  const idsOf = (request: ErpRequest): string[] => {
    const batch = request.data.requisitions;
    return (Array.isArray(batch) ? batch : []).map((item) => procoreId(property(item, 'procore_requisition_id'))).filter((id): id is string => id !== undefined);
  };
  for (const request of requests) for (const id of idsOf(request)) latest.set(id, request.id);
  let page: ErpRequest[] = [];
  for (const request of requests) {
    const key = `${companyId}/${request.id}`;
    if (closedBatches.has(key)) continue;
    const own = idsOf(request).filter((id) => latest.get(id) === request.id);
    if (own.length === 0) continue;
    const synced = await Promise.all(own.map((id) => requisitionSynced(api, companyId, id)));
    if (synced.every(Boolean)) {
      // Once every requisition of a batch is synced it stays closed: a reset requisition comes back through a new
      // export, a new request. So it is not read again on the next poll.
      closedBatches.add(key);
      continue;
    }
    page.push(request);
    if (page.length >= perPage) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** Whether Procore shows the requisition synced: its External Data carries an `origin_id`. */
async function requisitionSynced(api: ProcoreApi, companyId: string, requisitionId: string): Promise<boolean> {
  return (await readOriginId(api, companyId, 'requisition', requisitionId)) !== undefined;
}

/**
 * The External Data `origin_id` of one hub object (`item_type`, `item_id`), undefined while it has none (a blank one
 * is none) or Procore does not know the object (404, or no record).
 */
export async function readOriginId(api: ProcoreApi, companyId: string, itemType: string, itemId: string): Promise<string | undefined> {
  const body = await api.jsonOrMissing({
    method: 'GET',
    path: platformPaths.externalData(companyId),
    companyId,
    params: { item_type: itemType, item_id: itemId },
    doing: `reading the External Data of ${itemType} ${itemId} of company ${companyId}`,
  });
  const records = Array.isArray(body) ? body : body === undefined ? [] : [body];
  for (const record of records) {
    const originId = property(record, 'origin_id');
    if (typeof originId === 'string' && originId.trim() !== '') return originId.trim();
  }
  return undefined;
}

/** Closes out (or updates) a Request Detail: the status and the messages Procore's ERP tool shows the user. */
export async function closeOut(api: ProcoreApi, companyId: string, requestDetailId: string, closing: CloseOut): Promise<void> {
  if (procoreId(requestDetailId) === undefined) {
    throw new LedgerlinkError(ErrorCodes.HUB_ERROR, `cannot close out request detail "${requestDetailId}": not a Procore id`, {
      disposition: 'rejected',
      details: { requestDetailId },
    });
  }
  await api.json({
    method: 'PATCH',
    path: platformPaths.erpRequestDetail(companyId, requestDetailId),
    companyId,
    body: { erp_request_detail: { status: closing.status, messages: closing.messages.map((message) => ({ message })) } },
    doing: `closing out request detail ${requestDetailId} of company ${companyId} as ${closing.status}`,
  });
}
