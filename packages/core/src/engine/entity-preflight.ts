import { supports, type Direction, type Entity } from '../connector/capabilities.js';
import type { Connector } from '../connector/define-connector.js';
import { Outcomes, type RejectedOutcome } from '../connector/outcome.js';
import { ENTITY_DEFINITIONS } from '../entity/definitions.js';
import { ErrorCodes } from '../errors.js';

/**
 * Why the connector refuses `entity` × `direction`, or null when it declares it: the message names the connector's
 * own `capabilities.unsupported` reason when it gives one, so the console says why, not only that.
 */
export function capabilityRefusal(connector: Pick<Connector, 'manifest' | 'capabilities'>, entity: Entity, direction: Direction): string | null {
  if (supports(connector.capabilities, entity, direction)) return null;
  const { displayName, id } = connector.manifest;
  const reason = connector.capabilities.unsupported?.[entity]?.[direction];
  const label = ENTITY_DEFINITIONS[entity].label;
  const verb = direction === 'export' ? 'export' : 'import';
  return (
    `${displayName} (${id}) does not ${verb} ${label}s` +
    (reason === undefined ? '' : `: ${reason}`) +
    `; ${direction === 'export' ? `record the ${label} in the ERP by hand` : `enter the ${label}s in the hub by hand`}, or use a connector that declares ${label} ${direction}`
  );
}

/**
 * The refusals of a requisition or vendor export that need no ERP call: the connector does not export the entity;
 * a prerequisite (a requisition's vendor) has no ERP id yet, so the record waits for it (LL_PREREQUISITE_NOT_IN_ERP,
 * with the definition's reason). Payments keep `preflightPayment`.
 */
export function preflightRecord(connector: Pick<Connector, 'manifest' | 'capabilities'>, entity: Entity, record: unknown): RejectedOutcome | null {
  const refusal = capabilityRefusal(connector, entity, 'export');
  if (refusal !== null) return Outcomes.rejected(refusal, undefined, ErrorCodes.CAPABILITY_MISSING);
  for (const prerequisite of ENTITY_DEFINITIONS[entity].prerequisites) {
    const erpId = prerequisite.erpIdOf(record);
    if (typeof erpId !== 'string' || erpId.trim() === '') {
      return Outcomes.rejected(prerequisite.blockedReason(record), undefined, ErrorCodes.PREREQUISITE_NOT_IN_ERP);
    }
  }
  return null;
}
