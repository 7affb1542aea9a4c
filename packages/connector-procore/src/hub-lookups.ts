import type { ProcoreApi } from './procore-api.js';
import { idText, nextLink, property, text } from './procore-wire.js';

export interface ProjectRow {
  id: string;
  number?: string;
}

/**
 * Lookups the hub contract needs but Procore scopes by project: the company's projects
 * (`GET /rest/v1.0/projects?company_id=`, cached per client), and requisitions found by id or by their ERP id.
 */
export class HubLookups {
  private readonly projects = new Map<string, Promise<ProjectRow[]>>();

  constructor(
    private readonly api: ProcoreApi,
    private readonly perPage: number,
  ) {}

  /** The company's projects, read once per client (a failed read is not cached). */
  companyProjects(companyId: string): Promise<ProjectRow[]> {
    let cached = this.projects.get(companyId);
    if (cached === undefined) {
      cached = this.readProjects(companyId);
      cached.catch(() => this.projects.delete(companyId));
      this.projects.set(companyId, cached);
    }
    return cached;
  }

  /** Every project id of a company (read once, then cached). */
  async projectIds(companyId: string): Promise<string[]> {
    return (await this.companyProjects(companyId)).map((project) => project.id);
  }

  async projectByNumber(companyId: string, projectNumber: string): Promise<string | undefined> {
    const projects = await this.companyProjects(companyId);
    return projects.find((project) => project.number === projectNumber)?.id;
  }

  /** `GET /rest/v1.1/requisitions/{id}?project_id=`: the requisition, or undefined on a 404. */
  async requisition(companyId: string, projectId: string, requisitionId: string): Promise<unknown> {
    const response = await this.api.call({
      method: 'GET',
      path: `/rest/v1.1/requisitions/${encodeURIComponent(requisitionId)}`,
      companyId,
      params: { project_id: projectId },
      doing: `reading requisition ${requisitionId} of project ${projectId}`,
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.api.error(response, `reading requisition ${requisitionId} of project ${projectId}`);
    return JSON.parse(response.body) as unknown;
  }

  /** Finds a requisition in a project by its ERP id (`origin_id`) or invoice number. */
  async findRequisition(
    companyId: string,
    projectId: string,
    match: { erpInvoiceId?: string; invoiceNumber?: string; commitmentId?: string },
  ): Promise<{ id: string; commitmentId?: string } | undefined> {
    const params: Record<string, string> = { project_id: projectId, per_page: String(this.perPage) };
    if (match.commitmentId !== undefined) params['filters[commitment_id]'] = match.commitmentId;
    for (let page = 1; ; page++) {
      const { body, response } = await this.api.json({
        method: 'GET',
        path: '/rest/v1.1/requisitions',
        companyId,
        params: { ...params, page: String(page) },
        doing: `listing requisitions of project ${projectId}`,
      });
      const rows = Array.isArray(body) ? body : [];
      const found =
        (match.erpInvoiceId === undefined ? undefined : rows.find((row) => text(property(row, 'origin_id')) === match.erpInvoiceId)) ??
        (match.invoiceNumber === undefined ? undefined : rows.find((row) => text(property(row, 'invoice_number')) === match.invoiceNumber));
      if (found !== undefined) {
        const id = idText(property(found, 'id'));
        const commitmentId = idText(property(found, 'commitment_id'));
        if (id !== undefined) return { id, ...(commitmentId === undefined ? {} : { commitmentId }) };
      }
      if (rows.length === 0 || nextLink(response.headers.link) === undefined) return undefined;
    }
  }

  private async readProjects(companyId: string): Promise<ProjectRow[]> {
    const out: ProjectRow[] = [];
    for (let page = 1; ; page++) {
      const { body, response } = await this.api.json({
        method: 'GET',
        path: '/rest/v1.0/projects',
        companyId,
        params: { company_id: companyId, page: String(page), per_page: String(this.perPage) },
        doing: `listing the projects of company ${companyId}`,
      });
      const rows = Array.isArray(body) ? body : [];
      for (const row of rows) {
        const id = idText(property(row, 'id'));
        const number = text(property(row, 'project_number'));
        if (id !== undefined) out.push({ id, ...(number === undefined ? {} : { number }) });
      }
      if (rows.length === 0 || nextLink(response.headers.link) === undefined) return out;
    }
  }
}
