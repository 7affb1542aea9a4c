import { child, children, textOf, type XmlNode } from './yardi-xml.js';

/**
 * The vendors of a `GetVendors_Login` / `GetVendor_Login` result (`<Vendors><Vendor>`, this project's reading
 * [U]): each vendor's leaf elements as text, empty ones left out.
 */
export function vendorsOf(result: XmlNode): Record<string, string>[] {
  return children(child(result, 'Vendors'), 'Vendor').map((node) => {
    const out: Record<string, string> = {};
    if (typeof node === 'string') return out;
    for (const [name, value] of Object.entries(node)) {
      if (name.startsWith('@_') || name.startsWith('#') || Array.isArray(value)) continue;
      const text = typeof value === 'string' ? value : textOf(value);
      if (text !== undefined && text.trim() !== '') out[name] = text.trim();
    }
    return out;
  });
}
