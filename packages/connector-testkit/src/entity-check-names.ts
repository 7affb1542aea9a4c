import type { Direction, Entity } from '@ledgerlink/core';

/**
 * The per-entity checks, in the order they run, each with the entity × direction it needs. Declared: every check
 * of that entity × direction runs. Not declared: the first one becomes the refusal check of that entity ×
 * direction, titled with the connector's `capabilities.unsupported` reason, and the others are not planned.
 */
export const ENTITY_CHECKS = [
  'requisition-export',
  'requisition-commit-then-drop',
  'requisition-unknown-vendor',
  'vendor-export',
  'vendor-commit-then-drop',
  'vendor-import',
] as const;

export type EntityCheck = (typeof ENTITY_CHECKS)[number];

/** The entity × direction each check needs. */
export const ENTITY_CHECK_SCOPE: Record<EntityCheck, { entity: Entity; direction: Direction }> = {
  'requisition-export': { entity: 'requisition', direction: 'export' },
  'requisition-commit-then-drop': { entity: 'requisition', direction: 'export' },
  'requisition-unknown-vendor': { entity: 'requisition', direction: 'export' },
  'vendor-export': { entity: 'vendor', direction: 'export' },
  'vendor-commit-then-drop': { entity: 'vendor', direction: 'export' },
  'vendor-import': { entity: 'vendor', direction: 'import' },
};

/** What each check proves, as the test's title. */
export const ENTITY_CHECK_TITLES: Record<EntityCheck, string> = {
  'requisition-export': "a requisition lands once as the ERP's AP bill: number, vendor, total, retainage, lines in order",
  'requisition-commit-then-drop': 'a lost answer after the bill was committed does not post a second bill',
  'requisition-unknown-vendor': "a requisition for a vendor the ERP does not know is rejected with the ERP's own answer; nothing lands",
  'vendor-export': "a vendor lands once as the ERP's vendor, active, with the synced outcome carrying its ERP id",
  'vendor-commit-then-drop': 'a lost answer after the vendor was committed does not create a second vendor',
  'vendor-import': "a vendor made in the ERP is read back with its ERP id, name and active flag",
};

/** None of the entity checks can be skipped: what an ERP cannot do is declared in `capabilities.unsupported`. */
export const ENTITY_NOT_SKIPPABLE: Record<EntityCheck, string> = Object.fromEntries(
  ENTITY_CHECKS.map((check) => {
    const { entity, direction } = ENTITY_CHECK_SCOPE[check];
    return [
      check,
      `leave ${entity} ${direction} out of capabilities.entities and give the reason in capabilities.unsupported.${entity}.${direction}; the kit then checks the refusal`,
    ];
  }),
) as Record<EntityCheck, string>;
