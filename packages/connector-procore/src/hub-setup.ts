import type { ErpMetadata, HubSetup, SetupStep } from '@ledgerlink/core';
import { ERP_REQUESTS_EVENT, ERP_REQUESTS_RESOURCE, platformPaths } from './platform-paths.js';
import type { ProcoreApi } from './procore-api.js';
import { unreadable } from './procore-errors.js';
import { isRecord, procoreId, property, text } from './procore-wire.js';

/**
 * The one-time setup of a company, idempotent: each object is found first (the connection: the company's one ERP
 * connection; the hook: by namespace and destination, else the namespace's only hook; the trigger: by resource and
 * event), then created, updated when it differs, or left `unchanged`.
 */
export function createHubSetup(api: ProcoreApi, namespace: string, perPage: number): HubSetup {
  const list = async (companyId: string, path: string, params: Record<string, string>, doing: string): Promise<unknown[]> => {
    const { body } = await api.json({ method: 'GET', path, companyId, params, doing });
    if (!Array.isArray(body)) throw unreadable(doing, 'something that is not a list');
    return body;
  };
  const idOf = (wire: unknown, doing: string): string => {
    const id = procoreId(property(wire, 'id'));
    if (id === undefined) throw unreadable(doing, 'an object without an id');
    return id;
  };

  return {
    async ensureConnection(companyId: string, metadata: ErpMetadata): Promise<SetupStep> {
      const name = text(property(property(property(metadata, 'settings'), 'labels'), 'name')) ?? 'ledgerlink';
      const listing = `listing the ERP connections of company ${companyId}`;
      const existing: unknown[] = [];
      for await (const rows of api.pages({ method: 'GET', path: platformPaths.erpConnections(companyId), companyId, doing: listing }, perPage)) {
        existing.push(...rows);
      }
      const body = { erp_connection: { name, metadata } };
      // Procore's ERP tool has one connection per company: the first one is ledgerlink's to keep in step.
      const current = existing.find((row) => procoreId(property(row, 'id')) !== undefined);
      if (current === undefined) {
        const doing = `creating the ERP connection of company ${companyId}`;
        const { body: created } = await api.json({ method: 'POST', path: platformPaths.erpConnections(companyId), companyId, body, doing });
        return { what: 'erp_connection', action: 'created', id: idOf(created, doing), detail: name };
      }
      const id = idOf(current, listing);
      if (text(property(current, 'name')) === name && sameJson(property(current, 'metadata'), metadata)) {
        return { what: 'erp_connection', action: 'unchanged', id, detail: name };
      }
      await api.json({ method: 'PATCH', path: platformPaths.erpConnection(companyId, id), companyId, body, doing: `updating ERP connection ${id} of company ${companyId}` });
      return { what: 'erp_connection', action: 'updated', id, detail: name };
    },

    async ensureHook(companyId: string, hook: { destinationUrl: string; bearer: string }): Promise<SetupStep> {
      const wanted = {
        api_version: 'v2',
        namespace,
        destination_url: hook.destinationUrl,
        destination_headers: { Authorization: `Bearer ${hook.bearer}` },
      };
      const hooks = await list(companyId, platformPaths.hooks(), { company_id: companyId }, `listing the webhook hooks of company ${companyId}`);
      const ours = hooks.filter((row) => text(property(row, 'namespace')) === namespace);
      // The namespace is ledgerlink's alone in the company: a single hook of it that delivers elsewhere is this one,
      // moved (a new public URL), and is pointed at the new address rather than left delivering to the old one.
      const current = ours.find((row) => text(property(row, 'destination_url')) === hook.destinationUrl) ?? (ours.length === 1 ? ours[0] : undefined);
      if (current === undefined) {
        const doing = `creating the webhook hook of company ${companyId}`;
        const { body } = await api.json({ method: 'POST', path: platformPaths.hooks(), companyId, body: { company_id: Number(companyId), hook: wanted }, doing });
        return { what: 'hook', action: 'created', id: idOf(body, doing), detail: hook.destinationUrl };
      }
      const id = idOf(current, 'listing the webhook hooks');
      if (
        text(property(current, 'destination_url')) === hook.destinationUrl &&
        text(property(current, 'api_version')) === 'v2' &&
        sameHeaders(property(current, 'destination_headers'), wanted.destination_headers)
      ) {
        return { what: 'hook', action: 'unchanged', id, detail: hook.destinationUrl };
      }
      await api.json({
        method: 'PATCH',
        path: platformPaths.hook(id),
        companyId,
        params: { company_id: companyId },
        body: { hook: wanted },
        doing: `updating webhook hook ${id} of company ${companyId}`,
      });
      return { what: 'hook', action: 'updated', id, detail: hook.destinationUrl };
    },

    async ensureTrigger(companyId: string, hookId: string): Promise<SetupStep> {
      const detail = `${ERP_REQUESTS_RESOURCE} / ${ERP_REQUESTS_EVENT}`;
      const triggers = await list(companyId, platformPaths.hookTriggers(hookId), { company_id: companyId }, `listing the triggers of hook ${hookId}`);
      const current = triggers.find(
        (row) => text(property(row, 'resource_name')) === ERP_REQUESTS_RESOURCE && text(property(row, 'event_type')) === ERP_REQUESTS_EVENT,
      );
      if (current !== undefined) return { what: 'trigger', action: 'unchanged', id: idOf(current, `listing the triggers of hook ${hookId}`), detail };
      const doing = `creating the ERP Requests trigger of hook ${hookId}`;
      const { body } = await api.json({
        method: 'POST',
        path: platformPaths.hookTriggers(hookId),
        companyId,
        body: { company_id: Number(companyId), api_version: 'v2', trigger: { resource_name: ERP_REQUESTS_RESOURCE, event_type: ERP_REQUESTS_EVENT } },
        doing,
      });
      return { what: 'trigger', action: 'created', id: idOf(body, doing), detail };
    },
  };
}

/** Header names are case-insensitive; values are compared exactly (the bearer is a secret: never printed). */
function sameHeaders(current: unknown, wanted: Record<string, string>): boolean {
  if (!isRecord(current)) return false;
  const lower = (record: Record<string, unknown>): string =>
    JSON.stringify(Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  return lower(current) === lower(wanted);
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((value, index) => sameJson(value, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
  }
  return a === b;
}
