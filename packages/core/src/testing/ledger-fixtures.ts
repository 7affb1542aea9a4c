import type { Ledger, LedgerItem, LedgerState, NewLedgerItem, Actor } from '../ledger/types.js';
import { Outcomes } from '../connector/outcome.js';

/** What a store hands the ledger conformance suite for one test. */
export interface LedgerUnderTest {
  ledger: Ledger;
  /**
   * Opens the same store again (after the suite closed `ledger`): given by durable stores, whose data must
   * survive a restart. The suite then also runs its durability checks.
   */
  reopen?: () => Promise<Ledger>;
  /** Removes what the store left behind (temp files, schemas). */
  cleanup?: () => Promise<void>;
}

/** Called once per test: a fresh, empty store. */
export type CreateLedger = () => Promise<LedgerUnderTest>;

/** The store under test in the running test: each section reads it through this. */
export interface LedgerSuiteContext {
  /** The ledger of the running test (the reopened one after `reopen`). */
  readonly ledger: Ledger;
  /** Closes the ledger and opens the same store again; only in the durability section. */
  reopen(): Promise<Ledger>;
}


export const hub: Actor = { kind: 'hub', id: 'procore-webhook' };
export const runner: Actor = { kind: 'system', id: 'runner' };
export const accountant: Actor = { kind: 'user', id: 'pat.accountant@example.com' };

/** A canonical payment as the hub sends it (seed 000's fields), varied by `n`. */
export function paymentRecord(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `pay-${n}`,
    status: 'funding_complete',
    amountCents: 125_000 + n,
    method: 'check',
    fundedOn: '2025-03-14',
    bankId: 'BOA-OPERATING',
    checkNumber: `10${String(n).padStart(3, '0')}`,
    vendor: { id: `v-${n}`, name: `Vendor ${n} Concrete` },
    invoice: { id: `inv-${n}`, number: `INV-${n}`, amountCents: 125_000 + n },
    project: { id: 'p-1', number: 'PRJ-001' },
    ...overrides,
  };
}

export function newPayment(n: number, overrides: Partial<NewLedgerItem> = {}): NewLedgerItem {
  return {
    tenant: 'acme',
    entity: 'payment',
    direction: 'export',
    sourceId: `pay-${n}`,
    record: paymentRecord(n),
    ...overrides,
  };
}

/** Creates an item and walks it into `state` through the Ledger's own methods (never behind its back). */
export async function itemIn(ledger: Ledger, state: LedgerState, n: number, overrides: Partial<NewLedgerItem> = {}): Promise<LedgerItem> {
  if (state === 'awaiting_approval' || state === 'blocked') {
    const input = newPayment(n, { state, ...(state === 'blocked' ? { blockedReason: 'invoice INV not in the ERP yet' } : {}), ...overrides });
    return (await ledger.upsert(input, hub)).item;
  }
  const { item } = await ledger.upsert(newPayment(n, overrides), hub);
  if (state === 'pending') return item;
  const { attempt } = await ledger.beginAttempt(item.id, runner);
  if (state === 'exporting') return (await ledger.get(item.id)) as LedgerItem;
  const outcome =
    state === 'synced'
      ? Outcomes.synced(`ERP-${n}`)
      : Outcomes.needsEdit(['checkNumber'], 'check number already used on this bank account', {
          code: 'BL01001973',
          message: 'Duplicate check number 10001 for account BOA-OPERATING',
        });
  return ledger.completeAttempt(item.id, attempt.number, outcome, runner);
}

/** Awaits a promise that must reject with a LedgerlinkError of `code`, and returns the error. */
export async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the ledger to refuse, but it accepted');
}
