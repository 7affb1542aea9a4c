import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres-migrations.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';
import { LEDGER_MIGRATIONS, applyMigrations, openSqliteLedger, PostgresLedger, SqliteEventInbox, SqliteHubRequests, type EventInbox, type HubRequests } from '../src/store/index.js';

/**
 * The hub tables of both stores: the inbox keyed by `ulid` with the delivery's resource, and `hub_requests`, the
 * durable record that lets a close-out survive a crash and be sent again when the hub did not take it.
 */

const url = POSTGRES_URL;
const dirs: string[] = [];
const schemas: string[] = [];

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
});

const event = (ulid: string) => ({
  eventId: ulid,
  companyId: '4264',
  resourceName: 'ERP Requests',
  eventType: 'create',
  resourceId: '91001',
  occurredAt: '2026-12-01T10:00:00.000Z',
});

async function exercise(inbox: EventInbox, requests: HubRequests): Promise<void> {
  const delivery = event('01JABCDEFGHJKMNPQRSTVWXYZ0');
  expect(await inbox.record(delivery)).toEqual({ fresh: true });
  expect(await inbox.record(delivery)).toEqual({ fresh: false });
  expect(await inbox.unprocessed()).toEqual([delivery]);
  await inbox.markProcessed(delivery.eventId);
  expect(await inbox.unprocessed()).toEqual([]);

  const taken = await requests.take({ companyId: '4264', requestId: '91001', requestName: 'create_contract_payment', detailId: '5001', tenant: 'acme' });
  expect(taken.fresh).toBe(true);
  expect((await requests.take({ companyId: '4264', requestId: '91001', requestName: 'create_contract_payment' })).fresh).toBe(false);
  // Taken but not linked nor decided: nothing for the close-out pass yet.
  expect(await requests.unfinished()).toEqual([]);

  await requests.linkItem('4264', '91001', 'item-1');
  expect((await requests.openForItem('item-1')).map((row) => row.requestId)).toEqual(['91001']);
  expect((await requests.unfinished()).map((row) => row.requestId)).toEqual(['91001']);

  // Decided, the hub not told (a crash, a failed call): still unfinished, with the decision kept.
  await requests.decide('4264', '91001', { status: 'failed', messages: ['QuickBooks Online said (6140): Duplicate Document Number Error', 'Change Check Number'] });
  const decided = await requests.get('4264', '91001');
  expect(decided?.closeOut).toEqual({ status: 'failed', messages: ['QuickBooks Online said (6140): Duplicate Document Number Error', 'Change Check Number'] });
  expect(decided?.closeOutSentAt).toBeUndefined();
  expect(await requests.openForItem('item-1')).toEqual([]);
  expect((await requests.unfinished()).map((row) => row.requestId)).toEqual(['91001']);

  // A mark for another status (a decision replaced meanwhile) does not count as sent.
  await requests.markSent('4264', '91001', 'success');
  expect((await requests.get('4264', '91001'))?.closeOutSentAt).toBeUndefined();
  await requests.markSent('4264', '91001', 'failed');
  expect((await requests.get('4264', '91001'))?.closeOutSentAt).toBeDefined();
  expect(await requests.unfinished()).toEqual([]);

  // A close-out that follows from the item, recorded only once the hub took it: status, messages and time in one write.
  await requests.take({ companyId: '4264', requestId: '91002', requestName: 'create_contract_payment', detailId: '5002', tenant: 'acme' });
  await requests.linkItem('4264', '91002', 'item-2');
  await requests.recordSent('4264', '91002', { status: 'in_progress', messages: ['waiting: the invoice is not in QuickBooks Online yet'] });
  const noted = await requests.get('4264', '91002');
  expect(noted?.closeOut).toEqual({ status: 'in_progress', messages: ['waiting: the invoice is not in QuickBooks Online yet'] });
  expect(noted?.closeOutSentAt).toBeDefined();
  // Still open with its item: the pass settles it when the item moves on.
  expect((await requests.openForItem('item-2')).map((row) => row.requestId)).toEqual(['91002']);
  await requests.recordSent('4264', '91002', { status: 'success', messages: [] });
  expect((await requests.get('4264', '91002'))?.closeOut).toEqual({ status: 'success', messages: [] });
  // A late in_progress note (sent before the success, recorded after it) does not reopen the request.
  await requests.recordSent('4264', '91002', { status: 'in_progress', messages: ['late'] });
  expect((await requests.get('4264', '91002'))?.closeOut).toEqual({ status: 'success', messages: [] });
  expect(await requests.openForItem('item-2')).toEqual([]);
  expect(await requests.unfinished()).toEqual([]);
}

/**
 * One replica's sweep reads the deliveries of the companies it holds a tenant of, and of companies no tenant is
 * connected to: a backlog of 600 deliveries for a company another replica holds, all older, does not hide its own.
 */
/** A clock that moves a millisecond at each reading: deliveries recorded one after another are in that order. */
function steppingClock(): () => Date {
  let at = Date.parse('2026-12-01T10:00:00.000Z');
  return () => new Date((at += 1));
}

async function scopedSweep(inbox: EventInbox): Promise<void> {
  const at = (n: number) => ({ ...event(`01SCOPED${String(n).padStart(18, '0')}`), companyId: '7001', resourceId: String(n) });
  await Promise.all(Array.from({ length: 600 }, (_, n) => inbox.record(at(n))));
  const own = { ...event('01SCOPEDOWN000000000000000'), companyId: '7002' };
  const unknown = { ...event('01SCOPEDUNKNOWN00000000000'), companyId: '7999' };
  await inbox.record(own);
  await inbox.record(unknown);
  expect((await inbox.unprocessed(500)).map((row) => row.companyId)).not.toContain('7002');
  const mine = await inbox.unprocessed(500, { held: ['7002'], configured: ['7001', '7002'] });
  expect(mine.map((row) => row.eventId)).toEqual([own.eventId, unknown.eventId]);
  const theirs = await inbox.unprocessed(500, { held: ['7001'], configured: ['7001', '7002'] });
  expect(theirs).toHaveLength(500);
  expect(theirs.every((row) => row.companyId === '7001')).toBe(true);
  expect(await inbox.unprocessed(500, { held: [], configured: ['7001', '7002', '7999'] })).toEqual([]);
}

describe('hub tables', () => {
  it('SQLite: a replica sweeps the deliveries of its own companies, whatever backlog another holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-hub-'));
    dirs.push(dir);
    const ledger = openSqliteLedger({ path: join(dir, 'ledger.db') });
    try {
      await scopedSweep(new SqliteEventInbox(ledger.database, steppingClock()));
    } finally {
      await ledger.close();
    }
  });

  it('PostgreSQL: a replica sweeps the deliveries of its own companies, whatever backlog another holds', async () => {
    const schema = `ll_hub_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const ledger = await PostgresLedger.open({ url, schema, clock: steppingClock() });
    try {
      await scopedSweep(ledger.inbox());
    } finally {
      await ledger.close();
    }
  });

  it('SQLite: inbox and hub_requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-hub-tables-'));
    dirs.push(dir);
    const ledger = openSqliteLedger({ path: join(dir, 'ledger.db') });
    try {
      await exercise(new SqliteEventInbox(ledger.database), new SqliteHubRequests(ledger.database));
    } finally {
      ledger.close();
    }
  });

  it('SQLite: a version 4 inbox migrates (type -> resource_name); its disbursements-era events are settled, not acted on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-hub-tables-'));
    dirs.push(dir);
    const db = new BetterSqlite3(join(dir, 'ledger.db'));
    try {
      applyMigrations(db, { migrations: LEDGER_MIGRATIONS.slice(0, 4) });
      db.prepare("INSERT INTO hub_events (event_id, company_id, type, resource_id, occurred_at, received_at) VALUES ('e1', '4264', 'payment.funding_complete', '8101', 'x', 'y')").run();
      expect(applyMigrations(db)).toEqual(LEDGER_MIGRATIONS.slice(4).map((m) => m.version));
      const row = db.prepare('SELECT resource_name, event_type, processed_at FROM hub_events').get();
      expect(row).toEqual({ resource_name: 'payment.funding_complete', event_type: 'create', processed_at: 'y' });
    } finally {
      db.close();
    }
  });

  it('PostgreSQL: a version 3 inbox migrates (type -> resource_name); its disbursements-era events are settled', async () => {
    const schema = `ll_hub_up_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const migration of POSTGRES_MIGRATIONS.slice(0, 3)) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [migration.version, migration.name, 'then']);
      }
      await client.query("INSERT INTO hub_events (event_id, company_id, type, resource_id, occurred_at, received_at) VALUES ('e1', '4264', 'payment.funding_complete', '8101', 'x', 'y')");
    } finally {
      await client.end();
    }
    const ledger = await PostgresLedger.open({ url, schema });
    try {
      expect(await ledger.inbox().unprocessed()).toEqual([]);
      await exercise(ledger.inbox(), ledger.hubRequests());
    } finally {
      await ledger.close();
    }
  });

  it('PostgreSQL: inbox and hub_requests', async () => {
    const schema = `ll_hub_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const ledger = await PostgresLedger.open({ url, schema });
    try {
      await exercise(ledger.inbox(), ledger.hubRequests());
    } finally {
      await ledger.close();
    }
  });
});
