/**
 * What the bill and vendor tests share: the connector's own client built over the real HTTP client (the
 * generic runner flow that maps requisitions and vendors is another package's), the connector's mapping.yaml
 * compiled per entity, and canonical requisitions and vendors.
 */
import {
  compileMapping,
  createFetchHttpClient,
  loadMappingFile,
  silentLogger,
  type ConnectorClient,
  type Direction,
  type Entity,
  type HubVendor,
  type LoadItem,
  type Logger,
  type Requisition,
} from '@ledgerlink/core';
import { AcumaticaConfig } from '../src/config.js';
import { acumaticaConnector } from '../src/index.js';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { VENDOR, configFor } from './support.js';

export function clientFor(sandbox: AcumaticaSandbox, logger: Logger = silentLogger): ConnectorClient {
  return acumaticaConnector.createClient({
    config: AcumaticaConfig.parse(configFor(sandbox)),
    http: createFetchHttpClient({ timeoutMs: 5_000 }),
    lane: { throttled: () => undefined },
    logger,
    now: () => new Date(),
  });
}

/** The connector's mapping of one entity and direction; throws when the record does not map. */
export function mapWith(entity: Entity, direction: Direction, record: unknown): Record<string, unknown> {
  const mapping = compileMapping(loadMappingFile(acumaticaConnector.mapping.path), entity, direction);
  const result = mapping(record, { lookups: {}, recordId: 'test' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value as Record<string, unknown>;
}

let counter = 0;

/** A requisition of two lines (the second with retainage and a cost code) billed to the seeded vendor. */
export function requisition(overrides: Partial<Requisition> = {}): Requisition {
  counter += 1;
  return {
    id: `req-${counter}`,
    number: `SUB-${1000 + counter}`,
    billingDate: '2025-04-30',
    dueDate: '2025-05-30',
    vendor: { id: 'hub-v1', name: 'Keller Concrete & Sons', erpId: VENDOR },
    project: { id: 'hub-p1', number: 'P-7', erpId: 'PRJ007' },
    commitment: { id: 'sc-9', erpId: 'SC000009' },
    totalCents: 1_500_010,
    retainageCents: 50_000,
    lines: [
      { id: `line-${counter}-1`, description: 'Footings, April', amountCents: 1_000_010, retainageCents: 0 },
      { id: `line-${counter}-2`, description: 'Slab on grade', amountCents: 500_000, retainageCents: 50_000, costCodeOriginId: '03-300' },
    ],
    notes: `Pay app ${counter}`,
    ...overrides,
  };
}

export function requisitionItem(record: Requisition, revision = 1): LoadItem<Record<string, unknown>, Requisition> {
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record, payload: mapWith('requisition', 'export', record) };
}

export function hubVendor(overrides: Partial<HubVendor> = {}): HubVendor {
  counter += 1;
  return { id: `hv-${counter}`, name: `Ortiz Drywall ${counter}`, isActive: true, email: 'ap@ortiz.example', address: { city: 'Reno', stateCode: 'NV', countryCode: 'US' }, ...overrides };
}

export function vendorItem(record: HubVendor, revision = 1): LoadItem<Record<string, unknown>, HubVendor> {
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record, payload: mapWith('vendor', 'export', record) };
}

export const signal = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });
