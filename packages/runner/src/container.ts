import 'reflect-metadata';
import {
  createConnectorRuntime,
  createFetchHttpClient,
  loadMappingFile,
  TOKENS,
  type ConnectorRuntime,
  type CredentialStore,
  type HttpClient,
  type Ledger,
  type Logger,
} from '@ledgerlink/core';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import type { LoadedConfig } from './config/load-config.js';
import type { DeploymentConfig, TenantConfig } from './config/schema.js';
import type { RunnerEvents } from './events.js';
import { LedgerHooks } from './flows/ledger-hooks.js';
import { TenantExporter } from './flows/tenant-exporter.js';
import { TenantImporter } from './flows/tenant-importer.js';
import type { HubRuntime } from './hub/hub-runtime.js';
import type { ConnectorRegistry } from './plugins/connector-registry.js';
import type { EventInbox } from './store/event-inbox.js';
import { FileCredentialStore } from './store/credential-file.js';
import { RUNNER_TOKENS } from './tokens.js';
import type { TenantLease } from './replicas/tenant-lease.js';

/** What the composition root is built from: made once at start, each checked before anything runs. */
export interface RootDependencies {
  loaded: LoadedConfig;
  registry: ConnectorRegistry;
  ledger: Ledger;
  inbox: EventInbox;
  logger: Logger;
  clock: () => Date;
  hub: HubRuntime | null;
  /**
   * The outbound transport under every lane (default: fetch), one for all tenants: each tenant's lane gives it
   * the tenant's `timeoutMs` with every request that names none, so one shared transport still times each
   * tenant out on its own setting.
   */
  transport?: HttpClient;
  events: RunnerEvents;
  /** Rotated credentials per tenant (or `hub`), in the store. */
  credentials?: (scope: string) => CredentialStore;
}

/** The root container: one per runner. Tenants get child containers of it (`createTenantScope`). */
export function createRootContainer(deps: RootDependencies): DependencyContainer {
  const root = globalContainer.createChildContainer();
  root.register(TOKENS.config, { useValue: deps.loaded.config });
  root.register(RUNNER_TOKENS.deployment, { useValue: deps.loaded.config });
  root.register(TOKENS.ledger, { useValue: deps.ledger });
  root.register(TOKENS.logger, { useValue: deps.logger });
  root.register(TOKENS.clock, { useValue: deps.clock });
  root.register(TOKENS.connectors, { useValue: deps.registry.erpMap() });
  root.register(RUNNER_TOKENS.registry, { useValue: deps.registry });
  root.register(RUNNER_TOKENS.inbox, { useValue: deps.inbox });
  root.register(RUNNER_TOKENS.events, { useValue: deps.events });
  root.register(RUNNER_TOKENS.credentials, { useValue: deps.credentials ?? (() => new FileCredentialStore(undefined)) });
  root.register(RUNNER_TOKENS.hub, { useValue: { runtime: deps.hub } });
  root.register(RUNNER_TOKENS.httpTransport, { useValue: deps.transport ?? createFetchHttpClient() });
  return root;
}

/** One tenant, wired: its child container, its connector runtime behind its lane, and its two flows. */
export interface TenantScope {
  readonly config: TenantConfig;
  readonly container: DependencyContainer;
  readonly runtime: ConnectorRuntime;
  readonly exporter: TenantExporter;
  readonly importer: TenantImporter;
  readonly logger: Logger;
  /** The lease it sends under; absent on a replica that does not hold the tenant (or in a one-off command). */
  readonly lease?: TenantLease;
}

/**
 * Builds a tenant's child container: its id, config block and logger child (`tenant`, `connector`,
 * `connectorVersion`), the ledger hooks, and the connector runtime made from the tenant's connection settings,
 * lookups, mapping override and rate limit. Throws a coded error naming the tenant for anything invalid.
 */
/** The lease a tenant's scope sends under (a running replica's), absent for the CLI's one-off commands. */
export interface TenantScopeLease {
  lease: TenantLease;
  /** Ages (ms) of the tenant's recent ERP calls, made under earlier leases: they count against its rate limit. */
  recentCallAgesMs?: readonly number[];
}

export function createTenantScope(root: DependencyContainer, tenant: TenantConfig, loaded: LoadedConfig, held?: TenantScopeLease): TenantScope {
  const registry = root.resolve(RUNNER_TOKENS.registry as symbol) as ConnectorRegistry;
  const rootLogger = root.resolve(TOKENS.logger as symbol) as Logger;
  const ledger = root.resolve(TOKENS.ledger as symbol) as Ledger;
  const clock = root.resolve(TOKENS.clock as symbol) as () => Date;
  const transport = root.resolve(RUNNER_TOKENS.httpTransport as symbol) as HttpClient;
  const connector = registry.erp(tenant.erp);
  const { id, version } = connector.manifest;
  const credentials = root.resolve(RUNNER_TOKENS.credentials as symbol) as (scope: string) => CredentialStore;

  const child = root.createChildContainer();
  const logger = rootLogger.child({ tenant: tenant.id, connector: id, connectorVersion: version });
  const events = root.resolve(RUNNER_TOKENS.events as symbol) as RunnerEvents;
  const hooks = new LedgerHooks(ledger, undefined, { events, tenant: tenant.id, connector: id }, held?.lease.fence);
  const runtime = createConnectorRuntime(connector, {
    tenant: tenant.id,
    config: tenant.connection,
    lookups: tenant.lookups,
    ...(tenant.mappingOverride === undefined ? {} : { mappingOverride: loadMappingFile(loaded.resolvePath(tenant.mappingOverride), { override: true }) }),
    ...(tenant.rateLimit === undefined ? {} : { rateLimit: tenant.rateLimit }),
    ...(tenant.retry === undefined ? {} : { retry: tenant.retry }),
    ...(tenant.timeoutMs === undefined ? {} : { timeoutMs: tenant.timeoutMs }),
    logger: rootLogger.child({ connectorVersion: version }),
    hooks,
    now: clock,
    transport,
    credentials: credentials(tenant.id),
    // Fencing: every ERP call asks the lease first, right before it goes out.
    ...(held === undefined ? {} : { gate: () => held.lease.admit() }),
    ...(held?.recentCallAgesMs === undefined ? {} : { recentCallAgesMs: held.recentCallAgesMs }),
  });
  child.register(TOKENS.tenant, { useValue: tenant.id });
  child.register(RUNNER_TOKENS.tenantConfig, { useValue: tenant });
  child.register(TOKENS.logger, { useValue: logger });
  child.register(RUNNER_TOKENS.ledgerHooks, { useValue: hooks });
  child.register(TOKENS.runtime, { useValue: runtime });
  child.registerSingleton(TenantExporter);
  child.registerSingleton(TenantImporter);
  return {
    config: tenant,
    container: child,
    runtime,
    exporter: child.resolve(TenantExporter),
    importer: child.resolve(TenantImporter),
    logger,
    ...(held === undefined ? {} : { lease: held.lease }),
  };
}

/** The deployment config as the root container holds it. */
export function deploymentOf(root: DependencyContainer): DeploymentConfig {
  return root.resolve(RUNNER_TOKENS.deployment as symbol) as DeploymentConfig;
}
