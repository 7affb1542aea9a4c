/**
 * The requisition and vendor mappings of mapping.yaml, compiled by core's mapping language, and the client's
 * loaders and importer driven over a real lane the way the engine drives them: a load, and after an answer that
 * may have committed, `find` before the load is tried again.
 */
import { compileMapping, type Entity, Lane, type LoadItem, type Loader, loadMappingFile, type Outcome, silentLogger } from '@ledgerlink/core';
import { createSage300Client } from '../src/client.js';
import { Sage300ConfigSchema } from '../src/config.js';
import { sage300Connector } from '../src/index.js';
import type { Sage300Sandbox } from '../src/sandbox/index.js';
import { signal } from './helpers.js';

const document = loadMappingFile(sage300Connector.mapping.path);

/** Maps a canonical record with the connector's `entities.<entity>.<direction>` section. */
export function mapRecord(entity: Entity, direction: 'export' | 'import', record: unknown): Record<string, unknown> {
  const mapped = compileMapping(document, entity, direction)(record, { recordId: (record as { id?: string }).id ?? 'import' });
  if (!mapped.ok) throw new Error(`mapping failed: ${JSON.stringify(mapped.errors)}`);
  return mapped.value;
}

export function entityClient(sandbox: Sage300Sandbox) {
  const lane = new Lane({ key: 'test/sage300-entities', rateLimit: { requests: 100, intervalMs: 1000, concurrency: 1 }, timeoutMs: 5_000 });
  const config = Sage300ConfigSchema.parse({ agentUrl: sandbox.url, agentToken: sandbox.agentToken });
  const client = createSage300Client({ config, http: lane.http, lane: lane.signals, logger: silentLogger, now: () => new Date() });
  return { client, close: () => lane.close() };
}

export function itemOf<TRecord extends { id: string }>(entity: Entity, record: TRecord, key = `${record.id}.r1`): LoadItem<Record<string, unknown>, TRecord> {
  return { id: record.id, idempotencyKey: key, record, payload: mapRecord(entity, 'export', record) };
}

/** One record to its final outcome: load; when the answer may have committed, find, then load again (up to 3 times). */
export async function exportOne<TRecord>(loader: Loader<Record<string, unknown>, TRecord>, item: LoadItem<Record<string, unknown>, TRecord>): Promise<Outcome> {
  let outcome = (await loader.load([item], { signal }))[0] as Outcome;
  for (let attempt = 0; attempt < 3 && outcome.kind === 'retryable'; attempt++) {
    if (outcome.committed !== 'no') {
      const found = await loader.find(item, { signal });
      if (found) return found;
    }
    outcome = (await loader.load([item], { signal }))[0] as Outcome;
  }
  return outcome;
}
