import type { Capabilities } from '../connector/capabilities.js';
import type { Loader } from '../connector/contracts.js';
import type { Outcome, RejectedOutcome } from '../connector/outcome.js';
import type { Logger } from '../logger.js';
import type { MappingResult } from '../mapping/types.js';
import { Payment } from '../model/payment.js';
import { exportRecords } from './export-records.js';
import type { ExportHooks, ExportItem, RetryPolicy } from './types.js';

/** What one payment export run needs from its runtime (the payment case of `ExportRun`). */
export interface ExportRun {
  /** Display name, for messages. */
  erpName: string;
  capabilities: Capabilities;
  exporter: Loader | undefined;
  preflight(payment: Payment): RejectedOutcome | null;
  map(payment: Payment, recordId: string): MappingResult;
  retry: RetryPolicy;
  hooks: ExportHooks;
  logger: Logger;
  /** Fires on the caller's abort or the runtime's close: no new attempt starts after it. */
  signal: AbortSignal;
  random?: () => number;
}

/**
 * Exports payments: the entity-generic `exportRecords` with the payment model and the connector-wide batch size
 * and idempotency (payments predate `entityOptions`; `entityOptionsOf` falls back to them).
 */
export function exportPayments(items: ExportItem[], run: ExportRun): Promise<Outcome[]> {
  const { capabilities, ...rest } = run;
  const own = capabilities.entityOptions?.payment;
  return exportRecords(items, {
    ...rest,
    label: 'payment',
    model: Payment,
    maxBatch: own?.maxBatch ?? capabilities.maxBatch,
    idempotency: own?.idempotency ?? capabilities.idempotency,
  });
}
