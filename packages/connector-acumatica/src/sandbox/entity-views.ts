/**
 * A stored bill and a stored vendor as Acumatica answers them (Default endpoint `Bill`, `BillDetail`, `Vendor`,
 * `Contact`, `Address`): every field wrapped in `{"value": ...}`, dates with an offset, amounts as JSON numbers,
 * detail collections only when `$expand` names them; and each field's plain value for `$filter`.
 */
import type { Bill, StoredVendor } from './company.js';
import { wireAmount } from './money.js';

const wrap = (value: unknown): Record<string, unknown> => (value === undefined ? {} : { value });
const day = (date: string | undefined): string | undefined => (date === undefined ? undefined : `${date}T00:00:00+00:00`);

export function billView(bill: Bill, expand: ReadonlySet<string>, links: { endpointPath: string }): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: bill.id,
    rowNumber: 1,
    note: { value: '' },
    Amount: wrap(wireAmount(bill.amountCents)),
    ApprovedForPayment: wrap(false),
    Balance: wrap(wireAmount(bill.balanceCents)),
    BranchID: wrap('MAIN'),
    CurrencyID: wrap('USD'),
    Date: wrap(day(bill.date)),
    Description: wrap(bill.description),
    DueDate: wrap(day(bill.dueDate)),
    Hold: wrap(bill.hold),
    LastModifiedDateTime: wrap(bill.lastModified),
    Project: wrap(bill.projectNumber ?? 'X'),
    ReferenceNbr: wrap(bill.referenceNbr),
    Status: wrap(bill.status),
    Type: wrap('Bill'),
    Vendor: wrap(bill.vendor),
    VendorRef: wrap(bill.vendorRef),
    custom: {},
    _links: { self: `${links.endpointPath}/Bill/${bill.id}` },
  };
  if (expand.has('Details')) {
    view.Details = bill.lines.map((line, index) => ({
      id: `${bill.id.slice(0, 24)}${String(index).padStart(12, '0')}`,
      rowNumber: index + 1,
      Account: wrap(line.account),
      Amount: wrap(wireAmount(line.amountCents)),
      Branch: wrap(line.branch ?? 'MAIN'),
      CostCode: wrap(line.costCode),
      ExtendedCost: wrap(wireAmount(line.amountCents)),
      InventoryID: wrap(line.inventoryId),
      Project: wrap(line.project ?? 'X'),
      ProjectTask: wrap(line.projectTask),
      Qty: wrap(1),
      Subaccount: wrap(line.subaccount),
      TransactionDescription: wrap(line.description),
      UnitCost: wrap(wireAmount(line.amountCents)),
    }));
  }
  return view;
}

export function billField(bill: Bill, field: string): unknown {
  switch (field) {
    case 'Type':
      return 'Bill';
    case 'ReferenceNbr':
      return bill.referenceNbr;
    case 'Vendor':
      return bill.vendor;
    case 'VendorRef':
      return bill.vendorRef;
    case 'Status':
      return bill.status;
    case 'Date':
      return day(bill.date);
    case 'Amount':
      return wireAmount(bill.amountCents);
    case 'LastModifiedDateTime':
      return bill.lastModified;
    default:
      throw new Error(`The field ${field} is not in the Bill entity.`);
  }
}

export function vendorView(vendor: StoredVendor, expand: ReadonlySet<string>, links: { endpointPath: string }): Record<string, unknown> {
  const address = vendor.address ?? {};
  const view: Record<string, unknown> = {
    id: vendor.rowId,
    rowNumber: 1,
    note: { value: '' },
    CurrencyID: wrap('USD'),
    LastModifiedDateTime: wrap(vendor.lastModified),
    LegalName: wrap(vendor.name),
    MainContact: {
      id: vendor.rowId,
      rowNumber: 1,
      Address: {
        id: vendor.rowId,
        rowNumber: 1,
        AddressLine1: wrap(address.addressLine1),
        City: wrap(address.city),
        Country: wrap(address.country ?? 'US'),
        PostalCode: wrap(address.postalCode),
        State: wrap(address.state),
      },
      Email: wrap(vendor.email),
      Phone1: wrap(vendor.phone),
    },
    Status: wrap(vendor.status),
    TaxRegistrationID: wrap(vendor.taxRegistrationId),
    VendorClass: wrap(vendor.vendorClass),
    VendorID: wrap(vendor.id),
    VendorName: wrap(vendor.name),
    custom: {},
    _links: { self: `${links.endpointPath}/Vendor/${vendor.rowId}` },
  };
  // A linked entity comes only when `$expand` names it.
  if (!expand.has('MainContact')) delete view.MainContact;
  return view;
}

export function vendorField(vendor: StoredVendor, field: string): unknown {
  switch (field) {
    case 'VendorID':
      return vendor.id;
    case 'VendorName':
      return vendor.name;
    case 'Status':
      return vendor.status;
    case 'VendorClass':
      return vendor.vendorClass;
    case 'LastModifiedDateTime':
      return vendor.lastModified;
    default:
      throw new Error(`The field ${field} is not in the Vendor entity.`);
  }
}
