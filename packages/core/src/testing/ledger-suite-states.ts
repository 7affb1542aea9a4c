import { describe, expect, it } from 'vitest';
import { Outcomes } from '../connector/outcome.js';
import { ErrorCodes } from '../errors.js';
import { ALLOWED_TRANSITIONS, LEDGER_STATES } from '../ledger/types.js';
import { accountant, itemIn, refusal, runner, type LedgerSuiteContext } from './ledger-fixtures.js';

/** The state machine: every allowed and every refused `transition`. */
export function describeStates(context: LedgerSuiteContext): void {
  describe('transitions', () => {
    for (const from of LEDGER_STATES) {
      for (const to of LEDGER_STATES) {
        const allowed = ALLOWED_TRANSITIONS[from].includes(to);
        it(`${allowed ? 'allows' : 'refuses'} ${from} -> ${to}`, async () => {
          const item = await itemIn(context.ledger, from, 1);
          const auditBefore = await context.ledger.audit(item.id);
          const change = { from: [from], to, action: `test:${from}->${to}`, detail: { reason: 'conformance' } };
          if (allowed) {
            const moved = await context.ledger.transition(item.id, change, accountant);
            expect(moved.state).toBe(to);
            expect(await context.ledger.get(item.id)).toEqual(moved);
            const audit = await context.ledger.audit(item.id);
            expect(audit).toHaveLength(auditBefore.length + 1);
            expect(audit.at(-1)).toMatchObject({
              action: `test:${from}->${to}`,
              actor: accountant,
              detail: { from, to, reason: 'conformance' },
            });
          } else {
            const error = await refusal(context.ledger.transition(item.id, change, accountant));
            expect(error.code).toBe(ErrorCodes.LEDGER_TRANSITION);
            expect(error.message).toContain(from);
            expect(await context.ledger.get(item.id)).toEqual(item);
            expect(await context.ledger.audit(item.id)).toEqual(auditBefore);
          }
        });
      }
    }

    it('refuses a move from a state the item is no longer in, and changes nothing', async () => {
      const item = await itemIn(context.ledger, 'pending', 1);
      const error = await refusal(context.ledger.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export' }, accountant));
      expect(error.code).toBe(ErrorCodes.LEDGER_TRANSITION);
      expect(error.message).toMatch(/reload/);
      expect(await context.ledger.get(item.id)).toEqual(item);
    });

    it('keeps the blocked reason while blocked, and drops it on unblocking', async () => {
      const item = await itemIn(context.ledger, 'pending', 1);
      const blocked = await context.ledger.transition(
        item.id,
        { from: ['pending'], to: 'blocked', action: 'blocked', blockedReason: 'invoice INV-1 not in the ERP yet' },
        runner,
      );
      expect(blocked.blockedReason).toBe('invoice INV-1 not in the ERP yet');
      const unblocked = await context.ledger.transition(item.id, { from: ['blocked'], to: 'pending', action: 'unblocked' }, runner);
      expect(unblocked.state).toBe('pending');
      expect(unblocked.blockedReason).toBeUndefined();
    });

    it('replaces the record on a transition that carries one (a blocked payment whose invoice reached the ERP), and is searchable by it', async () => {
      const item = await itemIn(context.ledger, 'blocked', 1);
      const record = { ...item.record, invoice: { ...(item.record.invoice as object), number: 'INV-REFRESHED-77', erpId: 'BILL-77' } };
      const moved = await context.ledger.transition(item.id, { from: ['blocked'], to: 'pending', action: 'unblocked', record }, runner);
      expect(moved.record).toEqual(record);
      expect(moved.revision).toBe(item.revision);
      expect(await context.ledger.get(item.id)).toEqual(moved);
      const found = await context.ledger.list({ text: 'inv-refreshed-77' });
      expect(found.items.map((entry) => entry.id)).toEqual([item.id]);
      expect((await context.ledger.audit(item.id)).at(-1)?.detail).toMatchObject({ recordRefreshed: true });
    });

    it('refuses to replace the record of an item that is exporting or synced', async () => {
      for (const state of ['exporting', 'synced'] as const) {
        const item = await itemIn(context.ledger, state, 1);
        const to = state === 'exporting' ? 'failed' : 'pending';
        const error = await refusal(context.ledger.transition(item.id, { from: [state], to, action: 'refresh', record: { id: 'other' } }, runner));
        expect(error.code).toBe(ErrorCodes.LEDGER_TRANSITION);
        expect(await context.ledger.get(item.id)).toEqual(item);
      }
    });

    it('records a refusal made before any ERP call as the last error, and a move back to pending clears it', async () => {
      const item = await itemIn(context.ledger, 'pending', 1);
      const lastError = {
        code: ErrorCodes.PARTIAL_PAYMENT_UNSUPPORTED,
        kind: 'rejected' as const,
        message: 'this ERP takes no partial payments: pay the invoice in full',
      };
      const failed = await context.ledger.transition(item.id, { from: ['pending'], to: 'failed', action: 'refused', lastError }, runner);
      expect(failed).toMatchObject({ state: 'failed', lastError });
      const again = await context.ledger.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export' }, accountant);
      expect(again.lastError).toBeUndefined();
    });

    it('a re-export with freshKey goes under a new idempotency key and revision, kept by the store; freshKey elsewhere is refused', async () => {
      const item = await itemIn(context.ledger, 'failed', 1);
      const again = await context.ledger.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export', freshKey: true }, accountant);
      expect(again).toMatchObject({ state: 'pending', revision: item.revision + 1 });
      expect(again.idempotencyKey).not.toBe(item.idempotencyKey);
      expect(await context.ledger.get(item.id)).toEqual(again);
      expect((await context.ledger.audit(item.id)).at(-1)?.detail).toMatchObject({ idempotencyKey: { from: item.idempotencyKey, to: again.idempotencyKey } });
      const blocked = await itemIn(context.ledger, 'blocked', 1);
      const error = await refusal(context.ledger.transition(blocked.id, { from: ['blocked'], to: 'pending', action: 'unblocked', freshKey: true }, runner));
      expect(error.code).toBe(ErrorCodes.LEDGER_TRANSITION);
      expect(await context.ledger.get(blocked.id)).toEqual(blocked);
    });

    it('answers LL_LEDGER_NOT_FOUND for an unknown item, whatever the change', async () => {
      const attempts = [
        context.ledger.transition('no-such-item', { from: ['pending'], to: 'failed', action: 'x' }, runner),
        context.ledger.beginAttempt('no-such-item', runner),
        context.ledger.completeAttempt('no-such-item', 1, Outcomes.synced('E1'), runner),
        context.ledger.edit('no-such-item', { checkNumber: '1' }, accountant),
        context.ledger.audit('no-such-item'),
        context.ledger.attempts('no-such-item'),
      ].map((attempt) => refusal(attempt));
      for (const attempt of attempts) {
        const error = await attempt;
        expect(error.code).toBe(ErrorCodes.LEDGER_NOT_FOUND);
        expect(error.message).toContain('no-such-item');
      }
    });
  });
}
