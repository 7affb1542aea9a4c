import type { Ledger, Payment } from '@ledgerlink/core';
import type { TenantConfig } from '../config/schema.js';

/**
 * Gives a payment without a check number the funding account's next one, where the tenant configures a
 * "next check number" for its bank (seed 001: start high, e.g. 10000, so Procore Pay's numbers never collide
 * with the ERP's own). The counter lives in the store and is taken in one atomic write (`Ledger.takeNext`), so
 * neither a restart nor two replicas around a handover ever hand out one number twice, and it never goes below
 * the configured start (raising the start in the config skips ahead).
 */
export async function assignCheckNumber(payment: Payment, config: TenantConfig, ledger: Ledger, tenant: string): Promise<Payment> {
  const start = config.nextCheckNumber[payment.bankId];
  if (payment.checkNumber !== undefined || start === undefined) return payment;
  const next = await ledger.takeNext(tenant, `checkNumber:${payment.bankId}`, start);
  return { ...payment, checkNumber: String(next) };
}
