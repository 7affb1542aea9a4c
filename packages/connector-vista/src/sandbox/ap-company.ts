import type { SandboxPayment, SandboxPaymentInput, SandboxSeed } from '@ledgerlink/core';
import { fromCents, toCents } from './amounts.js';
import type { ObjectRow } from './xchange.js';

/** A problem Vista reports for one field of the payment. */
export interface Problem {
  field: string;
  message: string;
}

/** A payment history row as the Vista database holds it, under the object's field names. */
export interface PaymentRow {
  KeyID: string;
  APCo: number;
  VendorID: string;
  Account: string;
  DocumentOrCheckNo: string;
  PaymentMethod: string;
  PaymentDate: string;
  PaymentTxnAmount: string;
  PaymentStatus: string;
  Description?: string;
  Invoices: { APTrans: string; Amount: string }[];
}

/** What a create action carries once it passed the synchronous checks. */
export type PaymentDraft = Omit<PaymentRow, 'KeyID'>;

/** Statuses this sandbox's Vista knows; Posted and Cleared are final. */
const FINAL = new Set(['Posted', 'Cleared']);
/** Vista's CM Reference is a 10-character column. */
const CM_REFERENCE_LENGTH = 10;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An AP transaction (APTH): what a payment's `Invoices[].APTrans` names. */
export interface ApTransaction {
  id: string;
  vendorId: string;
  number: string;
  /** What a payment may still pay: the gross less the retainage held and what was paid. */
  openCents: number;
  /** The bill's total as seeded. */
  totalCents?: number;
  /** The invoice row as the `invoices` object holds it, when it was created through the Direct API. */
  row?: ObjectRow;
}

/** A vendor of the vendor master (APVM), keyed by its Vendor number within the vendor group. */
export interface VendorRow {
  VendorGroup: number;
  Vendor: string;
  Name: string;
  ActiveYN: 'Y' | 'N';
  /** True when created through the Direct API. */
  created: boolean;
  fields: ObjectRow;
}

/**
 * The sandbox's Vista company: vendors, CM accounts, open AP transactions, payment history. The synchronous
 * checks (`validate`) are what the API can refuse at POST time; the rules of `apply` run only when the queued
 * action reaches the Vista database.
 */
export class ApCompany {
  readonly apCompany: number;
  /** The vendor master, by Vendor (the payment object's VendorID). */
  readonly vendors = new Map<string, VendorRow>();
  readonly #accounts = new Set<string>();
  /** AP transactions by APTrans: seeded bills and invoices created through the `invoices` object. */
  readonly transactions = new Map<string, ApTransaction>();
  readonly #rows: PaymentRow[] = [];
  #nextKey = 5001;
  /** The next APTrans and vendor KeyID (Vista numbers them per AP company). */
  nextTrans = 8001;
  nextVendorKey = 3001;

  constructor(apCompany: number) {
    this.apCompany = apCompany;
  }

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.addVendorRow(vendor.id, vendor.name, true, false);
    for (const account of seed.bankAccounts ?? []) this.#accounts.add(account.id);
    for (const bill of seed.bills ?? []) {
      this.transactions.set(bill.id, { id: bill.id, vendorId: bill.vendorId, number: bill.number, openCents: bill.amountCents, totalCents: bill.amountCents });
    }
  }

  /** Adds a vendor to the vendor master (seeded, entered in Vista, or created by an action). */
  addVendorRow(vendor: string, name: string, active: boolean, created: boolean, extra: Record<string, unknown> = {}): VendorRow {
    const row: VendorRow = {
      VendorGroup: this.apCompany,
      Vendor: vendor,
      Name: name,
      ActiveYN: active ? 'Y' : 'N',
      created,
      fields: { KeyID: String(this.nextVendorKey++), VendorGroup: this.apCompany, Vendor: vendor, Name: name, ActiveYN: active ? 'Y' : 'N', ...extra },
    };
    this.vendors.set(vendor, row);
    return row;
  }

  /** The checks the Direct API makes before it queues the action: shape and values, not references. */
  validate(body: unknown): { draft: PaymentDraft } | { problems: Problem[] } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { problems: [{ field: '(body)', message: 'The request body must be a JSON object.' }] };
    }
    const b = body as Record<string, unknown>;
    const problems: Problem[] = [];
    const text = (field: string, max?: number): string => {
      const value = b[field];
      if (typeof value !== 'string' || value.trim() === '') problems.push({ field, message: `The ${field} field is required.` });
      else if (max !== undefined && value.length > max) problems.push({ field, message: `${field} must be at most ${max} characters.` });
      return typeof value === 'string' ? value : '';
    };
    if (b.APCo !== this.apCompany) problems.push({ field: 'APCo', message: `AP Company ${String(b.APCo)} is not set up for this subscriber.` });
    const vendor = text('VendorID');
    const account = text('Account');
    const reference = text('DocumentOrCheckNo', CM_REFERENCE_LENGTH);
    const method = text('PaymentMethod');
    if (method !== '' && method !== 'C' && method !== 'E') {
      problems.push({ field: 'PaymentMethod', message: `Pay Method ${method} is not valid: use C (check) or E (EFT).` });
    }
    const date = text('PaymentDate');
    if (date !== '' && (!ISO_DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))) {
      problems.push({ field: 'PaymentDate', message: `${date} is not a valid date (YYYY-MM-DD).` });
    }
    const status = text('PaymentStatus');
    if (status !== '' && status !== 'Posted') problems.push({ field: 'PaymentStatus', message: `Payment Status ${status} cannot be created; only Posted.` });
    const total = toCents(b.PaymentTxnAmount);
    if (total === undefined || total <= 0) {
      problems.push({ field: 'PaymentTxnAmount', message: 'Payment Txn Amount must be a positive amount with at most two decimals.' });
    }
    const invoices = Array.isArray(b.Invoices) ? b.Invoices : [];
    if (invoices.length === 0) problems.push({ field: 'Invoices', message: 'At least one AP transaction to pay is required.' });
    let sum = 0;
    const lines: PaymentDraft['Invoices'] = [];
    for (const line of invoices as unknown[]) {
      const { APTrans, Amount } = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>;
      const cents = toCents(Amount);
      if (typeof APTrans !== 'string' || APTrans === '' || cents === undefined || cents <= 0) {
        problems.push({ field: 'Invoices', message: 'Each invoice line needs APTrans and a positive Amount.' });
        continue;
      }
      sum += cents;
      lines.push({ APTrans, Amount: fromCents(cents) });
    }
    if (total !== undefined && lines.length === invoices.length && lines.length > 0 && sum !== total) {
      problems.push({ field: 'Invoices', message: `The invoice amounts (${fromCents(sum)}) do not add up to Payment Txn Amount (${fromCents(total)}).` });
    }
    const description = b.Description;
    if (description !== undefined && typeof description !== 'string') problems.push({ field: 'Description', message: 'Description must be text.' });
    if (problems.length > 0) return { problems };
    return {
      draft: {
        APCo: this.apCompany,
        VendorID: vendor,
        Account: account,
        DocumentOrCheckNo: reference,
        PaymentMethod: method,
        PaymentDate: date,
        PaymentTxnAmount: fromCents(total ?? 0),
        PaymentStatus: status,
        ...(typeof description === 'string' ? { Description: description } : {}),
        Invoices: lines,
      },
    };
  }

  /**
   * Vista's rules when the action runs, in the order a user would fix them: what no edit fixes first (vendor,
   * the invoices on file and of that vendor), then the CM account, then the CM Reference already used on that
   * account for that pay method, and last the invoices' open amounts. A payment posted twice therefore meets
   * the CM Reference rule before the (by then paid) open amount.
   */
  apply(draft: PaymentDraft): { row: PaymentRow } | { problems: Problem[] } {
    if (!this.vendors.has(draft.VendorID)) return fail('VendorID', `Vendor ${draft.VendorID} is not on file.`);
    for (const line of draft.Invoices) {
      const transaction = this.transactions.get(line.APTrans);
      if (transaction === undefined) return fail('Invoices', `AP Transaction ${line.APTrans} is not on file.`);
      if (transaction.vendorId !== draft.VendorID) {
        return fail('Invoices', `AP Transaction ${line.APTrans} belongs to vendor ${transaction.vendorId}, not ${draft.VendorID}.`);
      }
    }
    if (!this.#accounts.has(draft.Account)) return fail('Account', `CM Account ${draft.Account} is not on file for CM Co ${this.apCompany}.`);
    const taken = this.#rows.some(
      (row) => row.Account === draft.Account && row.PaymentMethod === draft.PaymentMethod && row.DocumentOrCheckNo === draft.DocumentOrCheckNo,
    );
    if (taken) {
      return fail('DocumentOrCheckNo', `CM Reference ${draft.DocumentOrCheckNo} already exists on CM Account ${draft.Account} for Pay Method ${draft.PaymentMethod}.`);
    }
    for (const line of draft.Invoices) {
      const transaction = this.transactions.get(line.APTrans) as ApTransaction;
      if ((toCents(line.Amount) ?? 0) > transaction.openCents) {
        return fail('Invoices', `Amount ${line.Amount} exceeds the open amount ${fromCents(transaction.openCents)} of AP Transaction ${line.APTrans}.`);
      }
    }
    for (const line of draft.Invoices) {
      const transaction = this.transactions.get(line.APTrans) as ApTransaction;
      transaction.openCents -= toCents(line.Amount) ?? 0;
    }
    const row: PaymentRow = { KeyID: String(this.#nextKey++), ...draft };
    this.#rows.push(row);
    return { row };
  }

  /** A payment entered in Vista directly (AP Payment Posting), for import tests and the demo. */
  addDirect(input: SandboxPaymentInput): PaymentRow {
    const row: PaymentRow = {
      KeyID: String(this.#nextKey++),
      APCo: this.apCompany,
      VendorID: input.vendorId,
      Account: input.bankAccountId,
      DocumentOrCheckNo: input.checkNumber ?? `EFT${this.#nextKey}`,
      PaymentMethod: input.method === 'ach' ? 'E' : 'C',
      PaymentDate: input.date,
      PaymentTxnAmount: fromCents(input.amountCents),
      // Not final: still in a pay batch that has not been posted.
      PaymentStatus: input.final ? 'Posted' : 'Pending',
      ...(input.notes === undefined ? {} : { Description: input.notes }),
      Invoices: [{ APTrans: input.billId, Amount: fromCents(input.amountCents) }],
    };
    this.#rows.push(row);
    return row;
  }

  payments(): SandboxPayment[] {
    return this.#rows.map((row) => ({
      erpId: row.KeyID,
      vendorId: row.VendorID,
      bankAccountId: row.Account,
      checkNumber: row.DocumentOrCheckNo,
      amountCents: toCents(row.PaymentTxnAmount) ?? 0,
      date: row.PaymentDate,
      method: row.PaymentMethod,
      status: row.PaymentStatus,
      final: FINAL.has(row.PaymentStatus),
      applications: row.Invoices.map((line) => ({ billId: line.APTrans, amountCents: toCents(line.Amount) ?? 0 })),
      ...(row.Description === undefined ? {} : { memo: row.Description }),
      fields: structuredClone(row) as unknown as Record<string, unknown>,
    }));
  }
}

function fail(field: string, message: string): { problems: Problem[] } {
  return { problems: [{ field, message }] };
}
