import { describe, expect, it } from 'vitest';
import { stagedVendorRecord } from '../src/index.js';

describe('stagedVendorRecord: an ERP vendor as the Staged Record Refresh Vendors writes', () => {
  it('keys it by the ERP vendor id and writes Procore\'s documented vendor fields', () => {
    expect(
      stagedVendorRecord({
        erpVendorId: 'V-200',
        name: 'NewCo Electric',
        code: 'NEWCO',
        address: { street: '1 Main St', city: 'Reno', stateCode: 'NV', zip: '89501', countryCode: 'US' },
        email: 'ap@newco.test',
        phone: '775-555-0101',
        isActive: false,
        erpStatus: 'inactive',
      }),
    ).toEqual({
      itemType: 'vendor',
      originId: 'V-200',
      originCode: 'NEWCO',
      originData: 'inactive',
      data: {
        name: 'NewCo Electric', is_active: false, abbreviated_name: 'NEWCO', address: '1 Main St', city: 'Reno', state_code: 'NV', zip: '89501',
        country_code: 'US', email_address: 'ap@newco.test', business_phone: '775-555-0101',
      },
    });
  });

  it('leaves out what the ERP does not have, and blank parts, rather than staging empty text', () => {
    expect(stagedVendorRecord({ erpVendorId: 'V-1', name: 'Bare', isActive: true, address: { city: ' ' } })).toEqual({ itemType: 'vendor', originId: 'V-1', data: { name: 'Bare', is_active: true } });
  });
});
