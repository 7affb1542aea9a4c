import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** The qbXML version every request message declares: 13.0 has `ExternalGUID` on BillPaymentCheckAdd. */
export const QBXML_VERSION = '13.0';

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
export function buildRequestMessage(requests: QbxmlRequest[]): string {
  const rqs: Record<string, unknown[]> = {};
  for (const request of requests) {
    const attributes = Object.fromEntries(Object.entries({ requestID: request.requestId, ...request.attributes }).map(([k, v]) => [`@_${k}`, v]));
    (rqs[request.name] ??= []).push({ ...attributes, ...request.content });
  }
  // Requests of one kind are grouped; the order of answers is matched by requestID, never by position.
  const body = builder.build({ QBXML: { QBXMLMsgsRq: { '@_onError': 'continueOnError', ...rqs } } }) as string;
  return `<?xml version="1.0" encoding="utf-8"?><?qbxml version="${QBXML_VERSION}"?>${body}`;
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
const REPEATED = new Set(['BillPaymentCheckRet', 'AppliedToTxnRet', 'CompanyRet', 'DataExtRet']);

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
 * Reads a qbXML response message into its `…Rs` parts. Throws when the text is not a qbXML response, so the
 * caller can report the whole message as unreadable.
 */
export function parseResponseMessage(xml: string): QbxmlResponse[] {
  const document = parser.parse(xml) as { QBXML?: { QBXMLMsgsRs?: Record<string, unknown> } };
  const messages = document.QBXML?.QBXMLMsgsRs;
  if (messages === undefined || typeof messages !== 'object') throw new Error('not a qbXML response (no QBXML/QBXMLMsgsRs)');
  const out: QbxmlResponse[] = [];
  for (const [name, value] of Object.entries(messages)) {
    if (!name.endsWith('Rs')) continue;
    for (const rs of Array.isArray(value) ? value : [value]) out.push(readRs(name, rs as Record<string, unknown>));
  }
  return out;
}

function readRs(name: string, rs: Record<string, unknown>): QbxmlResponse {
  const attributes = (rs.$ ?? {}) as Record<string, string>;
  const retName = Object.keys(rs).find((key) => key.endsWith('Ret'));
  const rets = retName === undefined ? [] : (rs[retName] as Record<string, unknown>[]);
  const remaining = attributes.iteratorRemainingCount;
  return {
    name,
    ...(attributes.requestID === undefined ? {} : { requestId: attributes.requestID }),
    statusCode: attributes.statusCode ?? '',
    statusSeverity: attributes.statusSeverity ?? '',
    statusMessage: attributes.statusMessage ?? '',
    ...(attributes.iteratorID === undefined ? {} : { iteratorId: attributes.iteratorID }),
    ...(remaining === undefined || !/^\d+$/.test(remaining) ? {} : { iteratorRemainingCount: Number(remaining) }),
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
