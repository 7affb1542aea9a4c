import { soundId } from './erp-id.js';
import { child, childText, children, textOf, type XmlNode } from './yardi-xml.js';

/**
 * How the client reads the two read methods' result documents (this project's definition, like the check
 * document, README "The result documents"): `GetCheckInvoice` answers `<Checks><Check>` with the check's fields
 * and its `<Details><Detail>` lines; `GetPayables2` answers `<Payables><Payable>` with the payable's fields and
 * the `<Checks><Check>` that paid it.
 */

/** A check under Yardi's names, every value as Yardi wrote it. */
export interface YardiCheck {
  fields: Record<string, string>;
  details: Record<string, string>[];
}

/** A payable with the checks that paid it. */
export interface YardiPayable {
  fields: Record<string, string>;
  checks: Record<string, string>[];
}

/** The leaf elements of a record as text (nested lists and empty elements left out). */
function leaves(node: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof node === 'string') return out;
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@_') || name.startsWith('#') || name === 'Details' || name === 'Checks' || Array.isArray(value)) continue;
    // An empty element is "no value" in Yardi's documents: it is left out rather than kept as ''.
    const text = typeof value === 'string' ? value : textOf(value);
    if (text !== undefined && text !== '') out[name] = text;
  }
  return out;
}

/** The checks of a `GetCheckInvoice` result. */
export function checksOf(result: XmlNode): YardiCheck[] {
  return children(child(result, 'Checks'), 'Check').map((node) => ({
    fields: leaves(node),
    details: children(child(node, 'Details'), 'Detail').map(leaves),
  }));
}

/** The payables of a `GetPayables2` result. */
export function payablesOf(result: XmlNode): YardiPayable[] {
  return children(child(result, 'Payables'), 'Payable').map((node) => ({
    fields: leaves(node),
    checks: children(child(node, 'Checks'), 'Check').map(leaves),
  }));
}

/** The check id of an `ImportCheck_Login` result (`<Checks><Check><CheckId>`), if Yardi gave one. */
export function importedCheckId(result: XmlNode): string | undefined {
  const id = childText(child(child(result, 'Checks'), 'Check'), 'CheckId')?.trim();
  return soundId(id);
}

/** Check statuses Yardi treats as final: a posted check. An unposted one may still be changed or deleted. */
export const FINAL_CHECK_STATUSES = new Set(['posted']);

export function isFinal(check: Record<string, string>): boolean {
  return FINAL_CHECK_STATUSES.has((check['Status'] ?? '').trim().toLowerCase());
}

/**
 * One import record per detail line (the payable a check pays): the check's fields with the line's payable,
 * invoice number and amount. A check paying one payable keeps its own id as `CheckId`; a check paying several
 * gets `<CheckId>:<PayableId>` per line, so each payment issued has its own key.
 */
export function importRecords(check: YardiCheck): Record<string, string>[] {
  const { fields, details } = check;
  if (details.length <= 1) return [{ ...fields, ...pick(details[0]) }];
  return details.map((detail) => ({ ...fields, ...pick(detail), CheckId: `${fields['CheckId'] ?? ''}:${detail['PayableId'] ?? ''}` }));
}

function pick(detail: Record<string, string> | undefined): Record<string, string> {
  if (detail === undefined) return {};
  const out: Record<string, string> = {};
  for (const name of ['PayableId', 'InvoiceNumber', 'AmountPaid']) {
    const value = detail[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}
