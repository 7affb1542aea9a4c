import { isRecord, SandboxRefusal } from './http-io.js';
import type { IdSequence } from './ids.js';
import type { StagedRecordStatus, StagedRecordWire } from './types.js';

const ITEM_TYPES: ReadonlySet<string> = new Set([
  'vendor', 'project', 'sub_job', 'prime_contract', 'purchase_order_contract', 'work_order_contract', 'commitment_change_order', 'line_item',
]);
const STATUSES: ReadonlySet<string> = new Set<StagedRecordStatus>(['staged', 'archived', 'imported', 'invalid']);
/** Item types that belong to a project: `data.project_origin_id` is required (erp_staged_records.md). */
const PROJECT_LEVEL: ReadonlySet<string> = new Set(['commitment_change_order', 'prime_contract', 'purchase_order_contract', 'sub_job', 'work_order_contract']);
/** Parents a `line_item` may have. */
const LINE_ITEM_PARENTS: ReadonlySet<string> = new Set(['commitment_change_order', 'prime_contract', 'purchase_order_contract', 'work_order_contract']);

/** Whether a project or commitment origin_id is known as synced (External Data) in the company. */
export type SyncedOrigin = (companyId: number, itemTypes: string[], originId: string) => boolean;

/**
 * Staged Records: ERP records waiting in Procore's Ready to Import page. A record is keyed by (item type, origin_id)
 * within a company, so a repeated sync updates it; children (`line_item`) hang from a parent by `parent_id` or
 * `parent_origin_id`.
 */
export class StagedRecords {
  private readonly records = new Map<number, StagedRecordWire>();
  private readonly byOrigin = new Map<string, number>();

  constructor(
    private readonly ids: IdSequence,
    private readonly synced: SyncedOrigin,
  ) {}

  list(companyId: number, itemType: string | null, status: string | null): StagedRecordWire[] {
    const rows: StagedRecordWire[] = [];
    for (const record of this.records.values()) {
      if (record.company_id !== companyId || (itemType !== null && record.item_type !== itemType) || (status !== null && record.status !== status)) continue;
      rows.push(structuredClone(record));
    }
    return rows;
  }

  /** `POST` and `PATCH /sync`: creates or updates (by item type and origin_id) each record, in order. */
  upsert(companyId: number, body: unknown, single: boolean): { entities: StagedRecordWire[]; errors: { origin_id: unknown; message: string }[] } {
    const list = this.recordsOf(body, single);
    const answer = { entities: [] as StagedRecordWire[], errors: [] as { origin_id: unknown; message: string }[] };
    list.forEach((input, index) => {
      try {
        answer.entities.push(structuredClone(this.write(companyId, input, `staged_records[${index}]`, undefined)));
      } catch (error) {
        if (!(error instanceof SandboxRefusal)) throw error;
        answer.errors.push({ origin_id: isRecord(input) ? (input.origin_id ?? null) : null, message: error.message });
      }
    });
    return answer;
  }

  /** One record as stored (the ERP tool's import reads and marks it). */
  get(id: number): StagedRecordWire | undefined {
    return this.records.get(id);
  }

  /** The accountant imported it: it and its children become `imported` (erp_staged_records.md, statuses point 1). */
  markImported(record: StagedRecordWire): void {
    const at = new Date().toISOString();
    record.status = 'imported';
    record.updated_at = at;
    for (const child of this.records.values()) {
      if (child.parent_id === record.id) {
        child.status = 'imported';
        child.updated_at = at;
      }
    }
  }

  /** `PUT /:id`. */
  replace(companyId: number, id: number, body: unknown): StagedRecordWire {
    const current = this.records.get(id);
    if (current === undefined || current.company_id !== companyId) throw new SandboxRefusal(404, `staged record ${id} not found in company ${companyId}`);
    const [input] = this.recordsOf(body, true);
    return structuredClone(this.write(companyId, input, `staged record ${id}`, current));
  }

  private recordsOf(body: unknown, single: boolean): unknown[] {
    if (isRecord(body) && Array.isArray(body.staged_records)) return body.staged_records as unknown[];
    if (single && isRecord(body) && isRecord(body.staged_record)) return [body.staged_record];
    throw new SandboxRefusal(400, single ? 'the body must be { "staged_record": { … } } or { "staged_records": [ … ] }' : 'the body must be { "staged_records": [ … ] }');
  }

  private write(companyId: number, input: unknown, where: string, current: StagedRecordWire | undefined): StagedRecordWire {
    if (!isRecord(input)) throw new SandboxRefusal(422, `${where} must be an object`);
    const itemType = input.item_type ?? current?.item_type;
    if (typeof itemType !== 'string' || !ITEM_TYPES.has(itemType)) throw new SandboxRefusal(422, `${where}: item_type ${JSON.stringify(itemType)} is not one of ${[...ITEM_TYPES].join(', ')}`);
    const originId = input.origin_id ?? current?.origin_id;
    if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `${where}: origin_id must be a non-blank string`);
    // Without a status a record keeps the one it has (an imported vendor is not put back on Ready to Import), and a
    // new one is staged [I].
    const known = current ?? this.records.get(this.byOrigin.get(`${companyId}:${itemType}:${originId}`) ?? -1);
    const status = input.status ?? known?.status ?? 'staged';
    if (typeof status !== 'string' || !STATUSES.has(status)) throw new SandboxRefusal(422, `${where}: status ${JSON.stringify(status)} is not one of staged, archived, imported, invalid`);
    const data = input.data ?? current?.data ?? {};
    if (!isRecord(data)) throw new SandboxRefusal(422, `${where}: data must be an object`);
    if (PROJECT_LEVEL.has(itemType)) this.requireOrigin(companyId, data.project_origin_id, ['project'], `${where}: data.project_origin_id`);
    if (itemType === 'commitment_change_order') {
      this.requireOrigin(companyId, data.commitment_origin_id, ['purchase_order_contract', 'work_order_contract'], `${where}: data.commitment_origin_id`);
    }
    let parentId: number | null = null;
    if (itemType === 'line_item') {
      const parent = this.parentOf(companyId, input.parent_id ?? current?.parent_id, input.parent_origin_id, where);
      parentId = parent.id;
    }
    const key = `${companyId}:${itemType}:${originId}`;
    const existingId = current?.id ?? this.byOrigin.get(key);
    const existing = existingId === undefined ? undefined : this.records.get(existingId);
    const at = new Date().toISOString();
    const text = (value: unknown, fallback: string | null): string | null => (typeof value === 'string' ? value : value === null ? null : fallback);
    const record: StagedRecordWire = {
      id: existing?.id ?? this.ids.take(undefined, 'staged record'),
      company_id: companyId,
      item_type: itemType,
      origin_id: originId,
      origin_code: text(input.origin_code, existing?.origin_code ?? null),
      origin_data: text(input.origin_data, existing?.origin_data ?? null),
      parent_id: parentId,
      status: status as StagedRecordStatus,
      data,
      created_at: existing?.created_at ?? at,
      updated_at: at,
    };
    if (existing !== undefined && existing.origin_id !== originId) this.byOrigin.delete(`${companyId}:${existing.item_type}:${existing.origin_id}`);
    this.records.set(record.id, record);
    this.byOrigin.set(key, record.id);
    // Back to staged: the children follow, except archived ones (erp_staged_records.md, statuses point 3).
    if (record.status === 'staged' && existing !== undefined && existing.status !== 'staged') {
      for (const child of this.records.values()) if (child.parent_id === record.id && child.status !== 'archived') child.status = 'staged';
    }
    return record;
  }

  private requireOrigin(companyId: number, originId: unknown, itemTypes: string[], where: string): void {
    if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `${where} is required`);
    const staged = itemTypes.some((itemType) => this.byOrigin.has(`${companyId}:${itemType}:${originId}`));
    if (!staged && !this.synced(companyId, itemTypes, originId)) {
      throw new SandboxRefusal(422, `${where} ${JSON.stringify(originId)} is neither a staged nor a synced ${itemTypes.join(' or ')}`);
    }
  }

  private parentOf(companyId: number, parentId: unknown, parentOriginId: unknown, where: string): StagedRecordWire {
    let parent: StagedRecordWire | undefined;
    if (typeof parentId === 'number') parent = this.records.get(parentId);
    else if (typeof parentOriginId === 'string') {
      for (const itemType of LINE_ITEM_PARENTS) {
        const id = this.byOrigin.get(`${companyId}:${itemType}:${parentOriginId}`);
        if (id !== undefined) parent = this.records.get(id);
        if (parent !== undefined) break;
      }
    } else throw new SandboxRefusal(422, `${where}: a line_item needs parent_id or parent_origin_id`);
    if (parent === undefined || parent.company_id !== companyId || !LINE_ITEM_PARENTS.has(parent.item_type)) {
      throw new SandboxRefusal(422, `${where}: parent ${JSON.stringify(parentId ?? parentOriginId)} is not a staged ${[...LINE_ITEM_PARENTS].join(', ')}`);
    }
    return parent;
  }
}
