import { randomBytes } from 'node:crypto';
import { ErrorCodes, type Actor, type Outcome } from '@ledgerlink/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLedger } from '../src/store/postgres-ledger.js';
import { dropSchema, POSTGRES_URL } from './support/postgres.js';

/**
 * The PostgreSQL ledger starts a change from the item as it last wrote or read it, and writes it in one statement
 * that applies only while the item's row (and the attempt's) is at the version remembered (issue 15). These tests
 * hold that against the writers it cannot see: another replica on the same database, an operator's SQL on the item,
 * and one on an attempt's row alone. Each acts on the rows as they are; none on the item remembered.
 */
const url = POSTGRES_URL;
const schema = `h15_pg_recent_${randomBytes(4).toString('hex')}`;
const hub: Actor = { kind: 'hub', id: 'webhook' };
const runner: Actor = { kind: 'system', id: 'runner' };
const retryable: Outcome = { kind: 'retryable', code: ErrorCodes.ERP_SERVER_ERROR, message: 'the ERP answered 503', reason: 'server', committed: 'no' };
const rejected: Outcome = { kind: 'rejected', code: ErrorCodes.ERP_REJECTED, message: 'the ERP does not know vendor v-1' };

let a: PostgresLedger;
let b: PostgresLedger;
let operator: pg.Client;

beforeAll(async () => {
  a = await PostgresLedger.open({ url, schema });
  b = await PostgresLedger.open({ url, schema });
  operator = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await operator.connect();
});

afterAll(async () => {
  await operator.end();
  await b.close();
  await a.close();
  await dropSchema(schema);
});

async function newItem(sourceId: string): Promise<string> {
  return (await a.upsert({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId, record: { amountCents: 125_00 } }, hub)).item.id;
}

/** The names of the statements every `pg` client of this process sends while `work` runs. */
async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  const names: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { name?: string; text?: string };
    names.push(typeof config === 'string' ? config : (config.name ?? config.text ?? '?'));
    return query.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = query;
  }
  return names;
}

describe('PostgreSQL ledger: changes made from the items it remembers', () => {
  it("writes a payment's attempt and its outcome in one statement each, with no lock-and-read before them", async () => {
    const id = await newItem('one-statement');
    const names = await statementsDuring(async () => {
      const { attempt } = await a.beginAttempt(id, runner);
      await a.completeAttempt(id, attempt.number, { kind: 'synced', erpId: 'bill-payment-17' }, runner);
    });
    expect(names.filter((name) => name.startsWith('ll_'))).toEqual(['ll_apply_state_attempt', 'll_apply_state_attempt']);
    expect(await a.get(id)).toMatchObject({ state: 'synced', targetId: 'bill-payment-17', attempts: 1 });
    expect((await a.audit(id)).map((entry) => [entry.seq, entry.action])).toEqual([
      [1, 'created'],
      [2, 'attempt'],
      [3, 'outcome'],
    ]);
  });

  it('another replica changed the item: the next attempt is numbered after its attempt, not on the item remembered', async () => {
    const id = await newItem('other-replica');
    // Replica b tries it once and the ERP is down: attempt 1, closed as retryable, the item still exporting. Replica a
    // still remembers it pending with no attempt.
    const first = await b.beginAttempt(id, runner);
    await b.completeAttempt(id, first.attempt.number, retryable, runner);
    const { attempt } = await a.beginAttempt(id, runner);
    expect(attempt.number).toBe(2);
    expect((await a.attempts(id)).map((one) => [one.number, one.outcome?.kind ?? 'open'])).toEqual([
      [1, 'retryable'],
      [2, 'open'],
    ]);
    expect((await a.audit(id)).map((entry) => entry.seq)).toEqual([1, 2, 3, 4]);
  });

  it("an operator's SQL on the item is what the next change is decided from", async () => {
    const id = await newItem('operator-item');
    await operator.query("UPDATE ledger_items SET state = 'blocked', blocked_reason = 'held by accounting' WHERE id = $1", [id]);
    await expect(a.beginAttempt(id, runner)).rejects.toThrow(/while it is "blocked"/);
    expect(await a.attempts(id)).toEqual([]);
    expect(await a.get(id)).toMatchObject({ state: 'blocked', attempts: 0 });
  });

  it("an operator's SQL on an attempt's row alone is seen: an attempt closed there is not closed again", async () => {
    const id = await newItem('operator-attempt');
    const { attempt } = await a.beginAttempt(id, runner);
    await operator.query('UPDATE ledger_attempts SET finished_at = $3, outcome = $4 WHERE item_id = $1 AND number = $2', [
      id,
      attempt.number,
      new Date().toISOString(),
      JSON.stringify(rejected),
    ]);
    await expect(a.completeAttempt(id, attempt.number, { kind: 'synced', erpId: 'bill-payment-18' }, runner)).rejects.toThrow(/already closed as "rejected"/);
    expect((await a.attempts(id)).map((one) => one.outcome?.kind)).toEqual(['rejected']);
    expect(await a.get(id)).toMatchObject({ state: 'exporting', attempts: 1 });
  });
});
