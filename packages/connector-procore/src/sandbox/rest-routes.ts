import type { Connections } from './connections.js';
import type { DeliveryService } from './deliveries.js';
import { DETAIL_STATUSES, detailWire, requestWire, type ErpRequests } from './erp-requests.js';
import { EXTERNAL_DATA_ITEM_TYPES, type ExternalData } from './external-data.js';
import { errors, isRecord, json, SandboxRefusal, type Answer } from './http-io.js';
import { COMMITMENT_ITEM_TYPE, vendorPayload, type HubObjects } from './hub-objects.js';
import type { InvoicePayments } from './invoice-payments.js';
import { wireAmount } from './money.js';
import { paged } from './paging.js';
import type { StagedRecords } from './staged-records.js';
import { syncVendors } from './vendor-sync.js';
import type { ExternalDataRecord, RequestDetailMessage, RequestDetailStatus } from './types.js';

/** Everything the REST API reads and writes. */
export interface RestState {
  objects: HubObjects;
  externalData: ExternalData;
  requests: ErpRequests;
  invoicePayments: InvoicePayments;
  stagedRecords: StagedRecords;
  connections: Connections;
  deliveries: DeliveryService;
}

/** One authenticated API call: the company of the `Procore-Company-Id` header, the URL and the parsed JSON body. */
export interface RestCall {
  method: string;
  url: URL;
  companyId: number;
  body: unknown;
}

type Handler = (state: RestState, call: RestCall, params: number[]) => Answer;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const V1 = '/rest/v1\\.0';
const COMPANY = `${V1}/companies/(\\d+)`;

function route(method: string, path: string, handler: Handler): Route {
  return { method, pattern: new RegExp(`^${path}$`), handler };
}

/** The path's company must be the header's: a service account acts in one company per call. */
function inCompany(call: RestCall, pathCompany: number | undefined): number {
  if (pathCompany !== undefined && pathCompany !== call.companyId) {
    throw new SandboxRefusal(403, `the path's company ${pathCompany} is not the Procore-Company-Id ${call.companyId}`);
  }
  return call.companyId;
}

/** `company_id` of a webhooks or projects call (query or body) must be the header's company. */
function hookCompany(call: RestCall): number {
  const raw = call.url.searchParams.get('company_id') ?? (isRecord(call.body) ? call.body.company_id : undefined);
  if (raw === undefined || raw === null) throw new SandboxRefusal(400, 'company_id is required (a company-level hook)');
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new SandboxRefusal(400, `company_id ${JSON.stringify(raw)} is not a company id`);
  return inCompany(call, id);
}

function closeOut(state: RestState, call: RestCall, [companyId, id]: number[]): Answer {
  const company = inCompany(call, companyId);
  const detail = state.requests.details.get(id as number);
  if (detail === undefined || detail.companyId !== company) return errors(404, `request detail ${id} not found in company ${company}`);
  const input = isRecord(call.body) ? call.body.erp_request_detail : undefined;
  if (!isRecord(input)) return errors(400, 'the body must be { "erp_request_detail": { "status": …, "messages": [ { "message": … } ] } }');
  const status = input.status ?? detail.status;
  if (typeof status !== 'string' || !DETAIL_STATUSES.has(status)) {
    return errors(422, { status: [`${JSON.stringify(input.status)} is not one of in_progress, success, failed, stale`] });
  }
  let messages: RequestDetailMessage[] | undefined;
  if (input.messages !== undefined) {
    if (!Array.isArray(input.messages)) return errors(422, { messages: ['must be an array of { "message": "…" }'] });
    messages = [];
    for (const [index, entry] of input.messages.entries()) {
      if (!isRecord(entry) || typeof entry.message !== 'string') return errors(422, { messages: [`messages[${index}] must be { "message": "…" }`] });
      messages.push({ message: entry.message });
    }
  }
  state.requests.close(detail, status as RequestDetailStatus, messages);
  return json(200, detailWire(detail));
}

/** Whether `item_id` is an object of `item_type` in the company, for the types this sandbox holds. */
function itemExists(state: RestState, companyId: number, itemType: string, itemId: number): boolean {
  const { objects } = state;
  switch (itemType) {
    case 'project':
      return objects.projects.get(itemId)?.companyId === companyId;
    case 'vendor':
      return objects.vendors.get(itemId)?.companyId === companyId;
    case 'work_order_contract':
    case 'purchase_order_contract': {
      const commitment = objects.commitments.get(itemId);
      return commitment?.companyId === companyId && COMMITMENT_ITEM_TYPE[commitment.kind] === itemType;
    }
    case 'requisition':
      return objects.requisitions.get(itemId)?.companyId === companyId;
    case 'contract_payment':
      return objects.contractPayments.get(itemId)?.companyId === companyId;
    case 'invoice_payment':
      return state.invoicePayments.get(itemId)?.company_id === companyId;
    default:
      return true;
  }
}

function externalDataSync(state: RestState, call: RestCall, [companyId]: number[]): Answer {
  const company = inCompany(call, companyId);
  if (!isRecord(call.body) || !Array.isArray(call.body.updates)) return errors(400, 'the body must be { "updates": [ { "item_type", "item_id", "origin_id", "origin_data" } ] }');
  const entities: ExternalDataRecord[] = [];
  const refused: { item_type: unknown; item_id: unknown; message: string }[] = [];
  for (const [index, update] of (call.body.updates as unknown[]).entries()) {
    const itemType = isRecord(update) ? update.item_type : undefined;
    const itemId = isRecord(update) ? update.item_id : undefined;
    const refuse = (message: string): void => void refused.push({ item_type: itemType ?? null, item_id: itemId ?? null, message: `updates[${index}]: ${message}` });
    if (!isRecord(update)) {
      refuse('must be an object');
      continue;
    }
    if (typeof itemType !== 'string' || !EXTERNAL_DATA_ITEM_TYPES.has(itemType)) {
      refuse(`item_type ${JSON.stringify(itemType)} is not an External Data item type`);
      continue;
    }
    const id = typeof itemId === 'number' ? itemId : typeof itemId === 'string' && /^\d+$/.test(itemId) ? Number(itemId) : Number.NaN;
    if (!Number.isSafeInteger(id) || id <= 0) {
      refuse(`item_id ${JSON.stringify(itemId)} is not an id`);
      continue;
    }
    if (!itemExists(state, company, itemType, id)) {
      refuse(`${itemType} ${id} not found in company ${company}`);
      continue;
    }
    const originId = update.origin_id;
    if (originId !== null && (typeof originId !== 'string' || originId.trim() === '')) {
      refuse(`origin_id must be a non-blank string, or null to unlink; got ${JSON.stringify(originId)}`);
      continue;
    }
    const originData = update.origin_data;
    if (originData !== undefined && originData !== null && typeof originData !== 'string') {
      refuse('origin_data must be a string');
      continue;
    }
    const outcome = state.externalData.write(itemType, id, originId, originData);
    if ('refused' in outcome) refuse(outcome.refused);
    else entities.push(outcome.record);
  }
  // Nothing written and something refused: the whole call is refused, so a one-item write reads as a 422.
  const status = entities.length === 0 && refused.length > 0 ? 422 : 200;
  return json(status, { entities, errors: refused });
}

function requisitionWire(state: RestState, id: number): Record<string, unknown> {
  const requisition = state.objects.requisition(id);
  const commitment = state.objects.commitment(requisition.commitmentId);
  const vendor = state.objects.vendor(commitment.vendorId);
  return {
    id: requisition.id,
    project_id: requisition.projectId,
    commitment_id: commitment.id,
    contract_id: commitment.id,
    number: requisition.number,
    invoice_number: requisition.invoiceNumber,
    billing_date: requisition.invoiceDate,
    total_amount: wireAmount(requisition.totalCents),
    summary: {
      current_payment_due: wireAmount(requisition.totalCents),
      tax_amount: wireAmount(requisition.taxCents),
      markup_amount: wireAmount(requisition.markupCents),
    },
    vendor: { id: vendor.id, name: vendor.name },
    origin_id: state.externalData.originId('requisition', requisition.id),
    created_at: requisition.createdAt,
  };
}

const ROUTES: Route[] = [
  route('GET', `${COMPANY}/erp_connections`, (s, c, [company]) => json(200, s.connections.connectionsOf(inCompany(c, company)))),
  route('POST', `${COMPANY}/erp_connections`, (s, c, [company]) => json(201, s.connections.saveConnection(inCompany(c, company), c.body))),
  route('PATCH', `${COMPANY}/erp_connections/(\\d+)`, (s, c, [company, id]) => json(200, s.connections.saveConnection(inCompany(c, company), c.body, id))),

  route('GET', `${COMPANY}/erp_requests`, (s, c, [company]) => {
    const companyId = inCompany(c, company);
    const name = c.url.searchParams.get('filters[request_name]');
    const rows = [...s.requests.requests.values()].filter((r) => r.company_id === companyId && (name === null || r.request_name === name));
    return paged(c.url, rows, requestWire);
  }),
  route('GET', `${COMPANY}/erp_requests/(\\d+)`, (s, c, [company, id]) => {
    const request = s.requests.requests.get(id as number);
    if (request === undefined || request.company_id !== inCompany(c, company)) return errors(404, `ERP request ${id} not found in company ${company}`);
    return json(200, requestWire(request));
  }),
  route('GET', `${COMPANY}/erp_request_details`, (s, c, [company]) => {
    const status = c.url.searchParams.get('filters[status]');
    if (status !== null && !DETAIL_STATUSES.has(status)) return errors(400, { 'filters[status]': [`${status} is not one of in_progress, success, failed, stale`] });
    const requestFilter = c.url.searchParams.get('filters[erp_request_id]');
    const rows = s.requests.listDetails(inCompany(c, company), status, requestFilter === null ? null : Number(requestFilter));
    return paged(c.url, rows, detailWire);
  }),
  route('GET', `${COMPANY}/erp_request_details/(\\d+)`, (s, c, [company, id]) => {
    const detail = s.requests.details.get(id as number);
    if (detail === undefined || detail.companyId !== inCompany(c, company)) return errors(404, `request detail ${id} not found in company ${company}`);
    return json(200, detailWire(detail));
  }),
  route('PATCH', `${COMPANY}/erp_request_details/(\\d+)`, closeOut),
  route('PUT', `${COMPANY}/erp_request_details/(\\d+)`, closeOut),

  route('PATCH', `${COMPANY}/external_data/sync`, externalDataSync),
  route('GET', `${COMPANY}/external_data`, (s, c, [company]) => {
    const companyId = inCompany(c, company);
    const itemType = c.url.searchParams.get('item_type');
    const itemId = Number(c.url.searchParams.get('item_id'));
    if (itemType === null || !Number.isSafeInteger(itemId) || itemId <= 0) return errors(400, 'item_type and item_id are required');
    const record = itemExists(s, companyId, itemType, itemId) ? s.externalData.get(itemType, itemId) : undefined;
    return json(200, record === undefined ? [] : [record]);
  }),

  route('GET', `${COMPANY}/erp/staged_records`, (s, c, [company]) =>
    paged(c.url, s.stagedRecords.list(inCompany(c, company), c.url.searchParams.get('filters[item_type]'), c.url.searchParams.get('filters[status]'))),
  ),
  route('POST', `${COMPANY}/erp/staged_records`, (s, c, [company]) => {
    const answer = s.stagedRecords.upsert(inCompany(c, company), c.body, true);
    return json(answer.entities.length === 0 && answer.errors.length > 0 ? 422 : 201, answer);
  }),
  route('PATCH', `${COMPANY}/erp/staged_records/sync`, (s, c, [company]) => {
    const answer = s.stagedRecords.upsert(inCompany(c, company), c.body, false);
    return json(answer.entities.length === 0 && answer.errors.length > 0 ? 422 : 200, answer);
  }),
  route('PUT', `${COMPANY}/erp/staged_records/(\\d+)`, (s, c, [company, id]) => json(200, s.stagedRecords.replace(inCompany(c, company), id as number, c.body))),

  route('GET', `${COMPANY}/invoice_payments`, (s, c, [company]) => paged(c.url, s.invoicePayments.ofCompany(inCompany(c, company)))),
  route('PATCH', `${COMPANY}/invoice_payments/sync`, (s, c, [company]) => {
    const answer = s.invoicePayments.sync(inCompany(c, company), c.body);
    return json(answer.entities.length === 0 && answer.errors.length > 0 ? 422 : 200, answer);
  }),
  route('PATCH', `${COMPANY}/invoice_payments/(\\d+)/unlink`, (s, c, [company, id]) => json(200, s.invoicePayments.unlink(inCompany(c, company), id as number))),

  route('GET', `${COMPANY}/vendors`, (s, c, [company]) => {
    const companyId = inCompany(c, company);
    const rows = [...s.objects.vendors.values()].filter((v) => v.companyId === companyId);
    return paged(c.url, rows, (v) => vendorPayload(v, s.externalData.originId('vendor', v.id)));
  }),
  route('PATCH', `${COMPANY}/vendors/sync`, (s, c, [company]) => {
    const answer = syncVendors(s.objects, s.externalData, inCompany(c, company), c.body, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    return json(answer.entities.length === 0 && answer.errors.length > 0 ? 422 : 200, answer);
  }),
  route('GET', `${COMPANY}/vendors/(\\d+)`, (s, c, [company, id]) => {
    const vendor = s.objects.vendors.get(id as number);
    if (vendor === undefined || vendor.companyId !== inCompany(c, company)) return errors(404, `vendor ${id} not found in company ${company}`);
    return json(200, vendorPayload(vendor, s.externalData.originId('vendor', vendor.id)));
  }),
  route('GET', `${V1}/projects`, (s, c) => {
    // A company's projects: `company_id` names it, and must be the header's company.
    const companyId = hookCompany(c);
    const rows = [...s.objects.projects.values()].filter((p) => p.companyId === companyId);
    return paged(c.url, rows, (p) => ({ id: p.id, name: p.name, project_number: p.projectNumber, origin_id: s.externalData.originId('project', p.id), company: { id: companyId } }));
  }),
  route('GET', `${V1}/projects/(\\d+)`, (s, c, [id]) => {
    const project = s.objects.projects.get(id as number);
    if (project === undefined || project.companyId !== inCompany(c, undefined)) return errors(404, `project ${id} not found in company ${c.companyId}`);
    const company = s.objects.company(project.companyId);
    return json(200, { id: project.id, name: project.name, project_number: project.projectNumber, origin_id: s.externalData.originId('project', project.id), company: { id: company.id, name: company.name } });
  }),
  route('GET', `${V1}/projects/(\\d+)/requisitions/(\\d+)`, (s, c, [projectId, id]) => {
    const requisition = s.objects.requisitions.get(id as number);
    if (requisition === undefined || requisition.projectId !== projectId || requisition.companyId !== inCompany(c, undefined)) {
      return errors(404, `requisition ${id} not found in project ${projectId}`);
    }
    return json(200, requisitionWire(s, requisition.id));
  }),

  route('GET', `${V1}/webhooks/hooks`, (s, c) => json(200, s.connections.hooksOf(hookCompany(c)))),
  route('POST', `${V1}/webhooks/hooks`, (s, c) => json(201, s.connections.saveHook(hookCompany(c), c.body))),
  route('GET', `${V1}/webhooks/hooks/(\\d+)`, (s, c, [id]) => json(200, structuredClone(s.connections.hook(hookCompany(c), id as number)))),
  route('PATCH', `${V1}/webhooks/hooks/(\\d+)`, (s, c, [id]) => json(200, s.connections.saveHook(hookCompany(c), c.body, id))),
  route('DELETE', `${V1}/webhooks/hooks/(\\d+)`, (s, c, [id]) => {
    s.connections.deleteHook(hookCompany(c), id as number);
    return { status: 204, body: '' };
  }),
  route('GET', `${V1}/webhooks/hooks/(\\d+)/triggers`, (s, c, [id]) => json(200, s.connections.triggersOf(hookCompany(c), id as number))),
  route('POST', `${V1}/webhooks/hooks/(\\d+)/triggers`, (s, c, [id]) => json(201, s.connections.addTrigger(hookCompany(c), id as number, c.body))),
  route('DELETE', `${V1}/webhooks/hooks/(\\d+)/triggers/(\\d+)`, (s, c, [hookId, id]) => {
    s.connections.deleteTrigger(hookCompany(c), hookId as number, id as number);
    return { status: 204, body: '' };
  }),
  route('GET', `${V1}/webhooks/hooks/(\\d+)/deliveries`, (s, c, [id]) => {
    s.connections.hook(hookCompany(c), id as number);
    const filter = c.url.searchParams.get('filter[status]') ?? 'any';
    const wanted: Record<string, (outcome: string) => boolean> = {
      any: () => true,
      successful: (o) => o === 'ok',
      discarded: (o) => o === 'discarded',
      failing: (o) => o === 'retried',
    };
    const keep = wanted[filter];
    if (keep === undefined) return errors(400, { 'filter[status]': [`${filter} is not one of any, successful, discarded, failing`] });
    const rows = s.deliveries.list(id).filter((d) => keep(d.outcome));
    return paged(c.url, rows, (d) => {
      const last = d.attempts[d.attempts.length - 1];
      return {
        id: d.id,
        outcome: d.outcome,
        response_status: last?.status ?? null,
        response_error: last?.error ?? null,
        attempts: d.attempts.length,
        event: JSON.parse(d.body) as unknown,
      };
    });
  }),
];

/** The endpoint pattern a path counts under in the stats: ids replaced by `:id`. */
export function endpointOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
}

/** Routes one authenticated REST call. */
export function handleRest(state: RestState, call: RestCall): Answer {
  const path = call.url.pathname;
  let pathMatched = false;
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(path);
    if (match === null) continue;
    pathMatched = true;
    if (candidate.method !== call.method) continue;
    try {
      return candidate.handler(state, call, match.slice(1).map(Number));
    } catch (error) {
      if (error instanceof SandboxRefusal) return errors(error.status, error.message);
      throw error;
    }
  }
  return pathMatched ? errors(405, `${call.method} is not allowed on ${path}`) : errors(404, `no route matches ${call.method} ${path}`);
}

/** Whether the method writes (for the commit-then-drop fault). */
export function isWrite(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';
}
