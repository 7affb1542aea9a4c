import type { ApPaymentPayload } from './intacct-request.js';

/**
 * The mapping's output (mapping.yaml, export) as an AP payment: header fields by their Intacct names, and the
 * `APPYMTDETAILS.APPYMTDETAIL` group as detail lines. Values must already be text: money comes from the
 * mapping's `format: money` as an exact two-decimal string, never a float.
 */

const REQUIRED_HEADER = ['PAYMENTMETHOD', 'FINANCIALENTITY', 'VENDORID', 'PAYMENTDATE'] as const;

export type PayloadResult = { ok: true; payment: ApPaymentPayload } | { ok: false; problems: string[] };

function asText(value: unknown, path: string, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  problems.push(`${path} must be text (money as an exact decimal string), got ${typeof value === 'number' ? String(value) : typeof value}`);
  return undefined;
}

function fieldsOf(source: Record<string, unknown>, path: string, problems: string[], skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (skip.includes(name)) continue;
    const text = asText(value, `${path}${name}`, problems);
    if (text !== undefined && text !== '') out[name] = text;
  }
  return out;
}

/** Reads the mapped payload; lists every problem at once. */
export function readApPaymentPayload(payload: Record<string, unknown>): PayloadResult {
  const problems: string[] = [];
  const header = fieldsOf(payload, '', problems, ['APPYMTDETAILS']);
  for (const name of REQUIRED_HEADER) if (header[name] === undefined) problems.push(`${name} is required`);

  const group = payload.APPYMTDETAILS;
  const lines: unknown = typeof group === 'object' && group !== null ? (group as Record<string, unknown>).APPYMTDETAIL : undefined;
  const list = Array.isArray(lines) ? lines : lines === undefined ? [] : [lines];
  const details = list.map((line, index) => {
    const path = `APPYMTDETAILS.APPYMTDETAIL.${index}.`;
    if (typeof line !== 'object' || line === null) {
      problems.push(`${path.slice(0, -1)} must be an object`);
      return {};
    }
    const detail = fieldsOf(line as Record<string, unknown>, path, problems);
    if (detail.RECORDKEY === undefined) problems.push(`${path}RECORDKEY is required (the bill's RECORDNO)`);
    return detail;
  });
  if (details.length === 0) problems.push('APPYMTDETAILS.APPYMTDETAIL needs at least one bill');
  return problems.length > 0 ? { ok: false, problems } : { ok: true, payment: { header, details } };
}
