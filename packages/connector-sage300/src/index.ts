/**
 * @ledgerlink/connector-sage300: Sage 300 Construction and Real Estate. Export only: each paid invoice gets
 * Invoice Code 1 = PROCOREPAY and Invoice Code 2 = the check number, through the on-premises agent of
 * "Agent protocol v1" (README.md), so Sage's "Select invoices to pay" picks exactly those invoices.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConnector } from '@ledgerlink/core';
import { createSage300Client } from './client.js';
import { type Sage300Config, Sage300ConfigSchema } from './config.js';

/** package.json is the one source of the version: read at run time, from src/ and dist/ alike. */
const packageJson = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version, shown by `ledgerlink connectors`. */
export const VERSION: string = packageJson.version;

export const sage300Connector = defineConnector<Sage300Config>({
  manifest: {
    id: 'sage300',
    displayName: 'Sage 300 CRE',
    version: VERSION,
    contractVersion: 'v1',
    coreRange: '^0.1.0',
    description: 'Marks paid AP invoices with Invoice Code 1 = PROCOREPAY and Invoice Code 2 = the check number for Sage\'s "Select invoices to pay"',
  },
  capabilities: {
    entities: { payment: ['export'], requisition: ['export'], vendor: ['export', 'import'] },
    unsupported: { payment: { import: "Sage 300 CRE's checks are made inside Sage; the agent marks invoices for a check run and has nothing final to bring back" } },
    // Invoice codes select a whole invoice: Sage would pay its full balance.
    partialPayments: false,
    maxBatch: 1,
    // One Sage session on the agent: Sage 300 CRE's AP files take one writer at a time.
    rateLimit: { requests: 10, intervalMs: 1000, concurrency: 1 },
    // Setting the same codes again is harmless and `find` reads them back; the agent also replays an
    // Idempotency-Key.
    idempotency: 'lookup',
  },
  configSchema: Sage300ConfigSchema,
  mapping: { path: fileURLToPath(new URL('../mapping.yaml', import.meta.url)) },
  createClient: createSage300Client,
});

export { Sage300ConfigSchema } from './config.js';
export type { Sage300Config } from './config.js';
