import { createHash } from 'node:crypto';
import { buildXmlDocument } from './intacct-xml.js';

/**
 * The request document of Intacct's XML gateway (DTD 3.0), written in the element order the official SDK writes
 * (`RequestBlock`, `ControlBlock`, `OperationBlock`): a test compares it with the SDK's own output.
 */

/** One `<function>`: its control id and its body (`{ create: { APPYMT: … } }`), keys in element order. */
export interface IntacctFunction {
  controlId: string;
  body: Record<string, unknown>;
}

export type IntacctAuthentication =
  | { sessionId: string }
  | { login: { userId: string; companyId: string; password: string; locationId?: string } };

export interface IntacctRequest {
  senderId: string;
  senderPassword: string;
  /** Request control id. With `uniqueId`, Intacct refuses a second request with the same one. */
  controlId: string;
  uniqueId: boolean;
  /** All-or-nothing across the functions. */
  transaction: boolean;
  authentication: IntacctAuthentication;
  functions: IntacctFunction[];
}

const MAX_CONTROL_ID = 256;

/**
 * A control id derived from the ledger's idempotency key, so a retry of the same attempt carries the same id
 * (and Intacct refuses to run it twice) while an edited record gets a new one. Intacct allows 1-256 characters;
 * a longer key is hashed.
 */
export function controlIdFor(idempotencyKey: string): string {
  const plain = `ledgerlink-${idempotencyKey}`;
  if (plain.length <= MAX_CONTROL_ID) return plain;
  return `ledgerlink-sha256-${createHash('sha256').update(idempotencyKey).digest('hex')}`;
}

function authenticationElement(authentication: IntacctAuthentication): Record<string, unknown> {
  if ('sessionId' in authentication) return { sessionid: authentication.sessionId };
  const { userId, companyId, password, locationId } = authentication.login;
  return {
    login: { userid: userId, companyid: companyId, password, ...(locationId === undefined ? {} : { locationid: locationId }) },
  };
}

/** Writes the whole request document. */
export function buildRequest(request: IntacctRequest): string {
  for (const id of [request.controlId, ...request.functions.map((f) => f.controlId)]) {
    if (id.length < 1 || id.length > MAX_CONTROL_ID) throw new RangeError(`control id must be 1-${MAX_CONTROL_ID} characters`);
  }
  return buildXmlDocument({
    request: {
      control: {
        senderid: request.senderId,
        password: request.senderPassword,
        controlid: request.controlId,
        uniqueid: request.uniqueId ? 'true' : 'false',
        dtdversion: '3.0',
        includewhitespace: 'false',
      },
      operation: {
        '@_transaction': request.transaction ? 'true' : 'false',
        authentication: authenticationElement(request.authentication),
        content: {
          function: request.functions.map((fn) => ({ '@_controlid': fn.controlId, ...fn.body })),
        },
      },
    },
  });
}

/** `getAPISession`: a session for the signed-in user, optionally in another entity. */
export function getApiSessionFunction(controlId: string, locationId?: string): IntacctFunction {
  return { controlId, body: { getAPISession: locationId === undefined ? '' : { locationid: locationId } } };
}

/** A filter of the new `query` function: `<equalto><field/><value/></equalto>`, `<and>…</and>`, … */
export type QueryFilter =
  | { op: 'equalto' | 'notequalto' | 'greaterthan' | 'greaterthanorequalto' | 'lessthan' | 'lessthanorequalto' | 'like'; field: string; value: string }
  | { op: 'in' | 'notin'; field: string; values: string[] }
  | { op: 'isnull' | 'isnotnull'; field: string }
  | { op: 'and' | 'or'; filters: QueryFilter[] };

/** Writes one filter as `{ element: content }`. */
function filterElement(filter: QueryFilter): Record<string, unknown> {
  switch (filter.op) {
    case 'and':
    case 'or': {
      // An object cannot hold two keys of one name, so same-operator children become one repeated element;
      // `and`/`or` do not depend on the order of their operands.
      const grouped: Record<string, unknown[]> = {};
      for (const inner of filter.filters) {
        const [name, content] = Object.entries(filterElement(inner))[0] as [string, unknown];
        (grouped[name] ??= []).push(content);
      }
      return { [filter.op]: grouped };
    }
    case 'in':
    case 'notin':
      return { [filter.op]: { field: filter.field, value: filter.values } };
    case 'isnull':
    case 'isnotnull':
      return { [filter.op]: { field: filter.field } };
    default:
      return { [filter.op]: { field: filter.field, value: filter.value } };
  }
}

export interface QueryOptions {
  object: string;
  select: string[];
  filter?: QueryFilter;
  orderBy?: { field: string; descending?: boolean }[];
  pageSize?: number;
  offset?: number;
}

/** The new `query` function, in the SDK's element order (`select`, `object`, `filter`, `orderby`, `options`, `pagesize`, `offset`). */
export function queryFunction(controlId: string, options: QueryOptions): IntacctFunction {
  const query: Record<string, unknown> = {
    select: { field: options.select },
    object: options.object,
  };
  if (options.filter !== undefined) query.filter = filterElement(options.filter);
  if (options.orderBy !== undefined && options.orderBy.length > 0) {
    query.orderby = {
      order: options.orderBy.map((order) => ({ field: order.field, ...(order.descending ? { descending: '' } : { ascending: '' }) })),
    };
  }
  query.options = { caseinsensitive: 'false', showprivate: 'false' };
  if (options.pageSize !== undefined) query.pagesize = String(options.pageSize);
  if (options.offset !== undefined) query.offset = String(options.offset);
  return { controlId, body: { query } };
}

/** Header fields of `create APPYMT`, in the order the SDK's `ApPaymentCreate` writes them. */
export const AP_PAYMENT_HEADER_ORDER = [
  'PAYMENTMETHOD',
  'FINANCIALENTITY',
  'VENDORID',
  'PAYMENTREQUESTMETHOD',
  'GROUPPAYMENTS',
  'EXCH_RATE_DATE',
  'EXCH_RATE_TYPE_ID',
  'DOCNUMBER',
  'DESCRIPTION',
  'PAYMENTCONTACT',
  'PAYMENTDATE',
  'CURRENCY',
  'BASECURR',
  'AMOUNTTOPAY',
  'ACTION',
] as const;

/** Detail fields of a bill application, in the order the SDK's `ApPaymentDetailBill` writes them. */
export const AP_PAYMENT_DETAIL_ORDER = ['RECORDKEY', 'ENTRYKEY', 'DISCOUNTDATE', 'DISCOUNTTOAPPLY', 'CREDITTOAPPLY', 'TRX_PAYMENTAMOUNT'] as const;

/** An AP payment as the mapping produced it: Intacct field names, text values, detail lines. */
export interface ApPaymentPayload {
  header: Record<string, string>;
  details: Record<string, string>[];
}

function ordered(fields: Record<string, string>, order: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of order) {
    const value = fields[name];
    if (value !== undefined) out[name] = value;
  }
  // Fields the SDK does not know (a customer's custom fields added by a mapping override) follow the known ones.
  for (const [name, value] of Object.entries(fields)) if (!order.includes(name)) out[name] = value;
  return out;
}

/** `create` `APPYMT` with one `APPYMTDETAIL` per bill. */
export function createApPaymentFunction(controlId: string, payment: ApPaymentPayload): IntacctFunction {
  const appymt: Record<string, unknown> = ordered(payment.header, AP_PAYMENT_HEADER_ORDER);
  if (payment.details.length > 0) {
    appymt.APPYMTDETAILS = { APPYMTDETAIL: payment.details.map((detail) => ordered(detail, AP_PAYMENT_DETAIL_ORDER)) };
  }
  return { controlId, body: { create: { APPYMT: appymt } } };
}
