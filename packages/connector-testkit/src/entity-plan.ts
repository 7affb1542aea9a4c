import { supports, type Capabilities } from '@ledgerlink/core';
import { ENTITY_CHECKS, ENTITY_CHECK_SCOPE, ENTITY_NOT_SKIPPABLE, type EntityCheck } from './entity-check-names.js';
import type { CheckPlan } from './plan.js';

const IS_ENTITY_CHECK: ReadonlySet<string> = new Set(ENTITY_CHECKS);

/**
 * How a per-entity check runs, or undefined for a payment check (planned by `planChecks` itself). Declared entity ×
 * direction: `run`. Not declared: the first check of the entity × direction is its one `refusal` check (titled with
 * the connector's `unsupported` reason where it gives one); the rest are not planned (an empty list). A skip is
 * never accepted: the ERP's limits are declared, not skipped.
 */
export function planEntityCheck(check: string, capabilities: Capabilities, reason: string | undefined): CheckPlan[] | undefined {
  if (!IS_ENTITY_CHECK.has(check)) return undefined;
  const entityCheck = check as EntityCheck;
  const { entity, direction } = ENTITY_CHECK_SCOPE[entityCheck];
  const declared = supports(capabilities, entity, direction);
  const first = ENTITY_CHECKS.find((candidate) => ENTITY_CHECK_SCOPE[candidate].entity === entity && ENTITY_CHECK_SCOPE[candidate].direction === direction);
  if (reason !== undefined) {
    const problem = declared
      ? `${check} cannot be skipped: ${ENTITY_NOT_SKIPPABLE[entityCheck]}`
      : `${check} is already a refusal check because ${entity} ${direction} is not declared; remove it from skip`;
    return [{ check: entityCheck, mode: 'invalid-skip', problem }];
  }
  if (declared) return [{ check: entityCheck, mode: 'run' }];
  if (first !== entityCheck) return [];
  const why = capabilities.unsupported?.[entity]?.[direction];
  return [{ check: entityCheck, mode: 'refusal', missing: `${entity} ${direction} is not declared${why === undefined ? '' : `: ${why}`}` }];
}
