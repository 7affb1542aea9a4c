import type { z } from 'zod';
import type { LoadItem, Loader } from '../connector/contracts.js';
import { HttpTransportError } from '../connector/http.js';
import { Outcomes, type Outcome, type RejectedOutcome, type RetryableOutcome } from '../connector/outcome.js';
import { ErrorCodes, isLedgerlinkError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MappingResult } from '../mapping/types.js';
import { validateRecord } from '../model/validate.js';
import { backoffDelay } from './backoff.js';
import { describeRecordErrors } from './record-errors.js';
import type { ExportHooks, RecordExportItem, RetryPolicy } from './types.js';

/** What one export run of one entity needs from its runtime. */
export interface ExportRun<TRecord = unknown, TItem extends RecordExportItem = RecordExportItem> {
  /** Display name, for messages. */
  erpName: string;
  /** The entity's singular label, for messages ("requisition 5021 ..."). */
  label: string;
  /** The entity's canonical export model: every record is validated against it first. */
  model: z.ZodType<TRecord>;
  /** Records per load call (the entity's `entityOptionsOf(...).maxBatch`). */
  maxBatch: number;
  /** `lookup`: after a lost answer, `find` runs before writing again. */
  idempotency: 'native' | 'lookup';
  exporter: Loader<Record<string, unknown>, TRecord> | undefined;
  preflight(record: TRecord): RejectedOutcome | null;
  map(record: TRecord, recordId: string): MappingResult;
  retry: RetryPolicy;
  hooks: ExportHooks<TItem>;
  logger: Logger;
  /** Fires on the caller's abort or the runtime's close: no new attempt starts after it. */
  signal: AbortSignal;
  random?: () => number;
}

/** One item on its way: its load item, its attempts so far, the outcome of the last one. */
interface InFlight<TRecord, TItem> {
  index: number;
  item: TItem;
  load: LoadItem<Record<string, unknown>, TRecord>;
  attempts: number;
  /** An earlier attempt may have committed: look before writing again (lookup idempotency). */
  mayBeCommitted: boolean;
  outcome?: Outcome;
}

/**
 * Exports records of one entity as `ConnectorRuntime.exportRecords` describes: records that cannot go are refused
 * before any call; the rest are loaded in batches of `maxBatch` through the lane, round after round, until
 * each has a final outcome or its retries run out. Rounds keep the items of a batch together, so a retried
 * batch is still a batch. A hook that throws (the ledger could not be written) stops the run after the calls
 * in flight have finished, and is rethrown: sending without the ledger's record would lose track of a write.
 */
export async function exportRecords<TRecord, TItem extends RecordExportItem>(items: TItem[], run: ExportRun<TRecord, TItem>): Promise<Outcome[]> {
  const results: Outcome[] = new Array<Outcome>(items.length);
  let pending: InFlight<TRecord, TItem>[] = [];
  items.forEach((item, index) => {
    const ready = prepare(item, run);
    if ('kind' in ready) results[index] = ready;
    else pending.push({ index, item, load: ready, attempts: 0, mayBeCommitted: item.mayBeCommitted === true });
  });

  const { exporter } = run;
  if (exporter === undefined) {
    for (const entry of pending) {
      results[entry.index] = Outcomes.rejected(
        `${run.erpName}'s client offers no ${run.label} exporter; record ${run.label} ${recordIdOf(entry.item)} in the ERP by hand`,
        undefined,
        ErrorCodes.CAPABILITY_MISSING,
      );
    }
    return results;
  }

  const failure: { error?: unknown } = {};
  for (let round = 1; pending.length > 0; round++) {
    if (run.signal.aborted) {
      for (const entry of pending) results[entry.index] = cancelled(entry, run.label);
      break;
    }
    const batches = chunk(pending, run.maxBatch);
    await Promise.all(batches.map((batch) => attemptBatch(batch, exporter, run, failure)));
    if ('error' in failure) throw failure.error;

    const next: InFlight<TRecord, TItem>[] = [];
    for (const entry of pending) {
      const outcome = entry.outcome as Outcome;
      if (outcome.kind !== 'retryable' || outcome.code === ErrorCodes.CANCELLED || outcome.code === ErrorCodes.LEASE_LOST) results[entry.index] = outcome;
      else if (entry.attempts >= run.retry.maxAttempts) results[entry.index] = exhausted(outcome, entry.attempts);
      else next.push(entry);
    }
    pending = next;
    if (pending.length === 0) break;

    const retryAfterMs = Math.max(0, ...pending.map((entry) => (entry.outcome as RetryableOutcome).retryAfterMs ?? 0));
    const delayMs = backoffDelay(round, { ...run.retry, retryAfterMs }, run.random);
    run.logger.debug({ round, delayMs, items: pending.length }, `retrying ${pending.length} ${run.label}(s) in ${delayMs} ms`);
    await sleep(delayMs, run.signal);
  }
  return results;
}

/** Validates, preflights and maps one item: its load item, or the refusal that ends it before any call. */
function prepare<TRecord, TItem extends RecordExportItem>(item: TItem, run: ExportRun<TRecord, TItem>): LoadItem<Record<string, unknown>, TRecord> | Outcome {
  const recordId = recordIdOf(item);
  const valid = validateRecord(run.model, item.record, recordId);
  if (!valid.ok) {
    return Outcomes.rejected(
      `${run.label} ${recordId} is not a valid ${run.label} record: ${describeRecordErrors(valid.errors)}; fix it in the hub and export it again`,
      undefined,
      ErrorCodes.RECORD_INVALID,
    );
  }
  const refusal = run.preflight(valid.value);
  if (refusal !== null) return refusal;
  const mapped = run.map(valid.value, recordId);
  if (!mapped.ok) {
    return Outcomes.rejected(
      `${run.label} ${recordId} could not be mapped for ${run.erpName}: ${describeRecordErrors(mapped.errors)}; fix the record, the ` +
        'lookup table or the mapping, and export it again',
      undefined,
      ErrorCodes.MAPPING_FAILED,
    );
  }
  return { id: item.id, idempotencyKey: item.idempotencyKey, record: valid.value, payload: mapped.value };
}

/** One attempt of one batch: before-hooks, the lookups a possible earlier commit needs, the load, after-hooks. */
async function attemptBatch<TRecord, TItem extends RecordExportItem>(
  batch: InFlight<TRecord, TItem>[],
  exporter: Loader<Record<string, unknown>, TRecord>,
  run: ExportRun<TRecord, TItem>,
  failure: { error?: unknown },
): Promise<void> {
  const started: InFlight<TRecord, TItem>[] = [];
  for (const entry of batch) {
    if ('error' in failure) return;
    try {
      await run.hooks.beforeAttempt?.(entry.item);
    } catch (error) {
      failure.error ??= error;
      return;
    }
    entry.attempts += 1;
    started.push(entry);
  }
  const context = { signal: run.signal };
  const mustLook = run.idempotency === 'lookup';
  const toLoad: InFlight<TRecord, TItem>[] = [];
  await Promise.all(
    started.map(async (entry) => {
      if (!(mustLook && entry.mayBeCommitted)) {
        toLoad.push(entry);
        return;
      }
      try {
        const found = await exporter.find(entry.load, context);
        if (found === null) toLoad.push(entry);
        else entry.outcome = unsentAsRetryable(withErpId(found.kind === 'synced' ? Outcomes.synced(found.erpId, { replayed: true }) : found, run.erpName, run.label, 'find'));
      } catch (error) {
        entry.outcome = fromThrown(error, run.erpName, 'looking up');
      }
    }),
  );
  // Lookups finish in any order; the batch keeps the input order.
  toLoad.sort((a, b) => a.index - b.index);
  if (toLoad.length > 0) await load(toLoad, exporter, run);

  for (const entry of started) {
    const outcome = entry.outcome as Outcome;
    if (outcome.kind === 'retryable' && outcome.committed === 'unknown') entry.mayBeCommitted = true;
    try {
      await run.hooks.afterAttempt?.(entry.item, outcome);
    } catch (error) {
      failure.error ??= error;
    }
  }
}

async function load<TRecord, TItem extends RecordExportItem>(
  entries: InFlight<TRecord, TItem>[],
  exporter: Loader<Record<string, unknown>, TRecord>,
  run: ExportRun<TRecord, TItem>,
): Promise<void> {
  if (run.signal.aborted) {
    for (const entry of entries) entry.outcome = cancelled(entry, run.label);
    return;
  }
  let outcomes: Outcome[];
  try {
    outcomes = await exporter.load(
      entries.map((entry) => entry.load),
      { signal: run.signal },
    );
  } catch (error) {
    const outcome = fromThrown(error, run.erpName, 'sending');
    outcomes = entries.map(() => outcome);
  }
  if (!Array.isArray(outcomes) || outcomes.length !== entries.length) {
    run.logger.error({ expected: entries.length, got: Array.isArray(outcomes) ? outcomes.length : typeof outcomes }, 'loader broke its contract');
    const outcome: RetryableOutcome = {
      kind: 'retryable',
      code: ErrorCodes.ERP_PROTOCOL,
      reason: 'server',
      committed: 'unknown',
      message: `${run.erpName}'s loader returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} outcome(s) for ${entries.length} record(s); the ERP may have taken them`,
    };
    outcomes = entries.map(() => outcome);
  }
  entries.forEach((entry, i) => {
    entry.outcome = unsentAsRetryable(withErpId(outcomes[i] as Outcome, run.erpName, run.label, 'load'));
  });
}

/**
 * A call the lane stopped before it went out (LL_CANCELLED: a shutdown; LL_LEASE_LOST: another replica holds the
 * tenant now) is never the ERP's refusal, whatever a client made of the error: it stays retryable, so the item stays
 * `exporting` for whoever sends next, which looks it up first (another call of the same load may have gone out).
 */
function unsentAsRetryable(outcome: Outcome): Outcome {
  if (outcome?.kind === 'synced' || outcome?.kind === 'accepted' || outcome?.kind === 'retryable') return outcome;
  if (outcome?.code !== ErrorCodes.CANCELLED && outcome?.code !== ErrorCodes.LEASE_LOST) return outcome;
  return { kind: 'retryable', code: outcome.code, reason: 'network', committed: 'unknown', message: outcome.message };
}

/**
 * A `synced` outcome without a usable ERP id is a broken client, not a sync: the ledger would link the record to
 * nothing. It becomes retryable with `committed: 'unknown'`, so the record is looked up or replayed, never synced blank.
 */
function withErpId(outcome: Outcome, erpName: string, label: string, step: 'load' | 'find'): Outcome {
  if (outcome?.kind !== 'synced') return outcome;
  if (typeof outcome.erpId === 'string' && outcome.erpId.trim() !== '') return outcome;
  return {
    kind: 'retryable',
    code: ErrorCodes.ERP_PROTOCOL,
    reason: 'server',
    committed: 'unknown',
    message: `${erpName}'s ${label} ${step} reported synced without an ERP id (${JSON.stringify(outcome.erpId ?? null)}); the ERP may hold the ${label}`,
  };
}

/** A client's exception is never a crash: its batch becomes retryable, and whether the ERP acted is unknown. */
function fromThrown(error: unknown, erpName: string, doing: string): RetryableOutcome {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof HttpTransportError) {
    if (error.reason === 'cancelled') {
      return { kind: 'retryable', code: ErrorCodes.CANCELLED, reason: 'network', committed: error.committed, message: text };
    }
    return Outcomes.transport(`${erpName}: ${text}`, { reason: error.reason, committed: error.committed });
  }
  if (isLedgerlinkError(error) && (error.code === ErrorCodes.CANCELLED || error.code === ErrorCodes.LEASE_LOST)) {
    return { kind: 'retryable', code: error.code, reason: 'network', committed: 'unknown', message: text };
  }
  return Outcomes.transport(`${erpName}'s client failed while ${doing}: ${text}`, { committed: 'unknown' });
}

function exhausted(last: RetryableOutcome, attempts: number): RetryableOutcome {
  return {
    ...last,
    code: ErrorCodes.RETRIES_EXHAUSTED,
    message: `${last.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}; export it again later)`,
  };
}

function cancelled<TRecord, TItem extends RecordExportItem>(entry: InFlight<TRecord, TItem>, label: string): RetryableOutcome {
  const last = entry.outcome?.kind === 'retryable' ? entry.outcome : undefined;
  return {
    kind: 'retryable',
    code: ErrorCodes.CANCELLED,
    reason: last?.reason ?? 'network',
    committed: entry.mayBeCommitted ? 'unknown' : 'no',
    message:
      `export of ${label} ${recordIdOf(entry.item)} stopped before it finished (shutdown or cancel)` +
      (last === undefined ? '' : `; last attempt: ${last.message}`),
    ...(last?.erp === undefined ? {} : { erp: last.erp }),
  };
}

function chunk<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The record's own id where it has one (every canonical export model does), else the ledger item's. */
function recordIdOf(item: RecordExportItem): string {
  const id = (item.record as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : item.id;
}
