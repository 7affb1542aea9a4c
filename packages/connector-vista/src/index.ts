/**
 * @ledgerlink/connector-vista: Viewpoint Vista through the Trimble App Xchange Direct API. Payments go out
 * as a queued `create` action on the AP payment object and are confirmed when Vista's cache shows them;
 * posted payments come back from the cache, read with continuation tokens.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createVistaClient } from './client.js';
import { type VistaConfig, VistaConfigSchema } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

export const vistaConnector = defineConnector<VistaConfig>({
  manifest: {
    id: 'vista',
    displayName: 'Viewpoint Vista',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'AP payments, AP invoices and vendors into Vista through the Trimble Direct API action queue; posted payments and vendors back from its cache',
  },
  capabilities: {
    // Requisitions become AP invoices and vendors go both ways, through the same queue and cache as payments.
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    // A payment history line pays part of an AP transaction; Vista keeps the rest open.
    partialPayments: true,
    // One action per payment: the action queue has no batch create.
    maxBatch: 1,
    // Trimble: 2,000 requests a minute per key, rolling. No concurrency limit is published: 8 at once keeps
    // a burst well inside the rolling minute and the on-premises agent's load modest.
    rateLimit: { requests: 2000, intervalMs: 60_000, concurrency: 8 },
    // No idempotency key in the Direct API: before posting again, the cache is searched by CM Reference + vendor.
    idempotency: 'lookup',
    // The action is queued and runs later; the record stays exporting until the cache shows it.
    asyncExport: true,
  },
  configSchema: VistaConfigSchema,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: createVistaClient,
});

export { VistaConfigSchema } from './config.js';
export type { VistaConfig } from './config.js';
export { FINAL_STATUSES } from './vista-extractor.js';
