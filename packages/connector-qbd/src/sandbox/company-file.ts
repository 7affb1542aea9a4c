import type { SandboxBill, SandboxPayment, SandboxPaymentInput, SandboxSeed, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import { amountOf } from './amounts.js';

export interface ListRecord {
  listId: string;
  name: string;
}

/** A vendor of the company file: a ListRecord plus what VendorAdd / VendorRet carry. */
export interface VendorRecord extends ListRecord {
  isActive: boolean;
  timeCreated: string;
  timeModified: string;
  editSequence: string;
  companyName?: string;
  address?: Record<string, string>;
  phone?: string;
  email?: string;
  taxIdent?: string;
  externalGuid?: string;
  /** Made by an SDK application's VendorAdd (an export), not seeded or typed into QuickBooks. */
  created: boolean;
}

/** One line of a bill: an item line (ItemLineAdd) or an expense line (ExpenseLineAdd). */
export interface BillLine {
  kind: 'Item' | 'Expense';
  txnLineId: string;
  /** The item (ItemRef) or account (AccountRef). */
  ref?: ListRecord;
  desc?: string;
  amountCents: number;
  customer?: ListRecord;
}

export interface Bill {
  txnId: string;
  vendorListId: string;
  refNumber: string;
  txnDate: string;
  amountCents: number;
  openCents: number;
  /** Made by BillAdd (an export), not seeded. */
  created?: boolean;
  dueDate?: string;
  memo?: string;
  externalGuid?: string;
  lines?: BillLine[];
  timeCreated?: string;
  timeModified?: string;
  editSequence?: string;
  txnNumber?: number;
}

export interface AppliedTo {
  bill: Bill;
  amountCents: number;
}

export interface BillPaymentCheck {
  txnId: string;
  txnNumber: number;
  timeCreated: string;
  timeModified: string;
  editSequence: string;
  payee: ListRecord;
  txnDate: string;
  bank: ListRecord;
  refNumber?: string;
  memo?: string;
  externalGuid?: string;
  isToBePrinted: boolean;
  amountCents: number;
  applied: AppliedTo[];
}

/** QuickBooks' own time format: local time with an offset (the sandbox lives in UTC). */
export function qbTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/**
 * The sandbox's company file: vendors, bank accounts, bills with open balances and bill payment checks. What
 * QuickBooks would refuse is refused by the request processor; this only holds the records.
 */
export class CompanyFile {
  readonly vendors = new Map<string, VendorRecord>();
  readonly accounts = new Map<string, ListRecord>();
  /** Service items: what a contractor's company file uses for cost codes (ItemRef on a bill's item lines). */
  readonly items = new Map<string, ListRecord>();
  /** Customers and jobs (`Customer:Job`): a line's CustomerRef. */
  readonly customers = new Map<string, ListRecord>();
  readonly bills = new Map<string, Bill>();
  readonly checks: BillPaymentCheck[] = [];
  #txnNumber = 0;
  #listNumber = 0;
  #lastTime = 0;

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.vendors.set(vendor.id, { ...this.#listStamp(), listId: vendor.id, name: vendor.name, isActive: true, created: false });
    for (const account of seed.bankAccounts ?? []) this.accounts.set(account.id, { listId: account.id, name: account.name ?? account.id });
    for (const bill of seed.bills ?? []) {
      this.bills.set(bill.id, { txnId: bill.id, vendorListId: bill.vendorId, refNumber: bill.number, txnDate: '2025-03-01', amountCents: bill.amountCents, openCents: bill.amountCents });
    }
  }

  /** A list record by ListID or FullName, as QuickBooks resolves a reference. */
  find(list: Map<string, ListRecord>, ref: { ListID?: string; FullName?: string }): ListRecord | undefined {
    if (ref.ListID !== undefined) return list.get(ref.ListID);
    if (ref.FullName !== undefined) return [...list.values()].find((record) => record.name === ref.FullName);
    return undefined;
  }

  /** Strictly increasing modification times, so a TimeModified cursor never ties within the sandbox. */
  #tick(): number {
    const now = Math.max(Date.now(), this.#lastTime + 1000);
    this.#lastTime = now;
    return now;
  }

  #listStamp(): { timeCreated: string; timeModified: string; editSequence: string } {
    const now = this.#tick();
    return { timeCreated: qbTime(new Date(now)), timeModified: qbTime(new Date(now)), editSequence: String(Math.floor(now / 1000)) };
  }

  /** A new ListID in QuickBooks' form (`80000012-1741900000`). */
  #newListId(): string {
    this.#listNumber += 1;
    return `${(0x8a000000 + this.#listNumber).toString(16).toUpperCase()}-${Math.floor(this.#tick() / 1000)}`;
  }

  /** Saves a vendor (VendorAdd, or one typed into QuickBooks with `addVendor`). */
  saveVendor(vendor: Omit<VendorRecord, 'listId' | 'timeCreated' | 'timeModified' | 'editSequence'>): VendorRecord {
    const saved: VendorRecord = { ...vendor, ...this.#listStamp(), listId: this.#newListId() };
    this.vendors.set(saved.listId, saved);
    return saved;
  }

  /** A vendor typed into QuickBooks directly: no ExternalGUID (only an SDK application sets one). */
  addVendor(input: SandboxVendorInput): string {
    return this.saveVendor({ name: input.name, isActive: input.active, created: false }).listId;
  }

  /** Saves a bill (BillAdd): its whole amount is open until a bill payment check pays it. */
  saveBill(bill: Omit<Bill, 'txnId' | 'txnNumber' | 'timeCreated' | 'timeModified' | 'editSequence' | 'openCents'>): Bill {
    this.#txnNumber += 1;
    const now = this.#tick();
    const time = qbTime(new Date(now));
    const saved: Bill = {
      ...bill,
      txnId: `${(0x2f000 + this.#txnNumber).toString(16).toUpperCase()}-${Math.floor(now / 1000)}`,
      txnNumber: this.#txnNumber,
      timeCreated: time,
      timeModified: time,
      editSequence: String(Math.floor(now / 1000)),
      openCents: bill.amountCents,
    };
    this.bills.set(saved.txnId, saved);
    return saved;
  }

  vendorList(): SandboxVendor[] {
    return [...this.vendors.values()].map((vendor) => ({
      erpId: vendor.listId,
      name: vendor.name,
      active: vendor.isActive,
      created: vendor.created,
      fields: vendorRetOf(vendor),
    }));
  }

  billList(): SandboxBill[] {
    return [...this.bills.values()].map((bill) => ({
      erpId: bill.txnId,
      vendorId: bill.vendorListId,
      number: bill.refNumber,
      amountCents: bill.amountCents,
      date: bill.txnDate,
      lines: (bill.lines ?? []).map((line) => ({
        amountCents: line.amountCents,
        ...(line.desc === undefined ? {} : { description: line.desc }),
        ...(line.ref === undefined || line.kind !== 'Item' ? {} : { costCode: line.ref.listId }),
      })),
      created: bill.created === true,
      fields: billRetOf(bill, this.vendors.get(bill.vendorListId), true),
    }));
  }

  /** Saves a bill payment check and takes its amounts off the bills' open balances. */
  save(check: Omit<BillPaymentCheck, 'txnId' | 'txnNumber' | 'timeCreated' | 'timeModified' | 'editSequence' | 'amountCents'>): BillPaymentCheck {
    this.#txnNumber += 1;
    const now = this.#tick();
    const time = qbTime(new Date(now));
    const saved: BillPaymentCheck = {
      ...check,
      txnId: `${(0x1f000 + this.#txnNumber).toString(16).toUpperCase()}-${Math.floor(now / 1000)}`,
      txnNumber: this.#txnNumber,
      timeCreated: time,
      timeModified: time,
      editSequence: String(Math.floor(now / 1000)),
      amountCents: check.applied.reduce((sum, line) => sum + line.amountCents, 0),
    };
    for (const line of check.applied) line.bill.openCents -= line.amountCents;
    this.checks.push(saved);
    return saved;
  }

  /**
   * A payment made in QuickBooks directly; a non-final one is a check still waiting to be printed. It has no
   * ExternalGUID: the QuickBooks user interface never sets one, only an SDK application's add does.
   */
  addPayment(input: SandboxPaymentInput): string {
    const payee = this.vendors.get(input.vendorId) ?? { listId: input.vendorId, name: input.vendorId };
    const bank = this.accounts.get(input.bankAccountId) ?? { listId: input.bankAccountId, name: input.bankAccountId };
    const bill = this.bills.get(input.billId);
    if (bill === undefined) throw new Error(`the sandbox has no bill ${input.billId}: seed it first`);
    const saved = this.save({
      payee,
      bank,
      txnDate: input.date,
      ...(input.final && input.checkNumber !== undefined ? { refNumber: input.checkNumber } : {}),
      ...(input.notes === undefined ? {} : { memo: input.notes }),
      isToBePrinted: !input.final,
      applied: [{ bill, amountCents: input.amountCents }],
    });
    return saved.txnId;
  }

  payments(): SandboxPayment[] {
    return this.checks.map((check) => ({
      erpId: check.txnId,
      vendorId: check.payee.listId,
      bankAccountId: check.bank.listId,
      ...(check.refNumber === undefined ? {} : { checkNumber: check.refNumber }),
      amountCents: check.amountCents,
      date: check.txnDate,
      method: 'Check',
      status: check.isToBePrinted ? 'To Print' : 'Issued',
      final: !check.isToBePrinted,
      applications: check.applied.map((line) => ({ billId: line.bill.txnId, amountCents: line.amountCents })),
      ...(check.memo === undefined ? {} : { memo: check.memo }),
      fields: retOf(check) as Record<string, unknown>,
    }));
  }
}

/** A BillPaymentCheckRet in the Ret's element order. */
export function retOf(check: BillPaymentCheck): Record<string, unknown> {
  return {
    TxnID: check.txnId,
    TimeCreated: check.timeCreated,
    TimeModified: check.timeModified,
    EditSequence: check.editSequence,
    TxnNumber: String(check.txnNumber),
    PayeeEntityRef: { ListID: check.payee.listId, FullName: check.payee.name },
    TxnDate: check.txnDate,
    BankAccountRef: { ListID: check.bank.listId, FullName: check.bank.name },
    Amount: amountOf(check.amountCents),
    ...(check.refNumber === undefined ? {} : { RefNumber: check.refNumber }),
    ...(check.memo === undefined ? {} : { Memo: check.memo }),
    IsToBePrinted: String(check.isToBePrinted),
    ...(check.externalGuid === undefined ? {} : { ExternalGUID: check.externalGuid }),
    AppliedToTxnRet: check.applied.map((line) => ({
      TxnID: line.bill.txnId,
      TxnType: 'Bill',
      TxnDate: line.bill.txnDate,
      RefNumber: line.bill.refNumber,
      BalanceRemaining: amountOf(line.bill.openCents),
      Amount: amountOf(line.amountCents),
    })),
  };
}

function ref(record: ListRecord | undefined): Record<string, string> | undefined {
  return record === undefined ? undefined : { ListID: record.listId, FullName: record.name };
}

/** A VendorRet in the Ret's element order (qbxmlops130). */
export function vendorRetOf(vendor: VendorRecord): Record<string, unknown> {
  return {
    ListID: vendor.listId,
    TimeCreated: vendor.timeCreated,
    TimeModified: vendor.timeModified,
    EditSequence: vendor.editSequence,
    Name: vendor.name,
    IsActive: String(vendor.isActive),
    ...(vendor.companyName === undefined ? {} : { CompanyName: vendor.companyName }),
    ...(vendor.address === undefined ? {} : { VendorAddress: vendor.address }),
    ...(vendor.phone === undefined ? {} : { Phone: vendor.phone }),
    ...(vendor.email === undefined ? {} : { Email: vendor.email }),
    ...(vendor.taxIdent === undefined ? {} : { VendorTaxIdent: vendor.taxIdent }),
    Balance: '0.00',
    ...(vendor.externalGuid === undefined ? {} : { ExternalGUID: vendor.externalGuid }),
  };
}

/** A BillRet in the Ret's element order (qbxmlops130); line items only when the query asked for them. */
export function billRetOf(bill: Bill, vendor: ListRecord | undefined, includeLines: boolean): Record<string, unknown> {
  const lines = bill.lines ?? [];
  return {
    TxnID: bill.txnId,
    ...(bill.timeCreated === undefined ? {} : { TimeCreated: bill.timeCreated, TimeModified: bill.timeModified, EditSequence: bill.editSequence }),
    ...(bill.txnNumber === undefined ? {} : { TxnNumber: String(bill.txnNumber) }),
    VendorRef: ref(vendor) ?? { ListID: bill.vendorListId },
    TxnDate: bill.txnDate,
    ...(bill.dueDate === undefined ? {} : { DueDate: bill.dueDate }),
    AmountDue: amountOf(bill.amountCents),
    RefNumber: bill.refNumber,
    ...(bill.memo === undefined ? {} : { Memo: bill.memo }),
    IsPaid: String(bill.openCents <= 0),
    ...(bill.externalGuid === undefined ? {} : { ExternalGUID: bill.externalGuid }),
    ...(includeLines && lines.some((line) => line.kind === 'Expense')
      ? { ExpenseLineRet: lines.filter((line) => line.kind === 'Expense').map((line) => ({ TxnLineID: line.txnLineId, AccountRef: ref(line.ref), Amount: amountOf(line.amountCents), ...(line.desc === undefined ? {} : { Memo: line.desc }), ...(line.customer === undefined ? {} : { CustomerRef: ref(line.customer) }) })) }
      : {}),
    ...(includeLines && lines.some((line) => line.kind === 'Item')
      ? { ItemLineRet: lines.filter((line) => line.kind === 'Item').map((line) => ({ TxnLineID: line.txnLineId, ItemRef: ref(line.ref), ...(line.desc === undefined ? {} : { Desc: line.desc }), Amount: amountOf(line.amountCents), ...(line.customer === undefined ? {} : { CustomerRef: ref(line.customer) }) })) }
      : {}),
    OpenAmount: amountOf(bill.openCents),
  };
}
