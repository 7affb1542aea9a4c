import { z } from 'zod';

const Secret = z.string().trim().min(1, 'must not be empty');

/**
 * The connection settings of one QuickBooks Online company (a tenant's `connection:` block). Secrets are given
 * as `${env:NAME}` references in the runner's config; they never appear in errors or logs.
 */
export const QboConfig = z
  .object({
    /** API host. Intuit's development sandbox is `https://sandbox-quickbooks.api.intuit.com`. */
    baseUrl: z.url().default('https://quickbooks.api.intuit.com'),
    /** OAuth 2.0 token endpoint, where the refresh token is exchanged for an access token. */
    tokenUrl: z.url().default('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer'),
    /** The company's realm id (shown as "Company ID" in QuickBooks, and returned on connect). */
    realmId: z.string().trim().regex(/^\d+$/, 'the realm id is the numeric company id, e.g. "9130350000000001"'),
    /** The Intuit app's client id (developer.intuit.com, Keys & credentials). */
    clientId: Secret,
    /** The Intuit app's client secret. */
    clientSecret: Secret,
    /**
     * The refresh token from connecting the company. Intuit rotates it; the connector keeps the newest one in
     * memory for the life of the process.
     */
    refreshToken: Secret,
    /** A current access token, if one is at hand; otherwise the first call refreshes. */
    accessToken: Secret.optional(),
    /** The `minorversion` query parameter sent on every API call. */
    minorVersion: z.number().int().min(1).max(999).default(75),
    /** Rows per import query page (`MAXRESULTS`); QuickBooks allows at most 1000. */
    importPageSize: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();

export type QboConfig = z.infer<typeof QboConfig>;
