/**
 * What the AP invoice and vendor tests share: the connector's own client over the real HTTP client (the generic
 * runner flow that maps requisitions and vendors is another package's), the connector's mapping.yaml compiled
 * per entity, canonical requisitions and vendors, and a settle loop for queued actions.
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
  type Loader,
  type Outcome,
  type Requisition,
} from '@ledgerlink/core';
import { VistaConfigSchema } from '../src/config.js';
import { vistaConnector } from '../src/index.js';
import type { VistaSandbox } from '../src/sandbox/index.js';
import { configFor } from './helpers.js';

export function clientFor(sandbox: VistaSandbox): ConnectorClient {
  return vistaConnector.createClient({
    config: VistaConfigSchema.parse(configFor(sandbox, { pageSize: 2 })),
    http: createFetchHttpClient({ timeoutMs: 5_000 }),
    lane: { throttled: () => undefined },
    logger: silentLogger,
    now: () => new Date(),
  });
}

export function mapWith(entity: Entity, direction: Direction, record: unknown): Record<string, unknown> {
  const mapping = compileMapping(loadMappingFile(vistaConnector.mapping.path), entity, direction);
  const result = mapping(record, { lookups: {}, recordId: 'test' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value as Record<string, unknown>;
}

let counter = 0;

/** A requisition of vendor V1: two lines, the second with retainage, cost code, cost type and commitment item. */
export function requisition(overrides: Partial<Requisition> = {}): Requisition {
  counter += 1;
  return {
    id: `req-${counter}`,
    number: `SUB-${1000 + counter}`,
    billingDate: '2025-04-30',
    dueDate: '2025-05-30',
    vendor: { id: 'hub-v1', name: 'Vendor 1', erpId: 'V1' },
    project: { id: 'hub-p1', number: 'P-7', erpId: '1001.' },
    commitment: { id: 'sc-9', erpId: '1001.001' },
    totalCents: 1_500_010,
    retainageCents: 50_000,
    lines: [
      { id: `line-${counter}-1`, description: 'Footings, April', amountCents: 1_000_010, retainageCents: 0, commitmentItemOriginId: '1' },
      { id: `line-${counter}-2`, description: 'Slab on grade', amountCents: 500_000, retainageCents: 50_000, costCodeOriginId: '03-300', costTypeOriginId: '2', commitmentItemOriginId: '2' },
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
  return { id: `hv-${counter}`, name: `Ortiz Drywall ${counter}`, code: String(40_000 + counter), isActive: true, email: 'ap@ortiz.example', address: { city: 'Reno', stateCode: 'NV' }, ...overrides };
}

export function vendorItem(record: HubVendor, revision = 1): LoadItem<Record<string, unknown>, HubVendor> {
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record, payload: mapWith('vendor', 'export', record) };
}

export const context = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

/** Loads one item, then settles an `accepted` outcome through `find`, as the runner's settle loop does. */
export async function loadAndSettle<T>(loader: Loader<Record<string, unknown>, T>, item: LoadItem<Record<string, unknown>, T>, tries = 200): Promise<{ first: Outcome; last: Outcome }> {
  const [first] = await loader.load([item], context());
  if (first === undefined) throw new Error('no outcome');
  let current = first;
  for (let i = 0; current.kind === 'accepted' && i < tries; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    current = (await loader.find(item, context())) ?? current;
  }
  return { first, last: current };
}
