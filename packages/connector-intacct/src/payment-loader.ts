import {
  ErrorCodes,
  LedgerlinkError,
  type LoadContext,
  type LoadItem,
  type Loader,
  type Logger,
  type Outcome,
  Outcomes,
  parseCents,
} from '@ledgerlink/core';
import { readApPaymentPayload } from './ap-payment-payload.js';
import type { IntacctErrorCodes } from './config.js';
import { classifyErrors, type ClassifiedError, erpAnswerOf } from './intacct-errors.js';
import type { IntacctGateway } from './intacct-gateway.js';
import { failureOutcome, protocolOutcome } from './intacct-outcomes.js';
import { runQuery, runQueryAll } from './intacct-query.js';
import { type ApPaymentPayload, controlIdFor, createApPaymentFunction, type QueryFilter } from './intacct-request.js';
import type { IntacctError } from './intacct-response.js';
import { childText } from './intacct-xml.js';

/**
 * Exports payments as `create APPYMT`, one request per payment. The request's control id comes from the
 * ledger's idempotency key and is sent with `uniqueid=true`, so Intacct itself refuses to run an attempt twice.
 * When it says the control id was already used (a retry after a lost answer), the payment is looked up by its
 * natural key instead of being posted again: a replay never posts twice and still ends `synced`.
 */
export interface PaymentLoaderOptions {
  gateway: IntacctGateway;
  errorCodes: IntacctErrorCodes;
  logger: Logger;
}

export function createPaymentLoader(options: PaymentLoaderOptions): Loader {
  const { gateway, errorCodes, logger } = options;

  async function loadOne(item: LoadItem, context: LoadContext): Promise<Outcome> {
    const read = readApPaymentPayload(item.payload);
    if (!read.ok) {
      return Outcomes.rejected(
        `payment ${item.record.id} cannot be sent to Intacct: ${read.problems.join('; ')}; fix the mapping or the record and export again`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    const payment = read.payment;
    const controlId = controlIdFor(item.idempotencyKey);
    try {
      const fn = createApPaymentFunction(controlId, payment);
      const reply = await gateway.call([fn], { controlId, uniqueId: true });
      if (reply.kind === 'control-failure') {
        const classified = classifyErrors(reply.errors, errorCodes);
        if (classified.kind === 'controlIdAlreadyUsed') return replay(item, payment, classified, reply.errors, context);
        return failureOutcome(reply, 'creating the payment');
      }
      if (reply.kind !== 'results') return failureOutcome(reply, 'creating the payment');
      const result = reply.results.find((r) => r.controlId === controlId) ?? reply.results[0];
      if (result === undefined) return protocolOutcome('Intacct answered the payment without a result; it may have been created');
      if (result.status === 'success') {
        const recordNo = childText(result.data?.records[0], 'RECORDNO');
        if (isRecordNo(recordNo)) return Outcomes.synced(recordNo);
        // Created, but the answer does not say under which number: look it up rather than guess.
        const found = await lookUp(payment, context);
        return found === null ? protocolOutcome('Intacct created the payment but its answer named no RECORDNO') : Outcomes.synced(found, { replayed: true });
      }
      if (result.status === 'aborted') {
        return Outcomes.serverError('Intacct rolled the payment back with the rest of its request; it will be retried', {
          committed: 'no',
          erp: erpAnswerOf(result.errors, undefined),
        });
      }
      const classified = classifyErrors(result.errors, errorCodes);
      if (classified.kind === 'unknownBankAccount' || classified.kind === 'unknownVendor') {
        // Nothing can have been posted with an account or vendor Intacct does not have.
        return businessOutcome(classified, result.errors, payment);
      }
      // Intacct refuses a repeated function controlid (uniqueid=true) under an errorno that is not public, and a
      // replay may as well meet the bill's reduced balance or its own check number first. So any other refusal is
      // checked against what Intacct holds: the same vendor, account, check number (or date), bills and amounts
      // mean the earlier attempt completed and its answer was lost.
      let found: string | null;
      try {
        found = await lookUp(payment, context);
      } catch (error) {
        // A lookup Intacct refuses outright cannot tell a replay; the refusal itself then decides. One that may
        // succeed later (throttle, no answer) is retried with the export.
        if (error instanceof LedgerlinkError && error.disposition !== 'retryable') {
          logger.warn({ item: item.id, code: error.code }, 'looking the refused payment up failed; the refusal stands');
          found = null;
        } else throw error;
      }
      if (found !== null) {
        logger.info({ item: item.id, errorno: classified.primary?.errorno }, 'Intacct refused a resend of a payment it already holds; settled as a replay');
        return Outcomes.synced(found, { replayed: true });
      }
      if (classified.kind === 'controlIdAlreadyUsed') return replay(item, payment, classified, result.errors, context);
      return businessOutcome(classified, result.errors, payment);
    } catch (error) {
      if (error instanceof LedgerlinkError) {
        // A lookup after a replay failed: the write may have happened, so this is retryable as unknown.
        return error.disposition === 'retryable'
          ? { ...Outcomes.serverError(error.message, { committed: 'unknown' }), code: error.code }
          : Outcomes.rejected(error.message, undefined, error.code);
      }
      if (error instanceof Error && error.name === 'XmlValueError') {
        return Outcomes.rejected(`payment ${item.record.id} cannot be written as XML: ${error.message}; edit the record`, undefined, ErrorCodes.RECORD_INVALID);
      }
      throw error;
    }
  }

  async function replay(
    item: LoadItem,
    payment: ApPaymentPayload,
    classified: ClassifiedError,
    errors: IntacctError[],
    context: LoadContext,
  ): Promise<Outcome> {
    logger.info({ item: item.id }, 'Intacct has seen this request before; looking the payment up instead of posting it again');
    const found = await lookUp(payment, context);
    if (found !== null) return Outcomes.synced(found, { replayed: true });
    return Outcomes.rejected(
      `Intacct says this export (function controlid ${controlIdFor(item.idempotencyKey)}) already completed, but holds no payment with its ` +
        `vendor, checking account, ${payment.header.DOCNUMBER === undefined ? 'date' : 'check number'}, bills and amounts: it may have ` +
        'been voided or deleted since. Check the payment in Intacct; edit the record and export it again to send it as a new request',
      erpAnswerOf(errors, classified.primary),
    );
  }

  /**
   * The RECORDNO of the payment Intacct holds for this one, or null: the same vendor, checking account, payment
   * date (which reads back as WHENCREATED) and check number where there is one, applied to exactly the same bills
   * for the same amounts. Never writes.
   */
  async function lookUp(payment: ApPaymentPayload, context: LoadContext): Promise<string | null> {
    const { VENDORID, FINANCIALENTITY, DOCNUMBER, PAYMENTDATE } = payment.header;
    const eq = (field: string, value: string | undefined): QueryFilter => ({ op: 'equalto', field, value: value ?? '' });
    let keys: string[];
    if (DOCNUMBER !== undefined) {
      // Vendor + account + number finds the candidates, but is not the payment: another payment may reuse the number
      // (Intacct then refuses it, and that refusal may be lost), so the date and, below, the bills and amounts must
      // match too, or B would settle against A's record (issue 11, item 1).
      const page = await runQuery(
        gateway,
        {
          object: 'APPYMT',
          select: ['RECORDNO', 'STATE'],
          filter: {
            op: 'and',
            filters: [eq('VENDORID', VENDORID), eq('FINANCIALENTITY', FINANCIALENTITY), eq('DOCNUMBER', DOCNUMBER), eq('WHENCREATED', PAYMENTDATE)],
          },
          orderBy: [{ field: 'RECORDNO' }],
          pageSize: 10,
        },
        'looking the payment up by check number',
      );
      keys = page.records.map((row) => row.RECORDNO).filter(isRecordNo);
    } else {
      // No check number (EFT): the same vendor, account and date.
      const candidates = await runQueryAll(
        gateway,
        {
          object: 'APPYMT',
          select: ['RECORDNO'],
          filter: { op: 'and', filters: [eq('VENDORID', VENDORID), eq('FINANCIALENTITY', FINANCIALENTITY), eq('WHENCREATED', PAYMENTDATE)] },
          orderBy: [{ field: 'RECORDNO' }],
        },
        'looking the payment up by vendor, account and date',
        context.signal,
      );
      keys = candidates.map((row) => row.RECORDNO).filter(isRecordNo);
    }
    if (keys.length === 0) return null;
    const details = await runQueryAll(
      gateway,
      {
        object: 'APPYMTDETAIL',
        select: ['RECORDNO', 'PAYMENTKEY', 'RECORDKEY', 'TRX_PAYMENTAMOUNT'],
        filter: { op: 'in', field: 'PAYMENTKEY', values: keys },
      },
      'reading the applications of candidate payments',
      context.signal,
    );
    const wanted = applicationKey(payment.details.map((d) => [d.RECORDKEY, d.TRX_PAYMENTAMOUNT]));
    for (const key of keys) {
      const lines = details.filter((d) => d.PAYMENTKEY === key).map((d): [string | undefined, string | undefined] => [d.RECORDKEY, d.TRX_PAYMENTAMOUNT]);
      if (applicationKey(lines) === wanted) return key;
    }
    return null;
  }

  return {
    async load(batch, context) {
      const outcomes: Outcome[] = [];
      for (const item of batch) outcomes.push(await loadOne(item, context));
      return outcomes;
    },
    async find(item, context) {
      const read = readApPaymentPayload(item.payload);
      if (!read.ok) {
        throw new LedgerlinkError(ErrorCodes.MAPPING_FAILED, `payment ${item.record.id} cannot be looked up in Intacct: ${read.problems.join('; ')}`);
      }
      const found = await lookUp(read.payment, context);
      return found === null ? null : Outcomes.synced(found, { replayed: true });
    },
  };
}

/** Intacct keys records by whole numbers: a blank or malformed RECORDNO settles nothing. */
function isRecordNo(value: string | undefined): value is string {
  return value !== undefined && /^\d{1,20}$/.test(value);
}

/** Bills and amounts of a payment, order-free; amounts compared in cents so `100.3` equals `100.30`. */
function applicationKey(lines: [string | undefined, string | undefined][]): string {
  return lines
    .map(([bill, amount]) => `${bill ?? ''}=${amount === undefined ? '*' : safeCents(amount)}`)
    .sort()
    .join(',');
}

function safeCents(amount: string): string {
  try {
    return String(parseCents(amount));
  } catch {
    return amount;
  }
}

function businessOutcome(classified: ClassifiedError, errors: IntacctError[], payment: ApPaymentPayload): Outcome {
  const erp = erpAnswerOf(errors, classified.primary);
  const { DOCNUMBER, FINANCIALENTITY, VENDORID } = payment.header;
  const bills = payment.details.map((d) => d.RECORDKEY).join(', ');
  switch (classified.kind) {
    case 'duplicateCheckNumber':
      return Outcomes.needsEdit(
        ['checkNumber'],
        `Intacct already has check number ${DOCNUMBER ?? '(none)'} on checking account ${FINANCIALENTITY ?? ''}: edit the check number and export again`,
        erp,
      );
    case 'unknownBankAccount':
      return Outcomes.needsEdit(
        ['bankId'],
        `Intacct has no checking account ${FINANCIALENTITY ?? ''}: edit the Bank ID (or the bank account lookup table) and export again`,
        erp,
      );
    case 'unknownVendor':
      return Outcomes.rejected(`Intacct has no vendor ${VENDORID ?? ''}: link the vendor to its Intacct vendor ID, then export again`, erp);
    case 'unknownBill':
      return Outcomes.rejected(`Intacct has no open bill ${bills} for vendor ${VENDORID ?? ''}: sync the invoice to Intacct first, then export again`, erp);
    default:
      return Outcomes.rejected(`Intacct refused the payment: ${erp.message}`, erp);
  }
}
