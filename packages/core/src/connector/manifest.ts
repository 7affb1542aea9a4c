import { z } from 'zod';

/** The connector contract version this core speaks. A plugin states the one it was written against. */
export const CONTRACT_VERSION = 'v1' as const;
export type ContractVersion = typeof CONTRACT_VERSION;

export const Manifest = z
  .object({
    /** Stable id, kebab-case (`qbo`); never renamed, separate from the display name. */
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case kebab-case id such as "qbo"'),
    /** Name shown to people (`QuickBooks Online`). */
    displayName: z.string().min(1),
    /** The connector package's own semver version. */
    version: z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, 'a semver version such as "1.2.0"'),
    /** The contract version the plugin was written against. */
    contractVersion: z.literal(CONTRACT_VERSION),
    /** The semver range of @ledgerlink/core the plugin was built for (`^0.1.0`). */
    coreRange: z.string().min(1),
    /** One line on what the connector syncs. */
    description: z.string().optional(),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;
