import { ErrorCodes, LedgerlinkError, type Ledger } from '@ledgerlink/core';
import type { LoadedConfig } from '../config/load-config.js';
import { SqliteEventInbox, type EventInbox } from './event-inbox.js';
import { openSqliteLedger } from './sqlite-ledger.js';

export interface OpenStore {
  ledger: Ledger;
  inbox: EventInbox;
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
  return { ledger, inbox, close: () => ledger.close() };
}
