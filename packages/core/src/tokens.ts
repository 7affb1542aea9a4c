import type { InjectionToken } from './di.js';

/**
 * DI tokens, typed, built on `Symbol.for` so two installed copies of core still agree. The runner's
 * composition root registers a value under each; constructors take them with `@inject(TOKENS.x)`.
 */
export const TOKENS = {
  /** The deployment's validated config. */
  config: Symbol.for('ledgerlink.config') as InjectionToken<unknown>,
  /** The ledger store (SQLite or PostgreSQL). */
  ledger: Symbol.for('ledgerlink.ledger') as InjectionToken<import('./ledger/types.js').Ledger>,
  /** The root logger; each tenant's child container holds a child of it. */
  logger: Symbol.for('ledgerlink.logger') as InjectionToken<import('./logger.js').Logger>,
  /** The clock: `() => Date`. */
  clock: Symbol.for('ledgerlink.clock') as InjectionToken<() => Date>,
  /** The connectors the runner knows, by id. */
  connectors: Symbol.for('ledgerlink.connectors') as InjectionToken<ReadonlyMap<string, import('./connector/define-connector.js').Connector>>,
  /** In a tenant's child container: the tenant id. */
  tenant: Symbol.for('ledgerlink.tenant') as InjectionToken<string>,
  /** In a tenant's child container: the tenant's connector runtime. */
  runtime: Symbol.for('ledgerlink.runtime') as InjectionToken<import('./engine/types.js').ConnectorRuntime>,
} as const;
