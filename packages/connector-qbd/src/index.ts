import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createQbdClient } from './client.js';
import { QbdConfig } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

/**
 * QuickBooks Desktop: Procore Pay payment records out as bill payment checks applied to their bills, subcontractor
 * invoices out as bills, vendors both ways, and bill payment checks made in QuickBooks back as payments issued, all through the QuickBooks Web Connector, which
 * polls the SOAP service this connector hosts.
 */
export const qbdConnector = defineConnector<QbdConfig>({
  manifest: {
    id: 'qbd',
    displayName: 'QuickBooks Desktop',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'Bills, vendors and bill payment checks to QuickBooks Desktop (qbXML 13.0, or 12.0 for QuickBooks 2013, through the Web Connector) and back',
  },
  capabilities: {
    // Requisitions become bills (BillAdd); vendors go both ways (VendorAdd, VendorQuery).
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    partialPayments: true,
    // One payment per load: the queue puts many requests into one qbXML message by itself.
    maxBatch: 1,
    // One company file, one Web Connector session, one message at a time. QuickBooks publishes no rate; the
    // connector makes no outbound HTTP, so the lane has nothing to gate (README, "Rate limits").
    rateLimit: { requests: 1000, intervalMs: 60_000, concurrency: 1 },
    idempotency: 'lookup',
    asyncExport: true,
  },
  configSchema: QbdConfig,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: createQbdClient,
});

export { QbdConfig } from './config.js';
export { createQbdClient } from './client.js';
export { appUrlProblem, LEDGERLINK_OWNER_ID, renderQwc } from './qwc.js';
export type { QwcOptions } from './qwc.js';
export { externalGuidFor } from './external-guid.js';
export { billAdd } from './bill-add.js';
export { vendorAdd } from './vendor-add.js';
export { decodeCursor, encodeCursor } from './bill-payment-extractor.js';
export { QBWC_NAMESPACE, qbwcWsdl } from './qbwc-wsdl.js';
