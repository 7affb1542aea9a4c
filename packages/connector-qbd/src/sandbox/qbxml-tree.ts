import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** An element of a qbXML request as QuickBooks reads it: order kept, because the schema enforces it. */
export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  ignorePiTags: false,
  trimValues: true,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNode(raw: Ordered): XmlNode | undefined {
  const name = Object.keys(raw).find((key) => key !== ':@');
  if (name === undefined || name === '#text') return undefined;
  const content = raw[name];
  const children: XmlNode[] = [];
  let text = '';
  if (Array.isArray(content)) {
    for (const item of content as Ordered[]) {
      if ('#text' in item) text += String(item['#text']);
      else {
        const child = toNode(item);
        if (child !== undefined) children.push(child);
      }
    }
  }
  return { name, attributes: { ...(raw[':@'] ?? {}) }, children, text };
}

/** Parses a qbXML document into its top-level nodes (processing instructions included, as `?qbxml`). */
export function parseQbxml(xml: string): XmlNode[] {
  const raw = parser.parse(xml) as Ordered[];
  return raw.map(toNode).filter((node): node is XmlNode => node !== undefined);
}

export function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((candidate) => candidate.name === name);
}

export function childText(node: XmlNode, ...path: string[]): string | undefined {
  let current: XmlNode | undefined = node;
  for (const name of path) current = current === undefined ? undefined : child(current, name);
  return current?.text;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, suppressEmptyNode: true });

/** A qbXML response message from `…Rs` objects (insertion order = element order); every value escaped by the builder. */
export function buildResponse(responses: Record<string, unknown>[]): string {
  const grouped: Record<string, unknown[]> = {};
  for (const response of responses) {
    for (const [name, value] of Object.entries(response)) (grouped[name] ??= []).push(value);
  }
  return `<?xml version="1.0" ?><QBXML>${builder.build({ QBXMLMsgsRs: grouped }) as string}</QBXML>`;
}
