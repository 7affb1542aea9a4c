import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The sandbox's own XML reading and writing (it shares nothing with the client). Check documents are read with
 * entity processing off: the five standard entities and character references are resolved here, and a DOCTYPE
 * is refused, as Yardi's interface refuses a document it cannot read. Result documents are written with
 * XMLBuilder, which escapes every value.
 */

export type Tree = string | { [key: string]: Tree | Tree[] };

const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function resolveEntities(value: string): string {
  return value.replace(ENTITY, (whole, body: string) => {
    const named = NAMED[body];
    if (named !== undefined) return named;
    const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const reader = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: 'attr:',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_tag, value) => resolveEntities(value),
  attributeValueProcessor: (_attr, value) => resolveEntities(value),
});

export type ReadResult = { ok: true; tree: Record<string, Tree> } | { ok: false; reason: string };

/** Reads a document passed as a string parameter. */
export function readDocument(text: string): ReadResult {
  if (text.trim() === '') return { ok: false, reason: 'The document is empty.' };
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, reason: 'DTD is prohibited in this XML document.' };
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) return { ok: false, reason: `${verdict.err.msg} Line ${verdict.err.line}, position ${verdict.err.col}.` };
  return { ok: true, tree: reader.parse(text) as Record<string, Tree> };
}

/** The elements named `name` under `node`, whether one or many. */
export function elements(node: Tree | Tree[] | undefined, name: string): Tree[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function element(node: Tree | Tree[] | undefined, name: string): Tree | undefined {
  return elements(node, name)[0];
}

/** An element's text; '' for an empty element, undefined for a missing one. */
export function leaf(node: Tree | undefined, name: string): string | undefined {
  const found = element(node, name);
  if (found === undefined) return undefined;
  if (typeof found === 'string') return found;
  const text = found['#text'];
  return typeof text === 'string' ? text : '';
}

const writer = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: 'attr:', suppressEmptyNode: true, suppressBooleanAttributes: false, processEntities: true });

/** Writes a result document fragment (no declaration: it goes inside the SOAP answer). */
export function writeFragment(tree: Record<string, unknown>): string {
  return writer.build(tree) as string;
}
