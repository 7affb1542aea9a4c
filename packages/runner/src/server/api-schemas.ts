import { Direction, Entity, LEDGER_STATES } from '@ledgerlink/core';
import { z } from 'zod';

/**
 * The request schemas of the HTTP API. Bodies are strict: a field the route does not take is a 400 naming
 * it (`PATCH /records/:id` with `amountCents` says `amountCents`), never silently dropped.
 */

export const LedgerState = z.enum(LEDGER_STATES);

export const RecordIdParams = z.strictObject({ id: z.string().min(1).max(200) });
export const TenantIdParams = z.strictObject({ id: z.string().min(1).max(200) });

/** `state` takes one state or several, comma-separated (`failed,blocked`). */
const StateFilter = z
  .string()
  .max(200)
  .transform((text, context) => {
    const states = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
    for (const state of states) {
      if (!LedgerState.safeParse(state).success) {
        context.addIssue({ code: 'custom', message: `"${state}" is not a state; one of ${LEDGER_STATES.join(', ')}` });
        return z.NEVER;
      }
    }
    return states as z.infer<typeof LedgerState>[];
  });

export const RecordsQuery = z.strictObject({
  state: StateFilter.optional().describe('one state or several, comma-separated: pending, awaiting_approval, blocked, exporting, synced, failed'),
  tenant: z.string().min(1).max(200).optional(),
  entity: Entity.optional(),
  direction: Direction.optional(),
  q: z.string().trim().min(1).max(200).optional().describe('case-insensitive text in the vendor name, invoice number, check number or vendor code'),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page, unchanged'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const Editable = z.string().trim().min(1, 'must not be empty').max(64, 'at most 64 characters');

export const EditRecordBody = z
  .strictObject({
    checkNumber: Editable.optional().describe('the new check number'),
    bankId: Editable.optional().describe('the new Bank ID (funding account)'),
  })
  .refine((body) => body.checkNumber !== undefined || body.bankId !== undefined, { message: 'give checkNumber, bankId or both', path: ['checkNumber'] });

export const RejectBody = z.strictObject({
  reason: z.string().trim().min(1, 'say why the record is rejected').max(1000, 'at most 1000 characters'),
});

export const ScheduleBody = z.strictObject({
  everyMinutes: z.number().int().min(0).max(7 * 24 * 60).describe('import paid payments every N minutes; 0 = on demand only'),
});

export const ExportsToggleParams = z.strictObject({ id: z.string().min(1).max(200), action: z.enum(['enable', 'disable']) });

export const ExportStatsQuery = z.strictObject({
  hours: z.coerce.number().int().min(1).max(24 * 31).default(24),
  bucketMinutes: z.coerce.number().int().min(1).max(24 * 60).default(60),
  tenant: z.string().min(1).max(200).optional(),
});
