import type { CompanyFile, VendorRecord } from './company-file.js';
import { vendorRetOf } from './company-file.js';
import { child, childText, type XmlNode } from './qbxml-tree.js';
import { OK, rs, type RequestResult } from './qbxml-status.js';

const ADDRESS_PARTS = ['Addr1', 'Addr2', 'Addr3', 'Addr4', 'Addr5', 'City', 'State', 'PostalCode', 'Country', 'Note'];

/**
 * `VendorAddRq` and `VendorQueryRq` with QuickBooks' rules: a name is unique in the company file's name lists
 * (vendors, customers and jobs here), compared without regard to case (else 3100); a list query without ListID or
 * FullName returns active vendors only unless `ActiveStatus` says otherwise, and a query by ListID or FullName
 * returns the vendor whatever its status.
 */
export class VendorRequests {
  readonly #company: CompanyFile;

  constructor(company: CompanyFile) {
    this.#company = company;
  }

  add(request: XmlNode): RequestResult {
    const add = child(request, 'VendorAdd') as XmlNode;
    const name = childText(add, 'Name') ?? '';
    const taken = [...this.#company.vendors.values(), ...this.#company.customers.values()].some((record) => record.name.toLowerCase() === name.toLowerCase());
    if (taken) {
      return rs('VendorAddRs', request, { code: '3100', severity: 'Error', message: `The name "${name}" of the list element is already in use.` });
    }
    const addressNode = child(add, 'VendorAddress');
    const address = addressNode === undefined ? undefined : Object.fromEntries(ADDRESS_PARTS.flatMap((part) => {
      const value = childText(addressNode, part);
      return value === undefined ? [] : [[part, value]];
    }));
    const optional = (element: string, key: keyof VendorRecord) => {
      const value = childText(add, element);
      return value === undefined ? {} : { [key]: value };
    };
    const saved = this.#company.saveVendor({
      name,
      isActive: childText(add, 'IsActive') !== 'false',
      created: true,
      ...optional('CompanyName', 'companyName'),
      ...(address === undefined ? {} : { address }),
      ...optional('Phone', 'phone'),
      ...optional('Email', 'email'),
      ...optional('VendorTaxIdent', 'taxIdent'),
      ...optional('ExternalGUID', 'externalGuid'),
    });
    return { ...rs('VendorAddRs', request, OK, { VendorRet: vendorRetOf(saved) }), committed: true };
  }

  /** The vendors a VendorQueryRq selects, in name order (QuickBooks lists are sorted by name). */
  matching(request: XmlNode): (() => Record<string, unknown>)[] {
    return [...this.#company.vendors.values()]
      .filter((vendor) => matches(vendor, request))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((vendor) => () => vendorRetOf(vendor));
  }
}

function matches(vendor: VendorRecord, request: XmlNode): boolean {
  const values = (name: string) => request.children.filter((node) => node.name === name).map((node) => node.text);
  const ids = values('ListID');
  if (ids.length > 0) return ids.includes(vendor.listId);
  const names = values('FullName');
  if (names.length > 0) return names.some((name) => name.toLowerCase() === vendor.name.toLowerCase());
  const status = childText(request, 'ActiveStatus') ?? 'ActiveOnly';
  if (status === 'ActiveOnly' && !vendor.isActive) return false;
  if (status === 'InactiveOnly' && vendor.isActive) return false;
  const at = Date.parse(vendor.timeModified);
  const from = childText(request, 'FromModifiedDate');
  const to = childText(request, 'ToModifiedDate');
  if (from !== undefined && at < Date.parse(from)) return false;
  if (to !== undefined && at > Date.parse(to)) return false;
  const filter = child(request, 'NameFilter');
  if (filter !== undefined) {
    const criterion = childText(filter, 'MatchCriterion');
    const value = (childText(filter, 'Name') ?? '').toLowerCase();
    const name = vendor.name.toLowerCase();
    if (!(criterion === 'StartsWith' ? name.startsWith(value) : criterion === 'EndsWith' ? name.endsWith(value) : name.includes(value))) return false;
  }
  const range = child(request, 'NameRangeFilter');
  if (range !== undefined) {
    const from = childText(range, 'FromName');
    const to = childText(range, 'ToName');
    if (from !== undefined && vendor.name.toLowerCase() < from.toLowerCase()) return false;
    if (to !== undefined && vendor.name.toLowerCase() > to.toLowerCase()) return false;
  }
  return true;
}
