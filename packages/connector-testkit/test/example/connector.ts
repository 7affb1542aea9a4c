import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createExampleClient } from './client.js';
import { ExampleConfig } from './config.js';

/** A real connector package exports this from `src/index.ts`, with its own `VERSION`. */
export const VERSION = '0.1.0';

/**
 * The Example ERP connector: the smallest complete plugin, and the template to copy. Everything the ERP can
 * do is declared here; the engine refuses what is not.
 */
export const exampleConnector = defineConnector({
  manifest: {
    id: 'example-erp',
    displayName: 'Example ERP',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'Payments and subcontractor invoices (as bills) out to the Example ERP, posted payments back, vendors both ways (the conformance kit’s template).',
  },
  capabilities: {
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    partialPayments: true,
    maxBatch: 1,
    rateLimit: { requests: 20, intervalMs: 1_000, concurrency: 4 },
    idempotency: 'native',
  },
  configSchema: ExampleConfig,
  mapping: { path: fileURLToPath(new URL('./mapping.yaml', import.meta.url)) },
  createClient: createExampleClient,
});
