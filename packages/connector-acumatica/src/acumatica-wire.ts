/**
 * The contract-based REST API's wire shapes: `{"value": ...}` field wrapping, OData query text, entity URLs
 * and JSON with exact decimals.
 */
import type { AcumaticaConfig } from './config.js';

/** A field as Acumatica sends and takes it: the value wrapped, with a field-level error on a 422. */
export interface WireField {
  value?: unknown;
  error?: string;
}

/** An entity record: `id`, `rowNumber`, an entity-level `error`, wrapped fields and detail arrays. */
export type WireEntity = Record<string, unknown> & { id?: string; error?: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The unwrapped value of a field, or undefined. */
export function fieldValue(entity: unknown, field: string): unknown {
  if (!isRecord(entity)) return undefined;
  const wrapped = entity[field];
  return isRecord(wrapped) ? wrapped.value : undefined;
}

/** The unwrapped value of a text field; numbers are printed as Acumatica sent them. */
export function fieldText(entity: unknown, field: string): string | undefined {
  const value = fieldValue(entity, field);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The rows of a detail collection (`Details`, `History`); empty when absent. */
export function detailRows(entity: unknown, collection: string): WireEntity[] {
  if (!isRecord(entity)) return [];
  const rows = entity[collection];
  return Array.isArray(rows) ? rows.filter(isRecord) : [];
}

/** An OData string literal: single quotes, an embedded quote doubled (`O'Brien` -> `'O''Brien'`). */
export function odataString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** An OData `datetimeoffset'...'` literal for an ISO instant. */
export function odataDateTimeOffset(iso: string): string {
  return `datetimeoffset'${iso}'`;
}

/** `<site>/entity/<endpoint>/<version>/<entity>` (+ `/<action>`) with the query parameters encoded. */
export function entityUrl(
  config: Pick<AcumaticaConfig, 'baseUrl' | 'endpointName' | 'endpointVersion'>,
  path: string,
  query: Record<string, string | number | undefined> = {},
): string {
  const base = `${config.baseUrl}/entity/${encodeURIComponent(config.endpointName)}/${encodeURIComponent(config.endpointVersion)}/${path}`;
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? base : `${base}?${parts.join('&')}`;
}

/** `<site>/entity/auth/<login|logout>`. */
export function authUrl(config: Pick<AcumaticaConfig, 'baseUrl'>, verb: 'login' | 'logout'): string {
  return `${config.baseUrl}/entity/auth/${verb}`;
}

/**
 * Resolves a `Location` header onto the configured site. The path from `/entity/` on is kept and the site is
 * always ours, so the session cookies never go to a host named in an answer.
 */
export function resolveLocation(config: Pick<AcumaticaConfig, 'baseUrl'>, location: string): string {
  const path = /^https?:\/\//i.test(location) ? location.replace(/^https?:\/\/[^/]+/i, '') : location;
  const marker = path.toLowerCase().indexOf('/entity/');
  const tail = marker >= 0 ? path.slice(marker) : `/${path.replace(/^\/+/, '')}`;
  return `${config.baseUrl}${tail}`;
}

const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;

/** A decimal amount written on the wire as a JSON number with exactly these digits (never through a float). */
export class DecimalText {
  constructor(readonly text: string) {
    if (!DECIMAL_TEXT.test(text)) throw new RangeError(`"${text}" is not a decimal amount`);
  }
}

/**
 * JSON for Acumatica: `DecimalText` values become number tokens with their exact digits, the documented
 * shape of a `DecimalValue` (`{"value": 123.45}`), without passing through a binary float.
 */
export function toWireJson(value: unknown): string {
  const marker = `\u0001${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(value, (_key, inner: unknown) => (inner instanceof DecimalText ? `${marker}${inner.text}` : inner));
  const escapedMarker = JSON.stringify(marker).slice(1, -1).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  return text.replace(new RegExp(`"${escapedMarker}(-?\\d+(?:\\.\\d+)?)"`, 'g'), '$1');
}
