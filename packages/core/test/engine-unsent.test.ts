import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCodes, Outcomes, silentLogger, type Loader, type Outcome } from '../src/index.js';
import { exportRecords } from '../src/engine/export-records.js';

/** A client that turns every error into a refusal, as several ERP clients do with errors they do not recognise. */
function loaderAnswering(outcome: Outcome): Loader<Record<string, unknown>, { id: string }> & { loads: number } {
  const loader = {
    loads: 0,
    async load(items: unknown[]) {
      loader.loads += 1;
      return items.map(() => outcome);
    },
    async find() {
      return null;
    },
  };
  return loader;
}

function run(exporter: Loader<Record<string, unknown>, { id: string }>) {
  return {
    erpName: 'Test ERP',
    label: 'record',
    model: z.object({ id: z.string() }),
    maxBatch: 1,
    idempotency: 'lookup' as const,
    exporter,
    preflight: () => null,
    map: (record: { id: string }) => ({ ok: true as const, value: { ...record } }),
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    hooks: {},
    logger: silentLogger,
    signal: new AbortController().signal,
  };
}

describe('a call the lane never sent', () => {
  it.each([ErrorCodes.LEASE_LOST, ErrorCodes.CANCELLED])('stays retryable when a client reports %s as a refusal, and is not retried in this run', async (code) => {
    const exporter = loaderAnswering(Outcomes.rejected('the lane stopped the call', undefined, code));
    const [outcome] = await exportRecords([{ id: 'item-1', idempotencyKey: 'item-1.r1', record: { id: 'R-1' } }], run(exporter));
    expect(outcome).toMatchObject({ kind: 'retryable', code, committed: 'unknown' });
    expect(exporter.loads).toBe(1);
  });

  it('leaves a real refusal a refusal', async () => {
    const [outcome] = await exportRecords([{ id: 'item-1', idempotencyKey: 'item-1.r1', record: { id: 'R-1' } }], run(loaderAnswering(Outcomes.rejected('vendor on hold'))));
    expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_REJECTED });
  });
});
