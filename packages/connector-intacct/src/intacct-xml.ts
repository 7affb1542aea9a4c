import { assertXmlSafe, decodeXmlText, XmlValueError } from '@ledgerlink/core';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export { decodeXmlText, XmlValueError };

/**
 * The client's XML layer. Requests are built with fast-xml-parser's XMLBuilder, which escapes every value;
 * answers are parsed with entity processing off and decoded here: only the five standard entities and
 * numeric character references, so a DOCTYPE can never define an entity and nothing expands beyond the text.
 */

/** A parsed element: text, or an object of children (`@_` attributes, `#text`, `#cdata`). */
export type XmlNode = string | XmlObject;
export interface XmlObject {
  [name: string]: XmlNode | XmlNode[];
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  processEntities: true,
  format: false,
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  tagValueProcessor: (_name, value) => decodeXmlText(value),
  attributeValueProcessor: (_name, value) => decodeXmlText(value),
});

/** Builds an XML document from a tree whose key order is the element order. Values are escaped. */
export function buildXmlDocument(tree: Record<string, unknown>): string {
  assertXmlSafe(tree, '');
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build(tree) as string}`;
}

/** Thrown when an answer is not well-formed XML (or carries a DOCTYPE). */
export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

/** Parses an answer. Refuses malformed XML and any DOCTYPE (Intacct never sends one). */
export function parseXmlDocument(text: string): XmlObject {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlParseError('the answer declares a DOCTYPE or entity');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlParseError(`the answer is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parsed: unknown = parser.parse(text);
  if (typeof parsed !== 'object' || parsed === null) throw new XmlParseError('the answer has no root element');
  return parsed as XmlObject;
}

/** The children named `name` (case-insensitive: Intacct writes list elements in either case). */
export function children(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const wanted = name.toLowerCase();
  const found: XmlNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase() !== wanted) continue;
    if (Array.isArray(value)) found.push(...value);
    else found.push(value);
  }
  return found;
}

/** The first child named `name`, if any. */
export function child(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** The text of an element: its text and CDATA, or undefined when it has none. */
export function text(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const plain = node['#text'];
  const cdata = node['#cdata'];
  if (plain === undefined && cdata === undefined) return undefined;
  const join = (value: XmlNode | XmlNode[] | undefined): string =>
    value === undefined ? '' : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : '')).join('') : typeof value === 'string' ? value : '';
  return join(plain) + join(cdata);
}

/** The text of the first child named `name`. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  return text(child(node, name));
}

/** An attribute's value. */
export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A record element (`<appymt>…</appymt>`) as a flat object of its leaf fields, text kept exactly (no trimming):
 * Intacct returns every field as text, and an empty element means "no value", so it is left out.
 */
export function recordFields(node: XmlNode): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof node === 'string') return fields;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@_') || key === '#text' || key === '#cdata' || Array.isArray(value)) continue;
    const content = typeof value === 'string' ? value : text(value);
    if (content !== undefined && content !== '') fields[key] = content;
  }
  return fields;
}
