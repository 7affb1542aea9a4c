import type { CredentialStore, HttpClient, InjectionToken } from '@ledgerlink/core';
import type { DeploymentConfig, TenantConfig } from './config/schema.js';
import type { HubSlot } from './hub/hub-runtime.js';
import type { ConnectorRegistry } from './plugins/connector-registry.js';
import type { EventInbox } from './store/event-inbox.js';
import type { RunnerEvents } from './events.js';
import type { LedgerHooks } from './flows/ledger-hooks.js';

/**
 * The runner's own DI tokens, beside core's TOKENS (config, ledger, logger, clock, connectors, tenant, runtime).
 * Typed, and built on Symbol.for like core's, so two copies of the runner module still agree.
 */
export const RUNNER_TOKENS = {
  /** The validated deployment config (core's TOKENS.config, typed). */
  deployment: Symbol.for('ledgerlink.runner.deployment') as InjectionToken<DeploymentConfig>,
  /** Every connector the runner knows (built in and plugins). */
  registry: Symbol.for('ledgerlink.runner.registry') as InjectionToken<ConnectorRegistry>,
  /** The hub's runtime in a slot (tsyringe cannot hold a null value): `runtime` is null without a hub. */
  hub: Symbol.for('ledgerlink.runner.hub') as InjectionToken<HubSlot>,
  /** The hub webhook events inbox. */
  inbox: Symbol.for('ledgerlink.runner.inbox') as InjectionToken<EventInbox>,
  /** The outbound HTTP transport lanes sit on (fetch by default). */
  httpTransport: Symbol.for('ledgerlink.runner.httpTransport') as InjectionToken<HttpClient>,
  /** What the runner reports as it works (attempts, exports, hub calls): metrics listen. */
  events: Symbol.for('ledgerlink.runner.events') as InjectionToken<RunnerEvents>,
  /** Rotated credentials (refresh tokens) per tenant or `hub`, in the store (StoreCredentials). */
  credentials: Symbol.for('ledgerlink.runner.credentials') as InjectionToken<(scope: string) => CredentialStore>,
  /** In a tenant's child container: the tenant's config block. */
  tenantConfig: Symbol.for('ledgerlink.runner.tenantConfig') as InjectionToken<TenantConfig>,
  /** In a tenant's child container: the ledger hooks its runtime writes through. */
  ledgerHooks: Symbol.for('ledgerlink.runner.ledgerHooks') as InjectionToken<LedgerHooks>,
} as const;
