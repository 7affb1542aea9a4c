import type { z } from 'zod';
import type { Direction, Entity } from '../connector/capabilities.js';
import { Payment, PaymentIssued } from '../model/payment.js';
import { Requisition } from '../model/requisition.js';
import { ErpVendor, HubVendor } from '../model/vendor.js';

/** What an ERP Request asks of an entity. */
export type EntityAction = 'export' | 'import' | 'reset' | 'link' | 'unlink';

/** Another entity that must be in the ERP before this one can be exported, and how to tell. */
export interface Prerequisite<TRecord> {
  entity: Entity;
  /** The hub id of the prerequisite this record depends on (e.g. a payment's requisition id). */
  sourceIdOf(record: TRecord): string;
  /** The prerequisite's ERP id as this record carries it, when the hub already knows it. */
  erpIdOf(record: TRecord): string | undefined;
  /** The record carrying the prerequisite's ERP id once it is known (the runner unblocks a waiting record with it). */
  withErpId(record: TRecord, erpId: string): TRecord;
  /** Why the record waits, as the close-out and the console say it. */
  blockedReason(record: TRecord): string;
}

/**
 * One entity ledgerlink moves: its canonical models, how the hub names it, what must be synced first. The runner's
 * one export flow and one import flow act on this; a connector declares per entity which directions it has (its
 * capabilities), its mapping section in `mapping.yaml` (`entities.<name>.<direction>`), batch size and idempotency
 * (`entityOptions`). A new entity is a definition here, mappings, and kit checks: not a new flow.
 */
export interface EntityDefinition<TExport = unknown, TImport = unknown> {
  entity: Entity;
  /** Singular, for messages ("requisition 5021 …"). */
  label: string;
  /** The canonical record exported (hub → ERP), when the entity exports. */
  exportModel?: z.ZodType<TExport>;
  /** The canonical record imported (ERP → hub), when the entity imports. */
  importModel?: z.ZodType<TImport>;
  /** Procore External Data `item_type` written with the ERP id once an export synced. */
  hubItemType: string;
  /** The ledger key of an exported record: its hub id. */
  sourceIdOf(record: TExport): string;
  /** What must be in the ERP before this record is exported (checked in order; the first missing blocks it). */
  prerequisites: Prerequisite<TExport>[];
}

/** ERP Request names (Procore's events dictionary) → the entity and action they ask for: the runner dispatches by it. */
export const HUB_REQUESTS: Readonly<Record<string, { entity: Entity; action: EntityAction }>> = Object.freeze({
  create_contract_payment: { entity: 'payment', action: 'export' },
  sync_contract_payments: { entity: 'payment', action: 'import' },
  reset_payment: { entity: 'payment', action: 'reset' },
  create_requisitions: { entity: 'requisition', action: 'export' },
  reset_requisition: { entity: 'requisition', action: 'reset' },
  create_vendor: { entity: 'vendor', action: 'export' },
  sync_vendors: { entity: 'vendor', action: 'import' },
  link_vendor: { entity: 'vendor', action: 'link' },
  unlink_vendor: { entity: 'vendor', action: 'unlink' },
});

const payment: EntityDefinition<Payment, PaymentIssued> = {
  entity: 'payment',
  label: 'payment',
  exportModel: Payment,
  importModel: PaymentIssued,
  hubItemType: 'contract_payment',
  sourceIdOf: (record) => record.id,
  prerequisites: [
    {
      entity: 'requisition',
      sourceIdOf: (record) => record.invoice.id,
      erpIdOf: (record) => record.invoice.erpId,
      withErpId: (record, erpId) => ({ ...record, invoice: { ...record.invoice, erpId } }),
      blockedReason: (record) =>
        `invoice ${record.invoice.number} is not yet in the ERP: sync the subcontractor invoice first; the payment goes on by itself once it is`,
    },
  ],
};

const requisition: EntityDefinition<Requisition, never> = {
  entity: 'requisition',
  label: 'requisition',
  exportModel: Requisition,
  hubItemType: 'requisition',
  sourceIdOf: (record) => record.id,
  prerequisites: [
    {
      entity: 'vendor',
      sourceIdOf: (record) => record.vendor.id,
      erpIdOf: (record) => record.vendor.erpId,
      withErpId: (record, erpId) => ({ ...record, vendor: { ...record.vendor, erpId } }),
      blockedReason: (record) =>
        `vendor ${record.vendor.name} is not yet in the ERP: export or link the vendor first; the invoice goes on by itself once it is`,
    },
  ],
};

const vendor: EntityDefinition<HubVendor, ErpVendor> = {
  entity: 'vendor',
  label: 'vendor',
  exportModel: HubVendor,
  importModel: ErpVendor,
  hubItemType: 'vendor',
  sourceIdOf: (record) => record.id,
  prerequisites: [],
};

/** Any entity's definition, its record types erased (the runner reads records as `unknown` and validates them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table holds definitions of different record types
export type AnyEntityDefinition = EntityDefinition<any, any>;

/** Every entity ledgerlink moves, by name. */
export const ENTITY_DEFINITIONS: Readonly<Record<Entity, AnyEntityDefinition>> = Object.freeze({ payment, requisition, vendor });

/** The directions an entity has at all (a connector declares a subset). */
export function entityDirections(entity: Entity): Direction[] {
  const definition = ENTITY_DEFINITIONS[entity];
  return [...(definition.exportModel === undefined ? [] : ['export' as const]), ...(definition.importModel === undefined ? [] : ['import' as const])];
}
