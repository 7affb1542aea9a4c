import type { ErpAnswer } from '@ledgerlink/core';
import { parseJson, property } from './qbo-wire.js';

/** One entry of a QuickBooks `Fault.Error[]`, with Intuit's own code and text. */
export interface QboFaultError {
  code?: string;
  message: string;
  detail?: string;
  /** The request element the error is about, when QuickBooks names one (`VendorRef`, `DocNumber`...). */
  element?: string;
}

export interface QboFault {
  /** `ValidationFault`, `SystemFault`, `AUTHENTICATION`, `SERVICE`... */
  type?: string;
  errors: QboFaultError[];
}

/**
 * Reads the JSON `Fault` envelope, from an error answer or from a 200 that carries one. 401 answers spell it in
 * lower case (`fault.error[].message`), so names are read either way.
 */
export function readJsonFault(body: string): QboFault | undefined {
  return faultIn(parseJson(body));
}

/** The same, from an answer already parsed (an import page is a thousand payments: parsed once, not twice). */
export function faultIn(parsed: unknown): QboFault | undefined {
  const fault = property(parsed, 'Fault');
  if (typeof fault !== 'object' || fault === null) return undefined;
  const list = property(fault, 'Error');
  const errors = (Array.isArray(list) ? list : []).map((entry: unknown): QboFaultError => {
    const code = property(entry, 'code');
    const detail = property(entry, 'Detail');
    const element = property(entry, 'element');
    return {
      message: String(property(entry, 'Message') ?? ''),
      ...(code === undefined || code === null ? {} : { code: String(code) }),
      ...(typeof detail === 'string' && detail !== '' ? { detail } : {}),
      ...(typeof element === 'string' && element !== '' ? { element } : {}),
    };
  });
  const type = property(fault, 'type');
  return { ...(typeof type === 'string' ? { type } : {}), errors };
}

/**
 * Reads the XML `IntuitResponse/Fault` that QuickBooks sends with a 429 even when JSON was asked for. The package
 * carries no XML parser, and only three display strings are wanted, so this looks them up by their fixed tag names
 * (no DTDs, no entity expansion beyond the five predefined entities and character references).
 */
export function readXmlFault(body: string): QboFault | undefined {
  const faultAt = body.indexOf('<Fault');
  if (faultAt < 0) return undefined;
  const errorAt = body.indexOf('<Error', faultAt);
  const errorTagEnd = errorAt < 0 ? -1 : body.indexOf('>', errorAt);
  const code = errorAt < 0 ? undefined : attribute(body.slice(errorAt, errorTagEnd), 'code');
  const message = element(body, 'Message', faultAt);
  const detail = element(body, 'Detail', faultAt);
  const type = attribute(body.slice(faultAt, body.indexOf('>', faultAt)), 'type');
  return {
    ...(type === undefined ? {} : { type }),
    errors: [
      {
        message: message ?? '',
        ...(code === undefined ? {} : { code }),
        ...(detail === undefined ? {} : { detail }),
      },
    ],
  };
}

function element(text: string, name: string, from: number): string | undefined {
  const open = `<${name}>`;
  const start = text.indexOf(open, from);
  if (start < 0) return undefined;
  const end = text.indexOf(`</${name}>`, start + open.length);
  if (end < 0) return undefined;
  return decodeXmlText(text.slice(start + open.length, end));
}

function attribute(tag: string, name: string): string | undefined {
  for (const quote of ['"', "'"]) {
    const marker = ` ${name}=${quote}`;
    const start = tag.indexOf(marker);
    if (start < 0) continue;
    const end = tag.indexOf(quote, start + marker.length);
    if (end < 0) return undefined;
    return decodeXmlText(tag.slice(start + marker.length, end));
  }
  return undefined;
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and numeric character references; anything else is left as written. */
function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const point = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** The ERP's own answer as ledgerlink keeps it: the first error's code, message and detail, verbatim. */
export function erpAnswerOf(fault: QboFault | undefined, httpStatus: number, fallback: string): ErpAnswer {
  const first = fault?.errors[0];
  if (first === undefined) return { httpStatus, message: fallback };
  const detail = [first.detail, first.element === undefined ? undefined : `element: ${first.element}`]
    .filter((part): part is string => part !== undefined)
    .join('; ');
  return {
    httpStatus,
    message: first.message === '' ? fallback : first.message,
    ...(first.code === undefined ? {} : { code: first.code }),
    ...(detail === '' ? {} : { detail }),
  };
}

/** A short excerpt of an unreadable body for an error message (never a whole page). */
export function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || '(empty body)';
}
