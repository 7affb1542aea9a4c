import type { Ledger, Payment } from '@ledgerlink/core';
import type { TenantConfig } from '../config/schema.js';

const locks = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier call with the same key: one counter, one writer at a time in this process. */
function serially<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  locks.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * Gives a payment without a check number the funding account's next one, where the tenant configures a
 * "next check number" for its bank (seed 001: start high, e.g. 10000, so Procore Pay's numbers never collide
 * with the ERP's own). The counter lives in the ledger, so a restart never hands out a number twice, and it
 * never goes below the configured start (raising the start in the config skips ahead).
 */
export async function assignCheckNumber(payment: Payment, config: TenantConfig, ledger: Ledger, tenant: string): Promise<Payment> {
  const start = config.nextCheckNumber[payment.bankId];
  if (payment.checkNumber !== undefined || start === undefined) return payment;
  const name = `checkNumber:${payment.bankId}`;
  return serially(`${tenant}/${name}`, async () => {
    const stored = Number((await ledger.getCursor(tenant, name)) ?? '0');
    const next = Math.max(start, Number.isSafeInteger(stored) ? stored : 0);
    await ledger.setCursor(tenant, name, String(next + 1));
    return { ...payment, checkNumber: String(next) };
  });
}
