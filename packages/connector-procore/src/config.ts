import { z } from 'zod';

const Secret = z.string().trim().min(1, 'must not be empty');

/**
 * The connection settings of the Procore hub (the runner config's `hub.connection:` block). Secrets are given as
 * `${env:NAME}` references in the runner's config; they never appear in errors or logs.
 */
export const ProcoreConfig = z
  .object({
    /** API host (`https://api.procore.com`; the development sandbox is `https://sandbox.procore.com`). */
    baseUrl: z.url().default('https://api.procore.com'),
    /** OAuth host; the token endpoint is `POST {loginUrl}/oauth/token`. */
    loginUrl: z.url().default('https://login.procore.com'),
    /** The app's client id (Procore Developer Portal). */
    clientId: Secret,
    /** The app's client secret. */
    clientSecret: Secret,
    /**
     * The refresh token from connecting the app. Procore's refresh tokens are single-use: every refresh returns a
     * new one, which the connector keeps in memory for the life of the process.
     */
    refreshToken: Secret,
    /** A current access token, if one is at hand; otherwise the first call refreshes. */
    accessToken: Secret.optional(),
    /** Companies this deployment serves; `check()` proves the app is connected to each. */
    companyIds: z.array(z.string().trim().regex(/^\d+$/, 'a Procore company id is numeric, e.g. "4264"')).default([]),
    /** Records per page when listing (`per_page`); Procore recommends at most 1000 here, some endpoints cap at 100. */
    perPage: z.number().int().min(1).max(1000).default(100),
  })
  .strict();

export type ProcoreConfig = z.infer<typeof ProcoreConfig>;
