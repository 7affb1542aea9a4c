import { splitPath } from './spec.js';

export type TemplatePart = { text: string } | { path: string; segments: string[] };

export type TemplateParse = { ok: true; parts: TemplatePart[] } | { ok: false; message: string };

/** Splits `"Payment {{id}} for {{ invoice.number }}"` into text and placeholder paths. */
export function parseTemplate(template: string): TemplateParse {
  const parts: TemplatePart[] = [];
  const placeholder = /\{\{([^{}]*)\}\}/g;
  let last = 0;
  for (let match = placeholder.exec(template); match; match = placeholder.exec(template)) {
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    const path = match[1]!.trim();
    const segments = splitPath(path);
    if (!segments) return { ok: false, message: `template: {{${match[1]!}}} is not a dotted path such as {{invoice.number}}` };
    parts.push({ path, segments });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  const stray = parts.find((part) => 'text' in part && /\{\{|\}\}/.test(part.text));
  if (stray) return { ok: false, message: 'template: a {{ is not closed by }} (or a }} has no {{)' };
  return { ok: true, parts };
}
