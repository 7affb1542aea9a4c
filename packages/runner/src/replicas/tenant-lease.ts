import { ErrorCodes, LedgerlinkError, type LedgerFence } from '@ledgerlink/core';
import type { TenantLeases } from '../store/tenant-leases.js';

/**
 * Room left between the moment this process stops sending on its own and the moment the store lets another
 * replica claim the tenant: covers the two clocks running at slightly different rates.
 */
const CLOCK_MARGIN = 0.05;

/**
 * This process's hold on one tenant, at one epoch: the fencing token its attempt writes carry (`fence`) and the
 * gate of every ERP call its lane makes (`admit`).
 *
 * Safety does not rest on hearing that the lease was lost. The store counts a lease's time from when a renewal
 * ran there, which is after this process sent it; so this process, counting from when it sent the renewal on its
 * monotonic clock, always believes its lease ends before the store does. Past that point (a renewal that never
 * came back, a process paused by SIGSTOP or a long GC, a partition) it refuses every call by itself, before any
 * other replica can have claimed the tenant.
 */
export class TenantLease {
  readonly fence: LedgerFence;
  #validUntil: number;
  #lost: string | undefined;
  readonly #onLost = new Set<(reason: string) => void>();

  constructor(
    readonly tenant: string,
    readonly holder: string,
    readonly epoch: number,
    private readonly store: TenantLeases,
    private readonly ttlMs: number,
    /** `performance.now()` when the claim that granted it was sent. */
    claimedAt: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.fence = { epoch };
    this.#validUntil = claimedAt + this.#usable();
  }

  #usable(): number {
    return this.ttlMs * (1 - CLOCK_MARGIN);
  }

  /** A renewal sent at `sentAt` (`performance.now()`) came back with this lease in it. */
  renewed(sentAt: number): void {
    if (this.#lost === undefined) this.#validUntil = Math.max(this.#validUntil, sentAt + this.#usable());
  }

  /** Still held, by this process's own clock. */
  get valid(): boolean {
    return this.#lost === undefined && this.now() < this.#validUntil;
  }

  /** Milliseconds this process may still send without a renewal (0 once lost). */
  get remainingMs(): number {
    return this.#lost === undefined ? Math.max(0, this.#validUntil - this.now()) : 0;
  }

  get lostReason(): string | undefined {
    return this.#lost ?? (this.now() >= this.#validUntil ? 'not renewed in time' : undefined);
  }

  /** Marks it lost (once): nothing more is admitted, and the listeners stop the tenant's work. */
  lose(reason: string): void {
    if (this.#lost !== undefined) return;
    this.#lost = reason;
    for (const listener of this.#onLost) listener(reason);
  }

  onLost(listener: (reason: string) => void): void {
    this.#onLost.add(listener);
  }

  /**
   * The lane's gate, right before a call goes out: refused when this process's own clock says the lease ran out,
   * or when the store says another replica holds the tenant now; otherwise the call is recorded against the
   * tenant's rate-limit budget in the store, and checked once more against the clock after that round trip.
   */
  async admit(): Promise<void> {
    this.#check();
    let admitted: boolean;
    try {
      admitted = await this.store.admit(this.tenant, this.holder, this.epoch);
    } catch (error) {
      // The store is unreachable: whether the lease still holds is unknown, so nothing is sent.
      throw new LedgerlinkError(ErrorCodes.LEASE_LOST, `tenant ${this.tenant}: the lease store did not answer before an ERP call; the call was not sent`, {
        disposition: 'retryable',
        cause: error,
      });
    }
    if (!admitted) this.lose('the store refused an ERP call: another replica holds the tenant, or the lease expired there');
    this.#check();
  }

  #check(): void {
    const reason = this.lostReason;
    if (reason === undefined) return;
    if (this.#lost === undefined) this.lose(reason);
    throw new LedgerlinkError(
      ErrorCodes.LEASE_LOST,
      `tenant ${this.tenant}: this replica no longer holds the lease (epoch ${this.epoch}: ${reason}); the call was not sent and the tenant's holder carries on`,
      { disposition: 'retryable', details: { tenant: this.tenant, epoch: this.epoch } },
    );
  }
}
