import { ErrorCodes, LedgerlinkError, type CredentialStore, type Ledger } from '@ledgerlink/core';
import { credentialFileFor, FileCredentialStore } from './credential-file.js';
import type { LoadedConfig } from '../config/load-config.js';
import { SqliteEventInbox, type EventInbox } from './event-inbox.js';
import { openSqliteLedger } from './sqlite-ledger.js';

export interface OpenStore {
  ledger: Ledger;
  inbox: EventInbox;
  /** Rotated credentials of a tenant or of the hub, kept beside the store (not in it). */
  credentials(scope: string): CredentialStore;
  close(): Promise<void>;
}

/** Opens the config's store. SQLite is the embedded default; its path is relative to the config file. */
export function openStore(loaded: LoadedConfig, clock: () => Date): OpenStore {
  const store = loaded.config.store;
  if ('postgres' in store) {
    throw new LedgerlinkError(
      ErrorCodes.CONFIG_INVALID,
      'store.postgres is not available in this version of the runner: use store.sqlite (the embedded default)',
    );
  }
  const path = store.sqlite.path === ':memory:' ? ':memory:' : loaded.resolvePath(store.sqlite.path);
  const ledger = openSqliteLedger({ path, clock });
  const inbox = new SqliteEventInbox(ledger.database, clock);
  const stores = new Map<string, CredentialStore>();
  const credentials = (scope: string): CredentialStore => {
    let found = stores.get(scope);
    if (found === undefined) {
      found = new FileCredentialStore(credentialFileFor(path, scope));
      stores.set(scope, found);
    }
    return found;
  };
  return { ledger, inbox, credentials, close: () => ledger.close() };
}
