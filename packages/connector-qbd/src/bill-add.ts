import { ErrorCodes, Outcomes, type Requisition } from '@ledgerlink/core';
import type { AddSpec } from './lookup-add-loader.js';
import { PayloadError, refOf } from './bill-payment-check-add.js';
import { text } from './qbxml-wire.js';

/** `BillAdd` in the schema's element order (qbxmlops120/130); `VendorAddress` (v13.0) is not written. */
const ADD_ORDER = ['VendorRef', 'APAccountRef', 'TxnDate', 'DueDate', 'RefNumber', 'TermsRef', 'Memo', 'ExchangeRate', 'ExternalGUID', 'ExpenseLineAdd', 'ItemLineAdd'] as const;
const EXPENSE_ORDER = ['AccountRef', 'Amount', 'Memo', 'CustomerRef', 'ClassRef', 'BillableStatus'] as const;
const ITEM_ORDER = ['ItemRef', 'Desc', 'Quantity', 'UnitOfMeasure', 'Cost', 'Amount', 'CustomerRef', 'ClassRef', 'BillableStatus', 'OverrideItemAccountRef'] as const;
const REF_ORDER = ['ListID', 'FullName'] as const;
const REFS = new Set(['VendorRef', 'APAccountRef', 'TermsRef', 'AccountRef', 'CustomerRef', 'ClassRef', 'ItemRef', 'OverrideItemAccountRef']);

/** The bill's number (RefNumber) is at most 20 characters in QuickBooks Desktop. */
export const BILL_REF_NUMBER_MAX = 20;
/** Memo (bill), Memo (expense line) and Desc (item line) hold at most 4095 characters. */
export const BILL_TEXT_MAX = 4095;

function ordered(source: Record<string, unknown>, order: readonly string[], where: string): Record<string, unknown> {
  const unknown = Object.keys(source).filter((key) => !order.includes(key) && source[key] !== undefined);
  if (unknown.length > 0) throw new PayloadError(`${where} has no element ${unknown.map((key) => `"${key}"`).join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const key of order) {
    const value = source[key];
    if (value === undefined || value === null) continue;
    out[key] = REFS.has(key) ? ordered(asObject(value, `${where}/${key}`), REF_ORDER, `${where}/${key}`) : value;
  }
  return out;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PayloadError(`${where} must be an element with children`);
  return value as Record<string, unknown>;
}

function lines(value: unknown, order: readonly string[], where: string): Record<string, unknown>[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.map((line, index) => ordered(asObject(line, `${where}[${index}]`), order, `BillAdd/${where}[${index}]`));
}

/**
 * The add's content from the mapped requisition plus the ExternalGUID, in schema order. QuickBooks refuses a
 * message with an element out of order, so the mapping's order does not matter; an element BillAdd does not have
 * is a mapping mistake (`PayloadError`).
 */
export function billAdd(payload: Record<string, unknown>, externalGuid: string): Record<string, unknown> {
  const { ExpenseLineAdd, ItemLineAdd, ...head } = payload;
  const expense = lines(ExpenseLineAdd, EXPENSE_ORDER, 'ExpenseLineAdd');
  const items = lines(ItemLineAdd, ITEM_ORDER, 'ItemLineAdd');
  if ((expense?.length ?? 0) + (items?.length ?? 0) === 0) throw new PayloadError('BillAdd needs at least one ExpenseLineAdd or ItemLineAdd (the requisition\'s lines)');
  if (refOf(head, 'VendorRef') === undefined) throw new PayloadError('BillAdd needs VendorRef (ListID or FullName)');
  const content = ordered({ ...head, ExternalGUID: externalGuid }, ADD_ORDER, 'BillAdd');
  if (expense !== undefined) content.ExpenseLineAdd = expense;
  if (items !== undefined) content.ItemLineAdd = items;
  return content;
}

/** A text of the payload longer than QuickBooks keeps, as the hub field to fix; else undefined. */
function tooLong(payload: Record<string, unknown>): string | undefined {
  const refNumber = payload.RefNumber;
  if (typeof refNumber === 'string' && refNumber.length > BILL_REF_NUMBER_MAX) {
    return `the invoice number "${refNumber}" is longer than the ${BILL_REF_NUMBER_MAX} characters QuickBooks Desktop keeps in a bill's Ref. No. (RefNumber)`;
  }
  if (typeof payload.Memo === 'string' && payload.Memo.length > BILL_TEXT_MAX) return `the notes are ${payload.Memo.length} characters; a bill's Memo holds ${BILL_TEXT_MAX}`;
  for (const [element, field] of [['ItemLineAdd', 'Desc'], ['ExpenseLineAdd', 'Memo']] as const) {
    const list = payload[element];
    for (const [index, line] of (Array.isArray(list) ? (list as unknown[]) : []).entries()) {
      const value = line !== null && typeof line === 'object' ? (line as Record<string, unknown>)[field] : undefined;
      if (typeof value === 'string' && value.length > BILL_TEXT_MAX) return `line ${index + 1}'s description is ${value.length} characters; QuickBooks keeps ${BILL_TEXT_MAX}`;
    }
  }
  return undefined;
}

/**
 * Requisitions as QuickBooks bills: `BillAddRq`, looked up first with `BillQueryRq` by the bill number (RefNumber),
 * our ExternalGUID telling an earlier add of this requisition from another bill. QuickBooks takes a vendor's bill
 * number twice (its "duplicate bill number" is a warning of the user interface only); ledgerlink does not: a bill of
 * the same vendor with the same number that is not this requisition refuses the export.
 */
export const requisitionBills: AddSpec<Requisition> = {
  entity: 'requisition',
  label: 'bill',
  idElement: 'TxnID',
  addRequest: 'BillAddRq',
  addElement: 'BillAdd',
  hint: 'Sync the vendor to QuickBooks (and the cost code items / job the lines name), then export again.',
  content(item, externalGuid) {
    const problem = tooLong(item.payload);
    if (problem !== undefined) return { outcome: Outcomes.rejected(`${problem}; shorten it in the hub and export again.`) };
    try {
      return { content: billAdd(item.payload, externalGuid) };
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      return { outcome: Outcomes.rejected(`the mapped requisition is not a valid BillAdd: ${error.message}; fix the mapping override`, undefined, ErrorCodes.MAPPING_FAILED) };
    }
  },
  lookup(item) {
    const refNumber = typeof item.payload.RefNumber === 'string' ? item.payload.RefNumber : '';
    // RefNumber and EntityFilter exclude each other in BillQueryRq: the vendor is compared on the answers.
    return { name: 'BillQueryRq', requestId: '', content: { RefNumber: refNumber } };
  },
  clash(rets, item) {
    const vendor = refOf(item.payload, 'VendorRef');
    if (vendor === undefined) return null;
    const refNumber = String(item.payload.RefNumber ?? '');
    const same = rets.find((ret) => text(ret, 'VendorRef', vendor.by) === vendor.value && (text(ret, 'RefNumber') ?? '').toLowerCase() === refNumber.toLowerCase());
    if (same === undefined) return null;
    const txnId = text(same, 'TxnID') ?? '?';
    return Outcomes.rejected(
      `the vendor already has bill ${refNumber} in QuickBooks (bill ${txnId} of ${text(same, 'TxnDate') ?? '?'} for ${text(same, 'AmountDue') ?? '?'}), and it is not this requisition. ` +
        'QuickBooks would take the number twice; ledgerlink does not. Give the invoice its own number, or link the requisition to that bill.',
      {
        message: `Bill ${txnId} already has RefNumber "${refNumber}" for vendor ${vendor.value}`,
        detail: `TxnID=${txnId}; TxnDate=${text(same, 'TxnDate') ?? ''}; AmountDue=${text(same, 'AmountDue') ?? ''}`,
      },
    );
  },
};
