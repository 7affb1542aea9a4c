/**
 * The sandbox company: vendors, checking accounts, bills with balances, AP payments and their bill
 * applications, kept as Intacct's objects (VENDOR, CHECKINGACCOUNT, APBILL, APPYMT, APPYMTDETAIL) with
 * Intacct's field names, and the rules a `create APPYMT` must pass.
 */

/** A business-rule refusal, by rule; the gateway turns it into Intacct's `<error>` with the configured code. */
export interface RuleBreak {
  rule: SandboxRule;
  description2: string;
  correction?: string;
}

export type SandboxRule =
  | 'duplicateDocNumber'
  | 'unknownBankAccount'
  | 'unknownVendor'
  | 'unknownBill'
  | 'billOfOtherVendor'
  | 'amountAboveBalance'
  | 'invalidField'
  | 'duplicateBillNumber'
  | 'unknownAccount'
  | 'duplicateVendorId';

export type Row = Record<string, string>;

interface Bill {
  recordNo: number;
  recordId: string;
  vendorId: string;
  totalCents: number;
  paidCents: number;
  projectNumber?: string;
  /** Created by `create APBILL` (true) or seeded. */
  created?: boolean;
  /** Retainage held on the bill (the lines' TRX_AMOUNTRETAINED), Construction only. */
  retainedCents?: number;
  /** The header fields as sent (WHENCREATED, WHENDUE, DESCRIPTION...). */
  fields?: Row;
  lines?: BillLine[];
}

interface BillLine {
  recordNo: number;
  fields: Row;
  amountCents: number;
  retainedCents: number;
}

interface VendorRecord {
  recordNo: number;
  status: 'active' | 'inactive';
  created: boolean;
  fields: Row;
  modifiedAt: Date;
}

/**
 * The sandbox company's GL accounts a bill line may post to (ACCOUNTNO): construction costs by cost code. A
 * requisition line's cost code maps to one of these.
 */
export const INTACCT_SANDBOX_GL_ACCOUNTS: Readonly<Record<string, string>> = Object.freeze({
  '5000': 'Subcontract costs',
  '5010': 'Materials',
  '5020': 'Equipment rental',
});

/** Field lengths of APBILL and VENDOR (Intacct's object definitions; exact values to confirm, see README). */
const BILL_NUMBER_MAX = 45;
const VENDOR_ID_MAX = 20;
const VENDOR_NAME_MAX = 100;

interface StoredPayment {
  recordNo: number;
  fields: Row;
  details: { recordNo: number; billRecordNo: number; amountCents: number }[];
  modifiedAt: Date;
  createdAt: Date;
}

/**
 * APPYMT states: the display value Intacct reads back, and the one-letter code it stores. Approved (A) and
 * Posted (C) are documented (a payment without an approval workflow is posted directly; an approved one moves
 * on to Posted when it is printed or confirmed); the other codes are this sandbox's choice.
 */
export const PAYMENT_STATES: Record<string, string> = {
  Draft: 'D',
  Submitted: 'S',
  'Partially Approved': 'P',
  Approved: 'A',
  Declined: 'R',
  Posted: 'C',
  Voided: 'V',
};

/** The stored code of a state's display value (the value itself when it is not a known state). */
export function stateCode(display: string): string {
  return PAYMENT_STATES[display] ?? display;
}

/** The memo's length limit (DataBlend's AP payment field list). */
const DESCRIPTION_MAX = 1000;

const PAYMENT_METHODS = ['Printed Check', 'EFT', 'Cash', 'Credit Card', 'ACH', 'Record Transfer', 'Joint Check'];

/** `123.45` → 12345; undefined for anything that is not a plain decimal with at most two places. */
export function centsOf(text: string): number | undefined {
  const match = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export function decimalOf(cents: number): string {
  const whole = Math.floor(cents / 100);
  const rest = cents % 100;
  return `${whole}.${rest < 10 ? '0' : ''}${rest}`;
}

/** `mm/dd/yyyy` → a Date at UTC midnight, or undefined when it is not a calendar date. */
export function usDate(text: string): Date | undefined {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text.trim());
  if (!match) return undefined;
  const [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Intacct's timestamp text, `mm/dd/yyyy HH:MM:SS` (UTC in the sandbox). */
export function timestampText(date: Date): string {
  return `${two(date.getUTCMonth() + 1)}/${two(date.getUTCDate())}/${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

export function usDateText(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${month}/${day}/${year}`;
}

export interface CompanyState {
  vendors: Map<string, string>;
  /** Per vendor id: what VENDOR reads back beyond its name (seeded vendors get one when first read). */
  vendorRecords: Map<string, VendorRecord>;
  accounts: Map<string, string>;
  bills: Map<number, Bill>;
  payments: Map<number, StoredPayment>;
  nextRecordNo: number;
}

export class Company {
  state: CompanyState = { vendors: new Map(), vendorRecords: new Map(), accounts: new Map(), bills: new Map(), payments: new Map(), nextRecordNo: 1000 };
  /**
   * The duplicate rules' keys, so a create does not scan every payment or bill: `<account>\n<DOCNUMBER>` of the
   * payments and `<vendor>\n<RECORDID>` of the bills of `#indexed`, the state they were built from (a transaction
   * rolled back restores another state object, and a replaced seeded bill clears it: both rebuild them).
   */
  #indexed: CompanyState | undefined;
  #docNumbers = new Set<string>();
  #billNumbers = new Set<string>();

  #indexes(): { docNumbers: Set<string>; billNumbers: Set<string> } {
    if (this.#indexed !== this.state) {
      this.#docNumbers = new Set();
      for (const payment of this.state.payments.values()) this.#indexPayment(payment.fields);
      this.#billNumbers = new Set();
      for (const bill of this.state.bills.values()) this.#billNumbers.add(`${bill.vendorId}\n${bill.recordId}`);
      this.#indexed = this.state;
    }
    return { docNumbers: this.#docNumbers, billNumbers: this.#billNumbers };
  }

  #indexPayment(fields: Row): void {
    const bank = fields.FINANCIALENTITY;
    const docNumber = fields.DOCNUMBER;
    if (typeof bank === 'string' && typeof docNumber === 'string') this.#docNumbers.add(`${bank}\n${docNumber}`);
  }

  constructor(private readonly exportedState: () => string, private readonly clock: () => Date = () => new Date()) {}

  addVendor(id: string, name: string, options: { status?: 'active' | 'inactive'; created?: boolean; fields?: Row } = {}): void {
    this.state.vendors.set(id, name);
    this.state.vendorRecords.set(id, {
      recordNo: this.#nextRecordNo(),
      status: options.status ?? 'active',
      created: options.created ?? false,
      fields: { ...options.fields, VENDORID: id, NAME: name },
      modifiedAt: this.clock(),
    });
  }

  #vendorRecord(id: string): VendorRecord {
    let record = this.state.vendorRecords.get(id);
    if (record === undefined) {
      record = { recordNo: this.#nextRecordNo(), status: 'active', created: false, fields: { VENDORID: id, NAME: this.state.vendors.get(id) ?? '' }, modifiedAt: this.clock() };
      this.state.vendorRecords.set(id, record);
    }
    return record;
  }

  isActiveVendor(id: string): boolean {
    return this.state.vendors.has(id) && this.#vendorRecord(id).status === 'active';
  }

  /**
   * `create VENDOR`: VENDORID (or the company's vendor numbering when it is left out), NAME, STATUS; the contact
   * under DISPLAYCONTACT is kept as flat `DISPLAYCONTACT.*` fields, as a query reads them.
   */
  createVendor(fields: Row): { recordNo: number; vendorId: string } | RuleBreak {
    const name = (fields.NAME ?? '').trim();
    if (name === '') return { rule: 'invalidField', description2: 'Required field NAME is missing.' };
    if (name.length > VENDOR_NAME_MAX) return { rule: 'invalidField', description2: `NAME is longer than ${VENDOR_NAME_MAX} characters.` };
    const status = fields.STATUS ?? 'active';
    if (status !== 'active' && status !== 'inactive') return { rule: 'invalidField', description2: `Invalid STATUS '${status}'.`, correction: 'Use active or inactive.' };
    let vendorId = fields.VENDORID;
    if (vendorId !== undefined) {
      if (vendorId.trim() !== vendorId || vendorId.length > VENDOR_ID_MAX || vendorId === '') {
        return { rule: 'invalidField', description2: `VENDORID '${vendorId}' must be 1 to ${VENDOR_ID_MAX} characters without leading or trailing spaces.` };
      }
      if (this.state.vendors.has(vendorId)) {
        return {
          rule: 'duplicateVendorId',
          description2: `Another Vendor with the given value(s) ${vendorId} already exists`,
          correction: 'Use a unique VENDORID, or update the existing vendor.',
        };
      }
    } else {
      // The company's vendor ID sequence (Accounts Payable configuration).
      let n = this.state.vendors.size + 1;
      while (this.state.vendors.has(`V${String(n).padStart(4, '0')}`)) n++;
      vendorId = `V${String(n).padStart(4, '0')}`;
    }
    const { STATUS: _status, ...rest } = fields;
    this.addVendor(vendorId, name, { status, created: true, fields: rest });
    return { recordNo: this.#vendorRecord(vendorId).recordNo, vendorId };
  }

  /** `create APBILL`: checks every rule, then stores the bill (payable at once: Posted). */
  createBill(header: Row, items: Row[]): { recordNo: number } | RuleBreak {
    for (const name of ['VENDORID', 'WHENCREATED']) {
      if ((header[name] ?? '').trim() === '') return { rule: 'invalidField', description2: `Required field ${name} is missing.` };
    }
    const created = usDate(header.WHENCREATED as string);
    if (created === undefined) return { rule: 'invalidField', description2: `WHENCREATED '${header.WHENCREATED}' is not a date in the format mm/dd/yyyy.` };
    if (header.WHENDUE === undefined && header.TERMNAME === undefined) {
      return { rule: 'invalidField', description2: 'Either WHENDUE or TERMNAME is required.', correction: 'Give the due date or the payment term.' };
    }
    if (header.WHENDUE !== undefined && usDate(header.WHENDUE) === undefined) {
      return { rule: 'invalidField', description2: `WHENDUE '${header.WHENDUE}' is not a date in the format mm/dd/yyyy.` };
    }
    const vendorId = header.VENDORID as string;
    if (!this.isActiveVendor(vendorId)) {
      return { rule: 'unknownVendor', description2: `Invalid VENDORID '${vendorId}': the vendor was not found or is inactive.`, correction: 'Use the ID of an active vendor.' };
    }
    const billNumber = header.RECORDID;
    if (billNumber !== undefined) {
      if (billNumber.length > BILL_NUMBER_MAX) return { rule: 'invalidField', description2: `RECORDID is longer than ${BILL_NUMBER_MAX} characters.` };
      // The index says whether one exists; the scan, only then, names it.
      for (const bill of this.#indexes().billNumbers.has(`${vendorId}\n${billNumber}`) ? this.state.bills.values() : []) {
        if (bill.vendorId === vendorId && bill.recordId === billNumber) {
          return {
            rule: 'duplicateBillNumber',
            description2: `Bill number (RECORDID) '${billNumber}' already exists for vendor '${vendorId}' (bill ${bill.recordNo}).`,
            correction: 'Use another bill number.',
          };
        }
      }
    }
    if ((header.DESCRIPTION ?? '').length > DESCRIPTION_MAX) return { rule: 'invalidField', description2: `DESCRIPTION is longer than ${DESCRIPTION_MAX} characters.` };
    if (items.length === 0) return { rule: 'invalidField', description2: 'A bill needs at least one APBILLITEM.' };
    const lines: BillLine[] = [];
    for (const [index, item] of items.entries()) {
      const account = item.ACCOUNTNO;
      if (account === undefined || account === '') return { rule: 'invalidField', description2: `APBILLITEM ${index + 1}: Required field ACCOUNTNO is missing.` };
      if (!Object.hasOwn(INTACCT_SANDBOX_GL_ACCOUNTS, account)) {
        return { rule: 'unknownAccount', description2: `APBILLITEM ${index + 1}: Invalid ACCOUNTNO '${account}': the GL account was not found.`, correction: 'Use an existing GL account number.' };
      }
      const amount = item.TRX_AMOUNT === undefined ? undefined : centsOf(item.TRX_AMOUNT);
      if (amount === undefined) return { rule: 'invalidField', description2: `APBILLITEM ${index + 1}: TRX_AMOUNT '${item.TRX_AMOUNT ?? ''}' is not an amount with at most two decimals.` };
      const retained = item.TRX_AMOUNTRETAINED === undefined ? 0 : centsOf(item.TRX_AMOUNTRETAINED);
      if (retained === undefined || retained > amount) {
        return { rule: 'invalidField', description2: `APBILLITEM ${index + 1}: TRX_AMOUNTRETAINED '${item.TRX_AMOUNTRETAINED ?? ''}' is not an amount up to TRX_AMOUNT.` };
      }
      lines.push({ recordNo: 0, fields: { ...item }, amountCents: amount, retainedCents: retained });
    }
    const recordNo = this.#nextRecordNo();
    for (const line of lines) line.recordNo = this.#nextRecordNo();
    const total = lines.reduce((sum, line) => sum + line.amountCents, 0);
    // Retainage is kept only where the lines carry it (Intacct Construction): otherwise the bill keeps none.
    const retained = lines.some((line) => line.fields.TRX_AMOUNTRETAINED !== undefined) ? lines.reduce((sum, line) => sum + line.retainedCents, 0) : undefined;
    const project = lines.find((line) => line.fields.PROJECTID !== undefined)?.fields.PROJECTID;
    if (this.#indexed === this.state) this.#billNumbers.add(`${vendorId}\n${billNumber ?? String(recordNo)}`);
    this.state.bills.set(recordNo, {
      recordNo,
      recordId: billNumber ?? String(recordNo),
      vendorId,
      totalCents: total,
      paidCents: 0,
      created: true,
      ...(retained === undefined ? {} : { retainedCents: retained }),
      fields: { ...header },
      lines,
      ...(project === undefined ? {} : { projectNumber: project }),
    });
    return { recordNo };
  }

  addAccount(id: string, name: string): void {
    this.state.accounts.set(id, name);
  }

  /** A bill by its RECORDNO (the seed's bill id must be a whole number: Intacct keys are integers). */
  addBill(recordNo: string, bill: { vendorId: string; number: string; amountCents: number; projectNumber?: string }): void {
    const key = Number(recordNo);
    if (!Number.isSafeInteger(key) || key <= 0) throw new Error(`an Intacct bill RECORDNO is a positive whole number, not "${recordNo}"`);
    if (this.state.bills.has(key)) this.#indexed = undefined;
    else if (this.#indexed === this.state) this.#billNumbers.add(`${bill.vendorId}\n${bill.number}`);
    this.state.bills.set(key, {
      recordNo: key,
      recordId: bill.number,
      vendorId: bill.vendorId,
      totalCents: bill.amountCents,
      paidCents: 0,
      ...(bill.projectNumber === undefined ? {} : { projectNumber: bill.projectNumber }),
    });
    this.state.nextRecordNo = Math.max(this.state.nextRecordNo, key + 1);
  }

  snapshot(): CompanyState {
    return structuredClone(this.state);
  }

  restore(state: CompanyState): void {
    this.state = state;
  }

  #nextRecordNo(): number {
    const recordNo = this.state.nextRecordNo;
    this.state.nextRecordNo += 1;
    return recordNo;
  }

  /** `create APPYMT`: checks every rule, then stores the payment and reduces the bills' balances. */
  createPayment(header: Row, details: Row[]): { recordNo: number } | RuleBreak {
    for (const name of ['PAYMENTMETHOD', 'FINANCIALENTITY', 'VENDORID', 'PAYMENTDATE']) {
      if ((header[name] ?? '').trim() === '') return { rule: 'invalidField', description2: `Required field ${name} is missing.` };
    }
    const method = header.PAYMENTMETHOD as string;
    if (!PAYMENT_METHODS.includes(method)) {
      return { rule: 'invalidField', description2: `Invalid PAYMENTMETHOD '${method}'.`, correction: `Use one of: ${PAYMENT_METHODS.join(', ')}.` };
    }
    const date = usDate(header.PAYMENTDATE as string);
    if (date === undefined) return { rule: 'invalidField', description2: `PAYMENTDATE '${header.PAYMENTDATE}' is not a date in the format mm/dd/yyyy.` };
    if ((header.DESCRIPTION ?? '').length > DESCRIPTION_MAX) {
      return { rule: 'invalidField', description2: `DESCRIPTION is longer than ${DESCRIPTION_MAX} characters.` };
    }
    const bank = header.FINANCIALENTITY as string;
    if (!this.state.accounts.has(bank)) {
      return {
        rule: 'unknownBankAccount',
        description2: `Invalid FINANCIALENTITY '${bank}': no checking account with that ID was found.`,
        correction: 'Use the ID of an existing checking account.',
      };
    }
    const vendorId = header.VENDORID as string;
    if (!this.state.vendors.has(vendorId)) {
      return { rule: 'unknownVendor', description2: `Invalid VENDORID '${vendorId}': the vendor was not found.`, correction: 'Use the ID of an active vendor.' };
    }
    const docNumber = header.DOCNUMBER;
    if (docNumber !== undefined && docNumber !== '') {
      if (this.#indexes().docNumbers.has(`${bank}\n${docNumber}`)) {
        return {
          rule: 'duplicateDocNumber',
          description2: `Document number (DOCNUMBER) '${docNumber}' is already used on checking account '${bank}'.`,
          correction: 'Use another check number.',
        };
      }
    }
    if (details.length === 0) return { rule: 'invalidField', description2: 'A payment needs at least one APPYMTDETAIL.' };
    if (header.AMOUNTTOPAY !== undefined && centsOf(header.AMOUNTTOPAY) === undefined) {
      return { rule: 'invalidField', description2: `AMOUNTTOPAY '${header.AMOUNTTOPAY}' is not an amount.` };
    }

    const applied: { recordNo: number; billRecordNo: number; amountCents: number }[] = [];
    const owed = new Map<number, number>();
    for (const detail of details) {
      const key = Number(detail.RECORDKEY);
      const bill = Number.isSafeInteger(key) ? this.state.bills.get(key) : undefined;
      if (bill === undefined) {
        return { rule: 'unknownBill', description2: `Invalid RECORDKEY '${detail.RECORDKEY ?? ''}': the bill was not found.`, correction: 'Use the RECORDNO of a posted bill.' };
      }
      if (bill.vendorId !== vendorId) {
        return { rule: 'billOfOtherVendor', description2: `Bill ${bill.recordNo} belongs to vendor '${bill.vendorId}', not to '${vendorId}'.` };
      }
      const open = (owed.get(key) ?? bill.totalCents - bill.paidCents);
      const amountText = detail.TRX_PAYMENTAMOUNT;
      const cents = amountText === undefined ? open : centsOf(amountText);
      if (cents === undefined || cents <= 0) {
        return { rule: 'invalidField', description2: `TRX_PAYMENTAMOUNT '${amountText ?? ''}' is not a positive amount with at most two decimals.` };
      }
      if (cents > open) {
        return {
          rule: 'amountAboveBalance',
          description2: `TRX_PAYMENTAMOUNT ${decimalOf(cents)} is more than the open balance ${decimalOf(open)} of bill ${bill.recordNo}.`,
          correction: 'Pay at most the amount due.',
        };
      }
      owed.set(key, open - cents);
      applied.push({ recordNo: 0, billRecordNo: key, amountCents: cents });
    }

    const recordNo = this.#nextRecordNo();
    for (const line of applied) {
      line.recordNo = this.#nextRecordNo();
      const bill = this.state.bills.get(line.billRecordNo) as Bill;
      bill.paidCents += line.amountCents;
    }
    const now = this.clock();
    const total = applied.reduce((sum, line) => sum + line.amountCents, 0);
    const state = header.ACTION === 'Draft' ? 'Draft' : this.exportedState();
    const fields: Row = { ...header, RECORDNO: String(recordNo), STATE: state, TRX_TOTALENTERED: decimalOf(total), CURRENCY: header.CURRENCY ?? 'USD' };
    delete fields.ACTION;
    this.state.payments.set(recordNo, { recordNo, fields, details: applied, modifiedAt: now, createdAt: now });
    if (this.#indexed === this.state) this.#indexPayment(fields);
    return { recordNo };
  }

  /** Moves a payment to another state (an approver in Intacct), as a change that bumps WHENMODIFIED. */
  setState(recordNo: number, state: string): void {
    const payment = this.state.payments.get(recordNo);
    if (payment === undefined) throw new Error(`no payment ${recordNo}`);
    if (PAYMENT_STATES[state] === undefined) throw new Error(`"${state}" is not an APPYMT state (${Object.keys(PAYMENT_STATES).join(', ')})`);
    payment.fields.STATE = state;
    payment.modifiedAt = this.clock();
  }

  paymentList(): StoredPayment[] {
    return [...this.state.payments.values()].sort((a, b) => a.recordNo - b.recordNo);
  }

  /** Every bill, seeded and created, by RECORDNO. */
  billList(): Bill[] {
    return [...this.state.bills.values()].sort((a, b) => a.recordNo - b.recordNo);
  }

  /** Every vendor with what VENDOR reads back. */
  vendorList(): { id: string; name: string; record: VendorRecord }[] {
    return [...this.state.vendors.entries()].map(([id, name]) => ({ id, name, record: this.#vendorRecord(id) }));
  }

  billOpenCents(recordNo: number): number | undefined {
    const bill = this.state.bills.get(recordNo);
    return bill === undefined ? undefined : bill.totalCents - bill.paidCents;
  }

  /** The rows of an object, as `query` and `readByQuery` read them. */
  rows(object: string): Row[] | undefined {
    switch (object.toUpperCase()) {
      case 'APPYMT':
        // PAYMENTDATE is a create field only: the payment date reads back as WHENCREATED (a date, mm/dd/yyyy);
        // WHENMODIFIED is the audit timestamp.
        return this.paymentList().map((p) => {
          const { PAYMENTDATE, ...fields } = p.fields;
          return {
            ...fields,
            VENDORNAME: this.state.vendors.get(p.fields.VENDORID ?? '') ?? '',
            WHENCREATED: PAYMENTDATE ?? '',
            WHENMODIFIED: timestampText(p.modifiedAt),
          };
        });
      case 'APPYMTDETAIL':
        return this.paymentList().flatMap((p) =>
          p.details.map((d) => ({
            RECORDNO: String(d.recordNo),
            PAYMENTKEY: String(p.recordNo),
            RECORDKEY: String(d.billRecordNo),
            TRX_PAYMENTAMOUNT: decimalOf(d.amountCents),
            PAYMENTAMOUNT: decimalOf(d.amountCents),
            STATE: p.fields.STATE ?? '',
          })),
        );
      case 'APBILL':
        return [...this.state.bills.values()].map((b) => ({
          ...(b.fields === undefined ? {} : { WHENCREATED: b.fields.WHENCREATED ?? '', WHENDUE: b.fields.WHENDUE ?? '', DESCRIPTION: b.fields.DESCRIPTION ?? '' }),
          RECORDNO: String(b.recordNo),
          RECORDID: b.recordId,
          VENDORID: b.vendorId,
          VENDORNAME: this.state.vendors.get(b.vendorId) ?? '',
          TRX_TOTALENTERED: decimalOf(b.totalCents),
          TRX_TOTALPAID: decimalOf(b.paidCents),
          TRX_TOTALDUE: decimalOf(b.totalCents - b.paidCents),
          TRX_TOTALRETAINED: decimalOf(b.retainedCents ?? 0),
          STATE: b.paidCents === 0 ? 'Posted' : b.paidCents < b.totalCents ? 'Partially Paid' : 'Paid',
          ...(b.projectNumber === undefined ? {} : { PROJECTID: b.projectNumber }),
        }));
      case 'VENDOR':
        return [...this.state.vendors.entries()].map(([id, name]) => {
          const record = this.#vendorRecord(id);
          return {
            ...record.fields,
            RECORDNO: String(record.recordNo),
            VENDORID: id,
            NAME: name,
            STATUS: record.status,
            WHENMODIFIED: timestampText(record.modifiedAt),
          };
        });
      case 'CHECKINGACCOUNT':
        return [...this.state.accounts.entries()].map(([id, name]) => ({ BANKACCOUNTID: id, BANKNAME: name }));
      default:
        return undefined;
    }
  }
}
