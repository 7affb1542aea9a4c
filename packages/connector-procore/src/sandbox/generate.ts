import type { SandboxSeed } from '@ledgerlink/core';
import type { ContractPaymentInput, ProcoreSandboxSeed } from './types.js';

/** What a generated payment is meant to meet in the ERP. */
export type PaymentScenario = 'ok' | 'used-check-number' | 'unknown-bank' | 'invoice-not-synced' | 'partial';

export interface GeneratePaymentsOptions {
  count: number;
  /** The Procore company (default 4264); it is part of the seed unless `includeCompany` is false. */
  companyId?: number;
  companyName?: string;
  includeCompany?: boolean;
  /** PRNG seed: the same options give the same payments. */
  seed?: number;
  /** First id of the generated projects, vendors, commitments, requisitions and contract payments (default 900000). */
  firstId?: number;
  /** Share (0..1) of each failing scenario; default 0.05 each. The rest are `ok`. */
  failureRates?: Partial<Record<Exclude<PaymentScenario, 'ok'>, number>>;
  /** Bank IDs the ERP knows (default two Goldman Sachs funding accounts). */
  bankIds?: string[];
  /** Procore Pay's next check number (default 10000, as seed 001 advises). */
  firstCheckNumber?: number;
  /** `date_payment_funded` of every payment (ISO); default: when `fundPayment` runs. */
  dateFunded?: string;
}

export interface GeneratedPayment {
  /** The contract payment's id. */
  id: number;
  /** The requisition (subcontractor invoice) it pays. */
  requisitionId: number;
  /** The same as `requisitionId`: the invoice's id, under the name the disbursements-era callers used. */
  invoiceId: number;
  scenario: PaymentScenario;
  amountCents: number;
  invoiceCents: number;
  method: 'ach' | 'check';
  bankId: string;
  checkNumber: string;
}

export interface GeneratedPayments {
  /** Seed the Procore sandbox with this, then `fundPayment(id)` each payment, in order (a reused check number follows its first use). */
  seed: ProcoreSandboxSeed;
  payments: GeneratedPayment[];
  /** What an ERP sandbox needs so the `ok` payments succeed there: vendors, bank accounts, bills of synced requisitions. */
  erpSeed: SandboxSeed;
}

const VENDORS = ['Summit Drywall Inc.', 'Keystone Concrete LLC', 'Bright Spark Electric', 'Blue Ridge Plumbing & Heating', 'Ironclad Steel Erectors', 'Evergreen Landscaping', 'Apex Glazing Co.', 'Northwind HVAC'];
const PROJECTS = [
  { number: 'P-1001', name: 'Harbor View Tower' },
  { number: 'P-1002', name: 'Riverside Medical Office' },
  { number: 'P-1003', name: 'Oak Street Elementary – Phase 2' },
];

/** mulberry32: a small, seeded PRNG, so a demo run is reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Varied, realistic Procore Pay payments for the demo and load tests: several projects and vendors (synced to the
 * ERP), ACH and check, amounts from hundreds to hundreds of thousands with odd cents, and a share of payments that
 * must fail in the ERP: a check number already used, an unknown bank, a requisition not yet synced to the ERP, a
 * partial payment (refused by connectors without partial payments). Linear in `count`.
 */
export function generatePayments(options: GeneratePaymentsOptions): GeneratedPayments {
  const next = random(options.seed ?? 1);
  const companyId = options.companyId ?? 4264;
  let id = options.firstId ?? 900_000;
  const rates = { 'used-check-number': 0.05, 'unknown-bank': 0.05, 'invoice-not-synced': 0.05, partial: 0.05, ...options.failureRates };
  const bankIds = options.bankIds ?? ['GS-OPERATING-1', 'GS-OPERATING-2'];
  let checkNumber = options.firstCheckNumber ?? 10_000;

  const seed: Required<ProcoreSandboxSeed> = { companies: [], projects: [], vendors: [], commitments: [], requisitions: [], contractPayments: [], invoicePayments: [] };
  const erpSeed: Required<SandboxSeed> = { vendors: [], bankAccounts: bankIds.map((bank) => ({ id: bank, name: `Operating ${bank}` })), bills: [] };
  if (options.includeCompany !== false) seed.companies.push({ id: companyId, name: options.companyName ?? 'Sandbox Builders Inc.' });
  const projects = PROJECTS.map((project, n) => {
    const projectId = ++id;
    seed.projects.push({ id: projectId, companyId, projectNumber: project.number, name: project.name, originId: `JOB-${1001 + n}` });
    return { id: projectId, number: project.number };
  });
  const vendors = VENDORS.map((name, n) => {
    const vendorId = ++id;
    const originId = `V-${100 + n}`;
    seed.vendors.push({ id: vendorId, companyId, name, originCode: `VEND${100 + n}`, originId });
    erpSeed.vendors.push({ id: originId, name });
    return { id: vendorId, originId };
  });
  const commitments = new Map<string, number>();
  const payments: GeneratedPayment[] = [];
  const usedByBank = new Map<string, string>();

  for (let n = 0; n < options.count; n++) {
    const project = projects[Math.floor(next() * projects.length)] as { id: number; number: string };
    const vendor = vendors[Math.floor(next() * vendors.length)] as { id: number; originId: string };
    const key = `${project.id}/${vendor.id}`;
    let commitmentId = commitments.get(key);
    if (commitmentId === undefined) {
      commitmentId = ++id;
      commitments.set(key, commitmentId);
      seed.commitments.push({ id: commitmentId, projectId: project.id, vendorId: vendor.id, number: `SC-${commitments.size}`, title: `Subcontract ${commitments.size}`, originId: `SC-ERP-${commitments.size}` });
    }
    const roll = next();
    let scenario: PaymentScenario = 'ok';
    let edge = 0;
    for (const [name, rate] of Object.entries(rates) as [Exclude<PaymentScenario, 'ok'>, number][]) {
      edge += rate;
      if (roll < edge) {
        scenario = name;
        break;
      }
    }
    const invoiceCents = 50_000 + Math.floor(next() * 25_000_000);
    const amountCents = scenario === 'partial' ? Math.max(1, Math.floor(invoiceCents * (0.3 + next() * 0.4))) : invoiceCents;
    const bankId = scenario === 'unknown-bank' ? 'GS-UNKNOWN-9' : (bankIds[Math.floor(next() * bankIds.length)] as string);
    const method: 'ach' | 'check' = next() < 0.6 ? 'ach' : 'check';
    const reused = scenario === 'used-check-number' ? usedByBank.get(bankId) : undefined;
    if (scenario === 'used-check-number' && reused === undefined) scenario = 'ok';
    const number = reused ?? String(checkNumber++);
    if (scenario === 'ok') usedByBank.set(bankId, number);

    const requisitionId = ++id;
    const invoiceNumber = `INV-${String(n + 1).padStart(5, '0')}`;
    const billId = scenario === 'invoice-not-synced' ? undefined : `BILL-${requisitionId}`;
    seed.requisitions.push({ id: requisitionId, commitmentId, invoiceNumber, number: 1 + (n % 12), totalCents: invoiceCents, ...(billId === undefined ? {} : { originId: billId }) });
    if (billId !== undefined) erpSeed.bills.push({ id: billId, vendorId: vendor.originId, number: invoiceNumber, amountCents: invoiceCents, projectNumber: project.number });
    const paymentId = ++id;
    const payment: ContractPaymentInput = {
      id: paymentId,
      requisitionId,
      amountCents,
      paymentMethod: method,
      bankId,
      checkNumber: number,
      paymentNumber: `PP-${String(paymentId).padStart(7, '0')}`,
      ...(options.dateFunded === undefined ? {} : { dateFunded: options.dateFunded }),
    };
    seed.contractPayments.push(payment);
    payments.push({ id: paymentId, requisitionId, invoiceId: requisitionId, scenario, amountCents, invoiceCents, method, bankId, checkNumber: number });
  }
  return { seed, payments, erpSeed };
}
