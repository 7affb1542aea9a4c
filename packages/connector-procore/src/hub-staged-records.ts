import type { StagedRecordResult, StagedRecordWrite } from '@ledgerlink/core';
import { bulkAnswer } from './hub-writes.js';
import { MAX_BULK, platformPaths } from './platform-paths.js';
import type { ProcoreApi } from './procore-api.js';
import { isRecord, procoreId, property, text } from './procore-wire.js';

/** The key Procore keeps a staged record by within a company. */
const keyOf = (itemType: string, originId: string): string => `${itemType}\u0000${originId}`;

/**
 * Staged Records sync (erp_staged_records.md): ERP records staged for the accountant's Ready to Import page, created
 * or updated by item type and `origin_id` in chunks of at most 100, one result per record in the order given. No
 * `status` is sent: a new record is staged, and one the accountant already imported or archived stays so instead of
 * coming back to the Ready to Import page on every refresh. A blank item type or origin_id is refused, never sent.
 */
export async function syncStagedRecords(api: ProcoreApi, companyId: string, records: StagedRecordWrite[]): Promise<StagedRecordResult[]> {
  const results = new Map<StagedRecordWrite, StagedRecordResult>();
  const sendable = records.filter((record) => {
    const problem =
      typeof record.originId !== 'string' || record.originId.trim() === ''
        ? 'a staged record needs a non-blank origin_id (the ERP id)'
        : typeof record.itemType !== 'string' || record.itemType.trim() === ''
          ? `staged record ${record.originId} needs an item_type`
          : !isRecord(record.data)
            ? `staged record ${record.originId} needs a data object`
            : undefined;
    if (problem === undefined) return true;
    results.set(record, { originId: record.originId, ok: false, message: problem });
    return false;
  });
  for (let start = 0; start < sendable.length; start += MAX_BULK) {
    const chunk = sendable.slice(start, start + MAX_BULK);
    const doing = `staging ${chunk.length} ERP record${chunk.length === 1 ? '' : 's'} in company ${companyId}`;
    const body = await bulkAnswer(api, {
      method: 'PATCH',
      path: platformPaths.stagedRecordsSync(companyId),
      companyId,
      body: {
        staged_records: chunk.map((record) => ({
          item_type: record.itemType.trim(),
          origin_id: record.originId.trim(),
          ...(record.originCode === undefined ? {} : { origin_code: record.originCode }),
          ...(record.originData === undefined ? {} : { origin_data: record.originData }),
          data: record.data,
        })),
      },
      doing,
    });
    const done = new Map<string, StagedRecordResult>();
    const errors = property(body, 'errors');
    // Procore's errors name the origin_id only: an error is the answer for that origin_id in this chunk.
    const refused = new Map<string, string>();
    for (const error of Array.isArray(errors) ? errors : []) {
      const originId = text(property(error, 'origin_id'));
      if (originId !== undefined) refused.set(originId, text(property(error, 'message')) ?? 'refused by Procore');
    }
    const entities = property(body, 'entities');
    for (const entity of Array.isArray(entities) ? entities : []) {
      const originId = text(property(entity, 'origin_id'));
      const itemType = text(property(entity, 'item_type'));
      const stagedId = procoreId(property(entity, 'id'));
      if (originId === undefined || itemType === undefined) continue;
      done.set(
        keyOf(itemType, originId),
        stagedId === undefined
          ? { originId, ok: false, message: 'Procore answered without the staged record id' }
          : { originId, ok: true, stagedId, status: text(property(entity, 'status')) ?? 'staged' },
      );
    }
    for (const record of chunk) {
      const originId = record.originId.trim();
      const answer = done.get(keyOf(record.itemType.trim(), originId));
      const refusal = refused.get(originId);
      results.set(
        record,
        answer !== undefined
          ? { ...answer, originId: record.originId }
          : refusal !== undefined
            ? { originId: record.originId, ok: false, message: refusal }
            : { originId: record.originId, ok: false, message: `Procore answered nothing for ERP record ${originId}; it is staged again on the next refresh` },
      );
    }
  }
  return records.map((record) => results.get(record) as StagedRecordResult);
}
