import { ErrorCodes, isLedgerlinkError, LedgerlinkError, type ErpRequest } from '@ledgerlink/core';
import type { RequisitionPlaces } from './contract-payment.js';
import type { HubReads } from './hub-reads.js';
import { platformPaths } from './platform-paths.js';
import type { ProcoreApi } from './procore-api.js';
import { procoreId, property, text } from './procore-wire.js';
import { dropUndefined, readRequisitionBatch, requisitionLinks, type PayloadRequisition } from './requisitions.js';

interface ProjectRow {
  id: string;
  originId?: string;
}

/**
 * The canonical requisition candidates of a `create_requisitions` request, in the batch's order. The payload names
 * neither the project nor the vendor [V erp_events_dictionary.md]: each requisition is found in the hub (where an
 * earlier payment or batch placed it, else in the project whose `origin_id` is the payload's `job_origin_id`, else
 * in the company's other projects), and its vendor (with `origin_id` as `erpId`) and project read from there.
 */
export async function requisitionBatch(api: ProcoreApi, reads: HubReads, places: RequisitionPlaces, perPage: number, request: ErpRequest): Promise<unknown[]> {
  const batch = readRequisitionBatch(request);
  const companyId = request.companyId;
  let projects: ProjectRow[] | undefined;
  // Batches are mostly of one project: where one requisition was found, the next is looked for first.
  const recent: string[] = [];

  const readIn = (projectId: string, id: string): Promise<unknown> =>
    reads.read(companyId, platformPaths.requisition(projectId, id), {}, `reading requisition ${id} of project ${projectId} (ERP request ${request.id})`);

  const locate = async (item: PayloadRequisition & { id: string }): Promise<{ projectId: string; wire: unknown } | undefined> => {
    const known = places.get(`${companyId}/${item.id}`);
    const tried = new Set<string>();
    const attempt = async (projectId: string): Promise<{ projectId: string; wire: unknown } | undefined> => {
      if (tried.has(projectId)) return undefined;
      tried.add(projectId);
      const wire = await readIn(projectId, item.id);
      return wire === undefined ? undefined : { projectId, wire };
    };
    if (known !== undefined) {
      const found = await attempt(known);
      if (found !== undefined) return found;
    }
    projects ??= await listProjects(api, companyId, perPage);
    const byJob = item.jobOriginId === undefined ? [] : projects.filter((p) => p.originId === item.jobOriginId).map((p) => p.id);
    for (const projectId of [...byJob, ...recent, ...projects.map((p) => p.id)]) {
      const found = await attempt(projectId);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const candidates: unknown[] = [];
  for (const item of batch) {
    if (item.id === undefined) {
      // No id to look for: validation names it.
      candidates.push(item.candidate);
      continue;
    }
    const found = await locate(item as PayloadRequisition & { id: string });
    if (found === undefined) {
      throw new LedgerlinkError(
        ErrorCodes.HUB_NOT_FOUND,
        `requisition ${item.id} of ERP request ${request.id} is in none of company ${companyId}'s projects (HTTP 404): check it in Procore's ERP tool`,
        { disposition: 'rejected', details: { requestId: request.id, requisitionId: item.id } },
      );
    }
    const { projectId, wire } = found;
    places.set(`${companyId}/${item.id}`, projectId);
    if (!recent.includes(projectId)) recent.unshift(projectId);
    const links = requisitionLinks(wire);
    const requisitionId = item.id;
    const of = `of requisition ${requisitionId}`;
    const [vendor, project] = await Promise.all([
      links.vendorId === undefined
        ? undefined
        : reads.read(companyId, platformPaths.vendor(companyId, links.vendorId), {}, `reading vendor ${links.vendorId} ${of}`).then((read) => read ?? missing('vendor', links.vendorId as string, requisitionId, request)),
      reads.read(companyId, platformPaths.project(projectId), { company_id: companyId }, `reading project ${projectId} ${of}`).then((read) => read ?? missing('project', projectId, requisitionId, request)),
    ]);
    const commitment = (item.candidate.commitment ?? {}) as Record<string, unknown>;
    candidates.push({
      ...item.candidate,
      vendor: dropUndefined({
        id: links.vendorId,
        name: text(property(vendor, 'name')) ?? text(property(property(wire, 'vendor'), 'name')),
        code: text(property(vendor, 'origin_code')) ?? text(property(vendor, 'vendor_number')),
        erpId: text(property(vendor, 'origin_id')),
      }),
      project: dropUndefined({
        id: projectId,
        number: text(property(project, 'project_number')),
        name: text(property(project, 'name')),
        erpId: item.jobOriginId ?? text(property(project, 'origin_id')),
      }),
      commitment: dropUndefined({ ...commitment, id: item.contractId ?? links.commitmentId }),
    });
  }
  return candidates;
}

/** The company's projects with their `origin_id`s; none where the (inferred) list path is missing. */
async function listProjects(api: ProcoreApi, companyId: string, perPage: number): Promise<ProjectRow[]> {
  const rows: ProjectRow[] = [];
  try {
    for await (const page of api.pages(
      { method: 'GET', path: platformPaths.projects(), companyId, params: { company_id: companyId }, doing: `listing the projects of company ${companyId}` },
      perPage,
    )) {
      for (const row of page) {
        const id = procoreId(property(row, 'id'));
        const originId = text(property(row, 'origin_id'));
        if (id !== undefined) rows.push({ id, ...(originId === undefined ? {} : { originId }) });
      }
    }
  } catch (error) {
    if (!(isLedgerlinkError(error) && error.code === ErrorCodes.HUB_NOT_FOUND)) throw error;
  }
  return rows;
}

function missing(what: string, id: string, requisitionId: string, request: ErpRequest): never {
  throw new LedgerlinkError(
    ErrorCodes.HUB_NOT_FOUND,
    `requisition ${requisitionId} of ERP request ${request.id} names ${what} ${id}, which Procore does not have (HTTP 404)`,
    { disposition: 'rejected', details: { requestId: request.id, requisitionId, [what]: id } },
  );
}
