/* Status answers and reference readers shared by the sandbox's request handlers (payments, bills, vendors). */
import { childText, type XmlNode } from './qbxml-tree.js';

/** What QuickBooks answers to one request: the `…Rs` element (name and content) and whether it saved anything. */
export interface RequestResult {
  rs: Record<string, unknown>;
  committed: boolean;
}

export type Status = { code: string; severity: 'Info' | 'Warn' | 'Error'; message: string };

export const OK: Status = { code: '0', severity: 'Info', message: 'Status OK' };
export const NO_MATCH: Status = { code: '1', severity: 'Info', message: 'A query request did not find a matching object in QuickBooks' };

export function rs(name: string, request: XmlNode, status: Status, content: Record<string, unknown> = {}, extra: Record<string, string> = {}): RequestResult {
  const attributes: Record<string, string> = {};
  if (request.attributes.requestID !== undefined) attributes['@_requestID'] = request.attributes.requestID;
  attributes['@_statusCode'] = status.code;
  attributes['@_statusSeverity'] = status.severity;
  attributes['@_statusMessage'] = status.message;
  for (const [key, value] of Object.entries(extra)) attributes[`@_${key}`] = value;
  return { rs: { [name]: { ...attributes, ...content } }, committed: false };
}

export function refOf(node: XmlNode | undefined): { ListID?: string; FullName?: string } {
  if (node === undefined) return {};
  const listId = childText(node, 'ListID');
  const fullName = childText(node, 'FullName');
  return { ...(listId === undefined ? {} : { ListID: listId }), ...(fullName === undefined ? {} : { FullName: fullName }) };
}

export function shown(ref: { ListID?: string; FullName?: string }): string {
  return ref.ListID ?? ref.FullName ?? '';
}

export function listMatches(filter: XmlNode, record: { listId: string; name: string }): boolean {
  const ids = filter.children.filter((node) => node.name === 'ListID' || node.name === 'ListIDWithChildren').map((node) => node.text);
  const names = filter.children.filter((node) => node.name === 'FullName' || node.name === 'FullNameWithChildren').map((node) => node.text);
  return ids.includes(record.listId) || names.includes(record.name);
}
