import type { SandboxBill, SandboxPayment, SandboxPaymentInput, SandboxSeed, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import { amountOf } from './amounts.js';
import { metaTime, type FaultError } from './answers.js';
import { checkBillPayment, type CompanyView } from './bill-payment-rules.js';
import { checkBill, checkVendor, type AcceptedBill, type BillCompanyView } from './bill-vendor-rules.js';

/**
 * The sandbox company's chart of expense accounts (Id -> Name): where a bill line posts (a requisition line's cost
 * code maps to one of these). Ids are QuickBooks-style whole numbers.
 */
export const QBO_SANDBOX_EXPENSE_ACCOUNTS: Readonly<Record<string, string>> = Object.freeze({
  '60': 'Job Expenses:Subcontractors',
  '61': 'Job Expenses:Job Materials',
  '62': 'Job Expenses:Equipment Rental',
});

export interface CompanyRules {
  /**
   * QuickBooks' "warn if duplicate check number" company preference: when on, a DocNumber already used on the
   * same bank account is refused with 6140. On by default; `include=allowduplicatedocnum` skips it per request.
   */
  duplicateDocNumberCheck: boolean;
  /** Whether a Fault names the request element; QuickBooks often leaves it out (then the text is generic). */
  faultElements: boolean;
  now: () => Date;
}

interface Bill {
  id: string;
  vendorId: string;
  number: string;
  amountCents: number;
  balanceCents: number;
  projectNumber?: string;
  /** Created through `POST /bill` (true) or seeded. */
  created: boolean;
  txnDate?: string;
  dueDate?: string;
  note?: string;
  lines: AcceptedBill['lines'];
  createTime: string;
}

interface StoredVendor {
  id: string;
  name: string;
  active: boolean;
  created: boolean;
  /** The Vendor as QuickBooks returns it, without Id and MetaData (added on read). */
  record: Record<string, unknown>;
  createTime: string;
}

interface StoredPayment {
  /** The BillPayment as QuickBooks returns it. */
  record: Record<string, unknown>;
  vendorId: string;
  bankAccountId: string;
  docNumber?: string;
  amountCents: number;
  applications: { billId: string; amountCents: number }[];
}

export type CreateResult = { ok: true; record: Record<string, unknown> } | { ok: false; errors: FaultError[] };
export type CreateEntityResult = CreateResult;

function at(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The in-memory QuickBooks company: vendors, bank accounts, bills with balances, and bill payments. */
export class QboCompany {
  private readonly vendors = new Map<string, StoredVendor>();
  private readonly accounts = new Map<string, { id: string; name: string }>();
  private readonly bills = new Map<string, Bill>();
  private readonly stored: StoredPayment[] = [];
  /** `stored[i].record`, kept alongside so a query reads them without building an array of a million first. */
  private readonly storedRecords: Record<string, unknown>[] = [];
  /** Bill payments by Id. */
  private readonly paymentById = new Map<string, StoredPayment>();
  /** `<bank account>\n<DocNumber>` → the first bill payment that used it (QuickBooks' duplicate check number rule). */
  private readonly paymentByDocNumber = new Map<string, StoredPayment>();
  /**
   * Whether `stored` is in MetaData.LastUpdatedTime order (true while the clock never went back between two payments):
   * then a time-ordered query reads from a binary search instead of filtering and sorting every payment.
   */
  private paymentsInTimeOrder = true;
  private lastPaymentTimeMs = Number.NEGATIVE_INFINITY;
  /** Lower-cased DisplayName → the first vendor with it; rebuilt when a seeded vendor is replaced. */
  private vendorByName: Map<string, string> | undefined = new Map();
  /** `<vendor>\n<DocNumber>` → the first bill with it; rebuilt when a seeded bill is replaced. */
  private billByNumber: Map<string, string> | undefined = new Map();
  private nextId = 1001;

  constructor(private readonly rules: CompanyRules) {}

  seed(seed: SandboxSeed): void {
    const time = metaTime(this.rules.now());
    for (const vendor of seed.vendors ?? []) {
      this.putVendor({ id: vendor.id, name: vendor.name, active: true, created: false, record: { DisplayName: vendor.name, Active: true }, createTime: time });
      this.bumpId(vendor.id);
    }
    for (const account of seed.bankAccounts ?? []) this.accounts.set(account.id, { id: account.id, name: account.name ?? `Checking ${account.id}` });
    for (const bill of seed.bills ?? []) {
      this.putBill({ ...bill, balanceCents: bill.amountCents, created: false, lines: [], createTime: time });
      this.bumpId(bill.id);
    }
  }

  /** Stores a vendor and keeps the name index; replacing one (a seed given twice) drops the index for a rebuild. */
  private putVendor(vendor: StoredVendor): void {
    if (this.vendors.has(vendor.id)) this.vendorByName = undefined;
    this.vendors.set(vendor.id, vendor);
    const key = vendor.name.toLowerCase();
    if (this.vendorByName !== undefined && !this.vendorByName.has(key)) this.vendorByName.set(key, vendor.id);
  }

  /** Stores a bill and keeps the number index, as `putVendor` does. */
  private putBill(bill: Bill): void {
    if (this.bills.has(bill.id)) this.billByNumber = undefined;
    this.bills.set(bill.id, bill);
    const key = `${bill.vendorId}\n${bill.number}`;
    if (this.billByNumber !== undefined && !this.billByNumber.has(key)) this.billByNumber.set(key, bill.id);
  }

  /** The first vendor (in the order they were stored) whose DisplayName matches, ignoring case. */
  private vendorNamed(displayName: string): string | undefined {
    if (this.vendorByName === undefined) {
      const index = new Map<string, string>();
      for (const vendor of this.vendors.values()) if (!index.has(vendor.name.toLowerCase())) index.set(vendor.name.toLowerCase(), vendor.id);
      this.vendorByName = index;
    }
    return this.vendorByName.get(displayName.toLowerCase());
  }

  /** The first bill of the vendor with this DocNumber. */
  private billNumbered(vendorId: string, docNumber: string): string | undefined {
    if (this.billByNumber === undefined) {
      const index = new Map<string, string>();
      for (const bill of this.bills.values()) if (!index.has(`${bill.vendorId}\n${bill.number}`)) index.set(`${bill.vendorId}\n${bill.number}`, bill.id);
      this.billByNumber = index;
    }
    return this.billByNumber.get(`${vendorId}\n${docNumber}`);
  }

  /** Seeded ids are whole numbers too: created ones start above them so an Id is never given twice. */
  private bumpId(id: string): void {
    const n = Number(id);
    if (Number.isSafeInteger(n) && n >= this.nextId) this.nextId = n + 1;
  }

  private readonly billView: BillCompanyView = {
    hasVendor: (id) => this.vendors.get(id)?.active === true,
    hasExpenseAccount: (id) => Object.hasOwn(QBO_SANDBOX_EXPENSE_ACCOUNTS, id),
    billNumberUser: (vendorId, docNumber) => this.billNumbered(vendorId, docNumber),
    nameUser: (displayName) => this.vendorNamed(displayName),
  };

  /** `POST /bill`: commits a bill that passes QuickBooks' rules; its balance is its total until a payment applies. */
  createBill(body: unknown): CreateResult {
    const checked = checkBill(body, this.billView, this.rules);
    if (!checked.ok) return checked;
    const bill = checked.value;
    const id = String(this.nextId++);
    const amountCents = bill.lines.reduce((sum, line) => sum + line.amountCents, 0);
    this.putBill({
      id,
      vendorId: bill.vendorId,
      number: bill.docNumber ?? '',
      amountCents,
      balanceCents: amountCents,
      created: true,
      txnDate: bill.txnDate ?? metaTime(this.rules.now()).slice(0, 10),
      ...(bill.dueDate === undefined ? {} : { dueDate: bill.dueDate }),
      ...(bill.note === undefined ? {} : { note: bill.note }),
      lines: bill.lines,
      createTime: metaTime(this.rules.now()),
    });
    return { ok: true, record: this.billRecord(this.bills.get(id) as Bill) };
  }

  /** `POST /vendor`: commits a vendor whose DisplayName no one else uses. */
  createVendor(body: unknown): CreateResult {
    const checked = checkVendor(body, this.billView, this.rules);
    if (!checked.ok) return checked;
    const id = String(this.nextId++);
    const vendor: StoredVendor = {
      id,
      name: checked.value.displayName,
      active: checked.value.record.Active !== false,
      created: true,
      record: checked.value.record,
      createTime: metaTime(this.rules.now()),
    };
    this.putVendor(vendor);
    return { ok: true, record: this.vendorRecord(vendor) };
  }

  /** A vendor entered in QuickBooks directly. */
  addVendor(input: SandboxVendorInput): string {
    const id = String(this.nextId++);
    const record: Record<string, unknown> = { DisplayName: input.name, Active: input.active, ...(input.code === undefined ? {} : { AcctNum: input.code }) };
    this.putVendor({ id, name: input.name, active: input.active, created: false, record, createTime: metaTime(this.rules.now()) });
    return id;
  }

  private billRecord(bill: Bill): Record<string, unknown> {
    const vendor = this.vendors.get(bill.vendorId);
    return {
      Id: bill.id,
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      MetaData: { CreateTime: bill.createTime, LastUpdatedTime: bill.createTime },
      ...(bill.number === '' ? {} : { DocNumber: bill.number }),
      TxnDate: bill.txnDate ?? bill.createTime.slice(0, 10),
      ...(bill.dueDate === undefined ? {} : { DueDate: bill.dueDate }),
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      ...(bill.note === undefined ? {} : { PrivateNote: bill.note }),
      VendorRef: { value: bill.vendorId, ...(vendor === undefined ? {} : { name: vendor.name }) },
      APAccountRef: { value: '33', name: 'Accounts Payable (A/P)' },
      Line: bill.lines.map((line, index) => ({
        Id: String(index + 1),
        LineNum: index + 1,
        ...(line.description === undefined ? {} : { Description: line.description }),
        Amount: amountOf(line.amountCents),
        DetailType: 'AccountBasedExpenseLineDetail',
        AccountBasedExpenseLineDetail: {
          AccountRef: { value: line.accountId, name: QBO_SANDBOX_EXPENSE_ACCOUNTS[line.accountId] ?? '' },
          ...(line.customerId === undefined ? {} : { CustomerRef: { value: line.customerId } }),
          BillableStatus: 'NotBillable',
          TaxCodeRef: { value: 'NON' },
        },
      })),
      TotalAmt: amountOf(bill.amountCents),
      Balance: amountOf(bill.balanceCents),
    };
  }

  private vendorRecord(vendor: StoredVendor): Record<string, unknown> {
    return {
      ...structuredClone(vendor.record),
      DisplayName: vendor.name,
      Active: vendor.active,
      Balance: 0,
      Vendor1099: false,
      domain: 'QBO',
      sparse: false,
      Id: vendor.id,
      SyncToken: '0',
      MetaData: { CreateTime: vendor.createTime, LastUpdatedTime: vendor.createTime },
    };
  }

  /** Every bill, seeded and created, in neutral terms. */
  billList(): SandboxBill[] {
    return [...this.bills.values()].map((bill) => ({
      erpId: bill.id,
      vendorId: bill.vendorId,
      number: bill.number,
      amountCents: bill.amountCents,
      ...(bill.txnDate === undefined ? {} : { date: bill.txnDate }),
      ...(bill.projectNumber === undefined ? {} : { projectNumber: bill.projectNumber }),
      lines: bill.lines.map((line) => ({ amountCents: line.amountCents, ...(line.description === undefined ? {} : { description: line.description }), costCode: line.accountId })),
      created: bill.created,
      fields: this.billRecord(bill),
    }));
  }

  /** Every vendor, seeded, added and created, in neutral terms. */
  vendorList(): SandboxVendor[] {
    return [...this.vendors.values()].map((vendor) => {
      const code = vendor.record.AcctNum;
      return {
        erpId: vendor.id,
        name: vendor.name,
        ...(typeof code === 'string' ? { code } : {}),
        active: vendor.active,
        created: vendor.created,
        fields: this.vendorRecord(vendor),
      };
    });
  }

  /** The open balance of a bill, in cents. */
  billBalance(id: string): number | undefined {
    return this.bills.get(id)?.balanceCents;
  }

  /** `POST /billpayment`: commits what passes QuickBooks' rules (bill-payment-rules.ts). */
  createBillPayment(body: unknown, options: { allowDuplicateDocNumber: boolean }): CreateResult {
    const result = checkBillPayment(body, this.view, { ...this.rules, ...options });
    if (!result.ok) return result;
    const { payment } = result;
    return {
      ok: true,
      record: this.commit({
        vendorId: payment.vendorId,
        bankAccountId: payment.accountId,
        payType: payment.payType,
        printStatus: payment.printStatus,
        amountCents: payment.amountCents,
        applications: payment.applications,
        txnDate: payment.txnDate ?? metaTime(this.rules.now()).slice(0, 10),
        ...(payment.docNumber === undefined ? {} : { docNumber: payment.docNumber }),
        ...(payment.note === undefined ? {} : { note: payment.note }),
      }),
    };
  }

  private readonly view: CompanyView = {
    hasVendor: (id) => this.vendors.get(id)?.active === true,
    hasAccount: (id) => this.accounts.has(id),
    bill: (id) => this.bills.get(id),
    docNumberUser: (docNumber, accountId) => {
      const user = this.paymentByDocNumber.get(`${accountId}\n${docNumber}`);
      return user === undefined ? undefined : String(user.record['Id']);
    },
  };

  /** A bill payment entered in QuickBooks directly. QuickBooks has no ACH bill payment: both are PayType Check. */
  addPayment(input: SandboxPaymentInput): string {
    const bill = this.bills.get(input.billId);
    if (bill === undefined) throw new Error(`sandbox: no bill ${input.billId}`);
    if (!this.vendors.has(input.vendorId) || !this.accounts.has(input.bankAccountId)) {
      throw new Error(`sandbox: seed vendor ${input.vendorId} and bank account ${input.bankAccountId} first`);
    }
    if (input.amountCents > bill.balanceCents) throw new Error(`sandbox: ${input.amountCents} is above bill ${bill.id}'s balance`);
    const record = this.commit({
      vendorId: input.vendorId,
      bankAccountId: input.bankAccountId,
      payType: 'Check',
      // Not final = a check still queued to print; a final check has been printed (or needs no printing: ACH).
      printStatus: !input.final ? 'NeedToPrint' : input.method === 'check' ? 'PrintComplete' : 'NotSet',
      amountCents: input.amountCents,
      applications: [{ billId: input.billId, amountCents: input.amountCents }],
      txnDate: input.date,
      ...(input.checkNumber === undefined ? {} : { docNumber: input.checkNumber }),
      ...(input.notes === undefined ? {} : { note: input.notes }),
    });
    return String(record['Id']);
  }

  private commit(payment: {
    vendorId: string;
    bankAccountId: string;
    payType: 'Check' | 'CreditCard';
    printStatus: string;
    amountCents: number;
    applications: { billId: string; amountCents: number }[];
    txnDate: string;
    docNumber?: string;
    note?: string;
  }): Record<string, unknown> {
    for (const application of payment.applications) {
      const bill = this.bills.get(application.billId);
      if (bill !== undefined) bill.balanceCents -= application.amountCents;
    }
    const id = String(this.nextId++);
    const time = metaTime(this.rules.now());
    const vendor = this.vendors.get(payment.vendorId);
    const account = this.accounts.get(payment.bankAccountId);
    const accountRef = { value: payment.bankAccountId, ...(account === undefined ? {} : { name: account.name }) };
    const record: Record<string, unknown> = {
      VendorRef: { value: payment.vendorId, ...(vendor === undefined ? {} : { name: vendor.name }) },
      PayType: payment.payType,
      ...(payment.payType === 'Check'
        ? { CheckPayment: { BankAccountRef: accountRef, PrintStatus: payment.printStatus } }
        : { CreditCardPayment: { CCAccountRef: accountRef } }),
      TotalAmt: amountOf(payment.amountCents),
      domain: 'QBO',
      sparse: false,
      Id: id,
      SyncToken: '0',
      MetaData: { CreateTime: time, LastUpdatedTime: time },
      ...(payment.docNumber === undefined ? {} : { DocNumber: payment.docNumber }),
      TxnDate: payment.txnDate,
      CurrencyRef: { value: 'USD', name: 'United States Dollar' },
      ...(payment.note === undefined ? {} : { PrivateNote: payment.note }),
      Line: payment.applications.map((application) => ({
        Amount: amountOf(application.amountCents),
        LinkedTxn: [{ TxnId: application.billId, TxnType: 'Bill' }],
      })),
    };
    const stored: StoredPayment = {
      record,
      vendorId: payment.vendorId,
      bankAccountId: payment.bankAccountId,
      ...(payment.docNumber === undefined ? {} : { docNumber: payment.docNumber }),
      amountCents: payment.amountCents,
      applications: payment.applications,
    };
    this.stored.push(stored);
    this.storedRecords.push(record);
    this.paymentById.set(id, stored);
    if (payment.docNumber !== undefined) {
      const key = `${payment.bankAccountId}\n${payment.docNumber}`;
      if (!this.paymentByDocNumber.has(key)) this.paymentByDocNumber.set(key, stored);
    }
    const timeMs = Date.parse(time);
    if (!(timeMs >= this.lastPaymentTimeMs)) this.paymentsInTimeOrder = false;
    this.lastPaymentTimeMs = timeMs;
    return structuredClone(record);
  }

  /** One bill payment by its Id, as `GET /billpayment/{id}` returns it; undefined when there is none. */
  billPayment(id: string): Record<string, unknown> | undefined {
    const found = this.paymentById.get(id);
    return found === undefined ? undefined : structuredClone(found.record);
  }

  /**
   * The bill payments as stored (not copies: the caller only serialises them), when they are in MetaData.LastUpdatedTime
   * order; undefined once the sandbox clock went back between two payments (then `table` and a full sort answer).
   */
  billPaymentsInTimeOrder(): readonly Record<string, unknown>[] | undefined {
    return this.paymentsInTimeOrder ? this.storedRecords : undefined;
  }

  /** The rows a query over `entity` reads, as QuickBooks returns them; undefined for an entity it does not know. */
  table(entity: string): Record<string, unknown>[] | undefined {
    switch (entity.toLowerCase()) {
      case 'billpayment':
        return this.stored.map((payment) => structuredClone(payment.record));
      case 'account':
        return [...this.accounts.values()].map((account) => ({
          Id: account.id,
          Name: account.name,
          AccountType: 'Bank',
          Classification: 'Asset',
          Active: true,
        }));
      case 'vendor':
        // Like QuickBooks, a query reads active vendors unless it filters on Active itself.
        return [...this.vendors.values()].map((vendor) => this.vendorRecord(vendor));
      case 'bill':
        return [...this.bills.values()].map((bill) => this.billRecord(bill));
      default:
        return undefined;
    }
  }

  /** The sandbox's neutral reading of every bill payment, for tests and the conformance kit. */
  payments(): SandboxPayment[] {
    return this.stored.map((payment) => {
      const record = payment.record;
      const printStatus = at(at(record, 'CheckPayment'), 'PrintStatus');
      const note = at(record, 'PrivateNote');
      return {
        erpId: String(record['Id']),
        vendorId: payment.vendorId,
        bankAccountId: payment.bankAccountId,
        ...(payment.docNumber === undefined ? {} : { checkNumber: payment.docNumber }),
        amountCents: payment.amountCents,
        date: String(record['TxnDate']),
        method: String(record['PayType']),
        status: typeof printStatus === 'string' ? printStatus : 'Created',
        final: payment.amountCents > 0 && printStatus !== 'NeedToPrint',
        applications: payment.applications.map((application) => ({ ...application })),
        ...(typeof note === 'string' ? { memo: note } : {}),
        fields: structuredClone(record),
      };
    });
  }
}
