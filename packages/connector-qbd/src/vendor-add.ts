import { ErrorCodes, Outcomes, type HubVendor } from '@ledgerlink/core';
import { PayloadError } from './bill-payment-check-add.js';
import type { AddSpec } from './lookup-add-loader.js';
import { text } from './qbxml-wire.js';

/** `VendorAdd` elements this connector writes, in the schema's order (qbxmlops120/130), with their QBD lengths. */
const ADD_ORDER: readonly [string, number | undefined][] = [
  ['Name', 41],
  ['IsActive', undefined],
  ['CompanyName', 41],
  ['VendorAddress', undefined],
  ['Phone', 21],
  ['AltPhone', 21],
  ['Fax', 21],
  ['Email', 1023],
  ['Contact', 41],
  ['NameOnCheck', 41],
  ['AccountNumber', 99],
  ['Notes', 4095],
  ['VendorTaxIdent', 15],
  ['IsVendorEligibleFor1099', undefined],
  ['ExternalGUID', undefined],
];
const ADDRESS_ORDER: readonly [string, number][] = [
  ['Addr1', 41],
  ['Addr2', 41],
  ['Addr3', 41],
  ['Addr4', 41],
  ['Addr5', 41],
  ['City', 31],
  ['State', 21],
  ['PostalCode', 13],
  ['Country', 31],
  ['Note', 41],
];

/** The QuickBooks element that would be cut off → the hub field to fix. */
const HUB_FIELD: Record<string, string> = {
  Name: 'name',
  CompanyName: 'name',
  Phone: 'phone',
  Email: 'email',
  VendorTaxIdent: 'taxId',
  Addr1: 'address.street',
  City: 'address.city',
  State: 'address.stateCode',
  PostalCode: 'address.zip',
  Country: 'address.countryCode',
};

class TooLong extends Error {}

function ordered(source: Record<string, unknown>, order: readonly (readonly [string, number | undefined])[], where: string): Record<string, unknown> {
  const known = new Set(order.map(([name]) => name));
  const unknown = Object.keys(source).filter((key) => !known.has(key) && source[key] !== undefined);
  if (unknown.length > 0) throw new PayloadError(`${where} has no element ${unknown.map((key) => `"${key}"`).join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const [name, max] of order) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    if (name === 'VendorAddress') {
      if (typeof value !== 'object' || Array.isArray(value)) throw new PayloadError(`${where}/VendorAddress must be an element with children`);
      out[name] = ordered(value as Record<string, unknown>, ADDRESS_ORDER, `${where}/VendorAddress`);
      continue;
    }
    const textValue = typeof value === 'string' ? value : String(value);
    if (max !== undefined && textValue.length > max) {
      throw new TooLong(`the vendor's ${HUB_FIELD[name] ?? name} "${textValue}" is longer than the ${max} characters QuickBooks Desktop keeps in ${name}`);
    }
    out[name] = value;
  }
  return out;
}

/** The add's content from the mapped vendor plus the ExternalGUID, in schema order. Throws PayloadError / TooLong. */
export function vendorAdd(payload: Record<string, unknown>, externalGuid: string): Record<string, unknown> {
  if (typeof payload.Name !== 'string' || payload.Name.trim() === '') throw new PayloadError('VendorAdd needs a Name');
  return ordered({ ...payload, ExternalGUID: externalGuid }, ADD_ORDER, 'VendorAdd');
}

/**
 * Hub vendors as QuickBooks vendors: `VendorAddRq`, looked up first with `VendorQueryRq` by the name (QuickBooks keeps
 * names unique across its name lists, so the name is the vendor's natural key), our ExternalGUID telling an earlier
 * add of this vendor from a vendor made in QuickBooks.
 */
export const hubVendors: AddSpec<HubVendor> = {
  entity: 'vendor',
  label: 'vendor',
  idElement: 'ListID',
  addRequest: 'VendorAddRq',
  addElement: 'VendorAdd',
  hint: 'Fix the reference named, then export again.',
  content(item, externalGuid) {
    try {
      return { content: vendorAdd(item.payload, externalGuid) };
    } catch (error) {
      if (error instanceof TooLong) return { outcome: Outcomes.rejected(`${error.message}; shorten it in the hub and export again.`) };
      if (!(error instanceof PayloadError)) throw error;
      return { outcome: Outcomes.rejected(`the mapped vendor is not a valid VendorAdd: ${error.message}; fix the mapping override`, undefined, ErrorCodes.MAPPING_FAILED) };
    }
  },
  lookup(item) {
    return { name: 'VendorQueryRq', requestId: '', content: { FullName: String(item.payload.Name ?? '') } };
  },
  clash(rets, item) {
    const name = String(item.payload.Name ?? '');
    const same = rets.find((ret) => (text(ret, 'Name') ?? '').toLowerCase() === name.toLowerCase());
    if (same === undefined) return null;
    const listId = text(same, 'ListID') ?? '?';
    return Outcomes.rejected(
      `QuickBooks already has a vendor named "${text(same, 'Name') ?? name}" (ListID ${listId}) that ledgerlink did not create; QuickBooks keeps names unique. ` +
        'Link the hub vendor to it instead of creating it, or rename the hub vendor.',
      { message: `Vendor ${listId} already has Name "${text(same, 'Name') ?? name}"`, detail: `ListID=${listId}; IsActive=${text(same, 'IsActive') ?? ''}` },
    );
  },
};
