/**
 * @ledgerlink/connector-acumatica: payments to and from Acumatica Cloud ERP over the contract-based REST API
 * (AP checks applied to bills, released; released checks imported back), subcontractor invoices as released AP
 * bills, and vendors both ways.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createAcumaticaClient } from './client.js';
import { AcumaticaConfig } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

export { AcumaticaConfig } from './config.js';
export type { AcumaticaConfigInput } from './config.js';
export { FINAL_STATUS } from './check-importer.js';

export const acumaticaConnector = defineConnector<AcumaticaConfig>({
  manifest: {
    id: 'acumatica',
    displayName: 'Acumatica Cloud ERP',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'Payments as released AP checks applied to bills (contract-based REST); closed checks imported back; requisitions as AP bills; vendors both ways.',
  },
  capabilities: {
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    partialPayments: true,
    // One top-level entity per PUT: Acumatica has no batch write.
    maxBatch: 1,
    // The licence sets the real limits (License Monitoring Console, SM604000): set them per customer. Acumatica
    // delays requests beyond its per-minute cap instead of refusing them, and declines (429) only when its queue
    // is full, so concurrency is the limit that matters; the rate paces bursts at a pace small licences absorb.
    rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
    idempotency: 'lookup',
    // Bills and vendors are one top-level entity per PUT as well, found again by natural key: the connector-wide
    // values hold for them, so no entityOptions.
  },
  configSchema: AcumaticaConfig,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: (context) => createAcumaticaClient(context),
});
