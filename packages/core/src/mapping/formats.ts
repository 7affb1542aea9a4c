import { formatCents, parseCents } from '../model/money.js';
import type { RecordError } from './types.js';

/** An ISO date pattern is read and written in parts: `MM/DD/YYYY` is [MM, "/", DD, "/", YYYY]. */
export type DatePart = 'YYYY' | 'MM' | 'DD' | { text: string };

export const ISO_DATETIME = 'iso-datetime';

export type DatePatternParse = { ok: true; parts: DatePart[] } | { ok: false; message: string };

/** Reads a pattern such as `MM/DD/YYYY`: YYYY, MM and DD once each, anything else but letters between them. */
export function parseDatePattern(pattern: string): DatePatternParse {
  const parts: DatePart[] = [];
  const tokens = /YYYY|MM|DD/g;
  let last = 0;
  for (let match = tokens.exec(pattern); match; match = tokens.exec(pattern)) {
    if (match.index > last) parts.push({ text: pattern.slice(last, match.index) });
    parts.push(match[0] as DatePart);
    last = match.index + match[0].length;
  }
  if (last < pattern.length) parts.push({ text: pattern.slice(last) });
  const letters = parts.find((part) => typeof part === 'object' && /[A-Za-z]/.test(part.text));
  const counts = (['YYYY', 'MM', 'DD'] as const).map((token) => parts.filter((part) => part === token).length);
  if (letters || counts.some((count) => count !== 1)) {
    return {
      ok: false,
      message: `format.date: '${pattern}' is not a date pattern (use YYYY, MM and DD once each with separators, such as MM/DD/YYYY, or ${ISO_DATETIME} on import)`,
    };
  }
  return { ok: true, parts };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function isCalendarDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso);
}

/**
 * What generated mapping code calls. The fast paths (`moneyOut`, `centsIn`, `toInteger`) return `undefined`
 * instead of throwing; the code then asks the matching `…Problem` function for the reason, off the hot path.
 */
export const runtime = {
  formatCents,
  hasOwn: Object.hasOwn as (object: object, key: PropertyKey) => boolean,
  isoDate: /^\d{4}-\d{2}-\d{2}$/,
  isCalendarDate,
  describe,

  fail(errors: RecordError[] | undefined, recordId: string | undefined, field: string, source: string | undefined, message: string): RecordError[] {
    const list = errors ?? [];
    list.push({
      ...(recordId === undefined ? {} : { recordId }),
      field,
      ...(source === undefined ? {} : { source }),
      message,
    });
    return list;
  },

  lookupTable(lookups: Record<string, Record<string, string>> | undefined, name: string): Record<string, string> | undefined {
    return lookups !== undefined && Object.hasOwn(lookups, name) ? lookups[name] : undefined;
  },

  moneyOut(value: unknown, scale: number): string | undefined {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
    try {
      return formatCents(value, scale);
    } catch {
      return undefined;
    }
  },
  moneyOutProblem(value: unknown, scale: number): string {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `expected an amount in integer cents, got ${describe(value)}`;
    try {
      formatCents(value, scale);
      return 'cannot be written as money';
    } catch (error) {
      return (error as Error).message;
    }
  },

  centsIn(value: unknown): number | undefined {
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    try {
      return parseCents(value);
    } catch {
      return undefined;
    }
  },
  centsInProblem(value: unknown): string {
    if (typeof value !== 'string' && typeof value !== 'number') return `expected a decimal amount, got ${describe(value)}`;
    try {
      parseCents(value);
      return 'is not an amount';
    } catch (error) {
      return (error as Error).message;
    }
  },

  toInteger(value: unknown): number | undefined {
    if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
    if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
    return undefined;
  },

  toText(value: unknown): string | undefined {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  },

  unmapped(value: unknown, known: string): string {
    return `no mapping for ${describe(value)} (mapped: ${known}); add it to the map or give a default`;
  },
  notInLookup(value: unknown, table: string): string {
    return `${describe(value)} is not in lookup table '${table}'; add it to the table or give a default`;
  },
  notDate(value: unknown, pattern: string): string {
    return `expected a date as ${pattern}, got ${describe(value)}`;
  },
  notCalendarDate(value: unknown): string {
    return `${describe(value)} is not a calendar date`;
  },
  notInteger(value: unknown): string {
    return `expected an integer, got ${describe(value)}`;
  },
  notText(value: unknown): string {
    return `expected text, got ${describe(value)}`;
  },
  notGroup(value: unknown): string {
    return `expected a list or an object to repeat over, got ${describe(value)}`;
  },
  placeholder(value: unknown, path: string): string {
    return value == null ? `template placeholder {{${path}}} is missing` : `template placeholder {{${path}}} is ${describe(value)}, not text`;
  },
  requiredMissing(source: string | undefined): string {
    return source === undefined ? 'required, but there is no value' : `required, but ${source} is missing`;
  },
  requiredEmpty(): string {
    return 'required, but the value is empty or blank';
  },
};

export type Runtime = typeof runtime;
