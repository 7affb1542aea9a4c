import type { Connector } from './connector/define-connector.js';
import type { InjectionToken } from './di.js';
import type { ConnectorRuntime } from './engine/types.js';
import type { Ledger } from './ledger/types.js';
import type { Logger } from './logger.js';

/**
 * DI tokens, typed, built on `Symbol.for` so two installed copies of core still agree. The runner's
 * composition root registers a value under each; constructors take them with `@inject(TOKENS.x)`.
 */
export const TOKENS = {
  /** The deployment's validated config. */
  config: Symbol.for('ledgerlink.config') as InjectionToken<unknown>,
  /** The ledger store (SQLite or PostgreSQL). */
  ledger: Symbol.for('ledgerlink.ledger') as InjectionToken<Ledger>,
  /** The root logger; each tenant's child container holds a child of it. */
  logger: Symbol.for('ledgerlink.logger') as InjectionToken<Logger>,
  /** The clock: `() => Date`. */
  clock: Symbol.for('ledgerlink.clock') as InjectionToken<() => Date>,
  /** The connectors the runner knows, by id. */
  connectors: Symbol.for('ledgerlink.connectors') as InjectionToken<ReadonlyMap<string, Connector>>,
  /** In a tenant's child container: the tenant id. */
  tenant: Symbol.for('ledgerlink.tenant') as InjectionToken<string>,
  /** In a tenant's child container: the tenant's connector runtime. */
  runtime: Symbol.for('ledgerlink.runtime') as InjectionToken<ConnectorRuntime>,
} as const;
