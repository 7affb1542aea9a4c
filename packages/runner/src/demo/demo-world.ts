import type { ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import type { ErpSandbox } from '@ledgerlink/core';
import type { DemoErp } from './demo-erps.js';

/** What a funded payment is meant to meet in its ERP; the demo shows every outcome. */
export type DemoScenario = 'ok' | 'used-check-number' | 'unknown-bank' | 'invoice-not-synced' | 'partial';

const SCENARIOS: readonly [DemoScenario, number][] = [
  ['ok', 0.7],
  ['used-check-number', 0.07],
  ['unknown-bank', 0.07],
  ['invoice-not-synced', 0.08],
  ['partial', 0.08],
];
const VENDORS = ['Summit Drywall Inc.', 'Keystone Concrete & Rebar', 'Bright Spark Electric', 'Blue Ridge Plumbing <HVAC>', 'Zürich Façades GmbH'];
const NOTES = ['Progress payment', 'Retainage release – Phase 2 & 3', 'Pay app #4 <final>', undefined];
const PROJECT_NUMBER = 'P-100';

/** mulberry32: a small seeded PRNG, so a demo run is reproducible. */
function prng(seed: number): () => number {
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
 * One tenant's world: its hub company (project, vendors linked to ERP vendors, commitments) and the matching ERP
 * company (vendors, two bank accounts, a bill per invoice). `next()` makes one paid invoice and funds its payment
 * in the hub, which sends the webhook to the runner.
 */
export class DemoWorld {
  readonly #random: () => number;
  #n = 0;
  readonly #checkNumbers = new Map<string, number>();
  readonly #used: { bankId: string; checkNumber: string }[] = [];
  readonly #commitments = new Map<number, number>();
  readonly #projectId: number;
  readonly #later = new Set<NodeJS.Timeout>();

  constructor(
    readonly erp: DemoErp,
    private readonly hub: ProcoreSandbox,
    private readonly sandbox: ErpSandbox,
    seed: number,
  ) {
    this.#random = prng(seed);
    const company = erp.companyId;
    hub.addCompany(`${erp.tenant} (hub company)`, company);
    this.#projectId = hub.addProject(company, PROJECT_NUMBER, 'Harbor View Tower');
    sandbox.seed({ bankAccounts: [{ id: erp.bankId(1), name: 'Operating' }, { id: erp.bankId(2), name: 'Payroll' }] });
    VENDORS.forEach((name, index) => {
      const v = index + 1;
      sandbox.seed({ vendors: [{ id: erp.vendorId(v), name }] });
      const vendorId = hub.addVendor({ companyId: company, name, erpId: erp.vendorId(v), code: erp.vendorCodeIsErpId ? erp.vendorId(v) : `VC-${v}` });
      this.#commitments.set(v, hub.addCommitment(this.#projectId, vendorId));
    });
  }

  private pick(): DemoScenario {
    let roll = this.#random();
    for (const [scenario, share] of SCENARIOS) {
      roll -= share;
      if (roll < 0) return scenario;
    }
    return 'ok';
  }

  private nextCheckNumber(bankId: string): string {
    const next = this.#checkNumbers.get(bankId) ?? 10_000;
    this.#checkNumbers.set(bankId, next + 1);
    return String(next);
  }

  /** Funds one more payment in the hub; returns what it should meet. */
  next(): DemoScenario {
    const scenario = this.pick();
    const n = ++this.#n;
    const v = (n % VENDORS.length) + 1;
    const invoiceCents = 25_000 + Math.floor(this.#random() * 4_000_000);
    const amountCents = scenario === 'partial' ? Math.floor(invoiceCents * 0.75) : invoiceCents;
    const bankId = scenario === 'unknown-bank' ? 'GS-UNKNOWN-9' : this.erp.bankId(1 + (n % 2));
    const reuse = scenario === 'used-check-number' ? this.#used.at(-1) : undefined;
    const checkNumber = reuse?.checkNumber ?? this.nextCheckNumber(bankId);
    const billId = this.erp.billId(n);
    this.sandbox.seed({ bills: [{ id: billId, vendorId: this.erp.vendorId(v), number: `INV-${n}`, amountCents: invoiceCents, projectNumber: PROJECT_NUMBER }] });
    const invoiceId = this.hub.addInvoice({
      commitmentId: this.#commitments.get(v) as number,
      number: `INV-${n}`,
      amountCents: invoiceCents,
      ...(scenario === 'invoice-not-synced' ? {} : { erpId: billId }),
    });
    const today = new Date().toISOString().slice(0, 10);
    const notes = NOTES[n % NOTES.length];
    const paymentId = this.hub.addPayment({
      invoiceId,
      amountCents,
      method: n % 3 === 0 ? 'ach' : 'check',
      bankId: reuse?.bankId ?? bankId,
      checkNumber,
      paymentNumber: `PP-${this.erp.companyId}-${n}`,
      settledOn: today,
      ...(notes === undefined ? {} : { notes }),
    });
    if (scenario === 'ok') this.#used.push({ bankId, checkNumber });
    this.hub.fundPayment(paymentId, today);
    if (scenario === 'invoice-not-synced') {
      // The accountant syncs the invoice a little later: the blocked payment goes on by itself.
      const timer = setTimeout(() => {
        this.#later.delete(timer);
        this.hub.syncInvoice(invoiceId, billId);
      }, 8_000);
      this.#later.add(timer);
    }
    return scenario;
  }

  /** A bill paid in the ERP itself (final): the next import brings it into the hub's Payments Issued. */
  paidInErp(): void {
    const n = 100_000 + ++this.#n;
    const v = (n % VENDORS.length) + 1;
    const amountCents = 10_000 + Math.floor(this.#random() * 500_000);
    const billId = this.erp.billId(n);
    this.sandbox.seed({ bills: [{ id: billId, vendorId: this.erp.vendorId(v), number: `INV-${n}`, amountCents, projectNumber: PROJECT_NUMBER }] });
    this.hub.addInvoice({ commitmentId: this.#commitments.get(v) as number, number: `INV-${n}`, amountCents, erpId: billId });
    this.sandbox.addPayment({
      vendorId: this.erp.vendorId(v),
      bankAccountId: this.erp.bankId(1),
      billId,
      amountCents,
      date: new Date().toISOString().slice(0, 10),
      method: 'check',
      checkNumber: this.nextCheckNumber(`erp-${this.erp.bankId(1)}`).replace(/^1/, '5'),
      final: true,
    });
  }

  stop(): void {
    for (const timer of this.#later) clearTimeout(timer);
    this.#later.clear();
  }
}
