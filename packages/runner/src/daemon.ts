import {
  CORE_VERSION,
  ErrorCodes,
  LedgerlinkError,
  type HubEvent,
  type HttpClient,
  type Ledger,
  type Logger,
  type Outcome,
} from '@ledgerlink/core';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DependencyContainer } from 'tsyringe';
import type { LoadedConfig } from './config/load-config.js';
import { createRootContainer, createTenantScope, type TenantScope } from './container.js';
import { createHubRuntime, type HubRuntime } from './hub/hub-runtime.js';
import { HubRequestDispatcher } from './hub/request-dispatcher.js';
import { WorkQueue } from './hub/work-queue.js';
import { ConnectorRegistry, loadPluginConnectors, type AnyConnector } from './plugins/connector-registry.js';
import { BUILT_IN_CONNECTORS } from './plugins/built-in-connectors.js';
import { RunnerEvents } from './events.js';
import { Scheduler } from './scheduler.js';
import { openStore, type OpenStore } from './store/open-store.js';
import type { EventInbox } from './store/event-inbox.js';
import type { HubRequests } from './store/hub-requests.js';

export interface RunnerOptions {
  loaded: LoadedConfig;
  logger: Logger;
  clock?: () => Date;
  /** Connectors besides the built-in ones and the config's plugins (tests, the demo's hub). */
  extraConnectors?: readonly AnyConnector[];
  transport?: HttpClient;
  /** Where the ledger lives; default the config's store. */
  ledger?: OpenStore;
}

/** The lease every runner process of a deployment competes for. */
const RUNNER_LEASE = 'runner';

/**
 * A holder (`host:pid:nonce`) on this machine whose process no longer exists: a runner that was killed. Its lease
 * is taken at once instead of after it expires, so a restart after a crash does not wait.
 */
function holderIsGone(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || pid === undefined || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** An error as readiness shows it: its code and first line, bounded (error messages name no secret). */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error ?? 'unknown error');
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${message.split('\n')[0] ?? ''}`;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A tenant's ERP connection as an attempt's outcome shows it: unreachable or refused logins are failures. */
function erpHealthOf(outcome: Outcome): string {
  if (outcome.kind === 'retryable' && outcome.reason !== 'throttled') return `unreachable (${outcome.reason}): ${describe({ code: outcome.code, message: outcome.message } as unknown)}`;
  if (outcome.kind === 'rejected' && outcome.code === ErrorCodes.ERP_AUTH) return `auth failing: ${outcome.message.slice(0, 200)}`;
  return 'ok';
}

/** What a webhook delivery did: the route's answer to the hub. */
export interface WebhookReceipt {
  received: number;
  duplicates: number;
}

/**
 * The runner: one per customer deployment. `start` checks everything before starting anything (config,
 * connectors and their core range, every tenant's connection settings and mapping), opens the ledger, settles
 * what a previous run left in flight, then takes webhooks and runs the schedules. `stop` stops intake, lets
 * calls in flight finish (or leaves them recoverable in the ledger), and closes.
 */
export class Runner {
  readonly tenants = new Map<string, TenantScope>();
  /** Attempts, exports and hub calls as they happen (metrics, the console). */
  readonly events = new RunnerEvents();
  #root: DependencyContainer | undefined;
  #hub: HubRuntime | null = null;
  #dispatcher: HubRequestDispatcher | undefined;
  #store: OpenStore | undefined;
  #scheduler: Scheduler | undefined;
  #registry: ConnectorRegistry | undefined;
  #stopping: Promise<void> | undefined;
  #started = false;
  readonly #processing = new Set<Promise<void>>();
  /** Each tenant's recovery state (`/readyz`). */
  readonly #recovery = new Map<string, string>();
  readonly #recoveries = new Set<Promise<void>>();
  /** Each tenant's ERP connection as its last call ended (`/readyz`); absent = no failure seen. */
  readonly #erpHealth = new Map<string, string>();
  #hubHealth = 'ok';
  #pruner: NodeJS.Timeout | undefined;
  #markStopped: () => void = () => undefined;
  /** Settles when `stop` begins: waits (recovery retries) end early. */
  readonly #stopped = new Promise<void>((resolve) => {
    this.#markStopped = resolve;
  });
  /** Deliveries acted on after their answer, eight at a time. */
  readonly #intake = new WorkQueue(8);

  constructor(private readonly options: RunnerOptions) {}

  get config() {
    return this.options.loaded.config;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get ledger(): Ledger {
    if (this.#store === undefined) throw new Error('the runner is not started');
    return this.#store.ledger;
  }

  get inbox(): EventInbox {
    if (this.#store === undefined) throw new Error('the runner is not started');
    return this.#store.inbox;
  }

  /** The ERP Requests taken on and their close-outs (`hub_requests`). */
  get requests(): HubRequests {
    if (this.#store === undefined) throw new Error('the runner is not started');
    return this.#store.requests;
  }

  get hub(): HubRuntime | null {
    return this.#hub;
  }

  get registry(): ConnectorRegistry {
    if (this.#registry === undefined) throw new Error('the runner is not started');
    return this.#registry;
  }

  get container(): DependencyContainer {
    if (this.#root === undefined) throw new Error('the runner is not started');
    return this.#root;
  }

  get started(): boolean {
    return this.#started && this.#stopping === undefined;
  }

  tenant(id: string): TenantScope {
    const scope = this.tenants.get(id);
    if (scope === undefined) {
      throw new LedgerlinkError(ErrorCodes.TENANT_NOT_FOUND, `no tenant "${id}" in this deployment; tenants: ${[...this.tenants.keys()].join(', ')}`);
    }
    return scope;
  }

  /** This process's name in the runner lease. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  #active = false;
  #keeper: NodeJS.Timeout | undefined;

  /** True while this process holds the runner lease and runs the flows; false on a standby replica. */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Builds everything, then takes the runner lease: the holder settles the previous run's leftovers and starts the
   * schedules; a replica that finds the lease held stands by (it serves the API and records webhooks) and takes
   * over when the holder stops or dies.
   */
  async start(): Promise<void> {
    if (this.#root === undefined) await this.prepare();
    const ttl = this.config.runner.leaseTtlMs;
    this.#started = true;
    if (!(await this.takeLease())) this.logger.warn({ holder: this.holder }, 'another runner holds the lease on this store: standing by');
    this.#keeper = setInterval(() => void this.keepLease(), Math.max(250, Math.floor(ttl / 3)));
    this.#keeper.unref();
  }

  private async takeLease(): Promise<boolean> {
    if (this.#store === undefined || !(await this.#store.leases.acquire(RUNNER_LEASE, this.holder, this.config.runner.leaseTtlMs, holderIsGone))) return false;
    await this.activate();
    return true;
  }

  /** Renews the lease, or takes it when the holder is gone; a holder that loses it stops sending at once. */
  private async keepLease(): Promise<void> {
    if (this.#stopping !== undefined || this.#store === undefined) return;
    try {
      if (!this.#active) {
        await this.takeLease();
        return;
      }
      if (!(await this.#store.leases.acquire(RUNNER_LEASE, this.holder, this.config.runner.leaseTtlMs))) {
        this.logger.error({ holder: this.holder }, 'the runner lease was taken by another runner: this one stops sending and shuts down');
        this.events.emit('leaseLost', { holder: this.holder });
        void this.stop();
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'renewing the runner lease failed; trying again');
    }
  }

  /**
   * The lease holder's start. Nothing here waits on an ERP: each tenant recovers what a crash left in flight on its
   * own, all in parallel, and starts its schedules once done (its exporter sends nothing new before); deliveries
   * are taken, and healthy tenants export, while a slow one (its ERP down) still recovers. `/readyz` lists them.
   */
  private async activate(): Promise<void> {
    const { logger } = this.options;
    this.#active = true;
    const scheduler = new Scheduler(this, logger);
    this.#scheduler = scheduler;
    scheduler.start({ tenants: false });
    // Not among the deliveries `stop` waits for: a recovery waiting on a hung ERP ends when `stop` cancels its calls.
    for (const scope of this.tenants.values()) {
      const recovery = this.recoverTenant(scope, scheduler);
      this.#recoveries.add(recovery);
      void recovery.finally(() => this.#recoveries.delete(recovery));
    }
    for (const event of await this.inbox.unprocessed(10_000)) this.track(this.#intake.run(() => this.processEvent(event)));
    // Close-outs a crash left undecided or unsent (an ERP write done, Procore not told yet).
    if (this.#dispatcher !== undefined) this.track(this.#dispatcher.pass().then(() => undefined, (error: unknown) => this.logger.warn({ err: error }, 'the close-out pass failed; it runs again on the hub schedule')));
    this.startPruning();
    logger.info({ holder: this.holder }, 'runner started: holds the lease and sends');
  }

  /** One tenant's crash recovery, tried again on the recovery schedule until it succeeds; then its schedules. */
  private async recoverTenant(scope: TenantScope, scheduler: Scheduler): Promise<void> {
    const id = scope.config.id;
    const started = Date.now();
    this.#recovery.set(id, 'recovering');
    for (;;) {
      if (this.#stopping !== undefined) return;
      try {
        const { settled, resent } = await scope.exporter.recover();
        if (this.#stopping !== undefined) return;
        this.#recovery.set(id, 'running');
        scope.logger.info({ settled, resent, ms: Date.now() - started }, 'recovery done');
        scheduler.startTenant(scope);
        return;
      } catch (error) {
        this.#recovery.set(id, `recovering (last try failed: ${describe(error)})`);
        scope.logger.warn({ err: error }, 'recovery failed; it is tried again on the recovery schedule');
        await this.pause(this.config.runner.recoveryMs);
      }
    }
  }

  /** Waits `ms`, or less when the runner stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      void this.#stopped.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Deletes processed webhook deliveries and handled hub requests older than `runner.retentionDays`: now and
   * hourly. Unprocessed deliveries and open requests are never pruned.
   */
  async pruneHubTables(now: Date = (this.options.clock ?? (() => new Date()))()): Promise<{ events: number; requests: number }> {
    const before = new Date(now.getTime() - this.config.runner.retentionDays * 86_400_000);
    const events = await this.inbox.prune(before);
    const requests = await this.requests.prune(before);
    if (events + requests > 0) this.logger.info({ events, requests, before: before.toISOString() }, 'pruned the hub tables past their retention');
    return { events, requests };
  }

  private startPruning(): void {
    const prune = () => this.pruneHubTables().then(() => undefined, (error: unknown) => this.logger.warn({ err: error }, 'pruning the hub tables failed; tried again in an hour'));
    this.track(prune());
    this.#pruner = setInterval(() => this.track(prune()), 3_600_000);
    this.#pruner.unref();
  }

  /**
   * Each tenant's state for `/readyz`: `running`, `recovering` (its crash recovery is not done: it takes no new
   * exports yet), `standby` (another process holds the lease); and its ERP connection as its last call ended.
   */
  tenantHealth(): Record<string, { state: string; erp: string }> {
    const health: Record<string, { state: string; erp: string }> = {};
    for (const id of this.tenants.keys()) {
      health[id] = { state: this.#active ? (this.#recovery.get(id) ?? 'recovering') : 'standby', erp: this.#erpHealth.get(id) ?? 'ok' };
    }
    return health;
  }

  /** The hub connection as its last call ended: `ok`, or why it failed (code and message, no secret). */
  get hubHealth(): string | undefined {
    return this.#hub === null ? undefined : this.#hubHealth;
  }

  get scheduler(): Scheduler | undefined {
    return this.#scheduler;
  }

  /**
   * Builds the runner without starting it: connectors, hub, store, tenants. The CLI's one-off commands
   * (an on-demand import) use this; `start` calls it first.
   */
  async prepare(): Promise<void> {
    const { loaded, logger } = this.options;
    const clock = this.options.clock ?? (() => new Date());
    const plugins = await loadPluginConnectors(loaded.config.plugins, undefined, loaded.resolvePath);
    const registry = new ConnectorRegistry([...BUILT_IN_CONNECTORS, ...(this.options.extraConnectors ?? []), ...plugins]);
    this.#registry = registry;

    const hubConfig = loaded.config.hub;
    const hubConnector = hubConfig === undefined ? undefined : registry.hub(hubConfig.connector);
    this.#store = this.options.ledger ?? (await openStore(loaded, clock));
    const store = this.#store;
    try {
      this.#hub =
        hubConfig === undefined || hubConnector === undefined
          ? null
          : createHubRuntime(hubConnector, {
              config: hubConfig.connection,
              ...(hubConfig.webhookSecret === undefined ? {} : { webhookSecret: hubConfig.webhookSecret }),
              ...(hubConfig.rateLimit === undefined ? {} : { rateLimit: hubConfig.rateLimit }),
              logger,
              now: clock,
              credentials: store.credentials('hub'),
              onCall: (operation, outcome, error) => {
                // Readiness from the calls made anyway, not from a probe per request.
                this.#hubHealth = outcome === 'ok' ? 'ok' : `failing: ${describe(error)}`;
                this.events.emit('hubCall', { operation, outcome });
              },
            });
    } catch (error) {
      await store.close();
      throw error;
    }
    this.#root = createRootContainer({
      loaded,
      registry,
      ledger: store.ledger,
      inbox: store.inbox,
      credentials: (scope: string) => store.credentials(scope),
      logger,
      clock,
      hub: this.#hub,
      events: this.events,
      ...(this.options.transport === undefined ? {} : { transport: this.options.transport }),
    });
    try {
      for (const tenant of loaded.config.tenants) this.tenants.set(tenant.id, createTenantScope(this.#root, tenant, loaded));
    } catch (error) {
      await this.closeAll();
      throw error;
    }
    this.events.on('attempt', ({ tenant, outcome }) => this.#erpHealth.set(tenant, erpHealthOf(outcome)));
    if (this.#hub !== null) {
      const dispatcher = new HubRequestDispatcher(this.#hub, store.requests, store.ledger, this.tenants, logger);
      this.#dispatcher = dispatcher;
      // Every ERP answer may settle a request waiting on its item: its close-out goes out at once.
      this.events.on('attempt', ({ itemId }) => {
        if (this.#active) this.track(dispatcher.settleItem(itemId).catch((error: unknown) => this.logger.warn({ err: error, itemId }, 'closing out after an attempt failed; the pass retries')));
      });
    }
    logger.info(
      { coreVersion: CORE_VERSION, tenants: [...this.tenants.values()].map((t) => `${t.config.id}:${t.runtime.connector.manifest.id}`) },
      `runner ready with ${this.tenants.size} tenant(s)`,
    );
  }

  /**
   * Takes one webhook delivery: verifies and parses it with the hub connector, records each event in the
   * inbox (a repeat is harmless), and acts on the new ones after answering.
   */
  async receiveWebhook(body: string, headers: Record<string, string>): Promise<WebhookReceipt> {
    const hub = this.#hub;
    if (hub === null) throw new LedgerlinkError(ErrorCodes.CAPABILITY_MISSING, 'this deployment has no hub configured: webhooks cannot be taken');
    if (this.#stopping !== undefined) throw new LedgerlinkError(ErrorCodes.CANCELLED, 'the runner is shutting down: deliver again later');
    const events = hub.connector.webhooks.parse(body, headers, hub.webhookSecret ?? '', (this.options.clock ?? (() => new Date()))());
    let duplicates = 0;
    for (const event of events) {
      const { fresh } = await this.inbox.record(event);
      if (!fresh) {
        duplicates += 1;
        continue;
      }
      // After the answer, a few at a time: the route's only work is the inbox row.
      this.track(this.#intake.run(() => this.processEvent(event)));
    }
    return { received: events.length, duplicates };
  }

  private track(work: Promise<void>): void {
    this.#processing.add(work);
    void work.finally(() => this.#processing.delete(work));
  }

  /**
   * Acts on one delivery: fetches the ERP Request it names and takes it on (`HubRequestDispatcher`); marked
   * processed once taken on. Left unprocessed on failure: the next start acts on it, the fallback finds it anyway.
   */
  async processEvent(event: HubEvent): Promise<void> {
    const dispatcher = this.#dispatcher;
    // Stopping: a delivery still queued stays unprocessed in the inbox; the next start acts on it.
    if (dispatcher === undefined || this.#stopping !== undefined) return;
    try {
      await dispatcher.event(event);
      await this.inbox.markProcessed(event.eventId);
    } catch (error) {
      this.logger.warn({ err: error, eventId: event.eventId }, `hub event ${event.eventId} could not be acted on yet`);
    }
  }

  /** The ERP Requests taken on: dispatch, close-outs, the fallback. Undefined without a hub. */
  get dispatcher(): HubRequestDispatcher | undefined {
    return this.#dispatcher;
  }

  /** The fallback for lost or discarded deliveries: the open ERP Requests of a tenant's company, taken like deliveries. */
  async pollHub(scope: TenantScope): Promise<number> {
    const companyId = scope.config.hubCompanyId;
    if (this.#dispatcher === undefined || companyId === undefined) return 0;
    return this.#dispatcher.poll(companyId);
  }

  /** Closes a runner that was only prepared (the CLI's one-off commands). */
  async close(): Promise<void> {
    if (this.#started) return this.stop();
    await Promise.all([...this.tenants.values()].map((scope) => scope.importer.stop()));
    await this.closeAll();
  }

  /** Graceful shutdown: stop intake and schedules, let calls in flight finish or leave them recoverable, close. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const grace = this.config.runner.shutdownGraceMs;
      this.logger.info({ graceMs: grace }, 'runner stopping: no new work; waiting for calls in flight');
      if (this.#keeper !== undefined) clearInterval(this.#keeper);
      if (this.#pruner !== undefined) clearInterval(this.#pruner);
      this.#markStopped();
      this.#scheduler?.stop();
      await Promise.allSettled([...this.#processing]);
      this.#dispatcher?.stop();
      await Promise.all([...this.tenants.values()].map((scope) => scope.exporter.stop(grace)));
      await Promise.allSettled([...this.#recoveries]);
      await Promise.all([...this.tenants.values()].map((scope) => scope.importer.stop()));
      // Given back only after the calls in flight ended: a standby takes over at once, with nothing in flight.
      if (this.#active) await this.#store?.leases.release(RUNNER_LEASE, this.holder).catch(() => undefined);
      this.#active = false;
      await this.closeAll();
      this.logger.info('runner stopped');
    })();
    return this.#stopping;
  }

  private async closeAll(): Promise<void> {
    await Promise.allSettled([...this.tenants.values()].map((scope) => scope.runtime.close()));
    await this.#hub?.close();
    await this.#store?.close();
  }
}
