/**
 * The sandbox's in-memory Acumatica company: vendors (Vendors, AP303000), cash accounts, AP bills (Bills and
 * Adjustments, AP301000) with open balances, and AP checks (Checks and Payments, AP302000) with their
 * applications.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxBill, SandboxPayment, SandboxPaymentInput, SandboxSeed, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import { decimalOf } from './money.js';

/** One row of a bill's Details (Bills and Adjustments, Details tab). */
export interface BillLine {
  amountCents: number;
  description?: string;
  branch?: string;
  account?: string;
  subaccount?: string;
  inventoryId?: string;
  project?: string;
  projectTask?: string;
  costCode?: string;
}

export interface Bill {
  /** The row's GUID (`id` on the wire). */
  id: string;
  /** The bill's Reference Nbr. (what a check's Details row names). */
  referenceNbr: string;
  vendor: string;
  /** The vendor's own invoice number (Vendor Ref.). */
  vendorRef: string;
  amountCents: number;
  balanceCents: number;
  projectNumber?: string;
  /** `Balanced` until released, then `Open` (payable), `Closed` once paid; `On Hold` while held. */
  status: string;
  hold: boolean;
  /** YYYY-MM-DD */
  date: string;
  dueDate?: string;
  description?: string;
  lines: BillLine[];
  /** True when created through `PUT …/Bill`. */
  created: boolean;
  lastModified: string;
}

/** A vendor (Vendors, AP303000): its Vendor ID is the key every document names. */
export interface StoredVendor {
  /** The row's GUID (`id` on the wire). */
  rowId: string;
  id: string;
  name: string;
  /** `Active`, `On Hold`, `Hold Payments`, `Inactive`, `One-Time`. */
  status: string;
  vendorClass: string;
  email?: string;
  phone?: string;
  address?: { addressLine1?: string; city?: string; state?: string; postalCode?: string; country?: string };
  taxRegistrationId?: string;
  created: boolean;
  lastModified: string;
}

/** Bill statuses (APDocStatus) as the API shows them. */
export const BILL_STATUS = { onHold: 'On Hold', balanced: 'Balanced', open: 'Open', closed: 'Closed' } as const;

export interface Application {
  docType: string;
  referenceNbr: string;
  amountCents: number;
  /** Released applications show in the check's History; pending ones in its Details. */
  released: boolean;
}

export interface StoredCheck {
  id: string;
  type: string;
  referenceNbr: string;
  vendor: string;
  paymentMethod: string;
  cashAccount: string;
  /** YYYY-MM-DD */
  applicationDate: string;
  paymentRef?: string;
  amountCents: number;
  description?: string;
  hold: boolean;
  status: string;
  applications: Application[];
  lastModified: string;
}

/** Statuses Acumatica gives a check: the released ones are 'Open' (unapplied money left) and 'Closed'. */
export const STATUS = { onHold: 'On Hold', balanced: 'Balanced', open: 'Open', closed: 'Closed', voided: 'Voided' } as const;

interface BillIndex {
  byId: Map<string, Bill>;
  byVendorRef: Map<string, Bill[]>;
}

export class Company {
  readonly vendors = new Map<string, StoredVendor>();
  readonly cashAccounts = new Map<string, { id: string; name: string }>();
  readonly bills = new Map<string, Bill>();
  readonly checks: StoredCheck[] = [];
  /**
   * Indexes over `checks` and `bills`, kept as they are stored, so a rule or a lookup reads the few records it needs
   * instead of scanning every one (a company of 100,000 checks answered each call in linear time).
   */
  readonly #checkById = new Map<string, StoredCheck>();
  /** Reference Nbr. → its checks (one per type at most), in the order stored. */
  readonly #checksByReference = new Map<string, StoredCheck[]>();
  /** `<cash account>\n<Payment Ref.>` → the checks with it, in the order stored (a check's header keys never change). */
  readonly #checksByPaymentRef = new Map<string, StoredCheck[]>();
  /** A bill's row id → the bill; `<vendor>\n<Vendor Ref.>` → its bills; rebuilt when a seed replaces a bill. */
  #billIndex: BillIndex | undefined;
  /** Payment methods set up in the company (Payment Methods, CA204000). */
  readonly paymentMethods = new Set(['ACH', 'CHECK']);
  /** Cost codes set up for projects (Cost Codes, PM209500); empty = the sandbox does not check them. */
  readonly costCodes = new Set<string>();
  private nextNumber = 1;
  private nextBillNumber = 1;
  private nextVendorNumber = 1;

  constructor(private readonly now: () => Date) {}

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.putVendor({ id: vendor.id, name: vendor.name, status: 'Active', created: false });
    for (const account of seed.bankAccounts ?? []) this.cashAccounts.set(account.id, { id: account.id, name: account.name ?? account.id });
    for (const bill of seed.bills ?? []) {
      this.putBill({
        id: randomUUID(),
        referenceNbr: bill.id,
        vendor: bill.vendorId,
        vendorRef: bill.number,
        amountCents: bill.amountCents,
        balanceCents: bill.amountCents,
        ...(bill.projectNumber === undefined ? {} : { projectNumber: bill.projectNumber }),
        // Seeded bills are released: a check can pay them.
        status: BILL_STATUS.open,
        hold: false,
        date: this.timestamp().slice(0, 10),
        lines: [{ amountCents: bill.amountCents }],
        created: false,
        lastModified: this.timestamp(),
      });
    }
  }

  /** Stores a vendor (seeded, added or created), giving it a row id and a timestamp. */
  putVendor(fields: Omit<StoredVendor, 'rowId' | 'lastModified' | 'vendorClass'> & { vendorClass?: string }): StoredVendor {
    const vendor: StoredVendor = { vendorClass: 'DEFAULT', ...fields, rowId: randomUUID(), lastModified: this.timestamp() };
    this.vendors.set(vendor.id, vendor);
    return vendor;
  }

  /** The next auto-numbered Vendor ID (the VENDOR segment's numbering sequence). */
  nextVendorId(): string {
    for (;;) {
      const id = `V${String(this.nextVendorNumber++).padStart(7, '0')}`;
      if (!this.vendors.has(id)) return id;
    }
  }

  /** A new bill's Reference Nbr. from the AP bill numbering sequence. */
  newBill(fields: Omit<Bill, 'id' | 'referenceNbr' | 'lastModified'>): Bill {
    let referenceNbr: string;
    do referenceNbr = `B${String(this.nextBillNumber++).padStart(6, '0')}`;
    while (this.bills.has(referenceNbr));
    const bill: Bill = { ...fields, id: randomUUID(), referenceNbr, lastModified: this.timestamp() };
    this.putBill(bill);
    return bill;
  }

  /** Stores a bill under its Reference Nbr., keeping the bill indexes (a replaced bill drops them for a rebuild). */
  private putBill(bill: Bill): void {
    if (this.bills.has(bill.referenceNbr)) this.#billIndex = undefined;
    this.bills.set(bill.referenceNbr, bill);
    if (this.#billIndex !== undefined) this.#indexBill(this.#billIndex, bill);
  }

  #indexBill(index: BillIndex, bill: Bill): void {
    index.byId.set(bill.id, bill);
    const key = `${bill.vendor}\n${bill.vendorRef}`;
    const list = index.byVendorRef.get(key);
    if (list === undefined) index.byVendorRef.set(key, [bill]);
    else list.push(bill);
  }

  #bills(): BillIndex {
    if (this.#billIndex === undefined) {
      const index = { byId: new Map<string, Bill>(), byVendorRef: new Map<string, Bill[]>() };
      for (const bill of this.bills.values()) this.#indexBill(index, bill);
      this.#billIndex = index;
    }
    return this.#billIndex;
  }

  /** The bill with this row id (`id`), if any. */
  billById(id: string): Bill | undefined {
    return this.#bills().byId.get(id);
  }

  /** The first bill of the vendor with this Vendor Ref. (the vendor's invoice number), if any. */
  billWithVendorRef(vendorId: string, vendorRef: string): Bill | undefined {
    return this.#bills().byVendorRef.get(`${vendorId}\n${vendorRef}`)?.[0];
  }

  /** Whether a check of the cash account not voided already uses the Payment Ref. */
  paymentRefUsed(cashAccount: string, paymentRef: string): boolean {
    return (this.#checksByPaymentRef.get(`${cashAccount}\n${paymentRef}`) ?? []).some((check) => check.status !== STATUS.voided);
  }

  /** Releases a bill: it becomes Open, so a check can pay it. */
  releaseBill(bill: Bill): void {
    bill.status = BILL_STATUS.open;
    bill.lastModified = this.timestamp();
  }

  addVendor(input: SandboxVendorInput): string {
    const id = input.code ?? this.nextVendorId();
    this.putVendor({ id, name: input.name, status: input.active ? 'Active' : 'Inactive', created: false });
    return id;
  }

  vendorList(): SandboxVendor[] {
    return [...this.vendors.values()].map((vendor) => ({
      erpId: vendor.id,
      name: vendor.name,
      code: vendor.id,
      active: vendor.status !== 'Inactive',
      created: vendor.created,
      fields: {
        VendorID: vendor.id,
        VendorName: vendor.name,
        Status: vendor.status,
        VendorClass: vendor.vendorClass,
        ...(vendor.email === undefined ? {} : { Email: vendor.email }),
        ...(vendor.phone === undefined ? {} : { Phone1: vendor.phone }),
        ...(vendor.taxRegistrationId === undefined ? {} : { TaxRegistrationID: vendor.taxRegistrationId }),
        ...(vendor.address === undefined ? {} : { Address: { ...vendor.address } }),
      },
    }));
  }

  billList(): SandboxBill[] {
    return [...this.bills.values()].map((bill) => ({
      erpId: bill.referenceNbr,
      vendorId: bill.vendor,
      number: bill.vendorRef,
      amountCents: bill.amountCents,
      date: bill.date,
      ...(bill.projectNumber === undefined ? {} : { projectNumber: bill.projectNumber }),
      lines: bill.lines.map((line) => ({
        amountCents: line.amountCents,
        ...(line.description === undefined ? {} : { description: line.description }),
        ...(line.costCode === undefined ? {} : { costCode: line.costCode }),
      })),
      created: bill.created,
      fields: {
        Type: 'Bill',
        ReferenceNbr: bill.referenceNbr,
        Vendor: bill.vendor,
        VendorRef: bill.vendorRef,
        Date: bill.date,
        ...(bill.dueDate === undefined ? {} : { DueDate: bill.dueDate }),
        ...(bill.description === undefined ? {} : { Description: bill.description }),
        ...(bill.projectNumber === undefined ? {} : { Project: bill.projectNumber }),
        Status: bill.status,
        Hold: bill.hold,
        Amount: decimalOf(bill.amountCents),
        Balance: decimalOf(bill.balanceCents),
        Details: bill.lines.map((line) => ({
          Amount: decimalOf(line.amountCents),
          ...(line.description === undefined ? {} : { TransactionDescription: line.description }),
          ...(line.branch === undefined ? {} : { Branch: line.branch }),
          ...(line.account === undefined ? {} : { Account: line.account }),
          ...(line.subaccount === undefined ? {} : { Subaccount: line.subaccount }),
          ...(line.inventoryId === undefined ? {} : { InventoryID: line.inventoryId }),
          ...(line.project === undefined ? {} : { Project: line.project }),
          ...(line.projectTask === undefined ? {} : { ProjectTask: line.projectTask }),
          ...(line.costCode === undefined ? {} : { CostCode: line.costCode }),
        })),
      },
    }));
  }

  timestamp(): string {
    return this.now().toISOString();
  }

  newCheck(fields: Omit<StoredCheck, 'id' | 'referenceNbr' | 'lastModified'>): StoredCheck {
    const check: StoredCheck = { ...fields, id: randomUUID(), referenceNbr: String(this.nextNumber++).padStart(6, '0'), lastModified: this.timestamp() };
    this.checks.push(check);
    this.#checkById.set(check.id, check);
    pushTo(this.#checksByReference, check.referenceNbr, check);
    if (check.paymentRef !== undefined) pushTo(this.#checksByPaymentRef, `${check.cashAccount}\n${check.paymentRef}`, check);
    return check;
  }

  findCheck(key: { id?: string; type?: string; referenceNbr?: string }): StoredCheck | undefined {
    if (key.id !== undefined) return this.#checkById.get(key.id);
    if (key.referenceNbr === undefined) return undefined;
    return this.#checksByReference.get(key.referenceNbr)?.find((check) => key.type === undefined || check.type === key.type);
  }

  /** Releases a check: its applications move to History; it closes when nothing is left unapplied. */
  release(check: StoredCheck): void {
    for (const application of check.applications) application.released = true;
    const applied = check.applications.reduce((sum, application) => sum + application.amountCents, 0);
    check.status = applied === check.amountCents ? STATUS.closed : STATUS.open;
    check.lastModified = this.timestamp();
  }

  /** A check entered in Acumatica directly (for import tests and the demo). */
  addPayment(input: SandboxPaymentInput): string {
    const bill = this.bills.get(input.billId);
    if (bill !== undefined) bill.balanceCents = Math.max(0, bill.balanceCents - input.amountCents);
    const check = this.newCheck({
      type: 'Payment',
      vendor: input.vendorId,
      paymentMethod: input.method === 'ach' ? 'ACH' : 'CHECK',
      cashAccount: input.bankAccountId,
      applicationDate: input.date,
      ...(input.checkNumber === undefined ? {} : { paymentRef: input.checkNumber }),
      amountCents: input.amountCents,
      ...(input.notes === undefined ? {} : { description: input.notes }),
      hold: false,
      status: STATUS.balanced,
      applications: [{ docType: 'Bill', referenceNbr: input.billId, amountCents: input.amountCents, released: false }],
    });
    if (input.final) this.release(check);
    return check.referenceNbr;
  }

  payments(): SandboxPayment[] {
    return this.checks.map((check) => ({
      erpId: check.referenceNbr,
      vendorId: check.vendor,
      bankAccountId: check.cashAccount,
      ...(check.paymentRef === undefined ? {} : { checkNumber: check.paymentRef }),
      amountCents: check.amountCents,
      date: check.applicationDate,
      method: check.paymentMethod,
      status: check.status,
      final: check.status === STATUS.closed,
      applications: check.applications.map((application) => ({ billId: application.referenceNbr, amountCents: application.amountCents })),
      ...(check.description === undefined ? {} : { memo: check.description }),
      fields: {
        Type: check.type,
        ReferenceNbr: check.referenceNbr,
        Status: check.status,
        Vendor: check.vendor,
        PaymentMethod: check.paymentMethod,
        CashAccount: check.cashAccount,
        ApplicationDate: check.applicationDate,
        ...(check.paymentRef === undefined ? {} : { PaymentRef: check.paymentRef }),
        PaymentAmount: decimalOf(check.amountCents),
        ...(check.description === undefined ? {} : { Description: check.description }),
        Hold: check.hold,
        Details: check.applications.map((application) => ({
          DocType: application.docType,
          ReferenceNbr: application.referenceNbr,
          AmountPaid: decimalOf(application.amountCents),
        })),
      },
    }));
  }
}

function pushTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}
