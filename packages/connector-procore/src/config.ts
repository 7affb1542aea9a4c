import { z } from 'zod';

const Secret = z.string().trim().min(1, 'must not be empty');

/**
 * The connection settings of the Procore hub (the runner config's `hub.connection:` block): a Developer Managed
 * Service Account's client credentials and the companies it serves. Secrets are given as `${env:NAME}` references
 * in the runner's config; they never appear in errors or logs. There is no refresh token: the client credentials
 * grant asks for a new access token whenever one expires.
 */
export const ProcoreConfig = z
  .object({
    /** REST host (`https://api.procore.com`; Procore's development sandbox is `https://sandbox.procore.com`). */
    apiBaseUrl: z.url().default('https://api.procore.com'),
    /** The token endpoint of the client credentials grant. */
    tokenUrl: z.url().default('https://login.procore.com/oauth/token'),
    /** The service account's client id (Procore Developer Portal, Developer Managed Service Account). */
    clientId: Secret,
    /** The service account's client secret. */
    clientSecret: Secret,
    /** Companies this deployment serves; `check()` proves the service account reaches each one's ERP connection. */
    companyIds: z.array(z.string().trim().regex(/^\d+$/, 'a Procore company id is numeric, e.g. "4264"')).default([]),
    /** Records per page when listing (`per_page`); Procore's lists here cap at 100. */
    perPage: z.number().int().min(1).max(100).default(100),
    /** The webhook namespace of ledgerlink's hooks (lower-case letters, digits, dashes: one per integration). */
    namespace: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes, e.g. "ledgerlink"')
      .default('ledgerlink'),
  })
  .strict();

export type ProcoreConfig = z.infer<typeof ProcoreConfig>;
