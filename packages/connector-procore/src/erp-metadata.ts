import type { Capabilities, Direction, Entity, ErpMetadata } from '@ledgerlink/core';

/** How Procore's ERP tool names the integration (`settings.labels`, erp_metadata_details.md). */
export interface ErpLabels {
  /** The ERP's name shown in the ERP tool, e.g. "Sage Intacct". */
  name: string;
  /** Prefix of the ERP code field, e.g. "Intacct ID". */
  idName?: string;
  /** A shorter name, e.g. "Intacct". */
  shortName?: string;
}

/** Every entity block Procore's metadata knows [V erp_metadata_details.md], plus `contract_payments`. */
export const METADATA_ENTITIES = [
  'standard_cost_codes',
  'standard_categories',
  'vendors',
  'jobs',
  'sub_jobs',
  'budgets',
  'job_costs',
  'job_cost_transactions',
  'commitments',
  'commitment_change_orders',
  'company_level_direct_costs',
  'requisitions',
  'payment_applications',
  'prime_contracts',
  'prime_contract_change_orders',
  'contract_payments',
] as const;
export type MetadataEntity = (typeof METADATA_ENTITIES)[number];

/**
 * Which metadata block carries each ledgerlink entity. A payment is Procore's **contract payment** (a payment on a
 * subcontractor invoice; `create_contract_payment`, External Data `item_type=contract_payment`): its block is
 * `contract_payments`. `payment_applications` are the owner side (prime contract pay apps), not ours. Procore still
 * drives the import of payments through `requisitions.configs.sync_payments` (the doc says it will move to
 * `contract_payments.configs.import`): both are set, and the requisition block itself is enabled only when the
 * connector declares requisitions (subcontractor invoices → the ERP's AP bills). Vendors are the `vendors` block.
 */
const BLOCK_OF: Record<Entity, MetadataEntity> = { payment: 'contract_payments', requisition: 'requisitions', vendor: 'vendors' };

/**
 * Blocks whose import goes through Staged Records (erp_staged_records.md: "enabled at the entity type level"): ERP
 * vendors wait on Procore's Ready to Import page (`sync_vendors`). Payments issued are written directly by Invoice
 * Payments Sync, never staged.
 */
const STAGED_IMPORT: ReadonlySet<MetadataEntity> = new Set(['vendors']);

function block(name: MetadataEntity, directions: readonly Direction[]): Record<string, unknown> {
  const exports = directions.includes('export');
  const imports = directions.includes('import');
  const enabled = exports || imports;
  return {
    enabled,
    configs: {
      // A re-export after the accountant's edit is a new create of an object that never synced; a synced object is
      // locked in Procore and never updated from it.
      export: { enabled: exports, create: { enabled: exports }, update: { enabled: false }, custom_fields: [] },
      import: { enabled: imports },
      staged_records: { enabled: imports && STAGED_IMPORT.has(name) },
    },
    tab: { enabled },
  };
}

/**
 * The ERP connection's metadata (erp_metadata_details.md) generated from an ERP connector's capabilities, so
 * Procore's ERP tool offers the customer exactly what the connector can do: the blocks of the entities it declares
 * are enabled in the directions it declares, every other block is present and disabled.
 */
export function erpMetadataFor(capabilities: Pick<Capabilities, 'entities'>, labels: ErpLabels): ErpMetadata {
  const directionsOf = new Map<MetadataEntity, Direction[]>();
  for (const [entity, directions] of Object.entries(capabilities.entities) as [Entity, Direction[] | undefined][]) {
    if (directions !== undefined && directions.length > 0) directionsOf.set(BLOCK_OF[entity], directions);
  }
  const entities: Record<string, unknown> = {};
  for (const name of METADATA_ENTITIES) entities[name] = block(name, directionsOf.get(name) ?? []);
  const paymentsImport = directionsOf.get('contract_payments')?.includes('import') ?? false;
  const requisitions = entities.requisitions as { configs: Record<string, unknown> };
  requisitions.configs.sync_payments = { enabled: paymentsImport };
  return {
    settings: {
      labels: {
        name: labels.name,
        id_name: labels.idName ?? `${labels.shortName ?? labels.name} ID`,
        short_name: labels.shortName ?? labels.name,
      },
      configurations: { features: {} },
      entities,
    },
  };
}
