import { describe, expect, it } from 'vitest';
import {
  ErrorCodes,
  LEDGER_PAGE_MAX,
  MemoryLedger,
  Outcomes,
  decodeLedgerCursor,
  encodeLedgerCursor,
  ledgerPageSize,
  ledgerSearchText,
  planBeginAttempt,
  planTransition,
  type Actor,
  type LedgerItem,
} from '../src/index.js';

const hub: Actor = { kind: 'hub', id: 'webhook' };
const runner: Actor = { kind: 'system', id: 'runner' };

function steppingClock(start: string): () => Date {
  let tick = 0;
  return () => new Date(Date.parse(start) + 1000 * tick++);
}

const payment = { tenant: 'acme', entity: 'payment' as const, direction: 'export' as const, sourceId: 'pay-1', record: { bankId: 'B1' } };

describe('ledger rules', () => {
  it('stamps every change with the injected clock', async () => {
    const ledger = new MemoryLedger(steppingClock('2025-03-14T12:00:00Z'));
    const { item } = await ledger.upsert(payment, hub);
    const { attempt } = await ledger.beginAttempt(item.id, runner);
    const done = await ledger.completeAttempt(item.id, 1, Outcomes.synced('E1'), runner);
    expect(item.createdAt).toBe('2025-03-14T12:00:00.000Z');
    expect(attempt.startedAt).toBe('2025-03-14T12:00:01.000Z');
    expect(done.updatedAt).toBe('2025-03-14T12:00:02.000Z');
    expect((await ledger.attempts(item.id))[0]?.finishedAt).toBe('2025-03-14T12:00:02.000Z');
    expect((await ledger.audit(item.id)).map((entry) => entry.at)).toEqual([
      '2025-03-14T12:00:00.000Z',
      '2025-03-14T12:00:01.000Z',
      '2025-03-14T12:00:02.000Z',
    ]);
  });

  it('a re-export may go under a new idempotency key (failed -> pending only), so a key-replaying ERP does not repeat its refusal', async () => {
    const ledger = new MemoryLedger();
    const { item } = await ledger.upsert(payment, hub);
    await ledger.beginAttempt(item.id, runner);
    await ledger.completeAttempt(item.id, 1, Outcomes.rejected('no such vendor'), runner);
    const again = await ledger.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export', freshKey: true }, runner);
    expect(again).toMatchObject({ state: 'pending', revision: item.revision + 1 });
    expect(again.idempotencyKey).not.toBe(item.idempotencyKey);
    expect((await ledger.audit(item.id)).at(-1)?.detail?.idempotencyKey).toEqual({ from: item.idempotencyKey, to: again.idempotencyKey });
    // Without it the key stays (an approval, an unblock).
    const { item: other } = await ledger.upsert({ ...payment, sourceId: 'pay-2', state: 'blocked' }, hub);
    await expect(ledger.transition(other.id, { from: ['blocked'], to: 'pending', action: 'x', freshKey: true }, runner)).rejects.toThrow(/only for a re-export/);
    expect((await ledger.transition(other.id, { from: ['blocked'], to: 'pending', action: 'unblocked' }, runner)).idempotencyKey).toBe(other.idempotencyKey);
  });

  it('gives new items time-ordered ids (UUID version 7), so the indexes keyed by item id grow at their right edge', async () => {
    const ledger = new MemoryLedger();
    const ids: string[] = [];
    for (let index = 0; index < 200; index += 1) ids.push((await ledger.upsert({ ...payment, sourceId: `pay-${index}` }, hub)).item.id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Made in the same millisecond or not, each sorts after the one before it (random ids would not, but by 1 in 200!).
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps page sizes between 1 and the maximum', () => {
    expect(ledgerPageSize()).toBe(50);
    expect(ledgerPageSize({ limit: 10 })).toBe(10);
    expect(ledgerPageSize({ limit: 0 })).toBe(1);
    expect(ledgerPageSize({ limit: 10_000 })).toBe(LEDGER_PAGE_MAX);
    expect(ledgerPageSize({ limit: 2.7 })).toBe(2);
  });

  it('round-trips cursors and refuses foreign ones with what to do', () => {
    expect(decodeLedgerCursor(encodeLedgerCursor(42))).toBe(42);
    expect(decodeLedgerCursor(undefined)).toBe(0);
    expect(() => decodeLedgerCursor(Buffer.from('ll1:-3').toString('base64url'))).toThrow(/nextCursor of the previous page/);
    expect(() => decodeLedgerCursor('abc')).toThrow(/not a ledger cursor/);
  });

  it('searches export and import records alike, lower-cased', () => {
    expect(ledgerSearchText({ vendor: { name: 'ACME Steel' }, invoice: { number: 'INV-1' }, checkNumber: '1001' })).toBe('acme steel\ninv-1\n1001');
    expect(ledgerSearchText({ invoiceNumber: 'B-7', checkNumber: 88 })).toBe('b-7\n88');
    expect(ledgerSearchText({ vendor: 'not an object' })).toBe('');
    // A requisition by its invoice number and vendor; a vendor by its name and code.
    expect(ledgerSearchText({ number: 'PA-12', vendor: { name: 'Pier Framing' }, totalCents: 100 })).toBe('pier framing\npa-12');
    expect(ledgerSearchText({ name: 'Harbor Steel', code: 'HS-1', isActive: true })).toBe('harbor steel\nhs-1');
  });

  it('refuses a change without a proper actor', async () => {
    const ledger = new MemoryLedger();
    await expect(ledger.upsert(payment, { kind: 'robot', id: 'x' } as unknown as Actor)).rejects.toThrow(/actor/);
    await expect(ledger.upsert(payment, { kind: 'user', id: ' ' })).rejects.toThrow(/actor id/);
    expect((await ledger.list()).items).toEqual([]);
  });

  it('tells what to do when an item cannot be sent', async () => {
    const ledger = new MemoryLedger();
    const blocked = (await ledger.upsert({ ...payment, state: 'blocked', blockedReason: 'invoice INV-1 not in the ERP' }, hub)).item;
    expect(() => planBeginAttempt(blocked, runner, 'now')).toThrow(/invoice INV-1 not in the ERP.*unblock it first/);
    const waiting: LedgerItem = { ...blocked, state: 'awaiting_approval' };
    expect(() => planBeginAttempt(waiting, runner, 'now')).toThrow(/approve it first/);
    const synced: LedgerItem = { ...blocked, state: 'synced', targetId: 'E9' };
    expect(() => planBeginAttempt(synced, runner, 'now')).toThrow(/already in the ERP as "E9"/);
    let refused: { code?: string; message?: string } = {};
    try {
      planTransition(synced, { from: ['synced'], to: 'pending', action: 're-export' }, runner, 'now');
    } catch (error) {
      refused = error as typeof refused;
    }
    expect(refused.code).toBe(ErrorCodes.LEDGER_TRANSITION);
    expect(refused.message).toMatch(/there is no unlink/);
  });

  it('names the transition after the states when the caller gives no action', async () => {
    const ledger = new MemoryLedger();
    const { item } = await ledger.upsert(payment, hub);
    await ledger.transition(item.id, { from: ['pending'], to: 'blocked', action: '' }, runner);
    expect((await ledger.audit(item.id)).at(-1)?.action).toBe('state:pending->blocked');
  });
});
