import { fileURLToPath } from 'node:url';
import { defineHubConnector } from '@ledgerlink/core';
import { createProcoreHubClient } from './client.js';
import { ProcoreConfig } from './config.js';
import { createProcoreWebhooks } from './webhooks/parse-webhook.js';

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION = '0.1.0';

/**
 * Procore, the hub, on its ERP Platform: work arrives as ERP Requests (`create_contract_payment`,
 * `sync_contract_payments`, `reset_payment`), results go back as close-outs and External Data, payments issued by
 * Invoice Payments Sync.
 */
export const procoreConnector = defineHubConnector<ProcoreConfig>({
  manifest: {
    id: 'procore',
    displayName: 'Procore',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'The hub: Procore ERP Platform (ERP Requests, close-out, External Data, Invoice Payments Sync; client credentials; webhooks)',
  },
  capabilities: {
    // The hub is the source of every export and the target of every import: both directions of `payment`;
    // requisitions (subcontractor invoices) go out only; vendors go out (`create_vendor`) and come back staged
    // (`sync_vendors`). mapping.yaml has a section for each.
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    partialPayments: true,
    // Invoice Payments Sync and External Data Sync take up to 100 items per call [I].
    maxBatch: 100,
    // 3,600 requests per hour per token. Procore's 10-second spike window cannot be stated in the same RateLimit:
    // its 429 (with X-Rate-Limit-Reset) pauses the lane instead. Concurrency is this project's choice [I].
    rateLimit: { requests: 3600, intervalMs: 3_600_000, concurrency: 4 },
    // origin_id is unique in Procore: Invoice Payments Sync updates the payment an origin_id already names.
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
export { erpMetadataFor, METADATA_ENTITIES } from './erp-metadata.js';
export type { ErpLabels, MetadataEntity } from './erp-metadata.js';
export { ERP_REQUESTS_EVENT, ERP_REQUESTS_RESOURCE, MAX_BULK, MAX_PER_PAGE, platformPaths } from './platform-paths.js';
export { createProcoreWebhooks, PROCORE_RETRY_HORIZON_MS } from './webhooks/parse-webhook.js';
export type { ProcoreWebhookOptions } from './webhooks/parse-webhook.js';
export { bearerFor } from './webhooks/verify-delivery.js';
export type { WebhookRefusal } from './webhooks/verify-delivery.js';
export { WebhookDeduper } from './webhooks/webhook-deduper.js';
export { exactCents } from './contract-payment.js';
