import { centsOf, decimalOf, isoDateOf } from './amounts.js';
import type { CheckDetail, CheckInput, InterfaceMessage, StoredCheck, VendorCompany } from './vendor-company.js';

const METHODS = new Set(['Check', 'ACH', 'EFT', 'Wire']);

/**
 * The rules one imported check meets, each failure a message in the answer: required fields, amount and date
 * formats, the payment method, the payee, the bank, a check number already used on that bank (checks planned
 * in the same document count), and per detail line the payable: known, of this payee and property, its invoice
 * number, and an open balance of at least the line's amount. The check's amount must equal its lines' sum.
 * Returns the check to store when there is no error.
 */
export function validateCheck(input: CheckInput, company: VendorCompany, planned: StoredCheck[]): { messages: InterfaceMessage[]; check?: StoredCheck } {
  const errors: InterfaceMessage[] = [];
  const error = (code: string, text: string) => errors.push({ type: 'Error', code, text });
  const f = input.fields;
  for (const name of ['PayeeId', 'BankId', 'PaymentDate', 'AmountPaid']) {
    if ((f[name] ?? '').trim() === '') error('REQUIRED', `${name} is required.`);
  }
  if (input.details.length === 0) error('REQUIRED', 'The check has no Details/Detail: name the payable it pays.');
  const payeeId = (f['PayeeId'] ?? '').trim();
  const bankId = (f['BankId'] ?? '').trim();
  const propertyId = f['PropertyId']?.trim() || undefined;
  const amountCents = centsOf(f['AmountPaid']);
  const paymentDate = isoDateOf(f['PaymentDate']);
  const method = f['PaymentMethod']?.trim() || 'Check';
  if (f['AmountPaid'] !== undefined && (amountCents === undefined || amountCents === 0)) error('INVALID_AMOUNT', `Amount Paid '${f['AmountPaid']}' is not a valid amount.`);
  if (f['PaymentDate'] !== undefined && paymentDate === undefined) error('INVALID_DATE', `Payment Date '${f['PaymentDate']}' is not a valid date.`);
  if (!METHODS.has(method)) error('INVALID_METHOD', `Payment Method '${method}' is not valid (Check, ACH, EFT, Wire).`);
  if (payeeId !== '' && !company.payees.has(payeeId)) error('PAYEE_NOT_FOUND', `Payee ${payeeId} not found.`);
  const bankKnown = bankId !== '' && company.banks.has(bankId);
  if (bankId !== '' && !bankKnown) error('BANK_NOT_FOUND', `Bank ${bankId} not found.`);
  const checkNumber = f['CheckNumber']?.trim() || undefined;
  if (bankKnown && checkNumber !== undefined && (company.hasCheckNumber(bankId, checkNumber) || planned.some((c) => c.bankId === bankId && c.checkNumber === checkNumber))) {
    error('DUPLICATE_CHECK', `Check number ${checkNumber} already exists for bank ${bankId}.`);
  }

  const details: CheckDetail[] = [];
  for (const detail of input.details) {
    const payableId = (detail['PayableId'] ?? '').trim();
    const payable = company.payables.get(payableId);
    const lineCents = detail['AmountPaid'] === undefined ? amountCents : centsOf(detail['AmountPaid']);
    if (payableId === '') {
      error('REQUIRED', 'Detail PayableId is required.');
      continue;
    }
    if (payable === undefined) {
      error('PAYABLE_NOT_FOUND', `Payable ${payableId} not found.`);
      continue;
    }
    if (payeeId !== '' && payable.payeeId !== payeeId) error('PAYABLE_PAYEE', `Payable ${payableId} belongs to payee ${payable.payeeId}, not ${payeeId}.`);
    if (propertyId !== undefined && payable.propertyId !== undefined && payable.propertyId !== propertyId) {
      error('PAYABLE_PROPERTY', `Payable ${payableId} is on property ${payable.propertyId}, not ${propertyId}.`);
    }
    const invoiceNumber = detail['InvoiceNumber']?.trim();
    if (invoiceNumber !== undefined && invoiceNumber !== '' && invoiceNumber !== payable.invoiceNumber) {
      error('PAYABLE_INVOICE', `Invoice number ${invoiceNumber} does not match payable ${payableId} (invoice ${payable.invoiceNumber}).`);
    }
    if (lineCents === undefined || lineCents === 0) {
      error('INVALID_AMOUNT', `Detail Amount Paid '${detail['AmountPaid'] ?? ''}' is not a valid amount.`);
      continue;
    }
    const paidSoFar = payable.paidCents + planned.flatMap((c) => c.details).filter((d) => d.payableId === payableId).reduce((sum, d) => sum + d.amountCents, 0);
    const open = payable.amountCents - paidSoFar;
    if (lineCents > open) error('OVERPAYMENT', `Amount ${decimalOf(lineCents)} exceeds the open balance ${decimalOf(Math.max(0, open))} of payable ${payableId}.`);
    details.push({ payableId, invoiceNumber: payable.invoiceNumber, amountCents: lineCents });
  }
  const total = details.reduce((sum, detail) => sum + detail.amountCents, 0);
  if (amountCents !== undefined && details.length === input.details.length && details.length > 0 && total !== amountCents) {
    error('AMOUNT_MISMATCH', `Check amount ${decimalOf(amountCents)} does not equal the sum of its details ${decimalOf(total)}.`);
  }
  if (errors.length > 0 || amountCents === undefined || paymentDate === undefined) return { messages: errors };
  const notes = f['Notes'];
  const paymentNumber = f['PaymentNumber']?.trim() || undefined;
  return {
    messages: [],
    check: {
      checkId: '',
      payeeId,
      bankId,
      checkNumber: checkNumber ?? company.nextCheckNumber(bankId, planned),
      paymentDate,
      amountCents,
      paymentMethod: method,
      status: 'Posted',
      details,
      ...(propertyId === undefined ? {} : { propertyId }),
      ...(paymentNumber === undefined ? {} : { paymentNumber }),
      ...(notes === undefined || notes === '' ? {} : { notes }),
    },
  };
}
