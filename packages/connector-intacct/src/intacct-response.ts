import { attribute, child, childText, children, parseXmlDocument, type XmlNode, XmlParseError } from './intacct-xml.js';

/**
 * Reads the gateway's answer: `<response><control><status>` → `<operation><authentication><status>` →
 * `<result>` per function. Errors sit where they happened: under `response` for the control block (bad XML,
 * sender not authorised, gateway throttle), under `operation` for the sign-in, inside a `result` for a function.
 */

/** One `<error>`, every part verbatim. */
export interface IntacctError {
  errorno?: string;
  description?: string;
  description2?: string;
  correction?: string;
}

export interface IntacctResultData {
  listType?: string;
  count?: number;
  totalCount?: number;
  numRemaining?: number;
  resultId?: string;
  /** The record elements inside `<data>` (`<appymt>`, `<api>`...). */
  records: XmlNode[];
}

export interface IntacctResult {
  status: string;
  functionName: string;
  controlId: string;
  errors: IntacctError[];
  data?: IntacctResultData;
}

export type IntacctResponse =
  | { kind: 'control-failure'; errors: IntacctError[] }
  | { kind: 'authentication-failure'; errors: IntacctError[] }
  | { kind: 'operation'; results: IntacctResult[] };

function errorsOf(errorMessage: XmlNode | undefined): IntacctError[] {
  return children(errorMessage, 'error').map((node) => {
    const error: IntacctError = {};
    for (const part of ['errorno', 'description', 'description2', 'correction'] as const) {
      const value = childText(node, part);
      if (value !== undefined && value.trim() !== '') error[part] = value;
    }
    return error;
  });
}

function numberAttribute(node: XmlNode | undefined, name: string): number | undefined {
  const value = attribute(node, name);
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function dataOf(node: XmlNode | undefined): IntacctResultData | undefined {
  if (node === undefined) return undefined;
  const records: XmlNode[] = [];
  if (typeof node !== 'string') {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@_') || key === '#text' || key === '#cdata') continue;
      if (Array.isArray(value)) records.push(...value);
      else records.push(value);
    }
  }
  const data: IntacctResultData = { records };
  const listType = attribute(node, 'listtype');
  if (listType !== undefined) data.listType = listType;
  const count = numberAttribute(node, 'count');
  if (count !== undefined) data.count = count;
  const totalCount = numberAttribute(node, 'totalcount');
  if (totalCount !== undefined) data.totalCount = totalCount;
  const numRemaining = numberAttribute(node, 'numremaining');
  if (numRemaining !== undefined) data.numRemaining = numRemaining;
  const resultId = attribute(node, 'resultId');
  if (resultId !== undefined && resultId !== '') data.resultId = resultId;
  return data;
}

/** Parses an answer body. Throws XmlParseError when it is not the gateway's response document. */
export function parseResponse(body: string): IntacctResponse {
  const document = parseXmlDocument(body);
  const response = child(document, 'response');
  if (response === undefined || typeof response === 'string') throw new XmlParseError('the answer has no <response> element');
  const control = child(response, 'control');
  if (control === undefined) throw new XmlParseError('the answer has no <control> block');
  if (childText(control, 'status') !== 'success') return { kind: 'control-failure', errors: errorsOf(child(response, 'errormessage')) };

  const operation = child(response, 'operation');
  if (operation === undefined) throw new XmlParseError('the answer has no <operation> block');
  const authentication = child(operation, 'authentication');
  if (childText(authentication, 'status') !== 'success') {
    return { kind: 'authentication-failure', errors: errorsOf(child(operation, 'errormessage')) };
  }
  const results = children(operation, 'result').map((node): IntacctResult => {
    const result: IntacctResult = {
      status: childText(node, 'status') ?? '',
      functionName: childText(node, 'function') ?? '',
      controlId: childText(node, 'controlid') ?? '',
      errors: errorsOf(child(node, 'errormessage')),
    };
    const data = dataOf(child(node, 'data'));
    if (data !== undefined) result.data = data;
    return result;
  });
  return { kind: 'operation', results };
}
