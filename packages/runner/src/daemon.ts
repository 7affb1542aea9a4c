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
import type { DependencyContainer } from 'tsyringe';
import type { LoadedConfig } from './config/load-config.js';
import { createRootContainer, createTenantScope, type TenantScope } from './container.js';
import { LeaseKeeper, replicaName } from './replicas/lease-keeper.js';
import type { TenantLease } from './replicas/tenant-lease.js';
import type { LeaseGrant } from './store/tenant-leases.js';
import { createHubRuntime, type HubRuntime } from './hub/hub-runtime.js';
import { HubRequestDispatcher } from './hub/request-dispatcher.js';
import { WorkQueue } from './hub/work-queue.js';
import { ConnectorRegistry, loadPluginConnectors, type AnyConnector } from './plugins/connector-registry.js';
import { connectorIdsOf, loadBuiltInConnectors } from './plugins/built-in-loaders.js';
import { RunnerEvents } from './events.js';
import { Scheduler } from './scheduler.js';
import { openStore, type OpenStore } from './store/open-store.js';
import type { EventInbox, InboxScope } from './store/event-inbox.js';
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
  /**
   * The built-in connectors to load: `all` (default: the daemon, whose API lists them), or only those the config
   * names (`configured`: a one-off command such as `ledgerlink import`, which then starts with less code loaded).
   */
  builtIns?: 'all' | 'configured';
}

/** How many waiting deliveries the hub's fallback poll looks at to leave their requests unread (a backlog's worth). */
const POLL_INBOX_LOOK = 100_000;

/** How often each replica looks in the shared inbox for deliveries another replica recorded for its tenants. */
const INBOX_SWEEP_MS = 1_000;
/** Deliveries of one hub company acted on at once (see `Runner.#intake`). */
const INTAKE_PER_COMPANY = 8;
/** A tenant's ERP call timeout when its config sets none (the transport's default). */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** An error as readiness shows it: its code and first line, bounded (error messages name no secret). */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error ?? 'unknown error');
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${message.split('\n')[0] ?? ''}`;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A tenant's ERP connection as an attempt's outcome shows it: unreachable or refused logins are failures. */
function erpHealthOf(outcome: Outcome): string {
  if (outcome.kind === 'retryable' && outcome.reason !== 'throttled') return `unreachable (${outcome.reason}): ${describe(Object.assign(new Error(outcome.message), { code: outcome.code }))}`;
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
  /**
   * Deliveries acted on after their answer: eight at a time per hub company (one queue per company a tenant of this
   * deployment is connected to, one shared by any other). Acting on a delivery is mostly waiting (two hub reads,
   * four or five ledger writes, each waiting for its group commit: ≈ 0.5 s on a loaded machine), so one queue of
   * eight for the whole replica capped it at ≈ 8 / 0.67 s ≈ 12 payments/s whatever the tenants it held, with its
   * CPU a quarter used and deliveries waiting 13 s in the queue. Per company, a replica's intake grows with the
   * tenants it holds, one tenant's burst does not hold the others' deliveries back, and the hub's calls are still
   * paced by the hub's lane (its concurrency and rate).
   */
  readonly #intake = new Map<string, WorkQueue>();

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

  /** This process's name in the tenant leases: `host:pidns:pid:nonce`. */
  readonly holder = replicaName();
  #keeper: LeaseKeeper | undefined;
  #inboxSweep: NodeJS.Timeout | undefined;
  /** Deliveries being acted on here (the sweep does not start one twice). */
  readonly #eventsInHand = new Set<string>();
  /** Tenant scopes being built under a new lease. */
  readonly #builds = new Set<Promise<unknown>>();

  /** True while this process holds at least one tenant's lease and sends for it. */
  get active(): boolean {
    return (this.#keeper?.held.size ?? 0) > 0;
  }

  /** The tenants this process holds the lease of, and sends for. */
  heldTenants(): string[] {
    return [...(this.#keeper?.held.keys() ?? [])];
  }

  /** True when this process holds `tenant`'s lease, by its own clock. */
  holds(tenant: string | undefined): boolean {
    return tenant !== undefined && this.#keeper?.held.get(tenant)?.valid === true;
  }

  /** Answers when the store answers a trivial query (`SELECT 1`): readiness, cheap at any ledger size. */
  async pingStore(): Promise<void> {
    if (this.#store === undefined) throw new Error('the runner is not started');
    await this.#store.ping();
  }

  /** The replicas alive at the last lease round (this one included). */
  get replicas(): readonly string[] {
    return this.#keeper?.replicas ?? [];
  }

  /**
   * Builds everything, then joins the deployment's replicas: the lease keeper claims this process's fair share of
   * the tenants (all of them when it runs alone), and each tenant claimed recovers and starts under its lease.
   * Every replica serves the API and records webhooks; a delivery for a tenant held elsewhere is left in the inbox
   * for its holder, which sweeps the inbox every second.
   */
  async start(): Promise<void> {
    if (this.#root === undefined) await this.prepare();
    const store = this.#store;
    if (store === undefined) throw new Error('the runner is not prepared');
    this.#started = true;
    const scheduler = new Scheduler(this, this.logger);
    this.#scheduler = scheduler;
    scheduler.start({ tenants: false });
    this.#keeper = new LeaseKeeper({
      store: store.leases,
      holder: this.holder,
      tenants: [...this.tenants.keys()],
      ttlMs: this.config.runner.leaseTtlMs,
      logger: this.logger,
      hooks: {
        claimed: (lease, grant) => this.activateTenant(lease, grant, scheduler),
        lost: (tenant, reason) => this.deactivateTenant(tenant, 0, reason),
        handOver: (tenant) => this.deactivateTenant(tenant, this.config.runner.shutdownGraceMs, 'handed over'),
      },
    });
    await this.#keeper.start();
    await Promise.allSettled([...this.#builds]);
    this.#inboxSweep = setInterval(() => void this.sweepInbox(), INBOX_SWEEP_MS);
    this.#inboxSweep.unref();
    void this.sweepInbox();
    // Close-outs a crash left undecided or unsent (an ERP write done, Procore not told yet), for the tenants held here.
    if (this.#dispatcher !== undefined) this.track(this.#dispatcher.pass().then(() => undefined, (error: unknown) => this.logger.warn({ err: error }, 'the close-out pass failed; it runs again on the hub schedule')));
    this.startPruning();
    this.logger.info({ holder: this.holder, tenants: this.heldTenants(), replicas: this.replicas.length }, `runner started: holds ${this.heldTenants().length} of ${this.tenants.size} tenant(s)`);
  }

  /** Webhook deliveries recorded (here or by another replica) and not acted on yet, for the tenants held here. */
  private async sweepInbox(): Promise<void> {
    if (this.#stopping !== undefined || !this.active) return;
    try {
      for (const event of await this.inbox.unprocessed(500, this.inboxScope())) {
        if (this.#eventsInHand.has(event.eventId) || !this.ownsCompany(event.companyId)) continue;
        this.enqueueEvent(event);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'reading the webhook inbox failed; tried again in a second');
    }
  }

  /** The deliveries this process's sweep reads: as `ownsCompany` says, in SQL (a backlog held elsewhere is not read). */
  private inboxScope(): InboxScope {
    const held = new Set<string>();
    const configured = new Set<string>();
    for (const scope of this.tenants.values()) {
      const company = scope.config.hubCompanyId;
      if (company === undefined) continue;
      configured.add(company);
      if (this.holds(scope.config.id)) held.add(company);
    }
    return { held: [...held], configured: [...configured] };
  }

  /** True when a delivery for `companyId` is this process's to act on: it holds a tenant of that company, or none has one. */
  private ownsCompany(companyId: string): boolean {
    const scopes = [...this.tenants.values()].filter((scope) => scope.config.hubCompanyId === companyId);
    return scopes.length === 0 ? this.active : scopes.some((scope) => this.holds(scope.config.id));
  }

  /**
   * A lease came to this process: the tenant's scope is built anew under it (its lane gated by the lease, its rate
   * budget seeded with the calls the previous holder made in the window), its crash recovery runs, then its
   * schedules. What a previous holder left `exporting` is sent again only once every call it may still have had in
   * flight has ended (its lease's expiry plus the tenant's call timeout), and then only through the connector's
   * idempotency key or lookup; new work goes on meanwhile.
   */
  private activateTenant(lease: TenantLease, grant: LeaseGrant, scheduler: Scheduler): void {
    const id = lease.tenant;
    const config = this.config.tenants.find((tenant) => tenant.id === id);
    const root = this.#root;
    const store = this.#store;
    if (config === undefined || root === undefined || store === undefined) return;
    this.#recovery.set(id, 'recovering');
    this.events.emit('leaseTaken', { tenant: id, epoch: lease.epoch, holder: this.holder });
    const callTimeoutMs = config.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const resendAfterMs = grant.previous === undefined ? 0 : Math.max(0, callTimeoutMs - grant.previous.expiredMsAgo);
    // Built first (its scope, its switch read from the store), then recovered in the background: `start` waits for the
    // builds of its first claims, so the tenant's scope is the lease holder's when it returns.
    const build = (async () => {
      const standby = this.tenants.get(id);
      const windowMs = standby?.runtime.rateLimit.intervalMs ?? 60_000;
      const recentCallAgesMs = await store.leases.recentCalls(id, windowMs).catch(() => [] as number[]);
      // The newest rotated credentials, whichever replica rotated them: the scope's client starts from them.
      await store.credentials(id).load();
      if (!lease.valid || this.#stopping !== undefined) return undefined;
      const scope = createTenantScope(root, config, this.options.loaded, { lease, recentCallAgesMs });
      await scope.exporter.refreshExportsSwitch();
      this.tenants.set(id, scope);
      if (standby !== undefined && standby.lease === undefined) void standby.runtime.close();
      // A connector that hosts a listener (QuickBooks Desktop's Web Connector service) serves from the holder only.
      void scope.runtime.start().catch((error: unknown) => scope.logger.warn({ err: error }, "starting what the connector hosts failed; it starts on the connector's first use"));
      return scope;
    })();
    this.#builds.add(build);
    void build.finally(() => this.#builds.delete(build)).catch(() => undefined);
    const recovery = build
      .then((scope) => (scope === undefined ? undefined : this.recoverTenant(scope, scheduler, resendAfterMs)))
      .catch((error: unknown) => this.logger.error({ err: error, tenant: id }, 'starting a tenant under its new lease failed; the lease runs out and is claimed again'));
    this.#recoveries.add(recovery);
    void recovery.finally(() => this.#recoveries.delete(recovery));
  }

  /**
   * The lease is gone (lost: `graceMs` 0) or being given back: the tenant's schedules stop, its queued calls are
   * cancelled unsent, calls in flight end (or, past the grace, are left `exporting` for the next holder), and a
   * standby scope takes its place for the API.
   */
  private async deactivateTenant(id: string, graceMs: number, reason: string): Promise<void> {
    const scope = this.tenants.get(id);
    const root = this.#root;
    if (scope?.lease === undefined || root === undefined) return;
    this.#scheduler?.stopTenant(id);
    this.#recovery.set(id, graceMs === 0 ? 'standby' : 'handing over');
    if (graceMs === 0) this.events.emit('leaseLost', { tenant: id, holder: this.holder, reason });
    await scope.exporter.stop(graceMs);
    await scope.importer.stop();
    await scope.runtime.close();
    // A token rotated by its last calls is in the store before the lease is given back: the next holder reads it.
    await this.#store?.credentials(id).flushed();
    if (this.tenants.get(id) === scope) this.tenants.set(id, createTenantScope(root, scope.config, this.options.loaded));
  }

  /** One tenant's crash recovery, tried again on the recovery schedule until it succeeds; then its schedules. */
  private async recoverTenant(scope: TenantScope, scheduler: Scheduler, resendAfterMs: number): Promise<void> {
    const id = scope.config.id;
    const started = Date.now();
    this.#recovery.set(id, 'recovering');
    const over = () => this.#stopping !== undefined || (scope.lease !== undefined && !scope.lease.valid);
    for (;;) {
      if (over()) return;
      try {
        const { settled, resent, heldBackMs } = await scope.exporter.recover({ resendAfterMs });
        if (over()) return;
        this.#recovery.set(id, 'running');
        scope.logger.info({ settled, resent, heldBackMs, ms: Date.now() - started }, 'recovery done');
        scheduler.startTenant(scope);
        if (heldBackMs > 0) this.settleLater(scope, heldBackMs);
        return;
      } catch (error) {
        this.#recovery.set(id, `recovering (last try failed: ${describe(error)})`);
        scope.logger.warn({ err: error }, 'recovery failed; it is tried again on the recovery schedule');
        await this.pause(this.config.runner.recoveryMs);
      }
    }
  }

  /** What a previous holder left in flight, settled once none of its calls can still be on the wire. */
  private settleLater(scope: TenantScope, afterMs: number): void {
    const timer = setTimeout(() => {
      if (this.#stopping !== undefined || scope.lease?.valid !== true) return;
      this.track(scope.exporter.recover().then(() => undefined, (error: unknown) => scope.logger.warn({ err: error }, 'settling what the previous holder left in flight failed; the recovery schedule tries again')));
    }, afterMs + 50);
    timer.unref();
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
      health[id] = { state: this.holds(id) ? (this.#recovery.get(id) ?? 'recovering') : 'standby', erp: this.#erpHealth.get(id) ?? 'ok' };
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
    const builtIns = await loadBuiltInConnectors(this.options.builtIns === 'configured' ? connectorIdsOf(loaded.config) : undefined);
    const registry = new ConnectorRegistry([...builtIns, ...(this.options.extraConnectors ?? []), ...plugins]);
    this.#registry = registry;

    const hubConfig = loaded.config.hub;
    const hubConnector = hubConfig === undefined ? undefined : registry.hub(hubConfig.connector);
    this.#store = this.options.ledger ?? (await openStore(loaded, clock, logger));
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
      const dispatcher = new HubRequestDispatcher(this.#hub, store.requests, store.ledger, this.tenants, logger, (tenant) => tenant === undefined || this.holds(tenant));
      this.#dispatcher = dispatcher;
      // Every ERP answer may settle a request waiting on its item: its close-out goes out at once.
      this.events.on('attempt', ({ tenant, itemId, item }) => {
        if (this.holds(tenant)) this.track(dispatcher.settleItem(itemId, item).catch((error: unknown) => this.logger.warn({ err: error, itemId }, 'closing out after an attempt failed; the pass retries')));
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
    // All of the delivery's rows in one go: they join the turn's group commit (one transaction with the other
    // deliveries and writes of the moment), and the answer waits only for that commit.
    const recorded = await Promise.all(events.map((event) => this.inbox.record(event)));
    let duplicates = 0;
    events.forEach((event, index) => {
      if (recorded[index]?.fresh !== true) {
        duplicates += 1;
        return;
      }
      // A tenant held by another replica: its holder's sweep takes the row; not queued here only to be skipped.
      if (this.#started && !this.ownsCompany(event.companyId)) return;
      // After the answer, a few at a time: the route's only work is the inbox row.
      if (!this.#eventsInHand.has(event.eventId)) this.enqueueEvent(event);
    });
    return { received: events.length, duplicates };
  }

  /** Queues a delivery to act on; while it is queued or running, neither the sweep nor a repeat queues it again. */
  private enqueueEvent(event: HubEvent): void {
    this.#eventsInHand.add(event.eventId);
    this.track(
      this.intakeOf(event.companyId).run(() => this.processEvent(event)).finally(() => {
        this.#eventsInHand.delete(event.eventId);
      }),
    );
  }

  /** The intake queue of a hub company: its own when a tenant here is connected to it, else the shared one. */
  private intakeOf(companyId: string): WorkQueue {
    const key = [...this.tenants.values()].some((scope) => scope.config.hubCompanyId === companyId) ? companyId : '';
    let queue = this.#intake.get(key);
    if (queue === undefined) {
      queue = new WorkQueue(INTAKE_PER_COMPANY);
      this.#intake.set(key, queue);
    }
    return queue;
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
    // A tenant held by another replica: left in the inbox, where its holder's sweep finds it.
    if (this.#started && !this.ownsCompany(event.companyId)) return;
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
    // Deliveries of the company waiting in the inbox are acted on by the intake: the fallback does not read their
    // requests from the hub again (a runner with a backlog would otherwise read each one once per poll).
    const events = await this.inbox.unprocessed(POLL_INBOX_LOOK, { held: [companyId], configured: this.inboxScope().configured });
    const waiting = new Set(events.filter((event) => event.companyId === companyId && event.resourceName === 'ERP Requests').map((event) => event.resourceId));
    return this.#dispatcher.poll(companyId, waiting);
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
      if (this.#pruner !== undefined) clearInterval(this.#pruner);
      if (this.#inboxSweep !== undefined) clearInterval(this.#inboxSweep);
      this.#markStopped();
      this.#scheduler?.stop();
      await Promise.allSettled([...this.#processing]);
      this.#dispatcher?.stop();
      // Each held tenant stops (calls in flight get the grace) and its lease is given back only then: another
      // replica claims it at once, with nothing of this one's still in flight.
      await this.#keeper?.stop();
      await Promise.allSettled([...this.#recoveries]);
      await Promise.all([...this.tenants.values()].map((scope) => scope.importer.stop()));
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
