import { randomUUID } from 'node:crypto';
import { centsOf } from './amounts.js';
import { retOf, type AppliedTo, type BillPaymentCheck, type CompanyFile } from './company-file.js';
import { BillRequests } from './bill-requests.js';
import { child, childText, type XmlNode } from './qbxml-tree.js';
import { listMatches, NO_MATCH, OK, refOf, rs, shown, type RequestResult } from './qbxml-status.js';
import { VendorRequests } from './vendor-requests.js';

interface Iterator {
  remaining: (() => Record<string, unknown>)[];
  pageSize: number;
  rsName: string;
  retName: string;
}

/** The requests this sandbox's QuickBooks understands, applied with QuickBooks' rules. */
export class RequestProcessor {
  readonly #company: CompanyFile;
  readonly #iterators = new Map<string, Iterator>();

  readonly #bills: BillRequests;
  readonly #vendors: VendorRequests;

  constructor(company: CompanyFile) {
    this.#company = company;
    this.#bills = new BillRequests(company);
    this.#vendors = new VendorRequests(company);
  }

  /** The Web Connector session ended: QuickBooks' iterators end with it. */
  endSession(): void {
    this.#iterators.clear();
  }

  /** The busy answer of a multi-user company file: nothing is saved. */
  busy(request: XmlNode): RequestResult {
    const object = request.name.replace(/(Add|Query|Mod)Rq$/, '');
    return rs(request.name.replace(/Rq$/, 'Rs'), request, {
      code: '3180',
      severity: 'Error',
      message: `There was an error when saving a ${object}.  QuickBooks error message: This record is being used by another user. Try again later.`,
    });
  }

  process(request: XmlNode): RequestResult {
    switch (request.name) {
      case 'CompanyQueryRq':
        return rs('CompanyQueryRs', request, OK, { CompanyRet: { CompanyName: 'Ledgerlink Sandbox Builders', LegalCompanyName: 'Ledgerlink Sandbox Builders LLC' } });
      case 'BillPaymentCheckAddRq':
        return this.#add(request);
      case 'BillAddRq':
        return this.#bills.add(request);
      case 'BillQueryRq':
        return this.#query(request, 'BillQueryRs', 'BillRet', () => this.#bills.matching(request));
      case 'VendorAddRq':
        return this.#vendors.add(request);
      case 'VendorQueryRq':
        return this.#query(request, 'VendorQueryRs', 'VendorRet', () => this.#vendors.matching(request));
      default:
        return this.#query(request, 'BillPaymentCheckQueryRs', 'BillPaymentCheckRet', () =>
          this.#company.checks.filter((check) => this.#matches(check, request)).map((check) => () => retOf(check)),
        );
    }
  }

  #add(request: XmlNode): RequestResult {
    const add = child(request, 'BillPaymentCheckAdd') as XmlNode;
    const error = (code: string, message: string) => rs('BillPaymentCheckAddRs', request, { code, severity: 'Error', message });
    const company = this.#company;

    // Types, lengths, order and the IsToBePrinted | RefNumber choice were checked with the whole message
    // (a parse error when wrong); what is left are QuickBooks' rules about the records.
    const refNumber = childText(add, 'RefNumber');
    const memo = childText(add, 'Memo');
    const txnDate = childText(add, 'TxnDate') ?? new Date().toISOString().slice(0, 10);

    const payeeRef = refOf(child(add, 'PayeeEntityRef'));
    const payee = company.find(company.vendors, payeeRef);
    if (payee === undefined) {
      return error('3140', `There is an invalid reference to QuickBooks Vendor "${shown(payeeRef)}" in the BillPaymentCheck.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.`);
    }
    const bankRef = refOf(child(add, 'BankAccountRef'));
    const bank = company.find(company.accounts, bankRef);
    if (bank === undefined) {
      return error('3140', `There is an invalid reference to QuickBooks Account "${shown(bankRef)}" in the BillPaymentCheck.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.`);
    }

    const applied: AppliedTo[] = [];
    for (const line of add.children.filter((node) => node.name === 'AppliedToTxnAdd')) {
      const txnId = childText(line, 'TxnID') ?? '';
      const bill = company.bills.get(txnId);
      // The bill must be the payee's and still open, else QuickBooks says it cannot find it (Conductor's note).
      if (bill === undefined || bill.vendorListId !== payee.listId || bill.openCents <= 0) {
        return error('3120', `Object "${txnId}" specified in the request cannot be found.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.`);
      }
      const raw = childText(line, 'PaymentAmount');
      if (raw === undefined) return error('3150', 'There is a missing element: "PaymentAmount" (or SetCredit, DiscountAmount) in AppliedToTxnAdd.');
      const cents = centsOf(raw);
      if (cents === undefined || cents <= 0) return error('3040', `There is an invalid amount "${raw}" in the field "PaymentAmount".`);
      const alreadyThisCheck = applied.filter((entry) => entry.bill === bill).reduce((sum, entry) => sum + entry.amountCents, 0);
      if (cents + alreadyThisCheck > bill.openCents) {
        return error('3210', `The "AppliedToTxnAdd payment amount" field has an invalid value "${raw}".  QuickBooks error message: You cannot pay more than the amount due.`);
      }
      applied.push({ bill, amountCents: cents });
    }

    const externalGuid = childText(add, 'ExternalGUID');
    const isToBePrinted = childText(add, 'IsToBePrinted') === 'true';
    // RefNumber is not unique in QuickBooks: a check number already used is saved again, without a word.
    const saved = company.save({
      payee,
      bank,
      txnDate,
      ...(refNumber === undefined ? {} : { refNumber }),
      ...(memo === undefined ? {} : { memo }),
      ...(externalGuid === undefined ? {} : { externalGuid }),
      isToBePrinted,
      applied,
    });
    return { ...rs('BillPaymentCheckAddRs', request, OK, { BillPaymentCheckRet: retOf(saved) }), committed: true };
  }

  /**
   * A query with QuickBooks' three forms: `iterator="Start"` (a page of `MaxReturned` and an iteratorID for the
   * rest), `iterator="Continue"`, or no iterator (up to `MaxReturned`). `matches` are read lazily, page by page.
   */
  #query(request: XmlNode, rsName: string, retName: string, matches: () => (() => Record<string, unknown>)[]): RequestResult {
    const iterator = request.attributes.iterator;
    if (iterator === 'Continue') {
      const id = request.attributes.iteratorID ?? '';
      const state = this.#iterators.get(id);
      if (state === undefined || state.rsName !== rsName) {
        return rs(rsName, request, { code: '3000', severity: 'Error', message: `The given object ID "${id}" in the field "iteratorID" is invalid.` });
      }
      return this.#page(request, state, id);
    }
    const found = matches();
    const max = childText(request, 'MaxReturned');
    const pageSize = max === undefined ? Number.POSITIVE_INFINITY : Number(max);
    if (iterator === 'Start') {
      const id = `{${randomUUID().toUpperCase()}}`;
      const state: Iterator = { remaining: found, pageSize, rsName, retName };
      this.#iterators.set(id, state);
      return this.#page(request, state, id);
    }
    const rets = found.slice(0, pageSize);
    if (rets.length === 0) return rs(rsName, request, NO_MATCH);
    return rs(rsName, request, OK, { [retName]: rets.map((ret) => ret()) });
  }

  #page(request: XmlNode, state: Iterator, id: string): RequestResult {
    const page = state.remaining.splice(0, state.pageSize);
    const extra = { iteratorRemainingCount: String(state.remaining.length), iteratorID: id };
    if (state.remaining.length === 0) this.#iterators.delete(id);
    if (page.length === 0) return rs(state.rsName, request, NO_MATCH, {}, extra);
    return rs(state.rsName, request, OK, { [state.retName]: page.map((ret) => ret()) }, extra);
  }

  #matches(check: BillPaymentCheck, request: XmlNode): boolean {
    const values = (name: string) => request.children.filter((node) => node.name === name).map((node) => node.text);
    const txnIds = values('TxnID');
    if (txnIds.length > 0) return txnIds.includes(check.txnId);
    const refNumbers = values('RefNumber');
    // RefNumber is matched without regard to case; RefNumberCaseSensitive with it.
    if (refNumbers.length > 0) return refNumbers.some((ref) => ref.toLowerCase() === (check.refNumber ?? '').toLowerCase());
    const exact = values('RefNumberCaseSensitive');
    if (exact.length > 0) return exact.includes(check.refNumber ?? '');
    const modified = child(request, 'ModifiedDateRangeFilter');
    if (modified !== undefined) {
      const from = childText(modified, 'FromModifiedDate');
      const to = childText(modified, 'ToModifiedDate');
      const at = Date.parse(check.timeModified);
      if (from !== undefined && at < Date.parse(from)) return false;
      if (to !== undefined && at > Date.parse(to)) return false;
    }
    const dates = child(request, 'TxnDateRangeFilter');
    if (dates !== undefined) {
      const from = childText(dates, 'FromTxnDate');
      const to = childText(dates, 'ToTxnDate');
      if (from !== undefined && check.txnDate < from) return false;
      if (to !== undefined && check.txnDate > to) return false;
    }
    const entity = child(request, 'EntityFilter');
    if (entity !== undefined && !listMatches(entity, check.payee)) return false;
    const account = child(request, 'AccountFilter');
    if (account !== undefined && !listMatches(account, check.bank)) return false;
    const refFilter = child(request, 'RefNumberFilter');
    if (refFilter !== undefined) {
      const criterion = childText(refFilter, 'MatchCriterion');
      const value = (childText(refFilter, 'RefNumber') ?? '').toLowerCase();
      const ref = (check.refNumber ?? '').toLowerCase();
      const ok = criterion === 'StartsWith' ? ref.startsWith(value) : criterion === 'EndsWith' ? ref.endsWith(value) : ref.includes(value);
      if (!ok) return false;
    }
    return true;
  }
}
