import { createContractPayment } from './contract-payments.js';
import { HubRefusal, type HubData } from './hub-data.js';
import { json, message, type Answer } from './http-io.js';

/** Procore's default page size, and the largest it accepts. */
const DEFAULT_PER_PAGE = 100;
const MAX_PER_PAGE = 10_000;

/** A page of `rows` with Procore's `Link` (first/prev/next/last), `Total` and `Per-Page` headers. */
function paged(url: URL, rows: unknown[]): Answer {
  const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(url.searchParams.get('per_page') ?? DEFAULT_PER_PAGE) || DEFAULT_PER_PAGE));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(rows.length / perPage));
  const link = (n: number, rel: string): string => {
    const target = new URL(url.toString());
    target.searchParams.set('page', String(n));
    target.searchParams.set('per_page', String(perPage));
    return `<${target.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(1, 'first'));
  if (page > 2) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(last, 'last'), link(page + 1, 'next'));
  const headers: Record<string, string> = { total: String(rows.length), 'per-page': String(perPage) };
  if (links.length > 0) headers.link = links.join(', ');
  return json(200, rows.slice((page - 1) * perPage, page * perPage), headers);
}

/** Procore's range filter `from...to` (inclusive). */
function inRange(value: string, range: string | null): boolean {
  if (range === null) return true;
  const [from, to] = range.split('...');
  const at = Date.parse(value);
  return (from === undefined || from === '' || at >= Date.parse(from)) && (to === undefined || to === '' || at <= Date.parse(to));
}

/** Routes one authenticated API request; `body` is the parsed JSON of a write. */
export function route(data: HubData, method: string, url: URL, body: unknown, now: Date): Answer {
  const path = url.pathname;
  const q = url.searchParams;
  let match: RegExpExecArray | null;
  try {
    if (method === 'GET' && path === '/rest/v1.0/companies') {
      return json(200, [...data.companies.values()].map((c) => ({ id: c.id, name: c.name, is_active: true })));
    }
    if (method === 'GET' && path === '/rest/v1.0/projects') {
      const companyId = Number(q.get('company_id'));
      if (!data.companies.has(companyId)) return message(404, `Company ${q.get('company_id') ?? ''} not found`);
      const rows = [...data.projects.values()].filter((p) => p.companyId === companyId).map((p) => ({ id: p.id, name: p.name, project_number: p.number, company: { id: p.companyId } }));
      return paged(url, rows);
    }
    if (method === 'GET' && (match = /^\/rest\/v1\.0\/companies\/(\d+)\/payments\/disbursements(?:\/(\d+))?$/.exec(path)) !== null) {
      const companyId = Number(match[1]);
      if (!data.companies.has(companyId)) return message(404, `Company ${match[1]} not found`);
      const ofCompany = [...data.payments.values()].filter((p) => data.companyOfPayment(p).id === companyId);
      if (match[2] !== undefined) {
        const one = ofCompany.find((p) => p.id === Number(match?.[2]));
        return one === undefined ? message(404, `Payment ${match[2]} not found`) : json(200, data.paymentWire(one));
      }
      const status = q.get('filters[status]');
      const rows = ofCompany
        .filter((p) => (status === null || p.status === status) && inRange(p.updatedAt, q.get('filters[updated_at]')))
        .sort((a, b) => (q.get('sort') === 'updated_at' ? Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id - b.id : a.id - b.id))
        .map((p) => data.paymentWire(p));
      return paged(url, rows);
    }
    if (method === 'GET' && (match = /^\/rest\/v1\.1\/requisitions(?:\/(\d+))?$/.exec(path)) !== null) {
      const projectId = Number(q.get('project_id'));
      if (!data.projects.has(projectId)) return message(404, `Project ${q.get('project_id') ?? '(none)'} not found`);
      const inProject = [...data.invoices.values()].filter((i) => data.projectOfInvoice(i).id === projectId);
      if (match[1] !== undefined) {
        const one = inProject.find((i) => i.id === Number(match?.[1]));
        return one === undefined ? message(404, `Requisition ${match[1]} not found`) : json(200, data.requisitionWire(one));
      }
      const commitment = q.get('filters[commitment_id]');
      return paged(url, inProject.filter((i) => commitment === null || i.commitmentId === Number(commitment)).map((i) => data.requisitionWire(i)));
    }
    if (method === 'GET' && path === '/rest/v1.0/commitments') {
      const projectId = Number(q.get('project_id'));
      if (!data.projects.has(projectId)) return message(404, `Project ${q.get('project_id') ?? '(none)'} not found`);
      const rows = [...data.commitments.values()].filter((c) => c.projectId === projectId).map((c) => ({
        id: c.id,
        number: c.number,
        title: c.title,
        vendor: { id: c.vendorId },
        payments_issued: [...data.contractPayments.values()].filter((p) => p.contractId === c.id).map((p) => data.contractPaymentWire(p)),
      }));
      return paged(url, rows);
    }
    if (path === '/rest/v1.0/contract_payments') {
      if (method === 'POST') return json(201, data.contractPaymentWire(createContractPayment(data, body, now)));
      if (method === 'GET') {
        const projectId = Number(q.get('project_id'));
        if (!data.projects.has(projectId)) return message(404, `Project ${q.get('project_id') ?? '(none)'} not found`);
        const contract = q.get('contract_id');
        const origin = q.get('filters[origin_id]');
        const rows = [...data.contractPayments.values()].filter(
          (p) => p.projectId === projectId && (contract === null || p.contractId === Number(contract)) && (origin === null || p.originId === origin),
        );
        return paged(url, rows.map((p) => data.contractPaymentWire(p)));
      }
    }
    return message(404, `No route matches ${method} ${path}`);
  } catch (error) {
    if (error instanceof HubRefusal) return json(error.status, error.body);
    throw error;
  }
}

/** Whether a request writes (for commit-then-drop). */
export function isWrite(method: string): boolean {
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
}
