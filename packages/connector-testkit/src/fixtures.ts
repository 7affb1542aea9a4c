import type { Payment, SandboxSeed } from '@ledgerlink/core';
import type { ConformanceFixtures } from './options.js';

/** The ERP ids of payment `n`'s vendor, bank account and bill. */
export interface ErpIds {
  vendorId: string;
  bankAccountId: string;
  billId: string;
}

/** The date the ERP's payment date is mapped from, and the one it must not be (so the check can tell them apart). */
export const FUNDED_ON = '2025-03-14';
export const PAID_ON = '2025-03-17';

/** Resolves the connector's id styles, with the kit's defaults. */
export function erpIds(fixtures: ConformanceFixtures, n: number): ErpIds {
  return {
    vendorId: fixtures.vendorId?.(n) ?? `V${n}`,
    bankAccountId: fixtures.bankAccountId?.(n) ?? `BANK${n}`,
    billId: fixtures.billId?.(n) ?? `${1000 + n}`,
  };
}

/** A check number no other payment of this run uses. */
export function checkNumberFor(n: number): string {
  return String(10_000 + n);
}

/**
 * A canonical payment `n` that pays bill `n` of vendor `n` in full from bank account `n`, with the connector's
 * `paymentDefaults` merged in. Amounts differ per `n`, and carry cents, so a wrongly formatted or rounded
 * amount shows.
 */
export function makePayment(fixtures: ConformanceFixtures, n: number): Payment {
  const ids = erpIds(fixtures, n);
  const amountCents = 12_345 + n;
  const base: Payment = {
    id: `pay-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'check',
    fundedOn: FUNDED_ON,
    paidOn: PAID_ON,
    bankId: ids.bankAccountId,
    checkNumber: checkNumberFor(n),
    paymentNumber: `PN-${n}`,
    vendor: { id: `hub-vendor-${n}`, name: `Conformance Vendor ${n}`, erpId: ids.vendorId },
    invoice: { id: `hub-invoice-${n}`, number: `INV-${n}`, amountCents, erpId: ids.billId, commitmentId: 'hub-commitment-1' },
    project: { id: 'hub-project-1', number: 'P-100', name: 'Conformance Tower' },
    commitmentId: 'hub-commitment-1',
  };
  const defaults = fixtures.paymentDefaults?.(n) ?? {};
  const { vendor, invoice, project, ...rest } = defaults;
  return {
    ...base,
    ...rest,
    vendor: { ...base.vendor, ...vendor },
    invoice: { ...base.invoice, ...invoice },
    project: { ...base.project, ...project },
  };
}

/** What to seed for a payment: every part by default; a check about an unknown part leaves that one out. */
export interface SeedParts {
  vendor?: boolean;
  bank?: boolean;
  bill?: boolean;
}

/**
 * The sandbox seed that makes `payment` valid in the ERP: its vendor, its bank account, and its bill with the
 * invoice's number and total. Parts switched off are left out, so the ERP does not know them.
 */
export function seedFor(payment: Payment, parts: SeedParts = {}): SandboxSeed {
  const { vendor = true, bank = true, bill = true } = parts;
  const vendorId = required(payment.vendor.erpId, 'vendor.erpId');
  const seed: SandboxSeed = {};
  if (vendor) seed.vendors = [{ id: vendorId, name: payment.vendor.name }];
  if (bank) seed.bankAccounts = [{ id: payment.bankId, name: `Operating ${payment.bankId}` }];
  if (bill) {
    seed.bills = [
      {
        id: required(payment.invoice.erpId, 'invoice.erpId'),
        vendorId,
        number: payment.invoice.number,
        amountCents: payment.invoice.amountCents,
        projectNumber: payment.project.number,
      },
    ];
  }
  return seed;
}

function required(value: string | undefined, field: string): string {
  if (value === undefined) throw new Error(`the generated payment has no ${field}: do not clear it in fixtures.paymentDefaults`);
  return value;
}
