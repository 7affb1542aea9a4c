import {
  ErrorCodes,
  Outcomes,
  parseCents,
  type HttpResponse,
  type LoadContext,
  type LoadItem,
  type Loader,
  type Outcome,
} from '@ledgerlink/core';
import { forbidden, type QboApi, type QboFailure } from './qbo-api.js';
import { faultIn } from './qbo-fault.js';
import {
  faultOutcome,
  referenceOutcome,
  retryableOutcome,
  thrownOutcome,
  type PaymentReferences,
  type QboReference,
} from './qbo-outcomes.js';
import {
  DOC_NUMBER_MAX,
  isQboId,
  parseJson,
  property,
  queryLiteral,
  requestIdFor,
  toWireBillPayment,
  type WireBillPayment,
} from './qbo-wire.js';

/**
 * Writes bill payments with `POST /billpayment?requestid=…`. The `requestid` comes from the item's idempotency
 * key, so a retry of the same attempt (after a lost answer, a 5xx, a refreshed token) gets QuickBooks' stored
 * original answer instead of a second payment.
 */
export class QboLoader implements Loader {
  constructor(
    private readonly api: QboApi,
    private readonly realmId: string,
  ) {}

  async load(batch: LoadItem[], _context: LoadContext): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  /**
   * Looks the payment up by its natural key: the Ref No. (`DocNumber`), or without one the payment date, then
   * vendor, bank account, date, amount and bill compared here, so that another payment reusing the Ref No. is
   * never taken for this one. A query never writes, so this is safe whatever happened.
   */
  async find(item: LoadItem, _context: LoadContext): Promise<Outcome | null> {
    const refs = referencesOf(item);
    const payload = item.payload;
    const docNumber = typeof payload['DocNumber'] === 'string' ? payload['DocNumber'] : undefined;
    const txnDate = typeof payload['TxnDate'] === 'string' ? payload['TxnDate'] : undefined;
    if (docNumber === undefined && txnDate === undefined) return null;
    const where = docNumber === undefined ? `TxnDate = ${queryLiteral(txnDate ?? '')}` : `DocNumber = ${queryLiteral(docNumber)}`;
    let rows: WireBillPayment[];
    try {
      rows = await this.api.query<WireBillPayment>(`select * from BillPayment where ${where} MAXRESULTS 1000`, 'BillPayment');
    } catch (error) {
      return thrownOutcome(error);
    }
    const amountCents = item.record.amountCents;
    const match = rows.find(
      (row) =>
        isQboId(property(row, 'Id')) &&
        property(property(row, 'VendorRef'), 'value') === refs.vendorId &&
        property(property(property(row, 'CheckPayment'), 'BankAccountRef'), 'value') === refs.bankAccountId &&
        centsOrUndefined(property(row, 'TotalAmt')) === amountCents &&
        // The same Ref No. on another day is another payment (issue 11, item 1): QuickBooks does not refuse it.
        (txnDate === undefined || property(row, 'TxnDate') === txnDate) &&
        linkedBillIds(row).includes(refs.billId),
    );
    return match === undefined ? null : Outcomes.synced(match.Id, { replayed: true });
  }

  private async loadOne(item: LoadItem): Promise<Outcome> {
    const refs = referencesOf(item);
    if (refs.docNumber !== undefined && refs.docNumber.length > DOC_NUMBER_MAX) {
      return Outcomes.needsEdit(
        ['checkNumber'],
        `check number ${refs.docNumber} is ${refs.docNumber.length} characters; QuickBooks' Ref No. takes at most ${DOC_NUMBER_MAX}: shorten it and export again`,
      );
    }
    let body: Record<string, unknown>;
    try {
      body = toWireBillPayment(item.payload);
    } catch (error) {
      return Outcomes.rejected(`the mapped bill payment cannot be sent: ${(error as Error).message}`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    let response: HttpResponse;
    try {
      response = await this.api.call({
        method: 'POST',
        path: 'billpayment',
        params: { requestid: requestIdFor(item.idempotencyKey) },
        body,
      });
    } catch (error) {
      return thrownOutcome(error);
    }
    return this.outcomeOf(response, refs);
  }

  private async outcomeOf(response: HttpResponse, refs: PaymentReferences): Promise<Outcome> {
    // QuickBooks can put a Fault in a 200: only a BillPayment with an Id is a success. The answer is parsed once.
    const parsed = response.status === 200 ? parseJson(response.body) : undefined;
    if (response.status === 200 && faultIn(parsed) === undefined) {
      const id = property(property(parsed, 'BillPayment'), 'Id');
      if (isQboId(id)) return Outcomes.synced(id);
      return Outcomes.serverError('QuickBooks answered 200 without a well-formed BillPayment Id; the payment may exist, it is looked up before any retry', {
        committed: 'unknown',
        erp: { httpStatus: 200, message: `BillPayment.Id in the answer: ${typeof id === 'string' ? JSON.stringify(id.slice(0, 40)) : typeof id}` },
      });
    }
    const failure = this.api.failure(response);
    const retryable = retryableOutcome(failure, 'unknown');
    if (retryable !== undefined) return retryable;
    if (failure.status === 403) {
      return Outcomes.rejected(forbidden(failure, this.realmId).message, failure.erp, ErrorCodes.ERP_AUTH);
    }
    if (failure.fault === undefined || failure.fault.errors.length === 0) {
      return Outcomes.rejected(`QuickBooks answered HTTP ${failure.status} without a Fault`, failure.erp, ErrorCodes.ERP_PROTOCOL);
    }
    const outcome = faultOutcome(failure, refs);
    if (outcome !== 'ambiguous') return outcome;
    return this.resolveReference(failure, refs);
  }

  /**
   * QuickBooks said a reference is missing or inactive without saying which. Only the bank account is editable,
   * so ask whether the bank account and the vendor are there (queries return active records only).
   */
  private async resolveReference(failure: QboFailure, refs: PaymentReferences): Promise<Outcome> {
    const said = `${failure.erp.code ?? `HTTP ${failure.status}`} ${failure.erp.message}${failure.erp.detail === undefined ? '' : ` (${failure.erp.detail})`}`;
    let missing: QboReference;
    try {
      const banks = await this.api.query<{ Id: string }>(`select * from Account where Id = ${queryLiteral(refs.bankAccountId)}`, 'Account');
      if (banks.length === 0) missing = 'bank';
      else {
        const vendors = await this.api.query<{ Id: string }>(`select * from Vendor where Id = ${queryLiteral(refs.vendorId)}`, 'Vendor');
        missing = vendors.length === 0 ? 'vendor' : 'bill';
      }
    } catch (error) {
      return thrownOutcome(error);
    }
    return referenceOutcome(missing, refs, said, failure);
  }
}

/** An amount read back, in cents, or undefined when it is not one (parsed digit by digit, never thrown). */
function centsOrUndefined(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

/** The bill ids a bill payment row links, whatever shape the row has. */
function linkedBillIds(row: unknown): unknown[] {
  const lines = property(row, 'Line');
  if (!Array.isArray(lines)) return [];
  return lines.flatMap((line: unknown) => {
    const linked = property(line, 'LinkedTxn');
    return Array.isArray(linked) ? linked.map((txn: unknown) => property(txn, 'TxnId')) : [];
  });
}

function referencesOf(item: LoadItem): PaymentReferences {
  const payload = item.payload;
  const vendorId = property(property(payload, 'VendorRef'), 'value');
  const bankAccountId = property(property(property(payload, 'CheckPayment'), 'BankAccountRef'), 'value');
  const lines = property(payload, 'Line');
  const firstLine: unknown = Array.isArray(lines) ? lines[0] : undefined;
  const linked = property(firstLine, 'LinkedTxn');
  const billId = property(Array.isArray(linked) ? linked[0] : undefined, 'TxnId');
  const docNumber = property(payload, 'DocNumber');
  return {
    vendorId: typeof vendorId === 'string' ? vendorId : (item.record.vendor.erpId ?? ''),
    bankAccountId: typeof bankAccountId === 'string' ? bankAccountId : item.record.bankId,
    billId: typeof billId === 'string' ? billId : (item.record.invoice.erpId ?? ''),
    ...(typeof docNumber === 'string' ? { docNumber } : {}),
  };
}
