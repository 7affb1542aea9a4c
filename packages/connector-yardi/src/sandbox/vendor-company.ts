import type { SandboxBill, SandboxPayment, SandboxPaymentInput, SandboxSeed, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import { decimalOf } from './amounts.js';
import { validateCheck } from './check-rules.js';

/** A message of an interface answer, as Yardi's result documents list them. */
export interface InterfaceMessage {
  type: 'Error' | 'Warning' | 'Information';
  /** The sandbox's code for the rule (Yardi's own codes are not public [U]); written only when codes are on. */
  code: string;
  text: string;
}

export interface Payee {
  /** The vendor code (Yardi's `VendorId`, the check's `PayeeId`). */
  id: string;
  name: string;
  inactive?: boolean;
  address?: { Address1?: string; City?: string; State?: string; ZipCode?: string };
  email?: string;
  phone?: string;
  /** Kept, never written back in a read (a tax id is the vendor's secret). */
  taxId?: string;
  /** True when created through `ImportVendors_Login`. */
  created?: boolean;
}

/** One detail line of a payable: where its cost goes on a job, and the retention held on it. */
export interface PayableDetail {
  amountCents: number;
  retentionCents: number;
  propertyId?: string;
  jobId?: string;
  categoryId?: string;
  contractId?: string;
  contractDetailId?: string;
  notes?: string;
}

export interface Bank {
  id: string;
  name: string;
}

export interface Payable {
  id: string;
  payeeId: string;
  invoiceNumber: string;
  amountCents: number;
  paidCents: number;
  propertyId?: string;
  invoiceDate?: string;
  dueDate?: string;
  /** Retention held on the payable (Yardi Job Cost keeps it per detail) [I]. */
  retentionCents?: number;
  notes?: string;
  details?: PayableDetail[];
  /** True when created through `ImportPayable_Login`. */
  created?: boolean;
}

export interface CheckDetail {
  payableId: string;
  invoiceNumber: string;
  amountCents: number;
}

/** A check as the company stores it. */
export interface StoredCheck {
  checkId: string;
  propertyId?: string;
  payeeId: string;
  bankId: string;
  checkNumber: string;
  /** ISO date. */
  paymentDate: string;
  amountCents: number;
  paymentMethod: string;
  paymentNumber?: string;
  notes?: string;
  status: 'Posted' | 'Unposted';
  details: CheckDetail[];
}

/** A check document's fields as read, before any rule (the request's values, unescaped). */
export interface CheckInput {
  fields: Record<string, string | undefined>;
  details: Record<string, string | undefined>[];
}

/**
 * The in-memory Yardi database behind the sandbox: payees (vendors), banks, payables and checks, with the rules
 * an imported check meets. Importing a check pays the payable it names (Yardi's check import creates the paid
 * invoice by itself; paying an existing payable, partly or fully, is how this project uses it — README).
 */
export class VendorCompany {
  readonly payees = new Map<string, Payee>();
  readonly banks = new Map<string, Bank>();
  readonly payables = new Map<string, Payable>();
  readonly checks: StoredCheck[] = [];
  /**
   * Indexes over `payables` and `checks`, kept as they are stored, so no rule or lookup scans every record (a seeded
   * company of 100,000 checks answered each call in linear time, and seeded them in quadratic time).
   */
  /** `<payee>\n<invoice number>` → how many payables carry it. */
  readonly #invoices = new Map<string, number>();
  /** Bank → the check numbers used on it. */
  readonly #checkNumbers = new Map<string, Set<string>>();
  /** Bank → no number below this one is free (numbers are only ever taken): where the search for the next starts. */
  readonly #lowestFree = new Map<string, number>();
  /** Check number → its checks, in the order stored. */
  readonly #checksByNumber = new Map<string, StoredCheck[]>();
  /** Payable → the checks that paid it, in the order stored. */
  readonly #checksByPayable = new Map<string, StoredCheck[]>();
  #nextCheckId = 700_001;
  #nextPayableId = 90_001;
  /** Job cost categories the jobs hold; when set, a payable detail naming another is refused. */
  categories: Set<string> | undefined;

  /** Stores a payable that passed every rule (payable-rules.ts), with the next payable id. */
  storePayable(payable: Omit<Payable, 'id' | 'paidCents'>): Payable {
    const stored: Payable = { ...payable, id: String(this.#nextPayableId++), paidCents: 0, created: true };
    this.#putPayable(stored);
    return stored;
  }

  /** Whether a payable of the payee already carries the invoice number (Yardi's DUPLICATE_INVOICE rule). */
  hasInvoice(payeeId: string, invoiceNumber: string): boolean {
    return (this.#invoices.get(`${payeeId}\n${invoiceNumber}`) ?? 0) > 0;
  }

  /** Whether the bank already has a check with this number (Yardi's DUPLICATE_CHECK rule). */
  hasCheckNumber(bankId: string, checkNumber: string): boolean {
    return this.#checkNumbers.get(bankId)?.has(checkNumber) === true;
  }

  #putPayable(payable: Payable): void {
    const before = this.payables.get(payable.id);
    if (before !== undefined) {
      const key = `${before.payeeId}\n${before.invoiceNumber}`;
      this.#invoices.set(key, (this.#invoices.get(key) ?? 1) - 1);
    }
    this.payables.set(payable.id, payable);
    const key = `${payable.payeeId}\n${payable.invoiceNumber}`;
    this.#invoices.set(key, (this.#invoices.get(key) ?? 0) + 1);
  }

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.payees.set(vendor.id, { id: vendor.id, name: vendor.name });
    for (const bank of seed.bankAccounts ?? []) this.banks.set(bank.id, { id: bank.id, name: bank.name ?? bank.id });
    for (const bill of seed.bills ?? []) {
      this.#putPayable({
        id: bill.id,
        payeeId: bill.vendorId,
        invoiceNumber: bill.number,
        amountCents: bill.amountCents,
        paidCents: 0,
        ...(bill.projectNumber === undefined ? {} : { propertyId: bill.projectNumber }),
      });
    }
  }

  /**
   * Imports the checks of one document, all or nothing: every rule is checked for every check first, and one
   * error anywhere stores none of them.
   */
  importChecks(inputs: CheckInput[]): { messages: InterfaceMessage[]; created: StoredCheck[] } {
    const messages: InterfaceMessage[] = [];
    const planned: StoredCheck[] = [];
    for (const input of inputs) {
      const result = validateCheck(input, this, planned);
      messages.push(...result.messages);
      if (result.check !== undefined) planned.push(result.check);
    }
    if (messages.some((message) => message.type === 'Error')) return { messages, created: [] };
    return { messages, created: planned.map((check) => this.#store(check)) };
  }

  /** A check entered in Yardi directly (import tests, the demo). */
  addCheck(input: SandboxPaymentInput): string {
    const payable = this.payables.get(input.billId);
    const check: StoredCheck = {
      checkId: '',
      payeeId: input.vendorId,
      bankId: input.bankAccountId,
      checkNumber: input.checkNumber ?? this.nextCheckNumber(input.bankAccountId, []),
      paymentDate: input.date,
      amountCents: input.amountCents,
      paymentMethod: input.method === 'ach' ? 'ACH' : 'Check',
      status: input.final ? 'Posted' : 'Unposted',
      details: [{ payableId: input.billId, invoiceNumber: payable?.invoiceNumber ?? '', amountCents: input.amountCents }],
      ...(payable?.propertyId === undefined ? {} : { propertyId: payable.propertyId }),
      ...(input.notes === undefined ? {} : { notes: input.notes }),
    };
    return this.#store(check).checkId;
  }

  /** Checks matching every filter given. */
  findChecks(filter: { from?: string; to?: string; checkNumber?: string; bankId?: string; propertyId?: string; payeeId?: string }): StoredCheck[] {
    const candidates = filter.checkNumber === undefined ? this.checks : (this.#checksByNumber.get(filter.checkNumber) ?? []);
    return candidates.filter(
      (check) =>
        (filter.from === undefined || check.paymentDate >= filter.from) &&
        (filter.to === undefined || check.paymentDate <= filter.to) &&
        (filter.checkNumber === undefined || check.checkNumber === filter.checkNumber) &&
        (filter.bankId === undefined || check.bankId === filter.bankId) &&
        (filter.propertyId === undefined || check.propertyId === filter.propertyId) &&
        (filter.payeeId === undefined || check.payeeId === filter.payeeId),
    );
  }

  /** The checks that paid a payable. */
  checksOfPayable(payableId: string): StoredCheck[] {
    return [...(this.#checksByPayable.get(payableId) ?? [])];
  }

  payments(): SandboxPayment[] {
    return this.checks.map((check) => ({
      erpId: check.checkId,
      vendorId: check.payeeId,
      bankAccountId: check.bankId,
      checkNumber: check.checkNumber,
      amountCents: check.amountCents,
      date: check.paymentDate,
      method: check.paymentMethod,
      status: check.status,
      final: check.status === 'Posted',
      applications: check.details.map((detail) => ({ billId: detail.payableId, amountCents: detail.amountCents })),
      ...(check.notes === undefined ? {} : { memo: check.notes }),
      fields: wireFields(check),
    }));
  }

  #store(check: StoredCheck): StoredCheck {
    const stored = { ...check, checkId: String(this.#nextCheckId++) };
    this.checks.push(stored);
    let numbers = this.#checkNumbers.get(stored.bankId);
    if (numbers === undefined) this.#checkNumbers.set(stored.bankId, (numbers = new Set()));
    numbers.add(stored.checkNumber);
    pushTo(this.#checksByNumber, stored.checkNumber, stored);
    // A check listed once per payable it paid, as a scan of its details found it.
    for (const payableId of new Set(stored.details.map((detail) => detail.payableId))) pushTo(this.#checksByPayable, payableId, stored);
    for (const detail of stored.details) {
      const payable = this.payables.get(detail.payableId);
      if (payable !== undefined) payable.paidCents += detail.amountCents;
    }
    return stored;
  }

  /** Every payable as the kit reads bills: the id is the PayableId (what a payment's invoice.erpId holds). */
  bills(): SandboxBill[] {
    return [...this.payables.values()].map((payable) => ({
      erpId: payable.id,
      vendorId: payable.payeeId,
      number: payable.invoiceNumber,
      amountCents: payable.amountCents,
      ...(payable.retentionCents === undefined ? {} : { retainageCents: payable.retentionCents }),
      ...(payable.invoiceDate === undefined ? {} : { date: payable.invoiceDate }),
      ...(payable.propertyId === undefined ? {} : { projectNumber: payable.propertyId }),
      lines: (payable.details ?? []).map((detail) => ({
        amountCents: detail.amountCents,
        ...(detail.notes === undefined ? {} : { description: detail.notes }),
        ...(detail.categoryId === undefined ? {} : { costCode: detail.categoryId }),
      })),
      created: payable.created === true,
      fields: {
        PayableId: payable.id,
        PayeeId: payable.payeeId,
        InvoiceNumber: payable.invoiceNumber,
        InvoiceDate: payable.invoiceDate,
        DueDate: payable.dueDate,
        PropertyId: payable.propertyId,
        Amount: decimalOf(payable.amountCents),
        Retention: decimalOf(payable.retentionCents ?? 0),
        Notes: payable.notes,
        Details: payable.details ?? [],
      },
    }));
  }

  vendors(): SandboxVendor[] {
    return [...this.payees.values()].map((payee) => ({
      erpId: payee.id,
      name: payee.name,
      code: payee.id,
      active: payee.inactive !== true,
      created: payee.created === true,
      fields: { VendorId: payee.id, Name: payee.name, Inactive: payee.inactive === true, ...payee.address, Email: payee.email, Phone: payee.phone },
    }));
  }

  /** A vendor entered in Yardi itself: its code as given, else the next free `v9nnn`. */
  addVendor(input: SandboxVendorInput): string {
    let id = input.code;
    for (let n = this.payees.size + 1; id === undefined || this.payees.has(id); n++) id = `v9${String(n).padStart(3, '0')}`;
    this.payees.set(id, { id, name: input.name, inactive: !input.active });
    return id;
  }

  /** Yardi numbers a check without one from the bank's next free number. */
  nextCheckNumber(bankId: string, planned: StoredCheck[]): string {
    const used = this.#checkNumbers.get(bankId) ?? new Set<string>();
    let lowest = this.#lowestFree.get(bankId) ?? 1001;
    while (used.has(String(lowest))) lowest += 1;
    this.#lowestFree.set(bankId, lowest);
    // Checks of the same document not stored yet take numbers too, but only until it is stored or refused.
    const plannedHere = new Set(planned.filter((check) => check.bankId === bankId).map((check) => check.checkNumber));
    let next = lowest;
    while (used.has(String(next)) || plannedHere.has(String(next))) next += 1;
    return String(next);
  }
}

function pushTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/** A check under the names of the check document (what `SandboxPayment.fields` shows). */
export function wireFields(check: StoredCheck): Record<string, string> {
  const first = check.details[0];
  const fields: Record<string, string | undefined> = {
    CheckId: check.checkId,
    PropertyId: check.propertyId,
    PayeeId: check.payeeId,
    BankId: check.bankId,
    CheckNumber: check.checkNumber,
    PaymentDate: check.paymentDate,
    AmountPaid: decimalOf(check.amountCents),
    PaymentMethod: check.paymentMethod,
    PaymentNumber: check.paymentNumber,
    Notes: check.notes,
    Status: check.status,
    PayableId: first?.payableId,
    InvoiceNumber: first?.invoiceNumber,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
