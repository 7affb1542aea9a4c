/**
 * @ledgerlink/connector-yardi: Yardi Voyager through the Vendor Invoicing SOAP interface. Payments go out as
 * checks (`ImportCheck_Login` with a check document) paying their payables; posted checks come back as payments
 * issued (`GetCheckInvoice`).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createYardiClient } from './client.js';
import { YardiConfig } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

export const yardiConnector = defineConnector<YardiConfig>({
  manifest: {
    id: 'yardi',
    displayName: 'Yardi Voyager',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'Checks paying payables to Yardi Voyager (SOAP Vendor Invoicing, ImportCheck_Login) and posted checks back',
  },
  capabilities: {
    entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
    // A check applies to its payable for the amount given; the payable stays open for the rest.
    partialPayments: true,
    // One check document per call: a document of several checks could half-succeed, with one answer for all.
    maxBatch: 1,
    // Yardi publishes no limit [U]; a conservative default a customer can lower, or raise with allowAboveDeclared.
    rateLimit: { requests: 60, intervalMs: 60_000, concurrency: 2 },
    // No idempotency key on ImportCheck_Login: GetCheckInvoice by check number + bank before any retry.
    idempotency: 'lookup',
  },
  configSchema: YardiConfig,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: createYardiClient,
});

export { DEFAULT_NAMESPACE, YardiConfig, YardiMessageRules } from './config.js';
export type { YardiConfigInput } from './config.js';
export { createYardiClient } from './client.js';
export { buildCheckDocument, CHECK_ELEMENTS, DETAIL_ELEMENTS } from './check-document.js';
export { decodeCursor, encodeCursor } from './check-extractor.js';
export type { YardiImportCursor } from './check-extractor.js';
