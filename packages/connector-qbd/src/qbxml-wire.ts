import { ErrorCodes, LedgerlinkError } from '@ledgerlink/core';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The qbXML versions this connector writes. Every element it uses exists in 12.0 (`ExternalGUID` on
 * BillPaymentCheckAdd since 9.0, per Intuit's qbxmlops120 sample); a QuickBooks that speaks 13.0 or later gets
 * 13.0, QuickBooks 2013 (12.0) gets 12.0, anything older is refused.
 */
export const QBXML_VERSION = '13.0';
export const QBXML_MIN_MAJOR = 12;

/** The version to declare for a QuickBooks that speaks qbXML `major` (as the Web Connector reports it). */
export function qbxmlVersionFor(major: number): string {
  return Number.isFinite(major) && major > 0 && major < 13 ? `${Math.max(major, QBXML_MIN_MAJOR)}.0` : QBXML_VERSION;
}

/** One request inside a message: its element name (`BillPaymentCheckAddRq`), attributes and ordered content. */
export interface QbxmlRequest {
  name: string;
  requestId: string;
  /** Extra attributes of the Rq element (`iterator`, `iteratorID`). */
  attributes?: Record<string, string>;
  /** Child elements, in schema order (a JS object keeps insertion order, and the builders insert in order). */
  content: Record<string, unknown>;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

/**
 * One qbXML request message. Every value is escaped by the XML builder. `continueOnError`: each request of
 * the message stands alone, so one refused payment does not stop the others (3231 would follow otherwise).
 */
export function buildRequestMessage(requests: QbxmlRequest[], version: string = QBXML_VERSION): string {
  const rqs: Record<string, unknown[]> = {};
  for (const request of requests) {
    const attributes = Object.fromEntries(Object.entries({ requestID: request.requestId, ...request.attributes }).map(([k, v]) => [`@_${k}`, v]));
    (rqs[request.name] ??= []).push({ ...attributes, ...request.content });
  }
  // Requests of one kind are grouped; the order of answers is matched by requestID, never by position.
  const body = builder.build({ QBXML: { QBXMLMsgsRq: { '@_onError': 'continueOnError', ...rqs } } }) as string;
  return `<?xml version="1.0" encoding="utf-8"?><?qbxml version="${version}"?>${body}`;
}

/** One `…Rs` of a response message: its status attributes and its `…Ret` records. */
export interface QbxmlResponse {
  name: string;
  requestId?: string;
  statusCode: string;
  statusSeverity: string;
  statusMessage: string;
  iteratorId?: string;
  iteratorRemainingCount?: number;
  /** The `…Ret` records, strings throughout (never numbers: amounts are read digit by digit later). */
  rets: Record<string, unknown>[];
}

/** Elements that repeat in the answers this connector reads: always arrays, even with one item. */
const REPEATED = new Set(['BillPaymentCheckRet', 'AppliedToTxnRet', 'CompanyRet', 'DataExtRet', 'BillRet', 'VendorRet', 'ExpenseLineRet', 'ItemLineRet', 'LinkedTxn']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '$',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => REPEATED.has(name),
});

/**
 * Reads a qbXML response message into its `…Rs` parts. Throws a LedgerlinkError (`LL_ERP_PROTOCOL`) when the
 * text is not a qbXML response, so the caller can report the whole message as unreadable; anything else in
 * it that is not the shape of an `…Rs` is read as an `…Rs` without status (which no caller takes as success).
 */
export function parseResponseMessage(xml: string): QbxmlResponse[] {
  let document: unknown;
  try {
    document = parser.parse(xml) as unknown;
  } catch (error) {
    throw unreadable(`not well-formed XML (${error instanceof Error ? error.message : String(error)})`, error);
  }
  const messages = objectAt(objectAt(document, 'QBXML'), 'QBXMLMsgsRs');
  if (messages === undefined) throw unreadable('no QBXML/QBXMLMsgsRs element');
  const out: QbxmlResponse[] = [];
  for (const [name, value] of Object.entries(messages)) {
    if (!name.endsWith('Rs')) continue;
    for (const rs of Array.isArray(value) ? (value as unknown[]) : [value]) out.push(readRs(name, asRecord(rs)));
  }
  return out;
}

function unreadable(why: string, cause?: unknown): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `the Web Connector handed back an answer that is not a qbXML response: ${why}`, {
    disposition: 'retryable',
    ...(cause === undefined ? {} : { cause }),
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  const inner = asRecord(value)[key];
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
}

function readRs(name: string, rs: Record<string, unknown>): QbxmlResponse {
  const attributes = Object.fromEntries(Object.entries(asRecord(rs.$)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const retName = Object.keys(rs).find((key) => key.endsWith('Ret'));
  const found = retName === undefined ? [] : rs[retName];
  const rets = (Array.isArray(found) ? (found as unknown[]) : [found]).filter((ret) => ret !== null && typeof ret === 'object' && !Array.isArray(ret)) as Record<string, unknown>[];
  const remaining = attributes.iteratorRemainingCount;
  return {
    name,
    ...(attributes.requestID === undefined ? {} : { requestId: attributes.requestID }),
    statusCode: attributes.statusCode ?? '',
    statusSeverity: attributes.statusSeverity ?? '',
    statusMessage: attributes.statusMessage ?? '',
    ...(attributes.iteratorID === undefined ? {} : { iteratorId: attributes.iteratorID }),
    ...(remaining === undefined || !/^\d{1,9}$/.test(remaining) ? {} : { iteratorRemainingCount: Number(remaining) }),
    rets: rets.map(stripAttributes),
  };
}

/** Ret records carry no attributes this connector needs; drop the parser's attribute group. */
function stripAttributes(value: Record<string, unknown>): Record<string, unknown> {
  const { $: _attributes, ...rest } = value;
  return rest;
}

/** Reads a text field of a Ret, or undefined. */
export function text(record: Record<string, unknown> | undefined, ...path: string[]): string | undefined {
  let current: unknown = record;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

/** A TxnID QuickBooks could have written: not blank, no whitespace around it. A blank id never settles a payment. */
export function usableTxnId(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' && value.trim() === value ? value : undefined;
}
