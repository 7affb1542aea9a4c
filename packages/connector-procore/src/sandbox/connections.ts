import { isRecord, SandboxRefusal } from './http-io.js';
import type { IdSequence } from './ids.js';
import type { ErpConnectionWire, HookWire, TriggerWire } from './types.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(['create', 'update', 'delete']);

function nonBlank(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SandboxRefusal(422, `${where} must be a non-blank string`);
  return value;
}

/** ERP connections (with the integration's metadata), webhook hooks and their triggers. */
export class Connections {
  private readonly connections = new Map<number, ErpConnectionWire>();
  private readonly hooks = new Map<number, HookWire>();
  private readonly triggers = new Map<number, TriggerWire>();

  constructor(private readonly ids: IdSequence) {}

  connectionsOf(companyId: number): ErpConnectionWire[] {
    return [...this.connections.values()].filter((c) => c.company_id === companyId).map((c) => structuredClone(c));
  }

  /** `POST` (no id) or `PATCH` (id) of `{ "erp_connection": { name, metadata } }`. */
  saveConnection(companyId: number, body: unknown, id?: number): ErpConnectionWire {
    const input = isRecord(body) ? body.erp_connection : undefined;
    if (!isRecord(input)) throw new SandboxRefusal(400, 'the body must be { "erp_connection": { "name": …, "metadata": { "settings": … } } }');
    const current = id === undefined ? undefined : this.connections.get(id);
    if (id !== undefined && (current === undefined || current.company_id !== companyId)) throw new SandboxRefusal(404, `ERP connection ${id} not found in company ${companyId}`);
    const name = input.name === undefined && current !== undefined ? current.name : nonBlank(input.name, 'erp_connection.name');
    const metadata = input.metadata === undefined && current !== undefined ? current.metadata : input.metadata;
    if (!isRecord(metadata) || !isRecord(metadata.settings)) throw new SandboxRefusal(422, 'erp_connection.metadata must be an object with "settings"');
    const settings = metadata.settings;
    if (settings.entities !== undefined && !isRecord(settings.entities)) throw new SandboxRefusal(422, 'erp_connection.metadata.settings.entities must be an object');
    if (settings.labels !== undefined && !isRecord(settings.labels)) throw new SandboxRefusal(422, 'erp_connection.metadata.settings.labels must be an object');
    if (current === undefined && this.connectionsOf(companyId).length > 0) {
      throw new SandboxRefusal(422, `company ${companyId} already has an ERP connection: update it instead`);
    }
    const at = new Date().toISOString();
    const connection: ErpConnectionWire = { id: current?.id ?? this.ids.take(undefined, 'erp connection'), company_id: companyId, name, metadata: structuredClone(metadata), created_at: current?.created_at ?? at, updated_at: at };
    this.connections.set(connection.id, connection);
    return structuredClone(connection);
  }

  hooksOf(companyId: number | undefined): HookWire[] {
    return [...this.hooks.values()].filter((h) => companyId === undefined || h.company_id === companyId).map((h) => structuredClone(h));
  }

  hook(companyId: number, id: number): HookWire {
    const hook = this.hooks.get(id);
    if (hook === undefined || hook.company_id !== companyId) throw new SandboxRefusal(404, `hook ${id} not found in company ${companyId}`);
    return hook;
  }

  /** `POST /webhooks/hooks` (no id) or `PATCH /webhooks/hooks/{id}` of `{ "hook": { … } }`. */
  saveHook(companyId: number, body: unknown, id?: number): HookWire {
    const input = isRecord(body) ? body.hook : undefined;
    if (!isRecord(input)) throw new SandboxRefusal(400, 'the body must be { "company_id": N, "hook": { "api_version", "namespace", "destination_url", "destination_headers" } }');
    const current = id === undefined ? undefined : this.hook(companyId, id);
    const namespace = input.namespace === undefined && current !== undefined ? current.namespace : nonBlank(input.namespace, 'hook.namespace');
    if (!/^[a-z0-9-]+$/.test(namespace)) throw new SandboxRefusal(422, 'hook.namespace may hold only lowercase a-z, digits 0-9 and dashes');
    const destinationUrl = input.destination_url === undefined && current !== undefined ? current.destination_url : nonBlank(input.destination_url, 'hook.destination_url');
    let parsed: URL;
    try {
      parsed = new URL(destinationUrl);
    } catch {
      throw new SandboxRefusal(422, `hook.destination_url ${JSON.stringify(destinationUrl)} is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new SandboxRefusal(422, 'hook.destination_url must be http(s)');
    const headers = input.destination_headers === undefined ? (current?.destination_headers ?? {}) : input.destination_headers;
    if (!isRecord(headers) || Object.values(headers).some((value) => typeof value !== 'string')) throw new SandboxRefusal(422, 'hook.destination_headers must be an object of strings');
    const apiVersion = input.api_version === undefined ? (current?.api_version ?? 'v2') : nonBlank(input.api_version, 'hook.api_version');
    const hook: HookWire = {
      id: current?.id ?? this.ids.take(undefined, 'hook'),
      company_id: companyId,
      namespace,
      destination_url: destinationUrl,
      destination_headers: { ...(headers as Record<string, string>) },
      api_version: apiVersion,
    };
    this.hooks.set(hook.id, hook);
    return structuredClone(hook);
  }

  deleteHook(companyId: number, id: number): void {
    this.hook(companyId, id);
    this.hooks.delete(id);
    for (const trigger of [...this.triggers.values()]) if (trigger.hook_id === id) this.triggers.delete(trigger.id);
  }

  triggersOf(companyId: number, hookId: number): TriggerWire[] {
    this.hook(companyId, hookId);
    return [...this.triggers.values()].filter((t) => t.hook_id === hookId).map((t) => ({ ...t }));
  }

  /** `POST /webhooks/hooks/{id}/triggers` of `{ company_id, api_version, trigger: { resource_name, event_type } }`. */
  addTrigger(companyId: number, hookId: number, body: unknown): TriggerWire {
    this.hook(companyId, hookId);
    if (!isRecord(body) || !isRecord(body.trigger)) throw new SandboxRefusal(400, 'the body must be { "company_id": N, "api_version": "v2", "trigger": { "resource_name", "event_type" } }');
    nonBlank(body.api_version, 'api_version');
    const resourceName = nonBlank(body.trigger.resource_name, 'trigger.resource_name');
    const eventType = nonBlank(body.trigger.event_type, 'trigger.event_type');
    if (!EVENT_TYPES.has(eventType)) throw new SandboxRefusal(422, 'trigger.event_type must be create, update or delete');
    const same = [...this.triggers.values()].find((t) => t.hook_id === hookId && t.resource_name === resourceName && t.event_type === eventType);
    if (same !== undefined) throw new SandboxRefusal(422, `hook ${hookId} already has a trigger for ${resourceName} / ${eventType} (trigger ${same.id})`);
    const trigger: TriggerWire = { id: this.ids.take(undefined, 'trigger'), hook_id: hookId, resource_name: resourceName, event_type: eventType };
    this.triggers.set(trigger.id, trigger);
    return { ...trigger };
  }

  deleteTrigger(companyId: number, hookId: number, id: number): void {
    this.hook(companyId, hookId);
    const trigger = this.triggers.get(id);
    if (trigger === undefined || trigger.hook_id !== hookId) throw new SandboxRefusal(404, `trigger ${id} not found on hook ${hookId}`);
    this.triggers.delete(id);
  }

  /** Hooks of a company with a trigger for this resource and event type. */
  subscribed(companyId: number, resourceName: string, eventType: string): HookWire[] {
    const hookIds = new Set<number>();
    for (const trigger of this.triggers.values()) if (trigger.resource_name === resourceName && trigger.event_type === eventType) hookIds.add(trigger.hook_id);
    return [...hookIds].map((id) => this.hooks.get(id)).filter((h): h is HookWire => h !== undefined && h.company_id === companyId);
  }
}
