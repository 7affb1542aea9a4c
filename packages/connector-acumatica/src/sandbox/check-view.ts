/**
 * A stored check as Acumatica answers it: every field wrapped in `{"value": ...}`, dates with an offset,
 * amounts as JSON numbers, and detail collections only when `$expand` names them.
 */
import type { Company, StoredCheck } from './company.js';
import { wireAmount } from './money.js';

export function checkView(company: Company, check: StoredCheck, expand: ReadonlySet<string>, links: { endpointPath: string }): Record<string, unknown> {
  const applied = check.applications.reduce((sum, application) => sum + application.amountCents, 0);
  const view: Record<string, unknown> = {
    id: check.id,
    rowNumber: 1,
    note: { value: '' },
    ApplicationDate: { value: `${check.applicationDate}T00:00:00+00:00` },
    CashAccount: { value: check.cashAccount },
    CurrencyID: { value: 'USD' },
    Description: check.description === undefined ? {} : { value: check.description },
    Hold: { value: check.hold },
    LastModifiedDateTime: { value: check.lastModified },
    PaymentAmount: { value: wireAmount(check.amountCents) },
    PaymentMethod: { value: check.paymentMethod },
    PaymentRef: check.paymentRef === undefined ? {} : { value: check.paymentRef },
    ReferenceNbr: { value: check.referenceNbr },
    Status: { value: check.status },
    Type: { value: check.type },
    UnappliedBalance: { value: wireAmount(check.amountCents - applied) },
    Vendor: { value: check.vendor },
    custom: {},
    _links: { self: `${links.endpointPath}/Check/${check.id}` },
  };
  const rows = (released: boolean): Record<string, unknown>[] =>
    check.applications
      .filter((application) => application.released === released)
      .map((application, index) => {
        const bill = company.bills.get(application.referenceNbr);
        const row: Record<string, unknown> = {
          id: `${check.id.slice(0, 24)}${String(index).padStart(12, '0')}`,
          rowNumber: index + 1,
          AmountPaid: { value: wireAmount(application.amountCents) },
          Balance: { value: wireAmount(bill?.balanceCents ?? 0) },
          CashDiscountBalance: { value: 0 },
          DocType: { value: application.docType },
          ReferenceNbr: { value: application.referenceNbr },
        };
        if (released) {
          row.CashDiscountTaken = { value: 0 };
          row.VendorRef = bill === undefined ? {} : { value: bill.vendorRef };
        }
        return row;
      });
  if (expand.has('Details')) view.Details = rows(false);
  if (expand.has('History')) view.History = rows(true);
  return view;
}

/** The plain value of a field for `$filter`: the same value the view wraps. */
export function filterField(check: StoredCheck, field: string): unknown {
  switch (field) {
    case 'Type':
      return check.type;
    case 'ReferenceNbr':
      return check.referenceNbr;
    case 'Status':
      return check.status;
    case 'Vendor':
      return check.vendor;
    case 'PaymentMethod':
      return check.paymentMethod;
    case 'CashAccount':
      return check.cashAccount;
    case 'PaymentRef':
      return check.paymentRef;
    case 'ApplicationDate':
      return `${check.applicationDate}T00:00:00+00:00`;
    case 'LastModifiedDateTime':
      return check.lastModified;
    case 'Hold':
      return check.hold;
    case 'Description':
      return check.description;
    case 'PaymentAmount':
      return wireAmount(check.amountCents);
    default:
      throw new Error(`The field ${field} is not in the Check entity.`);
  }
}
