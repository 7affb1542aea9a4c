import { assertXmlSafe, decodeXmlText, XmlValueError } from '@ledgerlink/core';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export { decodeXmlText, XmlValueError };

/**
 * The client's XML layer, for the SOAP envelope and for the check document inside it. Documents are built with
 * fast-xml-parser's XMLBuilder, which escapes every value; answers are parsed with entity processing off and
 * decoded here (the five standard entities and character references only). A DOCTYPE is refused outright, so
 * no entity can be declared, let alone an external one.
 */

/** A parsed element: text, or an object of children (`@_` attributes, `#text`). */
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
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  tagValueProcessor: (_name, value) => decodeXmlText(value),
  attributeValueProcessor: (_name, value) => decodeXmlText(value),
});

/** Builds an XML document from a tree whose key order is the element order; every value is escaped. */
export function buildXml(tree: Record<string, unknown>, declaration = true): string {
  assertXmlSafe(tree, '');
  const body = builder.build(tree) as string;
  return declaration ? `<?xml version="1.0" encoding="utf-8"?>${body}` : body;
}

/** Thrown when an answer is not well-formed XML, or declares a DOCTYPE. */
export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

/** Parses an answer; namespace prefixes are dropped (`soap:Body` is `Body`). */
export function parseXml(text: string): XmlObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlParseError('the answer declares a DOCTYPE or an entity, which a SOAP answer never does');
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) throw new XmlParseError(`the answer is not well-formed XML: ${verdict.err.msg} (line ${verdict.err.line})`);
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    // The validator passed it, but the parser may still refuse it (nesting deeper than it takes, a bad entity).
    if (error instanceof XmlValueError) throw error;
    throw new XmlParseError(`the answer cannot be read as XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new XmlParseError('the answer has no root element');
  return parsed as XmlObject;
}

/** The children named `name`, whether one or many. */
export function children(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first child named `name`. */
export function child(node: XmlNode | XmlNode[] | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

/** An element's text (text and CDATA), or undefined when it has none; an empty element is ''. */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const parts: string[] = [];
  for (const key of ['#text', '#cdata']) {
    const value = node[key];
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) parts.push(...value.filter((item): item is string => typeof item === 'string'));
  }
  return parts.length === 0 && Object.keys(node).some((key) => !key.startsWith('@_')) ? undefined : parts.join('');
}

/** The text of the first child named `name`. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  return textOf(child(node, name));
}

/** An attribute's value. */
export function attribute(node: XmlNode | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}
