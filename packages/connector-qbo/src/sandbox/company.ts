import type { SandboxPayment, SandboxPaymentInput, SandboxSeed } from '@ledgerlink/core';
import { amountOf } from './amounts.js';
import { metaTime, type FaultError } from './answers.js';
import { checkBillPayment, type CompanyView } from './bill-payment-rules.js';

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

function at(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The in-memory QuickBooks company: vendors, bank accounts, bills with balances, and bill payments. */
export class QboCompany {
  private readonly vendors = new Map<string, { id: string; name: string }>();
  private readonly accounts = new Map<string, { id: string; name: string }>();
  private readonly bills = new Map<string, Bill>();
  private readonly stored: StoredPayment[] = [];
  private nextId = 1001;

  constructor(private readonly rules: CompanyRules) {}

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.vendors.set(vendor.id, { ...vendor });
    for (const account of seed.bankAccounts ?? []) this.accounts.set(account.id, { id: account.id, name: account.name ?? `Checking ${account.id}` });
    for (const bill of seed.bills ?? []) this.bills.set(bill.id, { ...bill, balanceCents: bill.amountCents });
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
    hasVendor: (id) => this.vendors.has(id),
    hasAccount: (id) => this.accounts.has(id),
    bill: (id) => this.bills.get(id),
    docNumberUser: (docNumber, accountId) => {
      const user = this.stored.find((payment) => payment.docNumber === docNumber && payment.bankAccountId === accountId);
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
    this.stored.push({
      record,
      vendorId: payment.vendorId,
      bankAccountId: payment.bankAccountId,
      ...(payment.docNumber === undefined ? {} : { docNumber: payment.docNumber }),
      amountCents: payment.amountCents,
      applications: payment.applications,
    });
    return structuredClone(record);
  }

  /** One bill payment by its Id, as `GET /billpayment/{id}` returns it; undefined when there is none. */
  billPayment(id: string): Record<string, unknown> | undefined {
    const found = this.stored.find((payment) => payment.record['Id'] === id);
    return found === undefined ? undefined : structuredClone(found.record);
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
        return [...this.vendors.values()].map((vendor) => ({ Id: vendor.id, DisplayName: vendor.name, Active: true }));
      case 'bill':
        return [...this.bills.values()].map((bill) => ({
          Id: bill.id,
          VendorRef: { value: bill.vendorId },
          DocNumber: bill.number,
          TotalAmt: amountOf(bill.amountCents),
          Balance: amountOf(bill.balanceCents),
        }));
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
