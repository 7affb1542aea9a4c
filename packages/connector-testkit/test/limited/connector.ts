import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createExampleClient } from '../example/client.js';
import { ExampleConfig } from '../example/config.js';

/**
 * The Example ERP client behind fewer capabilities: no import, no partial payments, and a mapping without
 * Notes. It drives the kit's other paths: refusal checks for what is not declared, and a not-applicable check
 * that must prove its reason.
 */
export const limitedExampleConnector = defineConnector({
  manifest: {
    id: 'example-erp-limited',
    displayName: 'Example ERP (limited)',
    version: '0.1.0',
    contractVersion: 'v1',
    coreRange: '^0.1.0',
  },
  capabilities: {
    entities: { payment: ['export'] },
    partialPayments: false,
    maxBatch: 1,
    rateLimit: { requests: 20, intervalMs: 1_000, concurrency: 4 },
    idempotency: 'native',
  },
  configSchema: ExampleConfig,
  mapping: { path: fileURLToPath(new URL('./mapping.yaml', import.meta.url)) },
  createClient: createExampleClient,
});
