import { describe, expect, it } from 'vitest';
import { Outcomes } from '../connector/outcome.js';
import { ErrorCodes } from '../errors.js';
import type { Ledger, LedgerItem } from '../ledger/types.js';
import { accountant, hub, itemIn, newPayment, refusal, runner, type LedgerSuiteContext } from './ledger-fixtures.js';

async function snapshot(ledger: Ledger, id: string): Promise<unknown> {
  return { item: await ledger.get(id), attempts: await ledger.attempts(id), audit: await ledger.audit(id) };
}

/** For durable stores: what crash recovery relies on survives a close and reopen, and nothing is half-written. */
export function describeDurability(context: LedgerSuiteContext): void {
  describe('durability', () => {
    it('an item left exporting with an open attempt is still there, with the same key, after reopen', async () => {
      const { item } = await context.ledger.upsert(newPayment(1), hub);
      const { attempt } = await context.ledger.beginAttempt(item.id, runner);
      const before = await snapshot(context.ledger, item.id);
      // The process "dies" here, mid-call: nothing more is written before the store is opened again.
      const reopened = await context.reopen();
      expect(await snapshot(reopened, item.id)).toEqual(before);
      const inFlight = await reopened.list({ state: 'exporting' });
      expect(inFlight.items.map((found) => [found.id, found.idempotencyKey])).toEqual([[item.id, attempt.idempotencyKey]]);
      expect((await reopened.attempts(item.id)).at(-1)?.outcome).toBeUndefined();
      // Recovery settles the open attempt, then goes on under the same key.
      await reopened.completeAttempt(item.id, 1, Outcomes.transport('lost answer; settled after restart'), runner);
      const retry = await reopened.beginAttempt(item.id, runner);
      expect(retry.attempt).toMatchObject({ number: 2, idempotencyKey: attempt.idempotencyKey });
    });

    it('links, edits, counts, cursors and creation order survive a reopen', async () => {
      const synced = await itemIn(context.ledger, 'synced', 1);
      const failed = await itemIn(context.ledger, 'failed', 2);
      const edited = await context.ledger.edit(failed.id, { checkNumber: '30001' }, accountant);
      await itemIn(context.ledger, 'blocked', 3);
      await context.ledger.setCursor('acme', 'import:payment', 'cursor-42');
      const list = await context.ledger.list();
      const counts = await context.ledger.counts();
      const reopened = await context.reopen();
      expect(await reopened.get(synced.id)).toEqual(synced);
      expect(await reopened.get(edited.id)).toEqual(edited);
      expect(await reopened.list()).toEqual(list);
      expect(await reopened.counts()).toEqual(counts);
      expect(await reopened.getCursor('acme', 'import:payment')).toBe('cursor-42');
      const again = await reopened.upsert(newPayment(1), hub);
      expect(again).toEqual({ item: synced, created: false });
      const relink = await refusal(reopened.completeAttempt(synced.id, 1, Outcomes.synced('ERP-other'), runner));
      expect(relink.code).toBe(ErrorCodes.LEDGER_LINK_IMMUTABLE);
    });

    it('a refused change leaves nothing half-written, before and after reopen', async () => {
      const synced = await itemIn(context.ledger, 'synced', 1);
      const exporting = await itemIn(context.ledger, 'exporting', 2);
      const failed = await itemIn(context.ledger, 'failed', 3);
      const ids = [synced.id, exporting.id, failed.id];
      const before = await Promise.all(ids.map((id) => snapshot(context.ledger, id)));
      // Each refusal is caught as it is made: a store that works asynchronously rejects them all at once.
      const refused = [
        context.ledger.completeAttempt(synced.id, 1, Outcomes.synced('ERP-other'), runner),
        context.ledger.completeAttempt(exporting.id, 5, Outcomes.synced('ERP-2'), runner),
        context.ledger.edit(failed.id, { checkNumber: '40001', amountCents: '1' } as never, accountant),
        context.ledger.beginAttempt(failed.id, runner),
        context.ledger.transition(exporting.id, { from: ['exporting'], to: 'synced', action: 'forced' }, accountant),
      ].map((change) => refusal(change));
      for (const change of refused) expect((await change).code).toMatch(/^LL_LEDGER_/);
      expect(await Promise.all(ids.map((id) => snapshot(context.ledger, id)))).toEqual(before);
      const reopened = await context.reopen();
      expect(await Promise.all(ids.map((id) => snapshot(reopened, id)))).toEqual(before);
      const item = (await reopened.get(exporting.id)) as LedgerItem;
      expect(item.state).toBe('exporting');
    });
  });
}
