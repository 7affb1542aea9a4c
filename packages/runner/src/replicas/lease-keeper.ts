import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@ledgerlink/core';
import type { LeaseGrant, LeaseRow, TenantLeases } from '../store/tenant-leases.js';
import { TenantLease } from './tenant-lease.js';

/** What the keeper asks of the runner as leases come and go. */
export interface LeaseKeeperHooks {
  /** A lease came to this replica: start the tenant's work under it. */
  claimed(lease: TenantLease, grant: LeaseGrant): void;
  /** A lease was lost (taken over, expired, refused): stop the tenant's work at once, without grace. */
  lost(tenant: string, reason: string): Promise<void>;
  /** This replica gives a lease back (rebalancing, shutdown): stop the tenant's work, letting calls in flight end. */
  handOver(tenant: string): Promise<void>;
}

/** This machine's PID namespace (`/proc/self/ns/pid`), or `-` where there is none to read. */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid').replace(/\D/g, '') || '-';
  } catch {
    return '-';
  }
}

/** `host:pidns:pid:nonce`: unique per process start; the first three are only a hint of where it runs. */
export function replicaName(): string {
  return `${hostname()}:${pidNamespace()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * True only when `holder` names a process in this very PID namespace on this host that no longer exists. A pid
 * from another namespace (another container with the host's name) says nothing here, so it never decides.
 */
export function holderIsGone(holder: string, self: string): boolean {
  const [host, ns, pid] = holder.split(':');
  const [ownHost, ownNs] = self.split(':');
  if (host !== ownHost || ns !== ownNs || ns === undefined || pid === undefined || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface LeaseKeeperOptions {
  store: TenantLeases;
  holder: string;
  tenants: readonly string[];
  ttlMs: number;
  hooks: LeaseKeeperHooks;
  logger: Logger;
}

/**
 * Keeps this replica's share of the tenant leases: every `ttlMs / 3` it says it is alive, renews what it holds,
 * drops what it lost, gives back one lease when it holds more than its fair share (`ceil(tenants / replicas)`),
 * or claims free ones when it holds fewer. A watchdog between renewals stops a tenant the moment its lease runs
 * out on this process's own clock, even while a renewal hangs on a partitioned network.
 */
export class LeaseKeeper {
  readonly held = new Map<string, TenantLease>();
  /** Leases being given back (their work is stopping): renewed until released, never handed over twice. */
  readonly #releasing = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;
  /** Replicas alive at the last heartbeat. */
  replicas: string[] = [];

  constructor(private readonly options: LeaseKeeperOptions) {}

  get periodMs(): number {
    return Math.max(100, Math.floor(this.options.ttlMs / 3));
  }

  /** Runs a first round now (its claims included) and keeps going. */
  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.periodMs);
    this.#timer.unref();
    this.#watchdog = setInterval(() => this.#expireLocally(), Math.max(50, Math.min(250, Math.floor(this.periodMs / 4))));
    this.#watchdog.unref();
  }

  /** One round; rounds never overlap. */
  tick(): Promise<void> {
    this.#ticking ??= this.#round().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #round(): Promise<void> {
    if (this.#stopped) return;
    const { store, holder, ttlMs, tenants, logger } = this.options;
    try {
      const sentAt = performance.now();
      this.replicas = await store.heartbeat(holder, ttlMs);
      const renewed = new Map((await store.renew(holder, ttlMs, [...this.held.keys()])).map((grant) => [grant.tenant, grant.epoch]));
      for (const [tenant, lease] of this.held) {
        if (renewed.get(tenant) === lease.epoch) lease.renewed(sentAt);
        // Not awaited: stopping a tenant waits for its calls in flight, and the other leases must be renewed meanwhile.
        else void this.#drop(tenant, 'the lease expired before it was renewed, or another replica took the tenant over');
      }
      if (this.#stopped) return;
      const leases = await store.holders();
      await this.#expireGone(leases);
      const live = new Set(this.replicas);
      const counts = new Map(this.replicas.map((replica) => [replica, 0]));
      for (const row of leases) if (row.holder !== null && row.remainingMs > 0 && live.has(row.holder)) counts.set(row.holder, (counts.get(row.holder) ?? 0) + 1);
      // Each replica's share is floor or ceil of tenants / replicas: one above the ceiling gives one back; one at the
      // ceiling gives one back while another is below the floor; one below takes free tenants, up to the floor
      // while another is below it (so a tenant given back goes to the replica short of work), else up to the ceiling.
      const ceiling = Math.ceil(tenants.length / Math.max(1, this.replicas.length));
      const floor = Math.floor(tenants.length / Math.max(1, this.replicas.length));
      const keeping = this.held.size - this.#releasing.size;
      const othersShort = [...counts].some(([replica, count]) => replica !== holder && count < floor);
      const target = othersShort ? Math.max(floor, 1) : ceiling;
      if (keeping > ceiling || (keeping > target && keeping > 1)) {
        const newest = [...this.held.keys()].filter((tenant) => !this.#releasing.has(tenant)).at(-1);
        if (newest !== undefined) void this.#handOver(newest, `rebalancing: ${this.replicas.length} replicas share ${tenants.length} tenants`);
      } else if (keeping < target) {
        const claimSentAt = performance.now();
        const free = tenants.filter((tenant) => !this.held.has(tenant));
        for (const grant of await store.claim(holder, free, target - keeping, ttlMs)) {
          if (this.#stopped) {
            await store.release(holder, grant.tenant, grant.epoch);
            continue;
          }
          const lease = new TenantLease(grant.tenant, holder, grant.epoch, store, ttlMs, claimSentAt);
          this.held.set(grant.tenant, lease);
          logger.info({ tenant: grant.tenant, epoch: grant.epoch, previous: grant.previous?.holder }, `lease on tenant ${grant.tenant} taken (epoch ${grant.epoch})`);
          this.options.hooks.claimed(lease, grant);
        }
      }
    } catch (error) {
      logger.warn({ err: error }, 'the lease round failed (store unreachable or slow); held leases run out on their own if this goes on');
    } finally {
      this.#expireLocally();
    }
  }

  /** Leases of processes of this PID namespace that are gone (killed): ended at once, not after their TTL. */
  async #expireGone(leases: readonly LeaseRow[]): Promise<void> {
    const { store, holder, logger } = this.options;
    const gone = new Set(leases.map((row) => row.holder).filter((other): other is string => other !== null && other !== holder && holderIsGone(other, holder)));
    for (const other of gone) {
      const count = await store.expire(other);
      if (count > 0) logger.info({ holder: other }, `runner ${other} is gone from this machine: its ${count} lease(s) are free now`);
    }
  }

  #expireLocally(): void {
    for (const [tenant, lease] of this.held) if (!lease.valid) void this.#drop(tenant, lease.lostReason ?? 'lost');
  }

  async #drop(tenant: string, reason: string): Promise<void> {
    const lease = this.held.get(tenant);
    if (lease === undefined) return;
    this.held.delete(tenant);
    this.#releasing.delete(tenant);
    lease.lose(reason);
    // Given up here: the store must not keep it alive for this replica (a later renewal names only held tenants),
    // and it ends now, still naming this holder, so its next holder waits for what may still be in flight.
    void this.options.store.abandon(this.options.holder, tenant, lease.epoch).catch(() => undefined);
    this.options.logger.error({ tenant, epoch: lease.epoch, reason }, `lease on tenant ${tenant} lost (${reason}): its work here stops at once; its new holder carries on`);
    await this.options.hooks.lost(tenant, reason).catch((error: unknown) => this.options.logger.warn({ err: error, tenant }, 'stopping a tenant after its lease was lost failed'));
  }

  async #handOver(tenant: string, why: string): Promise<void> {
    const lease = this.held.get(tenant);
    if (lease === undefined || this.#releasing.has(tenant)) return;
    this.#releasing.add(tenant);
    this.options.logger.info({ tenant, epoch: lease.epoch }, `handing tenant ${tenant} over (${why})`);
    try {
      await this.options.hooks.handOver(tenant);
    } finally {
      // Released only if still ours: a lease lost meanwhile was dropped already.
      if (this.held.get(tenant) === lease) {
        this.held.delete(tenant);
        this.#releasing.delete(tenant);
        lease.lose('handed over');
        await this.options.store.release(this.options.holder, tenant, lease.epoch).catch((error: unknown) => this.options.logger.warn({ err: error, tenant }, 'giving the lease back failed; it expires by itself'));
      }
    }
  }

  /** Gives every lease back once its work stopped (a clean shutdown), and leaves the live list. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#ticking;
    await Promise.all([...this.held.keys()].map((tenant) => this.#handOver(tenant, 'shutting down')));
    clearInterval(this.#watchdog);
    await this.options.store.leave(this.options.holder).catch(() => undefined);
  }
}
