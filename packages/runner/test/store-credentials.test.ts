import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import type { Logger } from '@ledgerlink/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../src/config/load-config.js';
import { openStore, type OpenStore } from '../src/store/open-store.js';
import { eventually, runnerFor, tempDir, untilState, qboSandboxConnection } from './support/runner-harness.js';
import { dropSchema } from './support/postgres.js';

/**
 * Issue 12 item 1: rotated credentials (single-use OAuth refresh tokens) live in the store, shared by the replicas,
 * written compare-and-swap on their version: a write based on a value another replica has replaced since is refused
 * and the writer reloads; credential files of an older ledgerlink are imported once; and a replica that takes a
 * tenant over starts from the token the previous holder rotated, never from a spent one. On SQLite and PostgreSQL.
 */
const url = process.env.LEDGERLINK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];

/** A schema of this branch's own, dropped after the file. */
function schemaName(): string {
  const schema = `ll_h12_state_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema, url);
});

/** A logger that keeps every line (fields and message) as JSON text. */
function recordingLogger(): Logger & { text(): string } {
  const lines: string[] = [];
  const log = (level: string) => (fields: unknown, message?: string) => void lines.push(JSON.stringify({ level, fields, message }));
  const logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    fatal: log('fatal'),
    child: () => logger,
    text: () => lines.join('\n'),
  };
  return logger as unknown as Logger & { text(): string };
}

type Kind = 'sqlite' | 'postgres';

/** The store section of a config, and a LoadedConfig around it (openStore reads only these). */
function loadedFor(kind: Kind, dir: string, schema: string): LoadedConfig {
  const store = kind === 'sqlite' ? { sqlite: { path: 'ledger.db' } } : { postgres: { url, schema } };
  return { config: { store, runner: { leaseTtlMs: 15_000 } }, resolvePath: (path: string) => resolve(dir, path) } as unknown as LoadedConfig;
}

describe.each<Kind>(['sqlite', 'postgres'])('rotated credentials in the %s store', (kind) => {
  it('a write based on a value another replica replaced since is refused, logged without the value, and the writer reloads', async () => {
    const { dir, cleanup } = tempDir('ll-cred-');
    const schema = schemaName();
    const logger = recordingLogger();
    // Two replicas: two opens of one store (one file, one schema).
    const a = await openStore(loadedFor(kind, dir, schema), () => new Date(), logger);
    const b = await openStore(loadedFor(kind, dir, schema), () => new Date(), logger);
    try {
      const mineA = a.credentials('acme');
      const mineB = b.credentials('acme');
      mineA.set('refreshToken:k', 'secret-rotated-by-a-1');
      await mineA.flushed();
      await mineB.load();
      expect(mineB.get('refreshToken:k')).toBe('secret-rotated-by-a-1');
      // A rotates again; B still holds the first value and writes what it derived from it.
      mineA.set('refreshToken:k', 'secret-rotated-by-a-2');
      await mineA.flushed();
      mineB.set('refreshToken:k', 'secret-stale-b');
      expect(mineB.get('refreshToken:k')).toBe('secret-stale-b');
      await mineB.flushed();
      // Refused: the store keeps A's newer value, and B's copy is reloaded from it.
      expect(mineB.get('refreshToken:k')).toBe('secret-rotated-by-a-2');
      const fresh = await openStore(loadedFor(kind, dir, schema), () => new Date());
      expect(fresh.credentials('acme').get('refreshToken:k')).toBe('secret-rotated-by-a-2');
      await fresh.close();
      expect(logger.text()).toContain('another replica rotated it since this one read it');
      expect(logger.text()).not.toMatch(/secret-/);
      // B, now based on the store's version, writes again normally; A's next write is the stale one.
      mineB.set('refreshToken:k', 'secret-rotated-by-b-3');
      await mineB.flushed();
      mineA.set('refreshToken:k', 'secret-stale-a');
      await mineA.flushed();
      expect(mineA.get('refreshToken:k')).toBe('secret-rotated-by-b-3');
      // A first write of a new name creates it; a second replica's first write of the same name is refused.
      mineA.set('other', 'secret-x');
      mineB.set('other', 'secret-y');
      await Promise.all([mineA.flushed(), mineB.flushed()]);
      expect(mineA.get('other')).toBe(mineB.get('other'));
    } finally {
      await a.close();
      await b.close();
      cleanup();
    }
  });

  it('an upgrade imports the credential files once (newest wins), deletes them, and writes no file after', async () => {
    const { dir, cleanup } = tempDir('ll-cred-');
    const schema = schemaName();
    const files = kind === 'sqlite' ? join(dir, 'credentials') : join(dir, '.ledgerlink', 'credentials');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'acme.json'), JSON.stringify({ 'refreshToken:k': 'rotated-in-file' }), { mode: 0o600 });
    writeFileSync(join(files, 'hub.json'), JSON.stringify({ 'refreshToken:h': 'hub-in-file' }), { mode: 0o600 });
    let store: OpenStore = await openStore(loadedFor(kind, dir, schema), () => new Date());
    try {
      expect(store.credentials('acme').get('refreshToken:k')).toBe('rotated-in-file');
      expect(store.credentials('hub').get('refreshToken:h')).toBe('hub-in-file');
      expect(existsSync(join(files, 'acme.json'))).toBe(false);
      expect(existsSync(join(files, 'hub.json'))).toBe(false);
      // Rotated after the upgrade: in the store, in no file.
      store.credentials('acme').set('refreshToken:k', 'rotated-in-store');
      await store.credentials('acme').flushed();
      expect(existsSync(join(files, 'acme.json'))).toBe(false);
      await store.close();
      // A file older than the store's value (another machine's, left from before the upgrade) does not win.
      writeFileSync(join(files, 'acme.json'), JSON.stringify({ 'refreshToken:k': 'older-file' }), { mode: 0o600 });
      const past = new Date(Date.now() - 3_600_000);
      utimesSync(join(files, 'acme.json'), past, past);
      store = await openStore(loadedFor(kind, dir, schema), () => new Date());
      expect(store.credentials('acme').get('refreshToken:k')).toBe('rotated-in-store');
      expect(existsSync(join(files, 'acme.json'))).toBe(false);
    } finally {
      await store.close();
      cleanup();
    }
  });
});

describe('two replicas on PostgreSQL never use one single-use refresh token twice', () => {
  let qbo: QboSandbox;
  beforeAll(async () => {
    qbo = await startQboSandbox({ singleUseRefreshTokens: true });
  });
  afterAll(async () => {
    await qbo.close();
  });

  it('the replica that takes the tenant over starts from the token the previous holder rotated', async () => {
    const schema = schemaName();
    qbo.seed({ vendors: [{ id: '901', name: 'Vendor R' }], bankAccounts: [{ id: '91' }], bills: [{ id: '9901', vendorId: '901', number: 'INV-1', amountCents: 100_00 }, { id: '9902', vendorId: '901', number: 'INV-2', amountCents: 200_00 }] });
    const config = {
      store: { postgres: { url: '${env:PG_URL}', schema } },
      tenants: [
        {
          id: 'acme',
          erp: 'qbo',
          connection: qboSandboxConnection(qbo.url, QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH),
        },
      ],
      runner: { settleMs: 50, leaseTtlMs: 3000, shutdownGraceMs: 2000 },
    };
    const env = { PG_URL: url, QBO_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH: QBO_SANDBOX_APP.refreshToken };
    // Two machines: each its own config directory (where the credential files used to be).
    const dirA = tempDir('ll-cred-a-');
    const dirB = tempDir('ll-cred-b-');
    const a = runnerFor(dirA.dir, config, env);
    const b = runnerFor(dirB.dir, config, env);
    const payment = (n: number) => ({
      id: `pay-${n}`,
      status: 'funding_complete',
      amountCents: n * 100_00,
      method: 'check',
      fundedOn: '2026-12-01',
      bankId: '91',
      checkNumber: `7000${n}`,
      vendor: { id: 'v', name: 'Vendor R', erpId: '901' },
      invoice: { id: `i${n}`, number: `INV-${n}`, amountCents: n * 100_00, erpId: `990${n}` },
      project: { id: 'p', number: 'P-1' },
    });
    try {
      await a.runner.start();
      await eventually('A to hold acme', () => (a.runner.holds('acme') ? true : undefined));
      await b.runner.start();
      expect(b.runner.heldTenants()).toEqual([]);
      const first = await a.runner.tenant('acme').exporter.intake(payment(1));
      await untilState(a.runner, first.kind === 'ignored' ? '' : first.item.id, 'synced', 30_000);
      expect(qbo.tokenRequests()).toBe(1);
      // A stops and gives the lease back; B takes the tenant over.
      await a.runner.stop();
      await eventually('B to hold acme', () => (b.runner.holds('acme') ? true : undefined), 30_000);
      await eventually('B to run acme', () => (b.runner.tenantHealth().acme?.state === 'running' ? true : undefined), 30_000);
      const second = await b.runner.tenant('acme').exporter.intake(payment(2));
      await untilState(b.runner, second.kind === 'ignored' ? '' : second.item.id, 'synced', 30_000);
      // B refreshed with the token A rotated (the configured one is spent): no refresh was refused.
      expect(qbo.tokenRequests()).toBe(2);
      expect(qbo.refusedRefreshes()).toBe(0);
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      const { rows } = await client.query<{ value: string; version: string }>("SELECT value, version FROM credentials WHERE scope = 'acme'");
      await client.end();
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]?.version)).toBe(2);
      // The rotated values are in the store only: in neither replica's log.
      for (const row of rows) {
        expect(a.log.text).not.toContain(row.value);
        expect(b.log.text).not.toContain(row.value);
      }
    } finally {
      await a.runner.stop();
      await b.runner.stop();
      dirA.cleanup();
      dirB.cleanup();
    }
  }, 120_000);
});
