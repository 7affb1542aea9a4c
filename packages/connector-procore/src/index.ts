import { fileURLToPath } from 'node:url';
import { defineHubConnector } from '@ledgerlink/core';
import { createProcoreHubClient } from './client.js';
import { ProcoreConfig } from './config.js';
import { createProcoreWebhooks } from './webhooks/parse-webhook.js';

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION = '0.1.0';

/**
 * Procore, the hub: Procore Pay payments at 'Funding Complete' come out (webhooks, with polling as the fallback),
 * and payments the ERP issued go back onto commitments as `contract_payments` written with `origin_id`.
 */
export const procoreConnector = defineHubConnector<ProcoreConfig>({
  manifest: {
    id: 'procore',
    displayName: 'Procore',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'The hub: Procore Pay payments out, payments issued back (REST v1.0, OAuth 2.0, webhooks)',
  },
  capabilities: {
    // The hub is the source of every export and the target of every import: both directions of `payment`.
    entities: { payment: ['export', 'import'] },
    partialPayments: true,
    // Procore has no batch write for contract payments.
    maxBatch: 1,
    // 3,600 requests per hour per token. Procore's 10-second spike window cannot be stated in the same RateLimit:
    // its 429 (with X-Rate-Limit-Reset) pauses the lane instead. Concurrency is this project's choice [I].
    rateLimit: { requests: 3600, intervalMs: 3_600_000, concurrency: 4 },
    // origin_id is unique in Procore: a repeated write answers 409 and is resolved to the existing payment.
    idempotency: 'native',
  },
  configSchema: ProcoreConfig,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createHubClient: createProcoreHubClient,
  webhooks: createProcoreWebhooks(),
});

export { ProcoreConfig } from './config.js';
export { createProcoreHubClient } from './client.js';
export type { ProcoreHubClient } from './client.js';
export { createProcoreWebhooks, PROCORE_RETRY_HORIZON_MS } from './webhooks/parse-webhook.js';
export type { ProcoreWebhookOptions } from './webhooks/parse-webhook.js';
export { SIGNATURE_HEADER } from './webhooks/verify-delivery.js';
export type { WebhookRefusal } from './webhooks/verify-delivery.js';
export { WebhookDeduper } from './webhooks/webhook-deduper.js';
export { decodeFundedCursor, encodeFundedCursor } from './funded-payments.js';
export type { FundedCursor } from './funded-payments.js';
export { amountCents } from './procore-wire.js';
