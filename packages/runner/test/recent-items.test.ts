import type { AttemptRecord, LedgerItem } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { RecentItems } from '../src/store/recent-items.js';

const item = (id: string, attempts = 0): LedgerItem => ({
  id,
  tenant: 'acme',
  entity: 'payment',
  direction: 'export',
  sourceId: `source-${id}`,
  state: attempts === 0 ? 'pending' : 'exporting',
  record: { id },
  revision: 1,
  attempts,
  idempotencyKey: `key-${id}`,
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
});
const attempt = (id: string, number: number): AttemptRecord => ({ itemId: id, number, idempotencyKey: `key-${id}`, startedAt: '2026-12-07T00:00:01.000Z' });

describe('the ledgers\' recent items', () => {
  it('keeps the newest items up to its capacity: one written again counts as new, the oldest goes', () => {
    const recent = new RecentItems(2);
    recent.set(item('a'));
    recent.set(item('b'));
    recent.set(item('a'));
    recent.set(item('c'));
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('a')?.item.id).toBe('a');
    expect(recent.get('c')?.item.id).toBe('c');
  });

  it('keeps an item\'s attempt while the item stays on that attempt, and drops it once the item is on another', () => {
    const recent = new RecentItems(4);
    recent.set(item('a', 1), attempt('a', 1));
    // A write that changed the item but not its attempts (an edit, a transition): the open attempt is still its own.
    recent.set({ ...item('a', 1), updatedAt: '2026-12-07T00:00:02.000Z' });
    expect(recent.get('a')?.attempt?.number).toBe(1);
    // The item is on its second attempt, whose record this write did not give: the first is not offered for it.
    recent.set(item('a', 2));
    expect(recent.get('a')?.attempt).toBeUndefined();
  });

  it("keeps an attempt's row version with the attempt, and drops it when the attempt goes (PostgreSQL's versions)", () => {
    const recent = new RecentItems(4);
    recent.set(item('a', 1), attempt('a', 1), { item: '700', attempt: '700' });
    // A transition writes the item alone: a new item version, the attempt's row and its version as they were.
    recent.set({ ...item('a', 1), updatedAt: '2026-12-07T00:00:02.000Z' }, undefined, { item: '701' });
    expect(recent.get('a')?.versions).toEqual({ item: '701', attempt: '700' });
    // The item on its second attempt, whose row this write did not give: no attempt, so no attempt version either.
    recent.set(item('a', 2), undefined, { item: '702' });
    expect(recent.get('a')?.attempt).toBeUndefined();
    expect(recent.get('a')?.versions).toEqual({ item: '702' });
    // A write that gives the attempt gives its version.
    recent.set(item('a', 2), attempt('a', 2), { item: '703', attempt: '703' });
    expect(recent.get('a')?.versions).toEqual({ item: '703', attempt: '703' });
  });

  it('refuses a capacity that is not a whole number above 0', () => {
    expect(() => new RecentItems(0)).toThrow(/whole number above 0/);
  });
});
