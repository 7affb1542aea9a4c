import type { Actor, ExportHooks, ExportItem, Ledger, Outcome } from '@ledgerlink/core';

/** The runner acting on its own: attempts, recoveries, unblocking. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'runner' };

/**
 * The ledger writes around every ERP call: `beginAttempt` before it (the item is `exporting` and its key is on
 * disk) and `completeAttempt` after it. If either write fails the hook throws, and the engine stops sending:
 * a call the ledger does not know about could not be recovered.
 */
export class LedgerHooks implements ExportHooks {
  /** Open attempt number per item, between the two hooks. */
  readonly #open = new Map<string, number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly actor: Actor = SYSTEM_ACTOR,
  ) {}

  async beforeAttempt(item: ExportItem): Promise<void> {
    const { attempt } = await this.ledger.beginAttempt(item.id, this.actor);
    this.#open.set(item.id, attempt.number);
  }

  async afterAttempt(item: ExportItem, outcome: Outcome): Promise<void> {
    const number = this.#open.get(item.id);
    if (number === undefined) throw new Error(`no open attempt for ledger item ${item.id}: beforeAttempt did not run`);
    await this.ledger.completeAttempt(item.id, number, outcome, this.actor);
    this.#open.delete(item.id);
  }
}
