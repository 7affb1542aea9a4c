import type { ExternalDataRecord } from './types.js';

/** The item types of erp_external_data_details.md. */
export const EXTERNAL_DATA_ITEM_TYPES: ReadonlySet<string> = new Set([
  'change_order', 'contract_payment', 'cost_code', 'department', 'item', 'budget', 'insurance', 'invoice_payment', 'line_item',
  'line_item_type', 'markup', 'payment_application', 'payment_application_line_item', 'prime_contract', 'project',
  'purchase_order_contract', 'requisition', 'requisition_change_order_item', 'requisition_contract_detail_item',
  'requisition_contract_item', 'standard_cost_code', 'sub_job', 'tax_code', 'vendor', 'work_order_contract',
]);

/** Why one External Data write was refused, or the record it left. */
export type ExternalDataOutcome = { record: ExternalDataRecord } | { refused: string };

/**
 * External Data: the ERP's id (`origin_id`) of each Procore object, by item type and id. An object with an
 * `origin_id` is synced and locked: another `origin_id` is refused until the first is unlinked with null.
 */
export class ExternalData {
  /** item type → item id → record; nested maps, so 100,000 seeded links stay cheap. */
  private readonly records = new Map<string, Map<number, ExternalDataRecord>>();
  /** item type → origin_id → the item id (or ids) linked to it, for finding a synced object by its ERP id. */
  private readonly byOrigin = new Map<string, Map<string, number | Set<number>>>();

  get(itemType: string, itemId: number): ExternalDataRecord | undefined {
    return this.records.get(itemType)?.get(itemId);
  }

  originId(itemType: string, itemId: number): string | null {
    return this.records.get(itemType)?.get(itemId)?.origin_id ?? null;
  }

  /** Writes one record; `originId` null unlinks. The caller has checked that the object exists. */
  write(itemType: string, itemId: number, originId: string | null, originData: string | null | undefined): ExternalDataOutcome {
    let ofType = this.records.get(itemType);
    if (ofType === undefined) this.records.set(itemType, (ofType = new Map()));
    const current = ofType.get(itemId);
    if (current?.origin_id != null && originId !== null && current.origin_id !== originId) {
      return {
        refused: `${itemType} ${itemId} is synced with origin_id ${JSON.stringify(current.origin_id)} and locked: unlink it (origin_id null) before linking another origin_id`,
      };
    }
    const record: ExternalDataRecord = { item_type: itemType, item_id: itemId, origin_id: originId, origin_data: originData === undefined ? (current?.origin_data ?? null) : originData };
    ofType.set(itemId, record);
    if (current?.origin_id != null && current.origin_id !== originId) this.unindex(itemType, current.origin_id, itemId);
    if (originId !== null) this.index(itemType, originId, itemId);
    return { record: { ...record } };
  }

  /** Item ids of this type linked to this origin_id. */
  itemsWithOrigin(itemType: string, originId: string): number[] {
    const ids = this.byOrigin.get(itemType)?.get(originId);
    return ids === undefined ? [] : typeof ids === 'number' ? [ids] : [...ids];
  }

  private index(itemType: string, originId: string, itemId: number): void {
    let ofType = this.byOrigin.get(itemType);
    if (ofType === undefined) this.byOrigin.set(itemType, (ofType = new Map()));
    const ids = ofType.get(originId);
    if (ids === undefined || ids === itemId) ofType.set(originId, itemId);
    else if (typeof ids === 'number') ofType.set(originId, new Set([ids, itemId]));
    else ids.add(itemId);
  }

  private unindex(itemType: string, originId: string, itemId: number): void {
    const ofType = this.byOrigin.get(itemType);
    const ids = ofType?.get(originId);
    if (ids === itemId) ofType?.delete(originId);
    else if (typeof ids === 'object') ids.delete(itemId);
  }
}
