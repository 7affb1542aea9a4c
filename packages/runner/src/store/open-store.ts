import { ErrorCodes, LedgerlinkError, type CredentialStore, type Ledger } from '@ledgerlink/core';
import { credentialFileFor, FileCredentialStore } from './credential-file.js';
import type { LoadedConfig } from '../config/load-config.js';
import { SqliteEventInbox, type EventInbox } from './event-inbox.js';
import { SqliteHubRequests, type HubRequests } from './hub-requests.js';
import { openSqliteLedger } from './sqlite-ledger.js';
import { PostgresLedger } from './postgres-ledger.js';
import { join } from 'node:path';
import { PostgresTenantLeases, SqliteTenantLeases, type TenantLeases } from './tenant-leases.js';

export interface OpenStore {
  ledger: Ledger;
  inbox: EventInbox;
  /** The ERP Requests taken on and their close-outs. */
  requests: HubRequests;
  /** Rotated credentials of a tenant or of the hub, kept beside the store (not in it). */
  credentials(scope: string): CredentialStore;
  /** Which replica sends for which tenant (see TenantLeases). */
  leases: TenantLeases;
  close(): Promise<void>;
}

function credentialStores(fileFor: (scope: string) => string | undefined): (scope: string) => CredentialStore {
  const stores = new Map<string, CredentialStore>();
  return (scope) => {
    let found = stores.get(scope);
    if (found === undefined) {
      found = new FileCredentialStore(fileFor(scope));
      stores.set(scope, found);
    }
    return found;
  };
}

/**
 * Opens the config's store: SQLite (the embedded default; its path relative to the config file) or PostgreSQL.
 */
export async function openStore(loaded: LoadedConfig, clock: () => Date): Promise<OpenStore> {
  const store = loaded.config.store;
  if ('postgres' in store) {
    let ledger: PostgresLedger;
    try {
      ledger = await PostgresLedger.open({ url: store.postgres.url, clock, ...(store.postgres.schema === undefined ? {} : { schema: store.postgres.schema }) });
    } catch (error) {
      throw new LedgerlinkError(
        ErrorCodes.CONFIG_INVALID,
        `cannot open the PostgreSQL store (store.postgres.url): ${(error as Error).message}; check the server is up and the URL, user and database are right`,
        { cause: error },
      );
    }
    const dir = loaded.resolvePath(store.postgres.credentialsDir ?? '.ledgerlink/credentials');
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
      credentials: credentialStores((scope) => join(dir, `${scope}.json`)),
      leases,
      close: async () => {
        await leases.close();
        await ledger.close();
      },
    };
  }
  const path = store.sqlite.path === ':memory:' ? ':memory:' : loaded.resolvePath(store.sqlite.path);
  const ledger = openSqliteLedger({ path, clock, ...(store.sqlite.synchronous === undefined ? {} : { synchronous: store.sqlite.synchronous }) });
  const inbox = new SqliteEventInbox(ledger.database, clock);
  const requests = new SqliteHubRequests(ledger.database, clock);
  return { ledger, inbox, requests, credentials: credentialStores((scope) => credentialFileFor(path, scope)), leases: new SqliteTenantLeases(ledger.database), close: () => ledger.close() };
}
