import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The sandbox's own XML reading and writing (it shares nothing with the client). Requests are read with
 * entity processing off: the sandbox resolves `&amp; &lt; &gt; &quot; &apos;` and `&#NN;` itself and refuses a
 * DOCTYPE as Intacct's gateway would refuse anything it cannot parse. Answers are written pretty-printed, the
 * way Intacct's gateway writes them.
 */

export type Tree = string | { [key: string]: Tree | Tree[] };

const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function resolveEntities(value: string): string {
  return value.replace(ENTITY, (whole, body: string) => {
    switch (body) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
    }
  });
}

const reader = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: 'attr:',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  cdataPropName: 'cdata:',
  tagValueProcessor: (_tag, value) => resolveEntities(value),
  attributeValueProcessor: (_attr, value) => resolveEntities(value),
});

export type ReadResult = { ok: true; tree: Record<string, Tree> } | { ok: false; reason: string };

/** Reads a request body. */
export function readXml(body: string): ReadResult {
  if (body.trim() === '') return { ok: false, reason: 'The request body is empty.' };
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return { ok: false, reason: 'DOCTYPE declarations are not accepted.' };
  const verdict = XMLValidator.validate(body);
  if (verdict !== true) return { ok: false, reason: `${verdict.err.msg} (line ${verdict.err.line}, column ${verdict.err.col})` };
  return { ok: true, tree: reader.parse(body) as Record<string, Tree> };
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

/** An element's text content (text and CDATA); '' for an empty element, undefined for a missing one. */
export function textOf(node: Tree | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const parts: string[] = [];
  for (const key of ['#text', 'cdata:']) {
    const value = node[key];
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) parts.push(...value.filter((v): v is string => typeof v === 'string'));
  }
  return parts.join('');
}

export function leaf(node: Tree | undefined, name: string): string | undefined {
  return textOf(element(node, name));
}

export function attr(node: Tree | undefined, name: string): string | undefined {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`attr:${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** The child element names of a node, in document order of first appearance (attributes and text left out). */
export function childNames(node: Tree | undefined): string[] {
  if (node === undefined || typeof node === 'string') return [];
  return Object.keys(node).filter((key) => !key.startsWith('attr:') && key !== '#text' && key !== 'cdata:');
}

const writer = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: 'attr:',
  format: true,
  indentBy: '    ',
  suppressEmptyNode: false,
  processEntities: true,
});

/** Writes an answer document. */
export function writeXml(tree: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${writer.build(tree) as string}`;
}
