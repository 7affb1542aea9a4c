import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createQboClient } from './client.js';
import { QboConfig } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

/**
 * QuickBooks Online: Procore Pay payment records out as bill payments applied to their bills, bill payments made
 * in QuickBooks back as payments issued, subcontractor invoices out as bills, and vendors both ways.
 */
export const qboConnector = defineConnector<QboConfig>({
  manifest: {
    id: 'qbo',
    displayName: 'QuickBooks Online',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'Bill payments to QuickBooks Online (Accounting API v3, OAuth 2.0) and back',
  },
  capabilities: {
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    partialPayments: true,
    // One bill payment per call: a batch's requestid covers the whole batch, so per-record exactly-once would
    // rest on lookups alone (see README, "Batching").
    maxBatch: 1,
    // Intuit: 500 requests per minute per company, and more than 10 concurrent requests are throttled.
    rateLimit: { requests: 500, intervalMs: 60_000, concurrency: 10 },
    idempotency: 'native',
    // Bills and vendors are one entity per call too, each with its own requestid (native idempotency): the
    // connector-wide values hold for them.
  },
  configSchema: QboConfig,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: createQboClient,
});

export { QboConfig } from './config.js';
export { createQboClient } from './client.js';
export { requestIdFor, queryLiteral } from './qbo-wire.js';
export { decodeCursor, encodeCursor } from './qbo-extractor.js';
export type { QboImportCursor } from './qbo-extractor.js';
