import { centsOf } from './amounts.js';
import { billRetOf, type Bill, type BillLine, type CompanyFile, type ListRecord } from './company-file.js';
import { child, childText, type XmlNode } from './qbxml-tree.js';
import { listMatches, OK, refOf, rs, shown, type RequestResult } from './qbxml-status.js';

/**
 * `BillAddRq` and `BillQueryRq` with QuickBooks' rules: every reference (vendor, item, account, customer:job) must
 * name a record of its list (else 3140, naming the list), the bill's amount is the sum of its lines, and — as in
 * QuickBooks, where "duplicate bill number from the same vendor" is only a warning of its user interface — a bill
 * number already used for the vendor is saved again without a word.
 */
export class BillRequests {
  readonly #company: CompanyFile;
  #lines = 0;

  constructor(company: CompanyFile) {
    this.#company = company;
  }

  add(request: XmlNode): RequestResult {
    const add = child(request, 'BillAdd') as XmlNode;
    const company = this.#company;
    const invalidReference = (list: string, ref: { ListID?: string; FullName?: string }) =>
      rs('BillAddRs', request, {
        code: '3140',
        severity: 'Error',
        message: `There is an invalid reference to QuickBooks ${list} "${shown(ref)}" in the Bill.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.`,
      });

    const vendorRef = refOf(child(add, 'VendorRef'));
    const vendor = company.find(company.vendors, vendorRef);
    if (vendor === undefined) return invalidReference('Vendor', vendorRef);

    const lines: BillLine[] = [];
    for (const node of add.children) {
      if (node.name !== 'ExpenseLineAdd' && node.name !== 'ItemLineAdd') continue;
      const kind = node.name === 'ItemLineAdd' ? 'Item' : 'Expense';
      const [list, refName, listName] = kind === 'Item' ? [company.items, 'ItemRef', 'Item'] : [company.accounts, 'AccountRef', 'Account'];
      const refNode = child(node, refName);
      let ref: ListRecord | undefined;
      if (refNode !== undefined) {
        ref = company.find(list, refOf(refNode));
        if (ref === undefined) return invalidReference(listName, refOf(refNode));
      }
      const customerNode = child(node, 'CustomerRef');
      let customer: ListRecord | undefined;
      if (customerNode !== undefined) {
        customer = company.find(company.customers, refOf(customerNode));
        if (customer === undefined) return invalidReference('Customer:Job', refOf(customerNode));
      }
      const desc = childText(node, kind === 'Item' ? 'Desc' : 'Memo');
      this.#lines += 1;
      lines.push({
        kind,
        txnLineId: `${(0x3000 + this.#lines).toString(16).toUpperCase()}-${Math.floor(Date.now() / 1000)}`,
        ...(ref === undefined ? {} : { ref }),
        ...(desc === undefined ? {} : { desc }),
        // The schema check took only amounts with two decimals.
        amountCents: centsOf(childText(node, 'Amount') ?? '0') ?? 0,
        ...(customer === undefined ? {} : { customer }),
      });
    }

    const dueDate = childText(add, 'DueDate');
    const memo = childText(add, 'Memo');
    const externalGuid = childText(add, 'ExternalGUID');
    const saved = company.saveBill({
      vendorListId: vendor.listId,
      refNumber: childText(add, 'RefNumber') ?? '',
      txnDate: childText(add, 'TxnDate') ?? new Date().toISOString().slice(0, 10),
      amountCents: lines.reduce((sum, line) => sum + line.amountCents, 0),
      created: true,
      lines,
      ...(dueDate === undefined ? {} : { dueDate }),
      ...(memo === undefined ? {} : { memo }),
      ...(externalGuid === undefined ? {} : { externalGuid }),
    });
    return { ...rs('BillAddRs', request, OK, { BillRet: billRetOf(saved, vendor, true) }), committed: true };
  }

  /** The bills a BillQueryRq selects, each read when its page goes out. */
  matching(request: XmlNode): (() => Record<string, unknown>)[] {
    const includeLines = childText(request, 'IncludeLineItems') === 'true';
    return [...this.#company.bills.values()]
      .filter((bill) => this.#matches(bill, request))
      .map((bill) => () => billRetOf(bill, this.#company.vendors.get(bill.vendorListId), includeLines));
  }

  #matches(bill: Bill, request: XmlNode): boolean {
    const values = (name: string) => request.children.filter((node) => node.name === name).map((node) => node.text);
    const txnIds = values('TxnID');
    if (txnIds.length > 0) return txnIds.includes(bill.txnId);
    const refNumbers = values('RefNumber');
    // RefNumber is matched without regard to case; RefNumberCaseSensitive with it.
    if (refNumbers.length > 0) return refNumbers.some((ref) => ref.toLowerCase() === bill.refNumber.toLowerCase());
    const exact = values('RefNumberCaseSensitive');
    if (exact.length > 0) return exact.includes(bill.refNumber);
    const modified = child(request, 'ModifiedDateRangeFilter');
    if (modified !== undefined) {
      const at = Date.parse(bill.timeModified ?? '1970-01-01T00:00:00+00:00');
      const from = childText(modified, 'FromModifiedDate');
      const to = childText(modified, 'ToModifiedDate');
      if (from !== undefined && at < Date.parse(from)) return false;
      if (to !== undefined && at > Date.parse(to)) return false;
    }
    const dates = child(request, 'TxnDateRangeFilter');
    if (dates !== undefined) {
      const from = childText(dates, 'FromTxnDate');
      const to = childText(dates, 'ToTxnDate');
      if (from !== undefined && bill.txnDate < from) return false;
      if (to !== undefined && bill.txnDate > to) return false;
    }
    const entity = child(request, 'EntityFilter');
    const vendor = this.#company.vendors.get(bill.vendorListId) ?? { listId: bill.vendorListId, name: bill.vendorListId };
    if (entity !== undefined && !listMatches(entity, vendor)) return false;
    const paid = childText(request, 'PaidStatus');
    if (paid === 'PaidOnly' && bill.openCents > 0) return false;
    if (paid === 'NotPaidOnly' && bill.openCents <= 0) return false;
    return true;
  }
}
