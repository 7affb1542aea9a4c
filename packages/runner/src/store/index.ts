/** The runner's state stores. SQLite is the embedded default. */
export { SqliteLedger, openSqliteLedger } from './sqlite-ledger.js';
export type { SqliteLedgerOptions } from './sqlite-ledger.js';
export { LEDGER_MIGRATIONS, SchemaVersionError, applyMigrations, schemaVersion } from './migrations.js';
export type { Migration } from './migrations.js';
export { SqliteEventInbox } from './event-inbox.js';
export type { EventInbox, InboxScope } from './event-inbox.js';
export { SqliteHubRequests, PostgresHubRequests } from './hub-requests.js';
export type { HubRequests, HubRequestRow } from './hub-requests.js';
export { PostgresLedger } from './postgres-ledger.js';
export type { PostgresLedgerOptions } from './postgres-ledger.js';
export { openStore } from './open-store.js';
export type { OpenStore } from './open-store.js';
export { PostgresTenantLeases, SqliteTenantLeases } from './tenant-leases.js';
export type { LeaseGrant, LeaseRow, TenantLeases } from './tenant-leases.js';
export { PostgresCredentialTable, SqliteCredentialTable, StoreCredentials } from './store-credentials.js';
export type { CredentialRow, CredentialTable } from './store-credentials.js';
