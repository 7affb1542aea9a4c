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

/** A payment made but not funded yet: Procore Pay funds it once its invoice shows synced (the bill is in the ERP). */
interface Unfunded {
  requisitionId: number;
  contractPaymentId: number;
}

/** A payment the accountant may fix in Procore (edit + Export), and how. */
interface Fixable {
  contractPaymentId: number;
  fix: 'check-number' | 'bank-id';
}

/**
 * One tenant's world: its Procore company (project, vendors linked to ERP vendors, commitments) and the matching ERP
 * company (vendors, two bank accounts). `next()` makes one subcontractor invoice (requisition) and its Procore Pay
 * payment: the invoice is exported first (`create_requisitions`: ledgerlink posts the bill), and `fundReady()` funds
 * the payment once the bill is in, which raises a `create_contract_payment` ERP Request. `playAccountant()`
 * does what an accountant does in Procore's ERP tool with Failed to Export: edit Check Number or Bank ID and Export.
 */
export class DemoWorld {
  readonly #random: () => number;
  #n = 0;
  readonly #checkNumbers = new Map<string, number>();
  readonly #used: { bankId: string; checkNumber: string }[] = [];
  readonly #commitments = new Map<number, number>();
  readonly #projectId: number;
  readonly #later = new Set<NodeJS.Timeout>();
  readonly #fixable = new Map<number, Fixable>();
  readonly #unfunded: Unfunded[] = [];
  #directlyFunded = 0;
  /** Payments the accountant edited and exported again. */
  readonly reexported = new Set<number>();
  /** Payments funded before their invoice was exported (they wait blocked, then go when the bill lands). */
  readonly fundedBeforeInvoice = new Set<number>();

  /**
   * `exportsInvoices`: the tenant's connector exports requisitions (every built-in one does). Where it does not (a
   * plugin's), each invoice is put in the ERP directly and shown synced in Procore, as another integration would.
   */
  constructor(
    readonly erp: DemoErp,
    private readonly hub: ProcoreSandbox,
    private readonly sandbox: ErpSandbox,
    seed: number,
    private readonly exportsInvoices = true,
  ) {
    this.#random = prng(seed);
    const company = erp.companyId;
    hub.addCompany({ id: company, name: `${erp.tenant} (Procore company)` });
    this.#projectId = hub.addProject({ companyId: company, projectNumber: PROJECT_NUMBER, name: 'Harbor View Tower' });
    sandbox.seed({ bankAccounts: [{ id: erp.bankId(1), name: 'Operating' }, { id: erp.bankId(2), name: 'Payroll' }] });
    VENDORS.forEach((name, index) => {
      const v = index + 1;
      sandbox.seed({ vendors: [{ id: erp.vendorId(v), name }] });
      const vendorId = hub.addVendor({ companyId: company, name, originId: erp.vendorId(v), originCode: erp.vendorCodeIsErpId ? erp.vendorId(v) : `VC-${v}` });
      this.#commitments.set(v, hub.addCommitment({ projectId: this.#projectId, vendorId }));
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

  /**
   * One more subcontractor invoice and its payment. As in Procore, the invoice goes first: the accountant exports the
   * requisition (`create_requisitions`, ledgerlink posts the bill) and Procore Pay funds the payment once Procore shows
   * the invoice synced (`fundReady`). Some payments are funded before their invoice is exported
   * ('invoice-not-synced'): they wait blocked and go on by themselves when the bill lands. Returns what it should meet.
   */
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
    if (!this.exportsInvoices) this.sandbox.seed({ bills: [{ id: billId, vendorId: this.erp.vendorId(v), number: `INV-${n}`, amountCents: invoiceCents, projectNumber: PROJECT_NUMBER }] });
    const requisitionId = this.hub.addRequisition({
      commitmentId: this.#commitments.get(v) as number,
      invoiceNumber: `INV-${n}`,
      totalCents: invoiceCents,
      ...(this.exportsInvoices ? {} : { originId: billId }),
      lines: [
        {
          amountCents: invoiceCents,
          description: `Work billed, pay app ${n}`,
          ...(this.erp.costCode === undefined ? {} : { costCodeOriginId: this.erp.costCode }),
          ...(this.erp.costType === undefined ? {} : { lineItemTypeOriginId: this.erp.costType }),
        },
      ],
    });
    const contractPaymentId = this.hub.addContractPayment({
      requisitionId,
      amountCents,
      paymentMethod: n % 3 === 0 ? 'ach' : 'check',
      bankId: reuse?.bankId ?? bankId,
      checkNumber,
      paymentNumber: `PP-${this.erp.companyId}-${n}`,
      // Procore Pay settles the day it funds here: Yardi posts with the payment's date (date_payment_settled).
      dateSettled: new Date().toISOString(),
    });
    if (scenario === 'ok') this.#used.push({ bankId, checkNumber });
    if (scenario === 'used-check-number') this.#fixable.set(contractPaymentId, { contractPaymentId, fix: 'check-number' });
    if (scenario === 'unknown-bank') this.#fixable.set(contractPaymentId, { contractPaymentId, fix: 'bank-id' });
    if (!this.exportsInvoices) {
      // The invoice is already in the ERP (another integration put it there): fund at once.
      this.hub.fundPayment(contractPaymentId, { dateFunded: new Date().toISOString() });
      this.#directlyFunded += 1;
    } else if (scenario === 'invoice-not-synced') {
      // Funded first; the accountant exports the invoice a little later: the bill lands and the payment goes on.
      this.hub.fundPayment(contractPaymentId, { dateFunded: new Date().toISOString() });
      this.fundedBeforeInvoice.add(contractPaymentId);
      const timer = setTimeout(() => {
        this.#later.delete(timer);
        this.hub.exportRequisitions([requisitionId]);
      }, 4_000);
      this.#later.add(timer);
    } else {
      this.hub.exportRequisitions([requisitionId]);
      this.#unfunded.push({ requisitionId, contractPaymentId });
    }
    return scenario;
  }

  /** Procore Pay funds each payment whose invoice Procore now shows synced (its bill is in the ERP); returns how many. */
  fundReady(): number {
    // Funded in `next()` already (an invoice another integration put in the ERP): counted here once.
    let funded = this.#directlyFunded;
    this.#directlyFunded = 0;
    for (let i = this.#unfunded.length - 1; i >= 0; i--) {
      const waiting = this.#unfunded[i] as Unfunded;
      if (this.hub.requisition(waiting.requisitionId).status !== 'synced') continue;
      this.#unfunded.splice(i, 1);
      this.hub.fundPayment(waiting.contractPaymentId, { dateFunded: new Date().toISOString() });
      funded += 1;
    }
    return funded;
  }

  /**
   * The accountant in Procore's ERP tool: every other fixable payment under Failed to Export gets a new Check Number or
   * the right Bank ID and is exported again (a new ERP Request for the same payment). The rest stay for the console.
   */
  playAccountant(): number {
    let fixed = 0;
    for (const view of this.hub.erpTool(this.erp.companyId).failedToExport) {
      const fixable = this.#fixable.get(view.id);
      if (fixable === undefined || view.id % 2 === 1) continue;
      this.#fixable.delete(view.id);
      const edits = fixable.fix === 'check-number' ? { checkNumber: this.nextCheckNumber(view.bankId) } : { bankId: this.erp.bankId(1) };
      this.hub.exportPayment(view.id, edits);
      this.reexported.add(view.id);
      fixed += 1;
    }
    return fixed;
  }

  /** A bill paid in the ERP itself (final): the next Sync Payments brings it into Procore's Payments Issued. */
  paidInErp(): void {
    const n = 100_000 + ++this.#n;
    const v = (n % VENDORS.length) + 1;
    const amountCents = 10_000 + Math.floor(this.#random() * 500_000);
    const billId = this.erp.billId(n);
    this.sandbox.seed({ bills: [{ id: billId, vendorId: this.erp.vendorId(v), number: `INV-${n}`, amountCents, projectNumber: PROJECT_NUMBER }] });
    this.hub.addRequisition({ commitmentId: this.#commitments.get(v) as number, invoiceNumber: `INV-${n}`, totalCents: amountCents, originId: billId });
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
