import { compileMapping, createConnectorRuntime, loadMappingFile, silentLogger, type ConnectorClient, type ErpSandbox, type HubVendor, type LoadItem, type Requisition } from '@ledgerlink/core';
import { fileURLToPath } from 'node:url';
import { qbdConnector, type QbdConfig } from '../src/index.js';
import { QBD_SANDBOX_COST_CODE_ITEMS } from '../src/sandbox/index.js';
import { configFor } from './support.js';

const mapping = loadMappingFile(fileURLToPath(new URL('../mapping.yaml', import.meta.url)));
export const mapRequisition = compileMapping(mapping, 'requisition', 'export');
export const mapVendor = compileMapping(mapping, 'vendor', 'export');
export const mapErpVendor = compileMapping(mapping, 'vendor', 'import');

/** The connector's own client on the sandbox (the runtime's requisition and vendor flows are E-core's, not here yet). */
export function clientFor(sandbox: ErpSandbox, overrides: Partial<QbdConfig> = {}): ConnectorClient {
  const unused = () => Promise.reject(new Error('the QuickBooks Desktop client makes no outbound HTTP'));
  return qbdConnector.createClient({ config: configFor(sandbox, overrides), http: unused, lane: { throttled: () => undefined }, logger: silentLogger, now: () => new Date() });
}

export function runtimeFor(sandbox: ErpSandbox, overrides: Partial<QbdConfig> = {}) {
  return createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, overrides), retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 } });
}

/** A requisition of two lines (one cost code each) billed to vendor `vendorErpId`. */
export function requisition(n: number, vendorErpId: string, overrides: Partial<Requisition> = {}): Requisition {
  const [first, second] = [QBD_SANDBOX_COST_CODE_ITEMS[0], QBD_SANDBOX_COST_CODE_ITEMS[1]];
  return {
    id: `req-${n}`,
    number: `SUB-${n}`,
    billingDate: '2025-04-30',
    dueDate: '2025-05-30',
    vendor: { id: `hv-${n}`, name: `Sub ${n}`, erpId: vendorErpId },
    project: { id: 'p-1', number: 'P-1' },
    commitment: { id: `sc-${n}` },
    totalCents: 1_234_567,
    retainageCents: 123_457,
    lines: [
      { id: `l-${n}-1`, description: 'Concrete footings, 40%', amountCents: 1_000_001, retainageCents: 100_000, costCodeOriginId: first?.id as string },
      { id: `l-${n}-2`, description: 'Rebar & "ties" <stock>', amountCents: 234_566, retainageCents: 23_457, costCodeOriginId: second?.id as string },
    ],
    notes: `Procore requisition ${n}`,
    ...overrides,
  };
}

export function requisitionItem(record: Requisition, revision = 1): LoadItem<Record<string, unknown>, Requisition> {
  const mapped = mapRequisition(record, { lookups: {}, recordId: record.id });
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record, payload: mapped.value };
}

export function vendorItem(record: HubVendor, revision = 1): LoadItem<Record<string, unknown>, HubVendor> {
  const mapped = mapVendor(record, { lookups: {}, recordId: record.id });
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record, payload: mapped.value };
}

export const signal: AbortSignal = new AbortController().signal;
