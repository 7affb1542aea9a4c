import { supports, type Capabilities } from '@ledgerlink/core';
import { CONFORMANCE_CHECKS, NOT_SKIPPABLE, PAYMENT_CHECKS, type ConformanceCheck } from './check-names.js';
import { planEntityCheck } from './entity-plan.js';

/**
 * How one check runs for one connector:
 * - `run`: the full check;
 * - `refusal`: the capability is not declared, so the kit checks that the engine refuses cleanly, before any call;
 * - `not-applicable`: skipped with a written reason; the kit still proves the connector really lacks the thing;
 * - `invalid-skip`: a skip the kit does not accept (no reason, a check that cannot be skipped, an unknown name):
 *   it becomes a failing test that says what to do.
 */
export type CheckPlan =
  | { check: ConformanceCheck; mode: 'run' }
  | { check: ConformanceCheck; mode: 'refusal'; missing: string }
  | { check: ConformanceCheck; mode: 'not-applicable'; reason: string }
  | { check: string; mode: 'invalid-skip'; problem: string };

/** Checks that need payment export; without it each becomes a refusal check. */
export const NEEDS_EXPORT: ReadonlySet<ConformanceCheck> = new Set(PAYMENT_CHECKS.filter((check) => check !== 'config' && check !== 'import'));

/** Decides, from the declared capabilities and the skip reasons, how each check runs. */
export function planChecks(capabilities: Capabilities, skip: Partial<Record<string, string>> = {}): CheckPlan[] {
  const plans: CheckPlan[] = CONFORMANCE_CHECKS.flatMap((check) => planEntityCheck(check, capabilities, skip[check]) ?? [planOne(check, capabilities, skip[check])]);
  const known: ReadonlySet<string> = new Set(CONFORMANCE_CHECKS);
  for (const name of Object.keys(skip)) {
    if (!known.has(name)) {
      plans.push({
        check: name,
        mode: 'invalid-skip',
        problem: `skip names "${name}", which is not a conformance check (one of: ${CONFORMANCE_CHECKS.join(', ')})`,
      });
    }
  }
  return plans;
}

function planOne(check: ConformanceCheck, capabilities: Capabilities, reason: string | undefined): CheckPlan {
  const missing = missingCapability(check, capabilities);
  if (reason !== undefined) {
    if (missing !== undefined) {
      return {
        check,
        mode: 'invalid-skip',
        problem: `${check} is already a refusal check because ${missing}; remove it from skip`,
      };
    }
    const notSkippable = NOT_SKIPPABLE[check];
    if (notSkippable !== undefined) {
      return { check, mode: 'invalid-skip', problem: `${check} cannot be skipped: ${notSkippable}` };
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      return { check, mode: 'invalid-skip', problem: `skipping ${check} needs a written reason (a non-empty string)` };
    }
    return { check, mode: 'not-applicable', reason: reason.trim() };
  }
  if (missing !== undefined) return { check, mode: 'refusal', missing };
  return { check, mode: 'run' };
}

function missingCapability(check: ConformanceCheck, capabilities: Capabilities): string | undefined {
  if (NEEDS_EXPORT.has(check) && !supports(capabilities, 'payment', 'export')) return 'payment export is not declared';
  if (check === 'import' && !supports(capabilities, 'payment', 'import')) return 'payment import is not declared';
  if (check === 'partial-payment' && !capabilities.partialPayments) return 'partialPayments is not declared';
  return undefined;
}
