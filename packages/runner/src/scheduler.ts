import { supports, type Logger } from '@ledgerlink/core';
import type { TenantScope } from './container.js';

/** What the scheduler drives: the runner's tenants and its hub poll. */
export interface Schedulable {
  readonly tenants: ReadonlyMap<string, TenantScope>;
  readonly config: { hub?: { pollSeconds: number } | undefined; runner: { settleMs: number; recoveryMs: number } };
  readonly hub: unknown;
  readonly ledger: { getCursor(tenant: string, name: string): Promise<string | undefined> };
  pollHub(scope: TenantScope): Promise<number>;
  /** The close-out pass: requests whose item settled, close-outs the hub did not take. */
  readonly dispatcher?: { pass(): Promise<number> } | undefined;
}

interface Task {
  name: string;
  everyMs: number;
  timer?: NodeJS.Timeout;
  running: boolean;
  run(): Promise<unknown>;
}

/** The ledger cursor that keeps an admin's import schedule (minutes) across restarts. */
export const IMPORT_SCHEDULE_CURSOR = 'schedule:import';

/**
 * The runner's clock-driven work, per tenant: looking up writes an ERP queued, driving exports left in flight,
 * the fallback listing of open ERP Requests, invoices that reached the ERP, the close-out pass, and the import schedule. Each task
 * runs once at a time; a failure is logged and the task runs again at its next tick.
 */
export class Scheduler {
  readonly #tasks = new Map<string, Task>();
  readonly #started = new Set<string>();
  #stopped = false;

  constructor(
    private readonly runner: Schedulable,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts the hub's tasks and, unless `tenants: false`, every tenant's. The runner starts each tenant's tasks itself
   * (`startTenant`) once that tenant's recovery is done: a slow tenant's recovery holds back no other tenant, and no
   * schedule settles or re-sends an item its recovery is still working on.
   */
  start(options: { tenants?: boolean } = {}): void {
    const { runner } = this;
    const pollSeconds = runner.config.hub?.pollSeconds ?? 0;
    if (runner.dispatcher !== undefined && pollSeconds > 0) {
      this.add('hub:close-outs', Math.min(pollSeconds * 1000, 15_000), () => runner.dispatcher?.pass() ?? Promise.resolve(0));
    }
    if (options.tenants ?? true) for (const scope of runner.tenants.values()) this.startTenant(scope);
  }

  /** Starts one tenant's tasks (once; a second call does nothing). */
  startTenant(scope: TenantScope): void {
    const { runner } = this;
    const pollSeconds = runner.config.hub?.pollSeconds ?? 0;
    if (this.#stopped || this.#started.has(scope.config.id)) return;
    this.#started.add(scope.config.id);
    const id = scope.config.id;
    const caps = scope.runtime.connector.capabilities;
    if (supports(caps, 'payment', 'export')) {
      // The settle tick also picks up what another process (the CLI) moved back to pending.
      this.add(`${id}:settle`, runner.config.runner.settleMs, async () => {
        await scope.exporter.refreshExportsSwitch();
        await scope.exporter.findPending();
        await scope.exporter.settleQueued();
      });
      this.add(`${id}:recover`, runner.config.runner.recoveryMs, () => scope.exporter.recover());
    }
    if (runner.hub !== null && pollSeconds > 0 && supports(caps, 'payment', 'export')) {
      this.add(`${id}:hub-poll`, pollSeconds * 1000, async () => {
        await runner.pollHub(scope);
        // The platform sends no "invoice synced": blocked payments ask for their requisition on this schedule.
        await scope.exporter.recheckBlocked();
      });
    }
    if (runner.hub !== null && supports(caps, 'payment', 'import')) {
      const configured = scope.config.schedules.import?.everyMinutes ?? 60;
      // An admin's change made through the API outlives a restart: it is kept in the ledger.
      void runner.ledger.getCursor(id, IMPORT_SCHEDULE_CURSOR).then(
        (stored) => {
          if (this.#stopped) return;
          const minutes = stored === undefined ? configured : Number(stored);
          this.setImportEvery(id, Number.isInteger(minutes) && minutes >= 0 ? minutes : configured);
        },
        (error: unknown) => this.logger.warn({ err: error, tenant: id }, 'reading the stored import schedule failed; using the config'),
      );
    }
  }

  /** Stops one tenant's tasks (its lease went to another replica); `startTenant` may start them again later. */
  stopTenant(tenantId: string): void {
    this.#started.delete(tenantId);
    for (const name of [...this.#tasks.keys()]) if (name.startsWith(`${tenantId}:`)) this.remove(name);
  }

  /** A tenant's import schedule in minutes (0 = on demand only), as the scheduler runs it now. */
  importEvery(tenantId: string): number {
    const task = this.#tasks.get(`${tenantId}:import`);
    return task === undefined ? 0 : Math.round(task.everyMs / 60_000);
  }

  /** Changes (or, with 0, stops) a tenant's import schedule. */
  setImportEvery(tenantId: string, minutes: number): void {
    const scope = this.runner.tenants.get(tenantId);
    if (scope === undefined) return;
    this.remove(`${tenantId}:import`);
    if (minutes > 0) this.add(`${tenantId}:import`, minutes * 60_000, () => scope.importer.run());
  }

  /** When each task next runs, for the console. */
  tasks(): { name: string; everyMs: number; running: boolean }[] {
    return [...this.#tasks.values()].map(({ name, everyMs, running }) => ({ name, everyMs, running }));
  }

  private add(name: string, everyMs: number, run: () => Promise<unknown>): void {
    const task: Task = { name, everyMs, running: false, run };
    const tick = async () => {
      if (this.#stopped || task.running) return;
      task.running = true;
      try {
        await task.run();
      } catch (error) {
        this.logger.warn({ err: error, task: name }, `${name} failed; it runs again in ${Math.round(everyMs / 1000)} s`);
      } finally {
        task.running = false;
      }
    };
    task.timer = setInterval(() => void tick(), everyMs);
    task.timer.unref();
    this.#tasks.set(name, task);
  }

  private remove(name: string): void {
    const task = this.#tasks.get(name);
    if (task?.timer !== undefined) clearInterval(task.timer);
    this.#tasks.delete(name);
  }

  stop(): void {
    this.#stopped = true;
    for (const name of [...this.#tasks.keys()]) this.remove(name);
  }
}
