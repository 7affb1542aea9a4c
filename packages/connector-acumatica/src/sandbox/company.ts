/**
 * The sandbox's in-memory Acumatica company: vendors, cash accounts, AP bills with open balances, and AP
 * checks (Checks and Payments, AP302000) with their applications.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxPayment, SandboxPaymentInput, SandboxSeed } from '@ledgerlink/core';
import { decimalOf } from './money.js';

export interface Bill {
  /** The bill's Reference Nbr. (what a check's Details row names). */
  referenceNbr: string;
  vendor: string;
  /** The vendor's own invoice number (Vendor Ref.). */
  vendorRef: string;
  amountCents: number;
  balanceCents: number;
  projectNumber?: string;
}

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

export class Company {
  readonly vendors = new Map<string, { id: string; name: string }>();
  readonly cashAccounts = new Map<string, { id: string; name: string }>();
  readonly bills = new Map<string, Bill>();
  readonly checks: StoredCheck[] = [];
  /** Payment methods set up in the company (Payment Methods, CA204000). */
  readonly paymentMethods = new Set(['ACH', 'CHECK']);
  private nextNumber = 1;

  constructor(private readonly now: () => Date) {}

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.vendors.set(vendor.id, { ...vendor });
    for (const account of seed.bankAccounts ?? []) this.cashAccounts.set(account.id, { id: account.id, name: account.name ?? account.id });
    for (const bill of seed.bills ?? []) {
      this.bills.set(bill.id, {
        referenceNbr: bill.id,
        vendor: bill.vendorId,
        vendorRef: bill.number,
        amountCents: bill.amountCents,
        balanceCents: bill.amountCents,
        ...(bill.projectNumber === undefined ? {} : { projectNumber: bill.projectNumber }),
      });
    }
  }

  timestamp(): string {
    return this.now().toISOString();
  }

  newCheck(fields: Omit<StoredCheck, 'id' | 'referenceNbr' | 'lastModified'>): StoredCheck {
    const check: StoredCheck = { ...fields, id: randomUUID(), referenceNbr: String(this.nextNumber++).padStart(6, '0'), lastModified: this.timestamp() };
    this.checks.push(check);
    return check;
  }

  findCheck(key: { id?: string; type?: string; referenceNbr?: string }): StoredCheck | undefined {
    if (key.id !== undefined) return this.checks.find((check) => check.id === key.id);
    if (key.referenceNbr === undefined) return undefined;
    return this.checks.find((check) => check.referenceNbr === key.referenceNbr && (key.type === undefined || check.type === key.type));
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
