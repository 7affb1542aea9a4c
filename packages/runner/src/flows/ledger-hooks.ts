import type { Actor, ExportHooks, Ledger, LedgerFence, Outcome, RecordExportItem } from '@ledgerlink/core';
import type { RunnerEvents } from '../events.js';

/** The runner acting on its own: attempts, recoveries, unblocking. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'runner' };

/**
 * The ledger writes around every ERP call: `beginAttempt` before it (the item is `exporting` and its key is on
 * disk) and `completeAttempt` after it. If either write fails the hook throws, and the engine stops sending:
 * a call the ledger does not know about could not be recovered.
 */
export class LedgerHooks implements ExportHooks<RecordExportItem> {
  /** Open attempt number and start time per item, between the two hooks. */
  readonly #open = new Map<string, { number: number; startedAt: number }>();

  constructor(
    private readonly ledger: Ledger,
    private readonly actor: Actor = SYSTEM_ACTOR,
    private readonly report?: { events: RunnerEvents; tenant: string; connector: string },
    /** The tenant lease's epoch these writes carry: refused by the store once another replica took the tenant. */
    private readonly fence?: LedgerFence,
  ) {}

  /** Records an answer found without a call of ours (a queued write looked up) as an attempt of its own. */
  async record(item: RecordExportItem, outcome: Outcome): Promise<void> {
    await this.beforeAttempt(item);
    await this.afterAttempt(item, outcome);
  }

  async beforeAttempt(item: RecordExportItem): Promise<void> {
    const { attempt } = await this.ledger.beginAttempt(item.id, this.actor, this.fence);
    this.#open.set(item.id, { number: attempt.number, startedAt: performance.now() });
  }

  async afterAttempt(item: RecordExportItem, outcome: Outcome): Promise<void> {
    const open = this.#open.get(item.id);
    if (open === undefined) throw new Error(`no open attempt for ledger item ${item.id}: beforeAttempt did not run`);
    const after = await this.ledger.completeAttempt(item.id, open.number, outcome, this.actor, this.fence);
    this.#open.delete(item.id);
    if (this.report === undefined) return;
    const { events, tenant, connector } = this.report;
    events.emit('attempt', { tenant, connector, itemId: item.id, outcome, durationMs: performance.now() - open.startedAt, item: after });
    if (outcome.kind === 'synced') {
      events.emit('exported', { tenant, connector, itemId: item.id, latencyMs: Date.parse(after.updatedAt) - Date.parse(after.createdAt) });
    }
  }
}
