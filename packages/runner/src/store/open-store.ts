import { ErrorCodes, LedgerlinkError, type Ledger, type Logger } from '@ledgerlink/core';
import { dirname, join } from 'node:path';
import { importCredentialFiles } from './credential-file.js';
import { SqliteCredentialTable, StoreCredentials, type CredentialTable } from './store-credentials.js';
import type { LoadedConfig } from '../config/load-config.js';
import { SqliteEventInbox, type EventInbox } from './event-inbox.js';
import { SqliteHubRequests, type HubRequests } from './hub-requests.js';
import { openSqliteLedger } from './sqlite-ledger.js';
import { PostgresLedger } from './postgres-ledger.js';
import { PostgresTenantLeases, SqliteTenantLeases, type TenantLeases } from './tenant-leases.js';

export interface OpenStore {
  ledger: Ledger;
  inbox: EventInbox;
  /** The ERP Requests taken on and their close-outs. */
  requests: HubRequests;
  /**
   * Rotated credentials of a tenant or of the hub, in the store's `credentials` table (shared by every replica):
   * one StoreCredentials per scope, loaded at open; `load()` it again before building a scope under a new lease.
   */
  credentials(scope: string): StoreCredentials;
  /** Which replica sends for which tenant (see TenantLeases). */
  leases: TenantLeases;
  /** A query as cheap as one can be (`SELECT 1`): the store answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Each scope's StoreCredentials over `table`, made on first use; every scope with rows is loaded before the runner
 * builds anything. Credentials files an older ledgerlink kept in `fileDir` are imported first (once: they are
 * deleted when imported).
 */
async function credentialStores(table: CredentialTable, fileDir: string | undefined, logger: Logger | undefined): Promise<Map<string, StoreCredentials>> {
  if (fileDir !== undefined) {
    const imported = await importCredentialFiles(fileDir, table);
    if (imported.length > 0) logger?.info({ scopes: imported, dir: fileDir }, `rotated credentials of ${imported.join(', ')} moved from their files into the store`);
  }
  const stores = new Map<string, StoreCredentials>();
  for (const scope of await table.scopes()) {
    const credentials = new StoreCredentials(table, scope, logger);
    await credentials.load();
    stores.set(scope, credentials);
  }
  return stores;
}

/** `credentials(scope)` of an OpenStore: each scope's StoreCredentials, made once. */
function credentialsOf(stores: Map<string, StoreCredentials>, table: CredentialTable, logger: Logger | undefined): (scope: string) => StoreCredentials {
  return (scope) => {
    let found = stores.get(scope);
    if (found === undefined) {
      found = new StoreCredentials(table, scope, logger);
      stores.set(scope, found);
    }
    return found;
  };
}

/** Waits for every scope's pending credential writes: the store is closed only after them. */
async function flushAll(stores: Map<string, StoreCredentials>): Promise<void> {
  await Promise.all([...stores.values()].map((store) => store.flushed()));
}

/**
 * Opens the config's store: SQLite (the embedded default; its path relative to the config file) or PostgreSQL.
 * Rotated credentials come from the store; `logger` hears of refused or failed credential writes (never a value).
 */
export async function openStore(loaded: LoadedConfig, clock: () => Date, logger?: Logger): Promise<OpenStore> {
  const store = loaded.config.store;
  if ('postgres' in store) {
    let ledger: PostgresLedger;
    try {
      ledger = await PostgresLedger.open({
        url: store.postgres.url,
        clock,
        ...(store.postgres.schema === undefined ? {} : { schema: store.postgres.schema }),
        // A group commit holds its tenant's lease row (the fence) until it ends: a replica paused or cut off mid-commit
        // must not keep the next holder from claiming the tenant past the lease.
        idleInTransactionTimeoutMs: loaded.config.runner.leaseTtlMs,
      });
    } catch (error) {
      throw new LedgerlinkError(
        ErrorCodes.CONFIG_INVALID,
        `cannot open the PostgreSQL store (store.postgres.url): ${(error as Error).message}; check the server is up and the URL, user and database are right`,
        { cause: error },
      );
    }
    const table = ledger.credentials();
    let stores: Map<string, StoreCredentials>;
    try {
      stores = await credentialStores(table, loaded.resolvePath(store.postgres.credentialsDir ?? '.ledgerlink/credentials'), logger);
    } catch (error) {
      await ledger.close();
      throw error;
    }
    // Lease queries give up well within a renewal period, so a replica cut off from PostgreSQL notices in time.
    const leases = new PostgresTenantLeases({
      url: store.postgres.url,
      schema: store.postgres.schema ?? 'public',
      queryTimeoutMs: Math.max(500, Math.floor(loaded.config.runner.leaseTtlMs / 3)),
    });
    return {
      ledger,
      inbox: ledger.inbox(),
      requests: ledger.hubRequests(),
      credentials: credentialsOf(stores, table, logger),
      leases,
      ping: () => ledger.ping(),
      close: async () => {
        await flushAll(stores);
        await leases.close();
        await ledger.close();
      },
    };
  }
  const path = store.sqlite.path === ':memory:' ? ':memory:' : loaded.resolvePath(store.sqlite.path);
  const ledger = openSqliteLedger({
    path,
    clock,
    ...(store.sqlite.synchronous === undefined ? {} : { synchronous: store.sqlite.synchronous }),
    ...(store.sqlite.commitIntervalMs === undefined ? {} : { commitIntervalMs: store.sqlite.commitIntervalMs }),
  });
  const inbox = new SqliteEventInbox(ledger.database, clock);
  const requests = new SqliteHubRequests(ledger.database, clock);
  const table = new SqliteCredentialTable(ledger.database, clock);
  let stores: Map<string, StoreCredentials>;
  try {
    stores = await credentialStores(table, path === ':memory:' ? undefined : join(dirname(path), 'credentials'), logger);
  } catch (error) {
    await ledger.close();
    throw error;
  }
  const ping = ledger.database.prepare('SELECT 1');
  return {
    ledger,
    inbox,
    requests,
    credentials: credentialsOf(stores, table, logger),
    leases: new SqliteTenantLeases(ledger.database),
    ping: async () => {
      ping.get();
    },
    close: async () => {
      await flushAll(stores);
      await ledger.close();
    },
  };
}
