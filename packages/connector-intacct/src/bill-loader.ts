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
  type Requisition,
} from '@ledgerlink/core';
import type { IntacctErrorCodes } from './config.js';
import { createOnce, isRecordNo, lookupFailed, textField } from './intacct-create.js';
import { erpAnswerOf, type ClassifiedError } from './intacct-errors.js';
import type { IntacctGateway } from './intacct-gateway.js';
import { runQuery } from './intacct-query.js';
import { controlIdFor, type IntacctFunction } from './intacct-request.js';
import type { IntacctError } from './intacct-response.js';

type BillItem = LoadItem<Record<string, unknown>, Requisition>;

/** Header fields of `create APBILL`, in the order of Intacct's APBILL create reference. */
export const AP_BILL_HEADER_ORDER = [
  'WHENCREATED',
  'WHENPOSTED',
  'VENDORID',
  'BILLTOPAYTOCONTACTNAME',
  'SHIPTORETURNTOCONTACTNAME',
  'RECORDID',
  'DOCNUMBER',
  'DESCRIPTION',
  'TERMNAME',
  'RECPAYMENTDATE',
  'SUPDOCID',
  'WHENDUE',
  'PAYMENTPRIORITY',
  'ONHOLD',
  'CURRENCY',
  'BASECURR',
  'ACTION',
] as const;

/** Line fields of an `APBILLITEM`, in the reference's order (the Construction fields last). */
export const AP_BILL_ITEM_ORDER = [
  'ACCOUNTNO',
  'ACCOUNTLABEL',
  'OFFSETGLACCOUNTNO',
  'TRX_AMOUNT',
  'ENTRYDESCRIPTION',
  'FORM1099',
  'LOCATIONID',
  'DEPARTMENTID',
  'PROJECTID',
  'TASKID',
  'COSTTYPEID',
  'CUSTOMERID',
  'VENDORID',
  'EMPLOYEEID',
  'ITEMID',
  'CLASSID',
  'CONTRACTID',
  'WAREHOUSEID',
  'BILLABLE',
  'RETAINAGEPERCENTAGE',
  'TRX_AMOUNTRETAINED',
] as const;

/** An AP bill as the mapping produced it: Intacct field names, text values, one item per requisition line. */
export interface ApBillPayload {
  header: Record<string, string>;
  items: Record<string, string>[];
}

function ordered(fields: Record<string, string>, order: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of order) if (fields[name] !== undefined) out[name] = fields[name];
  // Fields the reference does not list (custom fields of a mapping override) follow the known ones.
  for (const [name, value] of Object.entries(fields)) if (!order.includes(name)) out[name] = value;
  return out;
}

function flat(source: unknown, path: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    problems.push(`${path || 'the payload'} must be an object`);
    return out;
  }
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    if (name === 'APBILLITEMS' && path === '') continue;
    if (value === undefined || value === null || value === '') continue;
    const text = textField(value);
    if (text === undefined) problems.push(`${path}${name} must be text (money as an exact decimal string), got ${typeof value}`);
    else out[name] = text;
  }
  return out;
}

/**
 * Reads the mapped payload (mapping.yaml, `requisition.export`). Without WHENDUE or TERMNAME (Intacct wants one of
 * them) the bill is due on its date: a requisition without a due date is due on receipt.
 */
export function readApBillPayload(payload: Record<string, unknown>): { ok: true; bill: ApBillPayload } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const header = flat(payload, '', problems);
  for (const name of ['VENDORID', 'WHENCREATED', 'RECORDID']) if (header[name] === undefined) problems.push(`${name} is required`);
  if (header.WHENDUE === undefined && header.TERMNAME === undefined && header.WHENCREATED !== undefined) header.WHENDUE = header.WHENCREATED;
  const group = payload.APBILLITEMS;
  const lines: unknown = typeof group === 'object' && group !== null ? (group as Record<string, unknown>).APBILLITEM : undefined;
  const list = Array.isArray(lines) ? lines : lines === undefined ? [] : [lines];
  const items = list.map((line, index) => {
    const item = flat(line, `APBILLITEMS.APBILLITEM.${index}.`, problems);
    if (item.ACCOUNTNO === undefined && item.ACCOUNTLABEL === undefined) problems.push(`APBILLITEMS.APBILLITEM.${index}.ACCOUNTNO is required (the GL account)`);
    if (item.TRX_AMOUNT === undefined) problems.push(`APBILLITEMS.APBILLITEM.${index}.TRX_AMOUNT is required`);
    return item;
  });
  if (items.length === 0) problems.push('APBILLITEMS.APBILLITEM needs at least one line');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, bill: { header, items } };
}

/** `create` `APBILL` with its lines under `APBILLITEMS/APBILLITEM`. */
export function createApBillFunction(controlId: string, bill: ApBillPayload): IntacctFunction {
  return {
    controlId,
    body: {
      create: {
        APBILL: { ...ordered(bill.header, AP_BILL_HEADER_ORDER), APBILLITEMS: { APBILLITEM: bill.items.map((item) => ordered(item, AP_BILL_ITEM_ORDER)) } },
      },
    },
  };
}

/** What the bill loader needs: the shared gateway, the tenant's error-code table, a logger. */
export interface BillLoaderOptions {
  gateway: IntacctGateway;
  errorCodes: IntacctErrorCodes;
  logger: Logger;
}

/**
 * Subcontractor invoices as AP bills: `create APBILL`, one request per requisition, with the function controlid
 * from the ledger's idempotency key and `uniqueid=true` (Intacct refuses to run an attempt twice). After a lost
 * answer, a resend Intacct refuses, or a refusal a resend can meet (the bill number already used), the bill is
 * looked up by this requisition's natural key: vendor + bill number, then its total and date compared here.
 */
export function createBillLoader(options: BillLoaderOptions): Loader<Record<string, unknown>, Requisition> {
  const { gateway, errorCodes, logger } = options;

  /** The RECORDNO of the bill that is this requisition, or null. Never writes. */
  async function lookUp(bill: ApBillPayload, totalCents: number): Promise<string | null> {
    const page = await runQuery(
      gateway,
      {
        object: 'APBILL',
        select: ['RECORDNO', 'RECORDID', 'VENDORID', 'TRX_TOTALENTERED', 'WHENCREATED'],
        filter: {
          op: 'and',
          filters: [
            { op: 'equalto', field: 'VENDORID', value: bill.header.VENDORID ?? '' },
            { op: 'equalto', field: 'RECORDID', value: bill.header.RECORDID ?? '' },
          ],
        },
        orderBy: [{ field: 'RECORDNO' }],
        pageSize: 10,
      },
      'looking the bill up by vendor and bill number',
    );
    const match = page.records.find(
      (row) =>
        isRecordNo(row.RECORDNO) &&
        row.VENDORID === bill.header.VENDORID &&
        row.RECORDID === bill.header.RECORDID &&
        centsOrUndefined(row.TRX_TOTALENTERED) === totalCents &&
        row.WHENCREATED === bill.header.WHENCREATED,
    );
    return match?.RECORDNO ?? null;
  }

  async function loadOne(item: BillItem): Promise<Outcome> {
    const read = readApBillPayload(item.payload);
    if (!read.ok) {
      return Outcomes.rejected(
        `requisition ${item.record.id} cannot be sent to Intacct: ${read.problems.join('; ')}; fix the mapping or the record and export again`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    const { bill } = read;
    const controlId = controlIdFor(item.idempotencyKey);
    const reply = await createOnce(gateway, createApBillFunction(controlId, bill), errorCodes, 'creating the bill');
    if (reply.kind === 'outcome') return reply.outcome;
    try {
      if (reply.kind === 'created') {
        if (isRecordNo(reply.recordNo)) return Outcomes.synced(reply.recordNo);
        const found = await lookUp(bill, item.record.totalCents);
        return found === null
          ? Outcomes.serverError('Intacct created the bill but its answer named no well-formed RECORDNO; it is looked up before any retry', { committed: 'unknown' })
          : Outcomes.synced(found, { replayed: true });
      }
      if (reply.kind === 'refused' && (reply.classified.kind === 'unknownVendor' || reply.classified.kind === 'unknownAccount')) {
        // Nothing can have been posted with a vendor or account Intacct does not have.
        return refusal(reply.classified, reply.errors, bill, item);
      }
      const found = await lookUp(bill, item.record.totalCents);
      if (found !== null) {
        logger.info({ item: item.id }, 'Intacct already holds this requisition as a bill; settled as a replay');
        return Outcomes.synced(found, { replayed: true });
      }
      if (reply.kind === 'already-completed') {
        return Outcomes.rejected(
          `Intacct says this export (function controlid ${controlId}) already completed, but holds no bill ${bill.header.RECORDID ?? ''} for vendor ` +
            `${bill.header.VENDORID ?? ''} with this total and date: it may have been deleted or changed since. Check the bill in Intacct; edit the record and export it again to send it as a new request`,
          erpAnswerOf(reply.errors, reply.classified.primary),
        );
      }
      return refusal(reply.classified, reply.errors, bill, item);
    } catch (error) {
      return lookupFailed(error);
    }
  }

  return {
    async load(batch, _context: LoadContext) {
      const outcomes: Outcome[] = [];
      for (const item of batch) outcomes.push(await loadOne(item));
      return outcomes;
    },
    async find(item, _context: LoadContext) {
      const read = readApBillPayload(item.payload);
      if (!read.ok) {
        throw new LedgerlinkError(ErrorCodes.MAPPING_FAILED, `requisition ${item.record.id} cannot be looked up in Intacct: ${read.problems.join('; ')}`);
      }
      const found = await lookUp(read.bill, item.record.totalCents);
      return found === null ? null : Outcomes.synced(found, { replayed: true });
    },
  };
}

function refusal(classified: ClassifiedError, errors: IntacctError[], bill: ApBillPayload, item: BillItem): Outcome {
  const erp = erpAnswerOf(errors, classified.primary);
  const { VENDORID = '', RECORDID = '' } = bill.header;
  switch (classified.kind) {
    case 'unknownVendor':
      return Outcomes.rejected(`Intacct has no active vendor ${VENDORID}: export or link the subcontractor's vendor first, then export the invoice again. Intacct said: ${erp.message}`, erp);
    case 'unknownAccount': {
      const accounts = [...new Set(bill.items.map((line) => line.ACCOUNTNO).filter((a) => a !== undefined))].join(', ');
      return Outcomes.rejected(
        `Intacct cannot post requisition ${item.record.id} to GL account ${accounts}: check the cost codes' origin ids (or the glAccounts lookup) against Intacct's chart of accounts. Intacct said: ${erp.message}`,
        erp,
      );
    }
    case 'duplicateBillNumber':
      return Outcomes.rejected(
        `Intacct already has bill number ${RECORDID} for vendor ${VENDORID}, with another total or date: check that bill in Intacct; a different invoice needs a different number. Intacct said: ${erp.message}`,
        erp,
      );
    default:
      return Outcomes.rejected(`Intacct refused the bill of requisition ${item.record.id}: ${erp.message}`, erp);
  }
}

function centsOrUndefined(amount: string | undefined): number | undefined {
  if (amount === undefined) return undefined;
  try {
    return parseCents(amount);
  } catch {
    return undefined;
  }
}
