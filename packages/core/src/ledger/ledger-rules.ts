/**
 * The rules every Ledger store applies, in one place so the stores cannot drift: the state machine, attempts
 * and their outcomes, edits, audit entries, and how lists are filtered and paged. A store only reads, asks
 * a `plan*` function, and writes the plan in one transaction.
 */
export {
  LEDGER_START_STATES,
  leaseLost,
  ledgerIdempotencyKey,
  ledgerRecordJson,
  nextCounterValue,
  numberAudit,
  planNewItem,
  requireActor,
  requireLedgerItem,
} from './ledger-plan.js';
export type { AuditDraft, LedgerPlan } from './ledger-plan.js';
export { ATTEMPT_START_STATES, ledgerErrorOf, planBeginAttempt, planCompleteAttempt, planTransition } from './state-rules.js';
export { planEdit } from './edit-rules.js';
export {
  LEDGER_PAGE_DEFAULT,
  LEDGER_PAGE_MAX,
  compareLedgerCounts,
  decodeLedgerCursor,
  encodeLedgerCursor,
  ledgerFilterStates,
  ledgerPageOf,
  ledgerFilterText,
  ledgerPageSize,
  ledgerSearchText,
  matchesLedgerFilter,
} from './query-rules.js';
// The named change `Ledger.transition` takes (added after the first cut of types.ts).
export type { LedgerTransition } from './types.js';
