import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ErrorCodes, Outcomes, type Actor } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEDGER_MIGRATIONS, SchemaVersionError, applyMigrations, openSqliteLedger, type Migration } from '../src/store/index.js';
import { SqliteLedger } from '../src/store/sqlite-ledger.js';

const hub: Actor = { kind: 'hub', id: 'webhook' };
const runner: Actor = { kind: 'system', id: 'runner' };

const payment = (n: number) => ({
  tenant: 'acme',
  entity: 'payment' as const,
  direction: 'export' as const,
  sourceId: `pay-${n}`,
  record: { id: `pay-${n}`, checkNumber: `100${n}`, vendor: { id: 'v1', name: 'Acme Steel' }, invoice: { id: 'i1', number: `INV-${n}` } },
});

let dir: string;
let path: string;
const opened: { close(): unknown }[] = [];

function raw(): BetterSqlite3.Database {
  const db = new BetterSqlite3(path);
  opened.push(db);
  return db;
}

function ledgerAt(options: { clock?: () => Date } = {}) {
  const ledger = openSqliteLedger({ path, ...options });
  opened.push(ledger);
  return ledger;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerlink-sqlite-'));
  path = join(dir, 'ledger.db');
});

afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SQLite ledger store', () => {
  it('runs in WAL mode and keeps records as JSON text', async () => {
    const ledger = ledgerAt();
    await ledger.upsert(payment(1), hub);
    const db = raw();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const row = db.prepare("SELECT json_extract(record, '$.vendor.name') AS vendor, typeof(record) AS type FROM ledger_items").get();
    expect(row).toEqual({ vendor: 'Acme Steel', type: 'text' });
  });

  it('applies its migrations once and records them', async () => {
    const first = ledgerAt({ clock: () => new Date('2025-01-01T00:00:00Z') });
    await first.close();
    ledgerAt({ clock: () => new Date('2026-06-01T00:00:00Z') });
    const rows = raw().prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(
      LEDGER_MIGRATIONS.map((migration) => ({ version: migration.version, name: migration.name, applied_at: '2025-01-01T00:00:00.000Z' })),
    );
  });

  it('applies only the steps a database lacks, each whole or not at all', () => {
    const db = raw();
    const steps: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE one (id INTEGER)' },
      { version: 2, name: 'two', sql: 'CREATE TABLE two (id INTEGER)' },
    ];
    expect(applyMigrations(db, { migrations: steps })).toEqual([1, 2]);
    expect(applyMigrations(db, { migrations: steps })).toEqual([]);
    const broken: Migration = { version: 3, name: 'broken', sql: 'CREATE TABLE three (id INTEGER); CREATE TABLE one (id INTEGER);' };
    expect(() => applyMigrations(db, { migrations: [...steps, broken] })).toThrow(/already exists/);
    const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('one', 'two', 'three')").pluck().all();
    expect(tables()).toEqual(['one', 'two']);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(2);
    const fixed: Migration = { version: 3, name: 'three', sql: 'CREATE TABLE three (id INTEGER)' };
    expect(applyMigrations(db, { migrations: [...steps, fixed] })).toEqual([3]);
    expect(() => applyMigrations(db, { migrations: [steps[1] as Migration] })).toThrow(/expected 1/);
  });

  it('refuses a database written by a newer ledgerlink, with a message that says what to do', async () => {
    await ledgerAt().close();
    const db = raw();
    const newer = LEDGER_MIGRATIONS.length + 1;
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', '2030-01-01T00:00:00Z')").run(newer);
    let refused: unknown;
    try {
      ledgerAt();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SchemaVersionError);
    const message = (refused as Error).message;
    expect(message).toContain(path);
    expect(message).toContain(`schema version ${newer}`);
    expect(message).toContain(`up to ${LEDGER_MIGRATIONS.length}`);
    expect(message).toMatch(/newer ledgerlink/);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(LEDGER_MIGRATIONS.length + 1);
  });

  it('rolls a change back whole when a write inside it fails', async () => {
    const ledger = ledgerAt();
    const { item } = await ledger.upsert(payment(1), hub);
    await ledger.beginAttempt(item.id, runner);
    const before = { item: await ledger.get(item.id), attempts: await ledger.attempts(item.id), audit: await ledger.audit(item.id) };
    // The item row and the attempt row are written before the audit row: fail the audit row.
    raw().exec(
      "CREATE TRIGGER fail_outcome BEFORE INSERT ON ledger_audit WHEN NEW.action = 'outcome' BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END",
    );
    await expect(ledger.completeAttempt(item.id, 1, Outcomes.synced('ERP-1'), runner)).rejects.toThrow(/disk full/);
    expect({ item: await ledger.get(item.id), attempts: await ledger.attempts(item.id), audit: await ledger.audit(item.id) }).toEqual(before);
    raw().exec('DROP TRIGGER fail_outcome');
    expect(await ledger.completeAttempt(item.id, 1, Outcomes.synced('ERP-1'), runner)).toMatchObject({ state: 'synced', targetId: 'ERP-1' });
  });

  it('acts on what another connection committed, not on the item as it last wrote it (RecentItems and data_version)', async () => {
    const a = ledgerAt();
    const b = ledgerAt();
    const { item } = await a.upsert(payment(1), hub);
    const { attempt } = await a.beginAttempt(item.id, runner);
    // a remembers the item exporting with its attempt open; b (another process on the file) closes that attempt.
    await b.completeAttempt(item.id, attempt.number, Outcomes.rejected('the ERP refused it', { httpStatus: 400, message: 'bad' }), runner);
    // a must read what b committed: with the remembered open attempt it would record a second, different outcome.
    await expect(a.completeAttempt(item.id, attempt.number, Outcomes.synced('ERP-1'), runner)).rejects.toThrow(/already closed as "rejected"/);
    expect(await a.get(item.id)).toMatchObject({ state: 'failed' });
    // A change made outside any ledger (an operator's SQL) is seen as well.
    raw().prepare("UPDATE ledger_items SET blocked_reason = 'set by hand' WHERE id = ?").run(item.id);
    expect(await a.get(item.id)).toMatchObject({ blockedReason: 'set by hand' });
    // Its own writes need no read: the item it returns is what the next write plans from.
    const again = await a.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export', freshKey: true }, runner);
    expect(await a.get(item.id)).toEqual(again);
    expect(await b.get(item.id)).toEqual(again);
  });

  it('a read in a transaction of its own (the audit) does not let the next write skip its look at data_version', async () => {
    const a = ledgerAt();
    const b = ledgerAt();
    const { item } = await a.upsert(payment(1), hub);
    await a.audit(item.id);
    // b starts the item's first attempt; a, which remembers the item pending, must see it and number its own 2.
    expect((await b.beginAttempt(item.id, runner)).attempt.number).toBe(1);
    expect((await a.beginAttempt(item.id, runner)).attempt.number).toBe(2);
    expect((await a.attempts(item.id)).map((attempt) => attempt.number)).toEqual([1, 2]);
  });

  it('refuses a second ledger on a connection that has one: its writes would change the first one\'s remembered items unseen', () => {
    const a = ledgerAt();
    expect(() => new SqliteLedger(a.database)).toThrow(/has a ledger already: open another connection/);
  });

  it('two ledgers on one file see each other’s writes', async () => {
    const a = ledgerAt();
    const b = ledgerAt();
    const { item } = await a.upsert(payment(1), hub);
    expect(await b.get(item.id)).toEqual(item);
    expect(await b.upsert(payment(1), hub)).toEqual({ item, created: false });
    const { attempt } = await b.beginAttempt(item.id, runner);
    await a.completeAttempt(item.id, attempt.number, Outcomes.synced('ERP-1'), runner);
    expect(await b.get(item.id)).toMatchObject({ state: 'synced', targetId: 'ERP-1' });
    const relink = b.completeAttempt(item.id, attempt.number, Outcomes.synced('ERP-2'), runner);
    await expect(relink).rejects.toMatchObject({ code: ErrorCodes.LEDGER_LINK_IMMUTABLE });
    await b.setCursor('acme', 'import:payment', 'p-2');
    expect(await a.getCursor('acme', 'import:payment')).toBe('p-2');
    expect((await a.list({ text: 'acme steel' })).items.map((found) => found.id)).toEqual([item.id]);
    expect(await a.audit(item.id)).toEqual(await b.audit(item.id));
  });
});
