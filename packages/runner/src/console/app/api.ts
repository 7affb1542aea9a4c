import type { ExportStats, Problem, RecordDetail, RecordPage, Session, TenantsView } from './types.js';

/** A refusal from the runner, with its stable code and the field at fault. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.message);
  }
}

/** The runner's API with the logged-in token: the same routes and answers a curl user gets. */
export class ApiClient {
  constructor(private readonly token: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    if (!response.ok) throw new ApiProblem(response.status, parsed as Problem);
    return parsed as T;
  }

  session(): Promise<Session> {
    return this.call('GET', '/session');
  }

  records(filter: Record<string, string | undefined>, cursor?: string): Promise<RecordPage> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) if (value !== undefined && value !== '') query.set(name, value);
    if (cursor !== undefined) query.set('cursor', cursor);
    query.set('limit', '50');
    return this.call('GET', `/records?${query.toString()}`);
  }

  record(id: string): Promise<RecordDetail> {
    return this.call('GET', `/records/${encodeURIComponent(id)}`);
  }

  edit(id: string, changes: { checkNumber?: string; bankId?: string }): Promise<unknown> {
    return this.call('PATCH', `/records/${encodeURIComponent(id)}`, changes);
  }

  exportAgain(id: string): Promise<unknown> {
    return this.call('POST', `/records/${encodeURIComponent(id)}/export`);
  }

  approve(id: string): Promise<unknown> {
    return this.call('POST', `/records/${encodeURIComponent(id)}/approve`);
  }

  reject(id: string, reason: string): Promise<unknown> {
    return this.call('POST', `/records/${encodeURIComponent(id)}/reject`, { reason });
  }

  tenants(): Promise<TenantsView> {
    return this.call('GET', '/tenants');
  }

  importNow(tenant: string): Promise<{ read: number; written: number; alreadyThere: number; failed: number }> {
    return this.call('POST', `/tenants/${encodeURIComponent(tenant)}/import`);
  }

  exportStats(hours: number, bucketMinutes: number): Promise<ExportStats> {
    return this.call('GET', `/stats/exports?hours=${hours}&bucketMinutes=${bucketMinutes}`);
  }
}
