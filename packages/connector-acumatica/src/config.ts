import { z } from 'zod';

const NonEmpty = z.string().trim().min(1, 'must not be empty');

/**
 * The connection settings of one Acumatica tenant (the `connection:` block of a runner tenant). Acumatica is
 * hosted per customer, so there is no default site URL: `baseUrl` is the customer's own site.
 */
export const AcumaticaConfig = z
  .object({
    /**
     * The customer's Acumatica site, with the instance path when there is one
     * (`https://acme.acumatica.com` or `https://erp.acme.com/AcumaticaERP`). The API lives under `<baseUrl>/entity/`.
     */
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the Acumatica site, e.g. https://acme.acumatica.com' })
      .transform((url) => url.replace(/\/+$/, '')),
    /** The contract-based endpoint name (Integration > Web Service Endpoints, SM207060). */
    endpointName: NonEmpty.default('Default'),
    /** The endpoint version; 24.200.001 is the contract this connector was written against. */
    endpointVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'an endpoint version such as "24.200.001"')
      .default('24.200.001'),
    /** The API user's name. Each signed-in API user takes a licence seat: use a user reserved for ledgerlink. */
    username: NonEmpty,
    /** The API user's password; give it as `${env:ACUMATICA_PASSWORD}`, never inline. */
    password: z.string().min(1, 'must not be empty'),
    /** The tenant's login name (Tenants, SM203520: Login Name). */
    tenant: NonEmpty,
    /** The branch to sign in to (Branches, CS102000: Branch ID); the user's default branch when absent. */
    branch: NonEmpty.optional(),
    /** Locale for localizable data, e.g. `EN-US`. */
    locale: NonEmpty.optional(),
    /** How often a running `ReleaseCheck` is polled, in milliseconds (Acumatica's own client polls every second). */
    releasePollIntervalMs: z.number().int().min(1).max(60_000).default(1000),
    /** How long to wait for a release to finish before treating its outcome as unknown, in milliseconds. */
    releaseTimeoutMs: z.number().int().min(1).max(30 * 60_000).default(120_000),
    /** Checks per page when importing ($top). */
    pageSize: z.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** The validated connection settings. */
export type AcumaticaConfig = z.output<typeof AcumaticaConfig>;
/** The connection settings as a customer writes them (defaults not yet applied). */
export type AcumaticaConfigInput = z.input<typeof AcumaticaConfig>;
