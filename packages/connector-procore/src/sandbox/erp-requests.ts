import type { IdSequence } from './ids.js';
import type { ErpRequestName, ErpRequestWire, RequestDetailMessage, RequestDetailStatus, RequestDetailWire } from './types.js';

export const DETAIL_STATUSES: ReadonlySet<string> = new Set<RequestDetailStatus>(['in_progress', 'success', 'failed', 'stale']);

export interface StoredDetail extends RequestDetailWire {
  companyId: number;
  /** Every close-out, oldest first: what the detail went through. */
  history: { status: RequestDetailStatus; messages: RequestDetailMessage[]; at: string }[];
}

export interface StoredRequest extends ErpRequestWire {
  detailId: number | null;
}

/** ERP Requests (what an integrator is asked to do) and their Request Details (how it went), by id. */
export class ErpRequests {
  readonly requests = new Map<number, StoredRequest>();
  readonly details = new Map<number, StoredDetail>();
  /** Detail ids per company, in creation (id) order: the listing is oldest first. */
  private readonly detailsByCompany = new Map<number, number[]>();
  /** Bumped on every new or changed detail: a listing read page by page is filtered once, not once per page. */
  private version = 0;
  private listed: { key: string; version: number; rows: StoredDetail[] } | undefined;

  constructor(
    private readonly ids: IdSequence,
    private readonly integrationAppName: string | null,
  ) {}

  /**
   * A new request; with `withDetail`, a new detail `in_progress` whose id the payload carries as `request_detail_id`
   * (`buildData` gets it, or null).
   */
  create(companyId: number, name: ErpRequestName, withDetail: boolean, buildData: (detailId: number | null) => Record<string, unknown>): { request: StoredRequest; detail?: StoredDetail } {
    const at = new Date().toISOString();
    const requestId = this.ids.take(undefined, 'erp request');
    let detail: StoredDetail | undefined;
    if (withDetail) {
      this.version++;
      const detailId = this.ids.take(undefined, 'request detail');
      detail = { id: detailId, erp_request_id: requestId, companyId, status: 'in_progress', messages: [], created_at: at, updated_at: at, history: [] };
      this.details.set(detailId, detail);
      let list = this.detailsByCompany.get(companyId);
      if (list === undefined) this.detailsByCompany.set(companyId, (list = []));
      list.push(detailId);
    }
    const request: StoredRequest = {
      id: requestId,
      company_id: companyId,
      request_name: name,
      request_data: buildData(detail?.id ?? null),
      created_at: at,
      updated_at: at,
      integration_app_name: this.integrationAppName,
      detailId: detail?.id ?? null,
    };
    this.requests.set(requestId, request);
    return detail === undefined ? { request } : { request, detail };
  }

  /** Details of a company, oldest first, optionally of one status or one request. */
  listDetails(companyId: number, status: string | null, requestId: number | null): StoredDetail[] {
    const key = `${companyId}|${status ?? ''}|${requestId ?? ''}`;
    if (this.listed?.key === key && this.listed.version === this.version) return this.listed.rows;
    const rows: StoredDetail[] = [];
    for (const id of this.detailsByCompany.get(companyId) ?? []) {
      const detail = this.details.get(id) as StoredDetail;
      if (status !== null && detail.status !== status) continue;
      if (requestId !== null && detail.erp_request_id !== requestId) continue;
      rows.push(detail);
    }
    this.listed = { key, version: this.version, rows };
    return rows;
  }

  /** A close-out: the new status and, when given, the messages (replacing the old ones). */
  close(detail: StoredDetail, status: RequestDetailStatus, messages: RequestDetailMessage[] | undefined): void {
    const at = new Date().toISOString();
    this.version++;
    detail.status = status;
    if (messages !== undefined) detail.messages = messages.map((m) => ({ message: m.message }));
    detail.updated_at = at;
    detail.history.push({ status, messages: detail.messages.map((m) => ({ ...m })), at });
  }
}

export function requestWire(request: StoredRequest): ErpRequestWire {
  return {
    id: request.id,
    company_id: request.company_id,
    request_name: request.request_name,
    request_data: structuredClone(request.request_data),
    created_at: request.created_at,
    updated_at: request.updated_at,
    integration_app_name: request.integration_app_name,
  };
}

export function detailWire(detail: StoredDetail): RequestDetailWire {
  return {
    id: detail.id,
    erp_request_id: detail.erp_request_id,
    status: detail.status,
    messages: detail.messages.map((m) => ({ message: m.message })),
    created_at: detail.created_at,
    updated_at: detail.updated_at,
  };
}
