import { describe, expect, it } from 'vitest';
import { Outcomes, type EditableField } from '../connector/outcome.js';
import { ErrorCodes } from '../errors.js';
import { accountant, hub, itemIn, newPayment, refusal, runner, type LedgerSuiteContext } from './ledger-fixtures.js';

/** Editing a failed record (check number, bank ID) and the audit trail of a whole life. */
export function describeEdits(context: LedgerSuiteContext): void {
  describe('edits and audit', () => {
    for (const state of ['pending', 'awaiting_approval', 'blocked', 'exporting', 'synced'] as const) {
      it(`refuses to edit a ${state} item`, async () => {
        const item = await itemIn(context.ledger, state, 1);
        const error = await refusal(context.ledger.edit(item.id, { checkNumber: '20001' }, accountant));
        expect(error.code).toBe(ErrorCodes.LEDGER_EDIT_REFUSED);
        expect(error.message).toContain(state);
        expect(await context.ledger.get(item.id)).toEqual(item);
      });
    }

    it('refuses any field but checkNumber and bankId, and values that are not non-empty text', async () => {
      const item = await itemIn(context.ledger, 'failed', 1);
      const edits = [
        { amountCents: '1' },
        { checkNumber: '20001', vendor: 'someone else' },
        { checkNumber: '   ' },
        { bankId: '' },
        { bankId: 42 },
        {},
      ] as unknown as Partial<Record<EditableField, string>>[];
      for (const changes of edits) {
        const error = await refusal(context.ledger.edit(item.id, changes, accountant));
        expect(error.code).toBe(ErrorCodes.LEDGER_EDIT_REFUSED);
      }
      const named = await refusal(context.ledger.edit(item.id, { amountCents: '1' } as never, accountant));
      expect(named.message).toContain('amountCents');
      expect(await context.ledger.get(item.id)).toEqual(item);
      expect((await context.ledger.audit(item.id)).map((entry) => entry.action)).not.toContain('edited');
    });

    it('an edit updates the record, bumps the revision, gives a new key, and audits old and new', async () => {
      const item = await itemIn(context.ledger, 'failed', 1);
      const edited = await context.ledger.edit(item.id, { checkNumber: ' 20001 ', bankId: 'BOA-PAYROLL' }, accountant);
      expect(edited).toMatchObject({ state: 'failed', revision: 2, idempotencyKey: `${item.id}.r2`, attempts: 1 });
      expect(edited.record).toEqual({ ...item.record, checkNumber: '20001', bankId: 'BOA-PAYROLL' });
      expect(edited.lastError).toEqual(item.lastError);
      expect(await context.ledger.get(item.id)).toEqual(edited);
      const entry = (await context.ledger.audit(item.id)).at(-1);
      expect(entry).toMatchObject({
        action: 'edited',
        actor: accountant,
        detail: {
          changes: { checkNumber: { from: '10001', to: '20001' }, bankId: { from: 'BOA-OPERATING', to: 'BOA-PAYROLL' } },
          revision: { from: 1, to: 2 },
          idempotencyKey: { from: `${item.id}.r1`, to: `${item.id}.r2` },
        },
      });
    });

    it('a re-export after an edit goes out under the new key; attempts count across revisions', async () => {
      const item = await itemIn(context.ledger, 'failed', 1);
      await context.ledger.edit(item.id, { checkNumber: '20001' }, accountant);
      await context.ledger.edit(item.id, { checkNumber: '20002' }, accountant);
      await context.ledger.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export' }, accountant);
      const { attempt } = await context.ledger.beginAttempt(item.id, runner);
      expect(attempt).toMatchObject({ number: 2, idempotencyKey: `${item.id}.r3` });
      expect((await context.ledger.attempts(item.id)).map((a) => a.idempotencyKey)).toEqual([`${item.id}.r1`, `${item.id}.r3`]);
    });

    it('audits every change in order, with who made it and when', async () => {
      const { item } = await context.ledger.upsert(newPayment(1, { state: 'awaiting_approval' }), hub);
      await context.ledger.transition(item.id, { from: ['awaiting_approval'], to: 'pending', action: 'approved' }, accountant);
      await context.ledger.beginAttempt(item.id, runner);
      await context.ledger.completeAttempt(item.id, 1, Outcomes.needsEdit(['bankId'], 'unknown bank account'), runner);
      await context.ledger.edit(item.id, { bankId: 'BOA-2' }, accountant);
      await context.ledger.transition(item.id, { from: ['failed'], to: 'pending', action: 're-export' }, accountant);
      await context.ledger.beginAttempt(item.id, runner);
      await context.ledger.completeAttempt(item.id, 2, Outcomes.synced('ERP-5'), runner);
      const audit = await context.ledger.audit(item.id);
      expect(audit.map((entry) => [entry.seq, entry.action, entry.actor])).toEqual([
        [1, 'created', hub],
        [2, 'approved', accountant],
        [3, 'attempt', runner],
        [4, 'outcome', runner],
        [5, 'edited', accountant],
        [6, 're-export', accountant],
        [7, 'attempt', runner],
        [8, 'outcome', runner],
      ]);
      expect(audit.every((entry) => entry.itemId === item.id)).toBe(true);
      const times = audit.map((entry) => entry.at);
      expect([...times].sort()).toEqual(times);
      expect(audit[2]?.detail).toMatchObject({ number: 1, idempotencyKey: `${item.id}.r1`, from: 'pending', to: 'exporting' });
      expect(audit[3]?.detail).toMatchObject({ number: 1, from: 'exporting', to: 'failed', outcome: { kind: 'needs-edit' } });
      expect(audit[7]?.detail).toMatchObject({ number: 2, from: 'exporting', to: 'synced', outcome: { kind: 'synced', erpId: 'ERP-5' } });
    });
  });
}
