/**
 * The rules one imported vendor meets (`ImportVendors_Login`): a vendor code and a name, Yardi's width of a
 * vendor code, the code not taken. Written from this project's vendor document definition (README, "Vendors").
 */
import type { InterfaceMessage, Payee, VendorCompany } from './vendor-company.js';

/** Yardi's width of a person (vendor) code [I]. */
export const VENDOR_CODE_WIDTH = 8;

export function validateVendor(fields: Record<string, string | undefined>, company: VendorCompany, planned: Payee[]): { messages: InterfaceMessage[]; payee?: Payee } {
  const errors: InterfaceMessage[] = [];
  const error = (code: string, text: string) => errors.push({ type: 'Error', code, text });
  const id = (fields['VendorId'] ?? '').trim();
  const name = (fields['Name'] ?? '').trim();
  if (id === '') error('REQUIRED', 'VendorId is required.');
  if (name === '') error('REQUIRED', 'Name is required.');
  if (id.length > VENDOR_CODE_WIDTH) error('INVALID_LENGTH', `VendorId '${id}' is longer than ${VENDOR_CODE_WIDTH} characters.`);
  if (id !== '' && (company.payees.has(id) || planned.some((payee) => payee.id === id))) error('DUPLICATE_VENDOR', `Vendor ${id} already exists.`);
  const inactive = (fields['Inactive'] ?? 'false').trim().toLowerCase();
  if (inactive !== 'true' && inactive !== 'false') error('INVALID_VALUE', `Inactive '${fields['Inactive'] ?? ''}' is not true or false.`);
  if (errors.length > 0) return { messages: errors };
  const text = (name: string): string | undefined => fields[name]?.trim() || undefined;
  const address = { Address1: text('Address1'), City: text('City'), State: text('State'), ZipCode: text('ZipCode') };
  const hasAddress = Object.values(address).some((value) => value !== undefined);
  const email = text('Email');
  const phone = text('Phone');
  const taxId = text('TaxId');
  return {
    messages: [],
    payee: {
      id,
      name,
      inactive: inactive === 'true',
      created: true,
      ...(hasAddress ? { address: Object.fromEntries(Object.entries(address).filter(([, value]) => value !== undefined)) } : {}),
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone }),
      ...(taxId === undefined ? {} : { taxId }),
    },
  };
}
