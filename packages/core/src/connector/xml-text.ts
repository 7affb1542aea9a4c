/**
 * The text rules every XML-speaking client shares, whatever parser and builder it uses: answers are parsed with
 * entity processing off and decoded here (the five standard entities and character references only, so a
 * DOCTYPE can never define an entity and nothing expands beyond the text), and values are checked before they
 * are written (XML 1.0 cannot carry some characters at all, not even escaped).
 */

const STANDARD_ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five standard entities and numeric references in one pass (so `&amp;lt;` stays `&lt;`). */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(STANDARD_ENTITY, (match, decimal: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED[name] ?? match;
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? '', 16);
    return Number.isInteger(codePoint) && codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : match;
  });
}

/** Characters XML 1.0 cannot carry, not even escaped: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Thrown when a value cannot be written as XML 1.0 text; `path` names the field. */
export class XmlValueError extends Error {
  constructor(readonly path: string) {
    super(`${path} holds a character XML cannot carry (a control character or a lone surrogate)`);
    this.name = 'XmlValueError';
  }
}

/** Throws XmlValueError naming the first value of a tree (at any depth) that XML cannot carry. */
export function assertXmlSafe(value: unknown, path = ''): void {
  if (typeof value === 'string') {
    if (NOT_XML_CHAR.test(value)) throw new XmlValueError(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => assertXmlSafe(item, `${path}[${index}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) assertXmlSafe(child, path === '' ? key : `${path}.${key}`);
  }
}
