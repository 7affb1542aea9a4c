import { ledgerErrorOf, preflightRecord, type ConnectorRuntime, type Entity, type Ledger, type LedgerError, type Payment } from '@ledgerlink/core';
import type { TenantConfig } from '../config/schema.js';
import { assignCheckNumber } from './check-numbers.js';

/**
 * What one entity adds to the one export flow beyond its definition (model, ledger key, prerequisites): the
 * payment's rules (funded only, check numbers, partial payments / tax / markups refused, approval) live here as
 * hooks, so payments and every other entity go through the same intake, gate, send and unblock steps.
 */
export interface ExportPolicy<TRecord = unknown> {
  /** Why a valid record is not taken at all (e.g. a payment not funded yet), or null to take it. */
  ignore(record: TRecord): string | null;
  /** The record as it goes into the ledger (e.g. a check number assigned). */
  prepare(record: TRecord): Promise<TRecord>;
  /** A refusal before any ERP call (the connector cannot take it), as the ledger's error; undefined to go on. */
  refusal(record: TRecord): LedgerError | undefined;
  /** Whether an accounting approver must approve it before it goes. */
  requiresApproval: boolean;
}

/** The policy of `entity` for one tenant: payments carry the seed's rules, other entities the connector's preflight only. */
export function exportPolicyOf(entity: Entity, runtime: ConnectorRuntime, config: TenantConfig, ledger: Ledger, tenant: string): ExportPolicy {
  if (entity === 'payment') {
    const payment: ExportPolicy<Payment> = {
      ignore: (record) =>
        record.status === 'funding_complete' || record.status === 'paid' ? null : `payment ${record.id} is "${record.status}", not funding_complete: it is exported once funded`,
      prepare: (record) => assignCheckNumber(record, config, ledger, tenant),
      refusal: (record) => {
        const refused = runtime.preflight(record);
        return refused === null ? undefined : ledgerErrorOf(refused);
      },
      requiresApproval: config.requireApproval.payment,
    };
    return payment as ExportPolicy;
  }
  return {
    ignore: () => null,
    prepare: (record) => Promise.resolve(record),
    refusal: (record) => {
      const refused = preflightRecord(runtime.connector, entity, record);
      return refused === null ? undefined : ledgerErrorOf(refused);
    },
    requiresApproval: false,
  };
}
