/**
 * The Sage 300 CRE sandbox: the on-premises agent of "Agent protocol v1" (README.md) over an in-memory AP
 * company. Seeded bills become AP invoices whose invoice number is the bill's id (what a payment's
 * `invoice.erpId` holds once its invoice is in Sage).
 */
import type { AddressInfo } from 'node:net';
import type {
  ErpSandbox,
  SandboxFaults,
  SandboxOptions,
  SandboxPayment,
  SandboxPaymentInput,
  SandboxBill,
  SandboxSeed,
  SandboxVendor,
  SandboxVendorInput,
} from '@ledgerlink/core';
import { ApCompany, invoiceJson, vendorJson } from './ap-company.js';
import { AgentServer } from './agent-server.js';

/** The token the sandbox agent accepts unless told otherwise. */
export const SANDBOX_AGENT_TOKEN = 'sandbox-agent-token-7c1d2f';

export interface Sage300SandboxOptions extends SandboxOptions {
  /** The bearer token the agent accepts (default SANDBOX_AGENT_TOKEN). */
  agentToken?: string;
  /** The Sage company name health reports. */
  companyName?: string;
  /** Width of Invoice Code 1 and 2 in this company (default 10, the width of "PROCOREPAY"). */
  codeMaxLength?: number;
  /** Seconds sent in Retry-After with a BUSY answer (default 1). */
  busyRetryAfterSeconds?: number;
  /** Cost codes the company's jobs hold; when given, a distribution naming another is refused (COST_CODE_NOT_FOUND). */
  costCodes?: string[];
}

export interface Sage300Sandbox extends ErpSandbox {
  /** The bearer token the agent accepts. */
  readonly agentToken: string;
  /** Every AP invoice: seeded, and created by requisition exports (erpId = the Sage invoice number). */
  bills(): SandboxBill[];
  /** Every AP vendor (erpId = code = the Sage vendor id). */
  vendors(): SandboxVendor[];
  /** A vendor entered in Sage itself; returns its Sage vendor id. */
  addVendor(input: SandboxVendorInput): string;
}

const NO_FAULTS: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };

export async function startSage300Sandbox(options: Sage300SandboxOptions = {}): Promise<Sage300Sandbox> {
  const company = new ApCompany(options.companyName ?? 'Sandbox Construction Co.', options.codeMaxLength ?? 10);
  company.costCodes = options.costCodes === undefined ? undefined : new Set(options.costCodes);
  const faults: SandboxFaults = { ...NO_FAULTS, ...options.faults };
  const token = options.agentToken ?? SANDBOX_AGENT_TOKEN;
  const agent = new AgentServer({ company, token, faults, busyRetryAfterSeconds: options.busyRetryAfterSeconds ?? 1 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    agent.server.once('error', reject);
    agent.server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = agent.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const seed = (data: SandboxSeed): void => {
    for (const vendor of data.vendors ?? []) company.vendors.set(vendor.id, { id: vendor.id, name: vendor.name, status: 'Active', createdByAgent: false });
    for (const bank of data.bankAccounts ?? []) company.banks.set(bank.id, { bank: bank.id, name: bank.name ?? bank.id });
    for (const bill of data.bills ?? []) {
      company.addInvoice({
        vendor: bill.vendorId,
        invoice: bill.id,
        description: bill.number.slice(0, 30),
        invoiceDate: new Date().toISOString().slice(0, 10),
        amountCents: bill.amountCents,
        balanceCents: bill.amountCents,
      });
    }
  };
  if (options.seed) seed(options.seed);

  return {
    url,
    agentToken: token,
    seed,
    setFaults(next: Partial<SandboxFaults>): void {
      Object.assign(faults, next);
    },
    payments: () => payments(company),
    bills: () => bills(company),
    vendors: () => vendors(company),
    addVendor(input: SandboxVendorInput): string {
      // A vendor entered in Sage itself: its id is the code given, else the next free V-number.
      let id = input.code;
      for (let n = company.vendors.size + 1; id === undefined || company.vendors.has(id); n++) id = `V${String(n).padStart(5, '0')}`;
      if (id.length > 10) throw new Error(`sandbox: Sage vendor ids hold at most 10 characters, not "${id}"`);
      company.vendors.set(id, { id, name: input.name, status: input.active ? 'Active' : 'Inactive', createdByAgent: false });
      return id;
    },
    addPayment(input: SandboxPaymentInput): string {
      // A check made in Sage itself (Select Invoices to Pay, then print or record checks): it goes into the
      // check register and pays the invoice down. Sage 300 CRE has no import direction, so this serves the
      // duplicate-check rule and the demo only.
      if (input.checkNumber === undefined) throw new Error('sandbox: a Sage AP check needs a checkNumber');
      company.recordCheck({
        bank: input.bankAccountId,
        checkNumber: input.checkNumber,
        vendor: input.vendorId,
        invoice: input.billId,
        amountCents: input.amountCents,
        date: input.date,
        method: input.method === 'ach' ? 'ACH' : 'Check',
        ...(input.notes === undefined ? {} : { memo: input.notes }),
      });
      return `check:${input.bankAccountId}/${input.checkNumber}`;
    },
    stats: () => agent.stats(),
    resetStats: () => agent.resetStats(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        agent.server.closeAllConnections();
        agent.server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Every AP invoice, seeded or created by the agent; its ERP id is the invoice number (what `invoice.erpId` holds). */
function bills(company: ApCompany): SandboxBill[] {
  return company.allInvoices().map((invoice) => ({
    erpId: invoice.invoice,
    vendorId: invoice.vendor,
    number: invoice.invoice,
    amountCents: invoice.amountCents,
    retainageCents: invoice.retainageCents,
    date: invoice.invoiceDate,
    ...(invoice.job === null ? {} : { projectNumber: invoice.job }),
    lines: invoice.distributions.map((line) => ({
      amountCents: line.amountCents,
      description: line.description,
      ...(line.costCode === null ? {} : { costCode: line.costCode }),
    })),
    created: invoice.createdByAgent,
    fields: invoiceJson(invoice),
  }));
}

function vendors(company: ApCompany): SandboxVendor[] {
  return [...company.vendors.values()].map((vendor) => ({
    erpId: vendor.id,
    name: vendor.name,
    code: vendor.id,
    active: vendor.status === 'Active',
    created: vendor.createdByAgent,
    fields: vendorJson(vendor),
  }));
}

/**
 * The sandbox's reading of what the agent holds as payments: each invoice whose codes the agent set
 * (selected for Sage's next check run, not yet a Sage payment, so never final), then the checks of Sage's
 * own register.
 */
function payments(company: ApCompany): SandboxPayment[] {
  const selected = company
    .allInvoices()
    .filter((invoice) => invoice.setByAgent)
    .map(
      (invoice): SandboxPayment => ({
        erpId: `${invoice.vendor}/${invoice.invoice}`,
        vendorId: invoice.vendor,
        bankAccountId: invoice.bank ?? '',
        checkNumber: invoice.invoiceCode2,
        amountCents: invoice.amountCents,
        date: invoice.checkDate ?? (invoice.codesSetAt ?? invoice.invoiceDate).slice(0, 10),
        method: 'check',
        status: 'Selected for payment',
        final: false,
        applications: [{ billId: invoice.invoice, amountCents: invoice.amountCents }],
        fields: invoiceJson(invoice),
      }),
    );
  const issued = company.checks.map(
    (check): SandboxPayment => ({
      erpId: `check:${check.bank}/${check.checkNumber}`,
      vendorId: check.vendor,
      bankAccountId: check.bank,
      checkNumber: check.checkNumber,
      amountCents: check.amountCents,
      date: check.date,
      method: check.method,
      status: 'Recorded',
      final: true,
      applications: [{ billId: check.invoice, amountCents: check.amountCents }],
      ...(check.memo === undefined ? {} : { memo: check.memo }),
      fields: { ...check },
    }),
  );
  return [...selected, ...issued];
}
