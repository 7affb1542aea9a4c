import { formatCents } from '../src/model/money.js';
import type { Payment } from '../src/model/payment.js';
import type { MappingResult, RecordError } from '../src/mapping/types.js';

const METHODS: Record<string, string> = { ach: 'EFT', check: 'Printed Check' };

/**
 * The benchmark mapping written by hand, as a developer would without the mapping language: same output,
 * same refusals (required vendor and bill ids, an unmapped method, a bank missing from the lookup table).
 */
export function handWrittenExport(payment: Payment, lookups?: Record<string, Record<string, string>>): MappingResult {
  const errors: RecordError[] = [];
  const out: Record<string, unknown> = {};
  const method = METHODS[payment.method];
  if (method === undefined) errors.push({ recordId: payment.id, field: 'PAYMENTMETHOD', source: 'method', message: `no mapping for "${payment.method}"` });
  else out.PAYMENTMETHOD = method;
  const banks = lookups?.bankAccounts;
  const bank = banks === undefined ? payment.bankId : banks[payment.bankId];
  if (bank === undefined) errors.push({ recordId: payment.id, field: 'FINANCIALENTITY', source: 'bankId', message: `"${payment.bankId}" is not in lookup table 'bankAccounts'` });
  else out.FINANCIALENTITY = bank;
  if (!payment.vendor.erpId) errors.push({ recordId: payment.id, field: 'VENDORID', source: 'vendor.erpId', message: 'required' });
  else out.VENDORID = payment.vendor.erpId;
  if (payment.checkNumber !== undefined) out.DOCNUMBER = payment.checkNumber;
  out.DESCRIPTION = `Procore payment ${payment.id} for invoice ${payment.invoice.number}`;
  const date = payment.fundedOn;
  out.PAYMENTDATE = `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;
  out.CURRENCY = 'USD';
  out.AMOUNTTOPAY = formatCents(payment.amountCents);
  out.PROJECTID = payment.project.number;
  if (payment.notes !== undefined) out.MEMO = payment.notes;
  if (!payment.invoice.erpId) errors.push({ recordId: payment.id, field: 'APPYMTDETAILS.APPYMTDETAIL.0.RECORDKEY', source: 'bill.erpId', message: 'required' });
  else {
    out.APPYMTDETAILS = {
      APPYMTDETAIL: [
        { RECORDKEY: payment.invoice.erpId, INVOICENO: payment.invoice.number, TRX_PAYMENTAMOUNT: formatCents(payment.amountCents) },
      ],
    };
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}
