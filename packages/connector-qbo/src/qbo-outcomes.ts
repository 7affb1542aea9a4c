import { ErrorCodes, HttpTransportError, LedgerlinkError, Outcomes, type Outcome } from '@ledgerlink/core';
import type { QboFailure } from './qbo-api.js';
import type { QboFaultError } from './qbo-fault.js';

/** Which reference of the bill payment a Fault is about. */
export type QboReference = 'bank' | 'vendor' | 'bill';

/** The references a payment carries, for messages and for telling a Fault's target apart. */
export interface PaymentReferences {
  vendorId: string;
  bankAccountId: string;
  billId: string;
  docNumber?: string;
}

/** Codes QuickBooks uses for a reference it cannot use: 610 Object Not Found, 2500 Invalid Reference Id. */
const REFERENCE_CODES = new Set(['610', '2500']);
/** 6000 Business Validation Error: for a bill payment, the linked bill's rules (balance, vendor). */
const BUSINESS_VALIDATION = '6000';
const DUPLICATE_DOC_NUMBER = '6140';

/**
 * Which reference an error is about. The request element decides when QuickBooks names one. Otherwise the
 * Detail decides, but only when it names exactly one kind: QuickBooks' stock 610 text ("Check the fields with
 * accounts, customers, items, vendors or employees") names several and so decides nothing.
 */
export function referenceOf(error: QboFaultError): QboReference | undefined {
  const element = error.element ?? '';
  if (/BankAccountRef|CheckPayment/i.test(element)) return 'bank';
  if (/VendorRef/i.test(element)) return 'vendor';
  if (/LinkedTxn|TxnId|^Line/i.test(element)) return 'bill';
  if (element !== '') return undefined;
  const text = `${error.message} ${error.detail ?? ''}`;
  const named = new Set<QboReference>();
  if (/\baccounts?\b/i.test(text)) named.add('bank');
  if (/\bvendors?\b/i.test(text)) named.add('vendor');
  if (/\bbills?\b|LinkedTxn/i.test(text)) named.add('bill');
  return named.size === 1 ? [...named][0] : undefined;
}

/**
 * The outcome of a bill payment QuickBooks refused with a Fault, or `ambiguous` when a reference error does not
 * say which reference it is about (the loader then asks QuickBooks which one is missing).
 */
export function faultOutcome(failure: QboFailure, refs: PaymentReferences): Outcome | 'ambiguous' {
  const errors = failure.fault?.errors ?? [];
  const { erp } = failure;
  const said = `${erp.code ?? `HTTP ${failure.status}`} ${erp.message}${erp.detail === undefined ? '' : ` (${erp.detail})`}`;
  if (errors.some((error) => error.code === DUPLICATE_DOC_NUMBER)) {
    return Outcomes.needsEdit(
      ['checkNumber'],
      `QuickBooks already has a transaction with Ref No. ${refs.docNumber ?? '(none)'}: enter a different check number and export again. QuickBooks said: ${said}`,
      erp,
    );
  }
  const first = errors.find((error) => REFERENCE_CODES.has(error.code ?? '') || error.code === BUSINESS_VALIDATION);
  if (first !== undefined) {
    const reference = referenceOf(first);
    if (reference !== undefined) return referenceOutcome(reference, refs, said, failure);
    if (REFERENCE_CODES.has(first.code ?? '')) return 'ambiguous';
  }
  return Outcomes.rejected(`QuickBooks refused the bill payment: ${said}`, erp);
}

/** The outcome for a refused reference, whether the Fault named it or a lookup found it. */
export function referenceOutcome(reference: QboReference, refs: PaymentReferences, said: string, failure: QboFailure): Outcome {
  const { erp } = failure;
  switch (reference) {
    case 'bank':
      return Outcomes.needsEdit(
        ['bankId'],
        `QuickBooks has no active bank account ${refs.bankAccountId}: correct the Bank ID (the account id in the ` +
          `QuickBooks Bank Register URL) and export again. QuickBooks said: ${said}`,
        erp,
      );
    case 'vendor':
      return Outcomes.rejected(
        `QuickBooks has no active vendor ${refs.vendorId}: link the vendor to its QuickBooks vendor (or reactivate it) ` +
          `and export again. QuickBooks said: ${said}`,
        erp,
      );
    case 'bill':
      return Outcomes.rejected(
        `QuickBooks refused the payment of bill ${refs.billId}: check that the bill exists in QuickBooks, belongs to ` +
          `vendor ${refs.vendorId} and has an open balance of at least the amount paid. QuickBooks said: ${said}`,
        erp,
      );
  }
}

/** Failures that are not about the record: throttling, server errors. */
export function retryableOutcome(failure: QboFailure, committed: 'no' | 'unknown'): Outcome | undefined {
  const { erp } = failure;
  const said = `${erp.code ?? `HTTP ${failure.status}`} ${erp.message}`;
  if (failure.status === 429) {
    return Outcomes.throttled(`QuickBooks throttled the call (${said}); it is retried after a pause`, {
      ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
      erp,
    });
  }
  if (failure.status >= 500) {
    return Outcomes.serverError(`QuickBooks failed on its side (${said}); it is retried`, { committed, erp });
  }
  return undefined;
}

/**
 * A call that threw instead of answering. Transport errors keep what they know about a commit; a coded retryable
 * error comes from the token exchange, before the write was sent. A coded error that is not retryable is about
 * the connection (authentication, a refused company): the record fails with it, and its message says how to
 * reconnect, rather than retrying against a connection that cannot work. Anything else is a bug and is thrown on.
 */
export function thrownOutcome(error: unknown): Outcome {
  if (error instanceof HttpTransportError) {
    return Outcomes.transport(error.message, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: error.committed,
    });
  }
  if (error instanceof LedgerlinkError) {
    if (error.disposition === 'retryable') {
      if (error.code === ErrorCodes.ERP_THROTTLED) return Outcomes.throttled(error.message);
      if (error.code === ErrorCodes.ERP_TRANSPORT) return Outcomes.transport(error.message, { committed: 'no' });
      return Outcomes.serverError(error.message, { committed: 'no' });
    }
    return Outcomes.rejected(error.message, undefined, error.code);
  }
  throw error;
}
