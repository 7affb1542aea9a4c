/**
 * The rules one imported payable meets (`ImportPayable_Login`), each failure a message in the answer: required
 * fields, amount and date formats, the payee, the invoice number not used yet for that payee, the details adding
 * up to the amount and the retention, retention not above the amount, a known job cost category (when the
 * sandbox knows categories). Returns the payable to store when there is no error. Written from this project's
 * PayableDoc definition (README, "The payable document"), not from the client.
 */
import { centsOf, decimalOf, isoDateOf } from './amounts.js';
import type { InterfaceMessage, Payable, PayableDetail, VendorCompany } from './vendor-company.js';

/** A payable document's fields as read: the payable's leaf elements and its detail lines'. */
export interface PayableInput {
  fields: Record<string, string | undefined>;
  details: Record<string, string | undefined>[];
}

const opt = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

export function validatePayable(input: PayableInput, company: VendorCompany, planned: Omit<Payable, 'id' | 'paidCents'>[]): { messages: InterfaceMessage[]; payable?: Omit<Payable, 'id' | 'paidCents'> } {
  const errors: InterfaceMessage[] = [];
  const error = (code: string, text: string) => errors.push({ type: 'Error', code, text });
  const f = input.fields;
  for (const name of ['PayeeId', 'InvoiceNumber', 'InvoiceDate', 'Amount']) if ((f[name] ?? '').trim() === '') error('REQUIRED', `${name} is required.`);
  if (input.details.length === 0) error('REQUIRED', 'The payable has no Details/Detail.');
  const payeeId = (f['PayeeId'] ?? '').trim();
  const invoiceNumber = (f['InvoiceNumber'] ?? '').trim();
  const amountCents = centsOf(f['Amount']);
  const retentionCents = f['Retention'] === undefined ? 0 : centsOf(f['Retention']);
  const invoiceDate = isoDateOf(f['InvoiceDate']);
  const dueDate = f['DueDate'] === undefined ? undefined : isoDateOf(f['DueDate']);
  if (f['Amount'] !== undefined && (amountCents === undefined || amountCents === 0)) error('INVALID_AMOUNT', `Amount '${f['Amount']}' is not a valid amount.`);
  if (retentionCents === undefined) error('INVALID_AMOUNT', `Retention '${f['Retention'] ?? ''}' is not a valid amount.`);
  if (f['InvoiceDate'] !== undefined && invoiceDate === undefined) error('INVALID_DATE', `Invoice Date '${f['InvoiceDate']}' is not a valid date.`);
  if (f['DueDate'] !== undefined && dueDate === undefined) error('INVALID_DATE', `Due Date '${f['DueDate']}' is not a valid date.`);
  if (invoiceNumber.length > 50) error('INVALID_LENGTH', `Invoice Number '${invoiceNumber}' is longer than 50 characters.`);
  if (payeeId !== '' && !company.payees.has(payeeId)) error('PAYEE_NOT_FOUND', `Payee ${payeeId} not found.`);
  if (payeeId !== '' && company.payees.get(payeeId)?.inactive === true) error('PAYEE_INACTIVE', `Payee ${payeeId} is inactive.`);
  const taken = company.hasInvoice(payeeId, invoiceNumber) || planned.some((payable) => payable.payeeId === payeeId && payable.invoiceNumber === invoiceNumber);
  if (payeeId !== '' && invoiceNumber !== '' && taken) error('DUPLICATE_INVOICE', `Invoice number ${invoiceNumber} already exists for payee ${payeeId}.`);

  const details: PayableDetail[] = [];
  for (const [index, detail] of input.details.entries()) {
    const line = centsOf(detail['Amount']);
    const retention = detail['Retention'] === undefined ? 0 : centsOf(detail['Retention']);
    if (line === undefined) {
      error('INVALID_AMOUNT', `Detail ${index + 1}: Amount '${detail['Amount'] ?? ''}' is not a valid amount.`);
      continue;
    }
    if (retention === undefined) {
      error('INVALID_AMOUNT', `Detail ${index + 1}: Retention '${detail['Retention'] ?? ''}' is not a valid amount.`);
      continue;
    }
    const categoryId = opt(detail['CategoryId']);
    if (categoryId !== undefined && company.categories !== undefined && !company.categories.has(categoryId)) {
      error('CATEGORY_NOT_FOUND', `Detail ${index + 1}: Category ${categoryId} not found.`);
    }
    const propertyId = opt(detail['PropertyId']);
    const jobId = opt(detail['JobId']);
    const contractId = opt(detail['ContractId']);
    const contractDetailId = opt(detail['ContractDetailId']);
    const notes = opt(detail['Notes']);
    details.push({
      amountCents: line,
      retentionCents: retention,
      ...(propertyId === undefined ? {} : { propertyId }),
      ...(jobId === undefined ? {} : { jobId }),
      ...(categoryId === undefined ? {} : { categoryId }),
      ...(contractId === undefined ? {} : { contractId }),
      ...(contractDetailId === undefined ? {} : { contractDetailId }),
      ...(notes === undefined ? {} : { notes }),
    });
  }
  if (amountCents !== undefined && retentionCents !== undefined && details.length === input.details.length && details.length > 0) {
    const total = details.reduce((sum, detail) => sum + detail.amountCents, 0);
    const held = details.reduce((sum, detail) => sum + detail.retentionCents, 0);
    if (total !== amountCents) error('AMOUNT_MISMATCH', `Payable amount ${decimalOf(amountCents)} does not equal the sum of its details ${decimalOf(total)}.`);
    if (held !== retentionCents) error('AMOUNT_MISMATCH', `Payable retention ${decimalOf(retentionCents)} does not equal the sum of its details' retention ${decimalOf(held)}.`);
    if (retentionCents > amountCents) error('INVALID_AMOUNT', `Retention ${decimalOf(retentionCents)} is above the amount ${decimalOf(amountCents)}.`);
  }
  if (errors.length > 0 || amountCents === undefined || invoiceDate === undefined || retentionCents === undefined) return { messages: errors };
  const propertyId = opt(f['PropertyId']);
  const notes = opt(f['Notes']);
  return {
    messages: [],
    payable: {
      payeeId,
      invoiceNumber,
      amountCents,
      retentionCents,
      invoiceDate,
      details,
      ...(dueDate === undefined ? {} : { dueDate }),
      ...(propertyId === undefined ? {} : { propertyId }),
      ...(notes === undefined ? {} : { notes }),
    },
  };
}
