import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createIntacctClient } from './client.js';
import { IntacctConfig } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

/**
 * Sage Intacct over its XML gateway: `create APPYMT` for payments out, `query APPYMT` (states Approved and Posted)
 * for payments issued back, `create APBILL` for subcontractor invoices, `create VENDOR` / `query VENDOR` for vendors. See README.md for the field mapping, limits and what a deployment must confirm.
 */
export const intacctConnector = defineConnector<IntacctConfig>({
  manifest: {
    id: 'intacct',
    displayName: 'Sage Intacct',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description:
      'Payments to Sage Intacct as AP payments (APPYMT) applied to bills; approved and posted payments back as payments issued; subcontractor invoices as AP bills (APBILL); vendors both ways.',
  },
  capabilities: {
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    partialPayments: true,
    maxBatch: 1,
    // Intacct publishes concurrency per tier (2 for the XML gateway's base tier, a third-party figure) and a
    // monthly volume that is billed, not blocked; no per-second rate. Two sync calls at Intacct's latency stay
    // far below 60/s, so the rate only caps a run-away loop. A customer may lower both.
    rateLimit: { requests: 60, intervalMs: 1000, concurrency: 2 },
    idempotency: 'native',
  },
  configSchema: IntacctConfig,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: createIntacctClient,
});

export { IntacctConfig, IntacctErrorCodes, INTACCT_GATEWAY_URL } from './config.js';
export type { IntacctConfigInput } from './config.js';
export { FINAL_STATES } from './payment-extractor.js';
