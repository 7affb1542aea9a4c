import { describe, expect, it } from 'vitest';
import type { LedgerItem } from '../ledger/types.js';
import { hub, itemIn, newPayment, paymentRecord, type LedgerSuiteContext } from './ledger-fixtures.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Items in, items out: upsert, reads, lists, counts, cursors. */
export function describeItems(context: LedgerSuiteContext): void {
  describe('items', () => {
    it('upsert creates an item with its defaults: pending, revision 1, no attempts, key <id>.r1', async () => {
      const { item, created } = await context.ledger.upsert(newPayment(1), hub);
      expect(created).toBe(true);
      expect(item).toMatchObject({ tenant: 'acme', entity: 'payment', direction: 'export', sourceId: 'pay-1', state: 'pending' });
      expect(item.revision).toBe(1);
      expect(item.attempts).toBe(0);
      expect(item.idempotencyKey).toBe(`${item.id}.r1`);
      expect(item.record).toEqual(paymentRecord(1));
      expect(item.targetId).toBeUndefined();
      expect(item.lastError).toBeUndefined();
      expect(item.createdAt).toMatch(ISO_TIME);
      expect(item.updatedAt).toBe(item.createdAt);
      expect(await context.ledger.get(item.id)).toEqual(item);
    });

    it('upsert is idempotent on (tenant, entity, direction, sourceId): a second delivery returns the first item', async () => {
      const first = await context.ledger.upsert(newPayment(1), hub);
      const again = await context.ledger.upsert(newPayment(1, { record: paymentRecord(1, { notes: 'redelivered' }) }), hub);
      expect(again.created).toBe(false);
      expect(again.item).toEqual(first.item);
      expect((await context.ledger.list()).items).toHaveLength(1);
      expect(await context.ledger.audit(first.item.id)).toHaveLength(1);
    });

    it('upsert makes a new item when tenant, direction or source id differs', async () => {
      const base = await context.ledger.upsert(newPayment(1), hub);
      const others = [
        await context.ledger.upsert(newPayment(1, { tenant: 'globex' }), hub),
        await context.ledger.upsert(newPayment(1, { direction: 'import' }), hub),
        await context.ledger.upsert(newPayment(2), hub),
      ];
      expect(others.map((other) => other.created)).toEqual([true, true, true]);
      expect(new Set([base.item.id, ...others.map((other) => other.item.id)]).size).toBe(4);
    });

    it('concurrent upserts of one source make exactly one item', async () => {
      const results = await Promise.all([1, 2, 3, 4].map(() => context.ledger.upsert(newPayment(7), hub)));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.item.id)).size).toBe(1);
    });

    it('upsert starts an item awaiting approval, or blocked with its reason', async () => {
      const waiting = await context.ledger.upsert(newPayment(1, { state: 'awaiting_approval' }), hub);
      const blocked = await context.ledger.upsert(newPayment(2, { state: 'blocked', blockedReason: 'invoice INV-2 not in the ERP' }), hub);
      expect(waiting.item.state).toBe('awaiting_approval');
      expect(blocked.item).toMatchObject({ state: 'blocked', blockedReason: 'invoice INV-2 not in the ERP' });
    });

    it('upsert refuses to start an item in any other state', async () => {
      const input = { ...newPayment(1), state: 'synced' } as unknown as Parameters<typeof context.ledger.upsert>[0];
      await expect(context.ledger.upsert(input, hub)).rejects.toThrow(/starts/);
      expect((await context.ledger.list()).items).toEqual([]);
    });

    it('hands out copies: changing a returned item changes nothing stored', async () => {
      const { item } = await context.ledger.upsert(newPayment(1), hub);
      (item.record as { checkNumber: string }).checkNumber = 'tampered';
      item.state = 'synced';
      expect(await context.ledger.get(item.id)).toMatchObject({ state: 'pending', record: { checkNumber: '10001' } });
    });

    it('get and getBySource find an item, and answer undefined for an unknown one', async () => {
      const { item } = await context.ledger.upsert(newPayment(1), hub);
      expect(await context.ledger.getBySource('acme', 'payment', 'export', 'pay-1')).toEqual(item);
      expect(await context.ledger.getBySource('acme', 'payment', 'import', 'pay-1')).toBeUndefined();
      expect(await context.ledger.getBySource('globex', 'payment', 'export', 'pay-1')).toBeUndefined();
      expect(await context.ledger.get('no-such-item')).toBeUndefined();
    });

    it('getByTarget finds the item linked to an ERP id, in its tenant and direction only', async () => {
      const synced = await itemIn(context.ledger, 'synced', 7);
      expect(await context.ledger.getByTarget(synced.tenant, 'payment', 'export', 'ERP-7')).toEqual(synced);
      expect(await context.ledger.getByTarget(synced.tenant, 'payment', 'import', 'ERP-7')).toBeUndefined();
      expect(await context.ledger.getByTarget('globex', 'payment', 'export', 'ERP-7')).toBeUndefined();
      expect(await context.ledger.getByTarget(synced.tenant, 'payment', 'export', 'ERP-8')).toBeUndefined();
    });

    it('list filters by tenant, state (one or several), entity and direction', async () => {
      const pending = await itemIn(context.ledger, 'pending', 1);
      const failed = await itemIn(context.ledger, 'failed', 2);
      const synced = await itemIn(context.ledger, 'synced', 3);
      const other = await itemIn(context.ledger, 'failed', 4, { tenant: 'globex' });
      const imported = await itemIn(context.ledger, 'pending', 5, { direction: 'import' });
      // listIds answers the same filter with the same ids, in the same order.
      const ids = async (filter: Parameters<typeof context.ledger.list>[0]) => {
        const listed = (await context.ledger.list(filter)).items.map((item: LedgerItem) => item.id);
        expect(await context.ledger.listIds(filter)).toEqual({ ids: listed });
        return listed;
      };
      expect(await ids({})).toEqual([pending.id, failed.id, synced.id, other.id, imported.id]);
      expect(await ids({ tenant: 'acme' })).toEqual([pending.id, failed.id, synced.id, imported.id]);
      expect(await ids({ state: 'failed' })).toEqual([failed.id, other.id]);
      expect(await ids({ tenant: 'acme', state: 'failed' })).toEqual([failed.id]);
      expect(await ids({ state: ['pending', 'synced'] })).toEqual([pending.id, synced.id, imported.id]);
      expect(await ids({ direction: 'import' })).toEqual([imported.id]);
      expect(await ids({ entity: 'payment', direction: 'export', tenant: 'acme' })).toEqual([pending.id, failed.id, synced.id]);
      expect(await ids({ tenant: 'nobody' })).toEqual([]);
    });

    it('list searches vendor name, invoice number and check number, case-insensitively', async () => {
      const a = await itemIn(context.ledger, 'pending', 1, { record: paymentRecord(1, { vendor: { id: 'v1', name: 'Acme Steel' } }) });
      const b = await itemIn(context.ledger, 'pending', 2, {
        record: paymentRecord(2, { invoice: { id: 'i2', number: 'SUB-0042', amountCents: 10 }, checkNumber: '55501' }),
      });
      const c = await itemIn(context.ledger, 'pending', 3, { record: paymentRecord(3, { checkNumber: '77342' }) });
      const ids = async (text: string) => (await context.ledger.list({ text })).items.map((item) => item.id);
      expect(await ids('acme steel')).toEqual([a.id]);
      expect(await ids('STEEL')).toEqual([a.id]);
      expect(await ids('sub-00')).toEqual([b.id]);
      expect(await ids('342')).toEqual([c.id]);
      expect(await ids('555')).toEqual([b.id]);
      expect(await ids('concrete')).toEqual([b.id, c.id]);
      expect(await ids('no such text')).toEqual([]);
      // Fields are searched one by one: a needle spanning the end of one and the start of the next finds nothing.
      expect(await ids('concreteinv')).toEqual([]);
      expect(await ids('%')).toEqual([]);
      expect((await context.ledger.list({ text: 'steel', state: 'failed' })).items).toEqual([]);
    });

    it('pages in creation order with a cursor that neither repeats nor skips, even as items are added', async () => {
      const created: string[] = [];
      for (let n = 1; n <= 7; n += 1) created.push((await context.ledger.upsert(newPayment(n), hub)).item.id);
      const seen: string[] = [];
      let page = await context.ledger.list({ limit: 3 });
      seen.push(...page.items.map((item) => item.id));
      expect(page.items).toHaveLength(3);
      // Written while the caller pages: shows up at the end, shifts nothing.
      created.push((await context.ledger.upsert(newPayment(8), hub)).item.id);
      while (page.nextCursor !== undefined) {
        page = await context.ledger.list({ limit: 3, cursor: page.nextCursor });
        seen.push(...page.items.map((item) => item.id));
      }
      expect(seen).toEqual(created);
      expect(page.items).toHaveLength(2);
      const exact = await context.ledger.list({ limit: 8 });
      expect(exact.items).toHaveLength(8);
      expect(exact.nextCursor).toBeUndefined();
    });

    it('pages a filtered list, and refuses a cursor it did not make', async () => {
      for (let n = 1; n <= 6; n += 1) await itemIn(context.ledger, n % 2 === 0 ? 'pending' : 'awaiting_approval', n);
      const first = await context.ledger.list({ state: 'pending', limit: 2 });
      const second = await context.ledger.list({ state: 'pending', limit: 2, cursor: first.nextCursor });
      expect([...first.items, ...second.items].map((item) => item.sourceId)).toEqual(['pay-2', 'pay-4', 'pay-6']);
      expect(second.nextCursor).toBeUndefined();
      // The ids of the same pages, with the same cursors: the page size and the cursor hold for listIds too.
      const firstIds = await context.ledger.listIds({ state: 'pending', limit: 2 });
      expect(firstIds).toEqual({ ids: first.items.map((item) => item.id), nextCursor: first.nextCursor });
      expect(await context.ledger.listIds({ state: 'pending', limit: 2, cursor: firstIds.nextCursor })).toEqual({ ids: second.items.map((item) => item.id) });
      await expect(context.ledger.listIds({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
      await expect(context.ledger.list({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
    });

    it('pages 50 items at a time unless told otherwise', async () => {
      for (let n = 1; n <= 52; n += 1) await context.ledger.upsert(newPayment(n), hub);
      const first = await context.ledger.list();
      expect(first.items).toHaveLength(50);
      const rest = await context.ledger.list({ cursor: first.nextCursor });
      expect(rest.items.map((item) => item.sourceId)).toEqual(['pay-51', 'pay-52']);
    });

    it('counts items by tenant and state', async () => {
      await itemIn(context.ledger, 'pending', 1);
      await itemIn(context.ledger, 'pending', 2);
      await itemIn(context.ledger, 'failed', 3);
      await itemIn(context.ledger, 'synced', 4, { tenant: 'globex' });
      // A tenant with items synced and not: stores may count the synced ones as the rest of the tenant's items.
      await itemIn(context.ledger, 'synced', 5);
      await itemIn(context.ledger, 'synced', 6);
      expect(await context.ledger.counts()).toEqual([
        { tenant: 'acme', state: 'pending', count: 2 },
        { tenant: 'acme', state: 'synced', count: 2 },
        { tenant: 'acme', state: 'failed', count: 1 },
        { tenant: 'globex', state: 'synced', count: 1 },
      ]);
    });

    it('keeps cursors per tenant and name', async () => {
      expect(await context.ledger.getCursor('acme', 'import:payment')).toBeUndefined();
      await context.ledger.setCursor('acme', 'import:payment', '2025-03-14T00:00:00Z');
      await context.ledger.setCursor('globex', 'import:payment', 'page-9');
      await context.ledger.setCursor('acme', 'next-check-number', '10000');
      await context.ledger.setCursor('acme', 'import:payment', '2025-03-15T00:00:00Z');
      expect(await context.ledger.getCursor('acme', 'import:payment')).toBe('2025-03-15T00:00:00Z');
      expect(await context.ledger.getCursor('globex', 'import:payment')).toBe('page-9');
      expect(await context.ledger.getCursor('acme', 'next-check-number')).toBe('10000');
      expect(await context.ledger.getCursor('globex', 'next-check-number')).toBeUndefined();
    });
  });
}
