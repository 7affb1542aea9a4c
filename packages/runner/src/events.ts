import { EventEmitter } from 'node:events';
import type { LedgerItem, Outcome } from '@ledgerlink/core';

/** What the runner reports as it works: the metrics and the console listen. */
export interface RunnerEventMap {
  /** One ERP call (an attempt) ended with this outcome; `item`: the ledger item as the attempt's completion (committed) left it. */
  attempt: [{ tenant: string; connector: string; itemId: string; outcome: Outcome; durationMs: number; item: LedgerItem }];
  /** An export reached the ERP: `latencyMs` from the moment the ledger recorded the payment. */
  exported: [{ tenant: string; connector: string; itemId: string; latencyMs: number }];
  /** This process took a tenant's lease: it sends for that tenant from now on. */
  leaseTaken: [{ tenant: string; epoch: number; holder: string }];
  /** This process lost a tenant's lease (taken over, or not renewed in time): it stopped sending for it at once. */
  leaseLost: [{ tenant: string; holder: string; reason: string }];
  /** One call to the hub ended: `ok` or the kind of failure. */
  hubCall: [{ operation: string; outcome: 'ok' | 'error' }];
}

/** A typed event emitter; listeners must not throw (they are observers, not part of the flow). */
export class RunnerEvents extends EventEmitter<RunnerEventMap> {}
