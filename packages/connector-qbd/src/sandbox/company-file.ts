import type { SandboxPayment, SandboxPaymentInput, SandboxSeed } from '@ledgerlink/core';
import { amountOf } from './amounts.js';

export interface ListRecord {
  listId: string;
  name: string;
}

export interface Bill {
  txnId: string;
  vendorListId: string;
  refNumber: string;
  txnDate: string;
  amountCents: number;
  openCents: number;
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
  readonly vendors = new Map<string, ListRecord>();
  readonly accounts = new Map<string, ListRecord>();
  readonly bills = new Map<string, Bill>();
  readonly checks: BillPaymentCheck[] = [];
  #txnNumber = 0;
  #lastTime = 0;

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.vendors.set(vendor.id, { listId: vendor.id, name: vendor.name });
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

  /** Saves a bill payment check and takes its amounts off the bills' open balances. */
  save(check: Omit<BillPaymentCheck, 'txnId' | 'txnNumber' | 'timeCreated' | 'timeModified' | 'editSequence' | 'amountCents'>): BillPaymentCheck {
    this.#txnNumber += 1;
    // Strictly increasing modification times, so a TimeModified cursor never ties within the sandbox.
    const now = Math.max(Date.now(), this.#lastTime + 1000);
    this.#lastTime = now;
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
