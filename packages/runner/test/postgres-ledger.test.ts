import { randomBytes } from 'node:crypto';
import { describeLedgerConformance } from '@ledgerlink/core/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';

/**
 * The ledger suite against a real PostgreSQL server. It needs one: LEDGERLINK_TEST_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test (the development and CI machines run one with trust auth). Without it these
 * tests fail, saying so: start PostgreSQL or point the variable at one.
 */
const url = POSTGRES_URL;

describe('PostgreSQL server for the ledger tests', () => {
  it(`answers at ${url}`, async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect().catch((error: Error) => {
      throw new Error(`these tests need PostgreSQL at ${url} (set LEDGERLINK_TEST_POSTGRES_URL): ${error.message}`);
    });
    const { rows } = await client.query<{ ok: number }>('SELECT 1 AS ok');
    await client.end();
    expect(rows[0]?.ok).toBe(1);
  });
});

describeLedgerConformance('postgres', async () => {
  // A schema of its own per test: tests never see each other's rows.
  const schema = `ll_test_${randomBytes(6).toString('hex')}`;
  return {
    ledger: await PostgresLedger.open({ url, schema }),
    reopen: () => PostgresLedger.open({ url, schema }),
    cleanup: () => dropSchema(schema),
  };
});

describe('PostgreSQL ledger: two runner replicas on one database', () => {
  it('opens on a new database from several replicas started at once (the schema made by one of them)', async () => {
    // PostgreSQL's CREATE SCHEMA IF NOT EXISTS fails with a unique violation when another session creates the
    // schema meanwhile: replicas of a first deployment, started together, met it (one exited 1).
    for (let round = 0; round < 3; round++) {
      const schema = `ll_test_${randomBytes(6).toString('hex')}`;
      const opened = await Promise.allSettled([1, 2, 3, 4].map(() => PostgresLedger.open({ url, schema })));
      try {
        expect(opened.map((result) => (result.status === 'rejected' ? String(result.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
      } finally {
        for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
        await dropSchema(schema);
      }
    }
  });

  it('never starts two attempts from one pending item: the row lock serialises them', async () => {
    const schema = `ll_test_${randomBytes(6).toString('hex')}`;
    const a = await PostgresLedger.open({ url, schema });
    const b = await PostgresLedger.open({ url, schema });
    try {
      const { item } = await a.upsert({ tenant: 't', entity: 'payment', direction: 'export', sourceId: 'p-1', record: { id: 'p-1' } }, { kind: 'hub', id: 'hub' });
      // Both replicas read "pending" and race to move it on; exactly one transition can win.
      const results = await Promise.allSettled([
        a.transition(item.id, { from: ['pending'], to: 'awaiting_approval', action: 'replica a' }, { kind: 'system', id: 'a' }),
        b.transition(item.id, { from: ['pending'], to: 'blocked', action: 'replica b' }, { kind: 'system', id: 'b' }),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const audit = await a.audit(item.id);
      expect(audit.filter((entry) => entry.action.startsWith('replica'))).toHaveLength(1);
      expect(audit.map((entry) => entry.seq)).toEqual(audit.map((_, index) => index + 1));
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });
});
