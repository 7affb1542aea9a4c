import { describe, expect, it } from 'vitest';
import { Outcomes, type Outcome } from '../connector/outcome.js';
import { ErrorCodes } from '../errors.js';
import type { LedgerState } from '../ledger/types.js';
import { itemIn, refusal, runner, type LedgerSuiteContext } from './ledger-fixtures.js';

const erp = { code: 'BL01001973', message: 'Check number 10001 already exists for this bank account.', httpStatus: 400 };

/** Each outcome kind: the state it leaves, the last error it leaves (verbatim ERP answer kept). */
const OUTCOME_CASES: { name: string; outcome: Outcome; state: LedgerState; lastError?: Record<string, unknown> }[] = [
  { name: 'synced', outcome: Outcomes.synced('ERP-77'), state: 'synced' },
  { name: 'accepted', outcome: Outcomes.accepted('queue-4'), state: 'exporting' },
  {
    name: 'retryable',
    outcome: Outcomes.throttled('rate limited: wait and retry', { retryAfterMs: 2000, erp: { message: 'Too Many Requests', httpStatus: 429 } }),
    state: 'exporting',
    lastError: { code: ErrorCodes.ERP_THROTTLED, kind: 'retryable', erp: { message: 'Too Many Requests', httpStatus: 429 } },
  },
  {
    name: 'rejected',
    outcome: Outcomes.rejected('the ERP does not know vendor v-1', { code: 'PL04000055', message: 'Vendor v-1 not found' }),
    state: 'failed',
    lastError: { code: ErrorCodes.ERP_REJECTED, kind: 'rejected', message: 'the ERP does not know vendor v-1', erp: { code: 'PL04000055', message: 'Vendor v-1 not found' } },
  },
  {
    name: 'needs-edit',
    outcome: Outcomes.needsEdit(['checkNumber'], 'check number already used: edit it and export again', erp),
    state: 'failed',
    lastError: { code: ErrorCodes.ERP_NEEDS_EDIT, kind: 'needs-edit', editableFields: ['checkNumber'], erp },
  },
];

/** beginAttempt / completeAttempt, the link and the attempts history. */
export function describeAttempts(context: LedgerSuiteContext): void {
  describe('attempts', () => {
    it('beginAttempt moves a pending item to exporting and keeps an open attempt with its key', async () => {
      const item = await itemIn(context.ledger, 'pending', 1);
      const { item: exporting, attempt } = await context.ledger.beginAttempt(item.id, runner);
      expect(exporting).toMatchObject({ state: 'exporting', attempts: 1, idempotencyKey: item.idempotencyKey });
      expect(attempt).toMatchObject({ itemId: item.id, number: 1, idempotencyKey: item.idempotencyKey });
      expect(attempt.outcome).toBeUndefined();
      expect(attempt.finishedAt).toBeUndefined();
      expect(await context.ledger.attempts(item.id)).toEqual([attempt]);
      expect(await context.ledger.get(item.id)).toEqual(exporting);
    });

    it('beginAttempt on an exporting item (retry, recovery) starts the next attempt under the same key', async () => {
      const item = await itemIn(context.ledger, 'pending', 1);
      const first = await context.ledger.beginAttempt(item.id, runner);
      await context.ledger.completeAttempt(item.id, 1, Outcomes.serverError('ERP answered 503'), runner);
      const second = await context.ledger.beginAttempt(item.id, runner);
      const third = await context.ledger.beginAttempt(item.id, runner);
      expect(second.attempt.number).toBe(2);
      expect(third.item).toMatchObject({ state: 'exporting', attempts: 3 });
      const history = await context.ledger.attempts(item.id);
      expect(history.map((attempt) => [attempt.number, attempt.idempotencyKey, attempt.outcome?.kind])).toEqual([
        [1, first.attempt.idempotencyKey, 'retryable'],
        [2, first.attempt.idempotencyKey, undefined],
        [3, first.attempt.idempotencyKey, undefined],
      ]);
    });

    for (const state of ['awaiting_approval', 'blocked', 'failed', 'synced'] as const) {
      it(`beginAttempt refuses a ${state} item and writes nothing`, async () => {
        const item = await itemIn(context.ledger, state, 1);
        const attempts = await context.ledger.attempts(item.id);
        const audit = await context.ledger.audit(item.id);
        const error = await refusal(context.ledger.beginAttempt(item.id, runner));
        expect(error.code).toBe(ErrorCodes.LEDGER_TRANSITION);
        expect(error.message).toContain(state);
        expect(await context.ledger.get(item.id)).toEqual(item);
        expect(await context.ledger.attempts(item.id)).toEqual(attempts);
        expect(await context.ledger.audit(item.id)).toEqual(audit);
      });
    }

    for (const { name, outcome, state, lastError } of OUTCOME_CASES) {
      it(`completeAttempt with ${name} leaves the item ${state} and closes the attempt`, async () => {
        const item = await itemIn(context.ledger, 'exporting', 1);
        const done = await context.ledger.completeAttempt(item.id, 1, outcome, runner);
        expect(done.state).toBe(state);
        if (outcome.kind === 'synced') expect(done.targetId).toBe(outcome.erpId);
        else expect(done.targetId).toBeUndefined();
        if (lastError === undefined) expect(done.lastError).toBeUndefined();
        else expect(done.lastError).toMatchObject({ ...lastError, message: (outcome as { message: string }).message });
        expect(await context.ledger.get(item.id)).toEqual(done);
        const [attempt] = await context.ledger.attempts(item.id);
        expect(attempt?.outcome).toEqual(outcome);
        expect(typeof attempt?.finishedAt).toBe('string');
        expect((await context.ledger.audit(item.id)).at(-1)).toMatchObject({ action: 'outcome', actor: runner, detail: { number: 1 } });
      });
    }

    it('a synced outcome clears the last error of an earlier retry and keeps a replay flag', async () => {
      const item = await itemIn(context.ledger, 'exporting', 1);
      await context.ledger.completeAttempt(item.id, 1, Outcomes.transport('socket hang up'), runner);
      await context.ledger.beginAttempt(item.id, runner);
      const done = await context.ledger.completeAttempt(item.id, 2, Outcomes.synced('ERP-1', { replayed: true }), runner);
      expect(done).toMatchObject({ state: 'synced', targetId: 'ERP-1' });
      expect(done.lastError).toBeUndefined();
      expect((await context.ledger.attempts(item.id))[1]?.outcome).toEqual({ kind: 'synced', erpId: 'ERP-1', replayed: true });
    });

    it('the link is immutable: another ERP id is refused, the same one is a no-op', async () => {
      const synced = await itemIn(context.ledger, 'synced', 1);
      const audit = await context.ledger.audit(synced.id);
      const error = await refusal(context.ledger.completeAttempt(synced.id, 1, Outcomes.synced('ERP-other'), runner));
      expect(error.code).toBe(ErrorCodes.LEDGER_LINK_IMMUTABLE);
      expect(error.message).toContain('ERP-1');
      expect(error.message).toContain('ERP-other');
      expect(await context.ledger.get(synced.id)).toEqual(synced);
      const same = await context.ledger.completeAttempt(synced.id, 1, Outcomes.synced('ERP-1'), runner);
      expect(same).toEqual(synced);
      expect(await context.ledger.audit(synced.id)).toEqual(audit);
    });

    it('a synced item stays synced when a stale open attempt reports later', async () => {
      const item = await itemIn(context.ledger, 'exporting', 1);
      await context.ledger.beginAttempt(item.id, runner);
      await context.ledger.completeAttempt(item.id, 2, Outcomes.synced('ERP-9'), runner);
      const after = await context.ledger.completeAttempt(item.id, 1, Outcomes.rejected('duplicate'), runner);
      expect(after).toMatchObject({ state: 'synced', targetId: 'ERP-9' });
      expect(after.lastError).toBeUndefined();
      expect((await context.ledger.attempts(item.id)).map((attempt) => attempt.outcome?.kind)).toEqual(['rejected', 'synced']);
      const relink = await refusal(context.ledger.completeAttempt(item.id, 1, Outcomes.synced('ERP-10'), runner));
      expect(relink.code).toBe(ErrorCodes.LEDGER_LINK_IMMUTABLE);
    });

    it('refuses to complete an attempt that does not exist, or to give a closed one another outcome', async () => {
      const item = await itemIn(context.ledger, 'exporting', 1);
      const missing = await refusal(context.ledger.completeAttempt(item.id, 2, Outcomes.synced('ERP-1'), runner));
      expect(missing.code).toBe(ErrorCodes.LEDGER_TRANSITION);
      const failed = await context.ledger.completeAttempt(item.id, 1, Outcomes.rejected('no such bill'), runner);
      const twice = await refusal(context.ledger.completeAttempt(item.id, 1, Outcomes.accepted(), runner));
      expect(twice.code).toBe(ErrorCodes.LEDGER_TRANSITION);
      expect(await context.ledger.get(item.id)).toEqual(failed);
      // The same answer written twice (a retried ledger write) is harmless.
      expect(await context.ledger.completeAttempt(item.id, 1, Outcomes.rejected('no such bill'), runner)).toEqual(failed);
    });

    it('lists attempts oldest first, the open one included', async () => {
      const item = await itemIn(context.ledger, 'pending', 1);
      await context.ledger.beginAttempt(item.id, runner);
      await context.ledger.completeAttempt(item.id, 1, Outcomes.throttled('slow down'), runner);
      await context.ledger.beginAttempt(item.id, runner);
      const history = await context.ledger.attempts(item.id);
      expect(history.map((attempt) => attempt.number)).toEqual([1, 2]);
      expect(history[0]?.outcome?.kind).toBe('retryable');
      expect(history[1]?.outcome).toBeUndefined();
      expect(String(history[1]?.startedAt) >= String(history[0]?.finishedAt)).toBe(true);
    });
  });
}
