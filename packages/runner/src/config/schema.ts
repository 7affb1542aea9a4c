import { z } from 'zod';

/**
 * The deployment config: one YAML file per customer deployment. Connection blocks are validated twice: here
 * as an open object, and by the tenant's connector's own config schema once the connector is known.
 */

const RateLimitOverride = z
  .object({
    requests: z.number().int().positive().optional(),
    intervalMs: z.number().int().positive().optional(),
    concurrency: z.number().int().positive().optional(),
    /** Raise a value above the ERP's published limit: only when the customer's ERP contract allows it. */
    allowAboveDeclared: z.boolean().optional(),
  })
  .strict();

const Schedule = z
  .object({
    /** Import paid payments every N minutes (0 = on demand only). */
    everyMinutes: z.number().int().min(0).default(60),
  })
  .strict();

export const TenantConfig = z
  .object({
    /** Stable tenant id (kebab-case), the ledger's key with the record id. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case id such as "acme-qbo"'),
    /** Display name. */
    name: z.string().min(1).optional(),
    /** The ERP connector's id (`ledgerlink connectors` lists them). */
    erp: z.string().min(1),
    /** The hub (Procore) company whose payments this tenant exports and whose commitments receive imports. */
    hubCompanyId: z.string().min(1).optional(),
    /** The connector's connection settings; secrets as ${env:NAME} or ${file:PATH}. */
    connection: z.record(z.string(), z.unknown()),
    /** Retries of a retryable outcome within one export run (exponential back-off with full jitter). */
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).optional(),
        baseDelayMs: z.number().int().min(0).optional(),
        maxDelayMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    /** Per-call HTTP timeout to the ERP, in milliseconds (default 30 000). */
    timeoutMs: z.number().int().positive().optional(),
    /** Lower (or, explicitly, raise) the connector's declared rate limit. */
    rateLimit: RateLimitOverride.optional(),
    schedules: z.object({ import: Schedule.optional() }).strict().default({}),
    /** Per entity: exports wait for an accounting approver. */
    requireApproval: z.object({ payment: z.boolean().default(false) }).strict().default({ payment: false }),
    /** Whether exports run at all (an admin can switch them off). */
    exports: z.object({ enabled: z.boolean().default(true) }).strict().default({ enabled: true }),
    /** Lookup tables for the mapping's `lookup:` operator, e.g. bankAccounts: { "BANK-1": "35" }. */
    lookups: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    /** Per funding account (Bank ID): the first check number to use; the seed advises starting at 10000. */
    nextCheckNumber: z.record(z.string(), z.number().int().positive()).default({}),
    /** A mapping override file merged onto the connector's mapping.yaml (path relative to this config). */
    mappingOverride: z.string().min(1).optional(),
  })
  .strict();
export type TenantConfig = z.infer<typeof TenantConfig>;

export const ApiToken = z
  .object({
    /** Who the token belongs to (shown in the audit trail). */
    subject: z.string().min(1),
    /** SHA-256 of the token, hex: tokens are stored hashed (`ledgerlink token hash`). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256 of the token'),
    role: z.enum(['read_only', 'standard', 'admin']),
    /** The "Can Push to Accounting" privilege (seed 003): approve exports, import on demand. */
    accountingApprover: z.boolean().default(false),
    /** Optional expiry, ISO date-time. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type ApiToken = z.infer<typeof ApiToken>;

export const DeploymentConfig = z
  .object({
    store: z
      .union([
        z
          .object({
            sqlite: z
              .object({
                path: z.string().min(1),
                /**
                 * FULL (default): every commit is on disk before a write is acknowledged, so not even an OS crash or a
                 * power cut loses a `beginAttempt` (what a payment ledger needs; group commit makes it cheap). NORMAL:
                 * a process crash loses nothing, an OS crash may lose the last commits.
                 */
                synchronous: z.enum(['FULL', 'NORMAL']).optional(),
                /**
                 * While writes keep coming, the least time between two commits of the group commit, in ms (default 4;
                 * 0: one commit per event-loop turn). Each commit writes the same few pages whatever it holds, so a
                 * busy runner spends less CPU per payment; a write waits at most this much more. A quiet runner (one
                 * write after another) is not delayed.
                 */
                commitIntervalMs: z.number().int().min(0).max(1000).optional(),
              })
              .strict(),
          })
          .strict(),
        z
          .object({
            postgres: z
              .object({
                /** postgres://user@host:5432/database; a password in it must come from ${env:…}. */
                url: z.string().min(1),
                /** A schema of its own (default public). */
                schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a plain lower-case identifier').optional(),
                /** Where older versions kept rotated credentials (files): imported into the store once, then deleted. Default .ledgerlink/credentials beside the config. */
                credentialsDir: z.string().min(1).optional(),
              })
              .strict(),
          })
          .strict(),
      ])
      .default({ sqlite: { path: '.ledgerlink/ledger.db' } }),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65535).default(8080),
        /** The runner's public base URL, as Procore reaches it (`ledgerlink procore connect` points the hook there). */
        publicUrl: z.url().optional(),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    hub: z
      .object({
        /** The hub connector's id (`procore`). */
        connector: z.string().min(1).default('procore'),
        connection: z.record(z.string(), z.unknown()),
        /** Shared secret that signs the hub's webhooks. */
        webhookSecret: z.string().min(1).optional(),
        /** Polling of the hub as the fallback for missed webhooks, in seconds (0 = off). */
        pollSeconds: z.number().int().min(0).default(60),
        /** Lower (or, explicitly, raise) the hub connector's declared rate limit. */
        rateLimit: RateLimitOverride.optional(),
      })
      .strict()
      .optional(),
    /** Extra connector packages, by npm name, installed beside the runner (not scanned: named). */
    plugins: z.array(z.string().min(1)).default([]),
    tenants: z.array(TenantConfig).min(1, 'at least one tenant is needed'),
    api: z.object({ tokens: z.array(ApiToken).default([]) }).strict().default({ tokens: [] }),
    /** How the runner paces its background work. The defaults suit production; tests and the demo shorten them. */
    runner: z
      .object({
        /** How often payments an ERP has queued (`accepted`) are looked up, in milliseconds. */
        settleMs: z.number().int().positive().default(2000),
        /** How often exports left `exporting` by a give-up or a lost answer are driven again, in milliseconds. */
        recoveryMs: z.number().int().positive().default(60_000),
        /** Payments in flight per tenant at most (the lane still enforces the ERP's own limit). */
        maxInFlight: z.number().int().positive().default(200),
        /** How long a graceful shutdown waits for calls in flight, in milliseconds. */
        shutdownGraceMs: z.number().int().positive().default(10_000),
        /**
         * Each tenant's lease (see README "Running several replicas"): only its holder sends for the tenant, and
         * replicas on one store share the tenants. Renewed every third of this; a holder stops sending by itself once
         * this has passed since its last renewal; a holder that dies is replaced once it expires. Milliseconds.
         */
        leaseTtlMs: z.number().int().min(1000).default(15_000),
        /** How long processed webhook deliveries and handled hub requests are kept before they are pruned, in days. */
        retentionDays: z.number().positive().default(14),
      })
      .strict()
      .default({ settleMs: 2000, recoveryMs: 60_000, maxInFlight: 200, shutdownGraceMs: 10_000, leaseTtlMs: 15_000, retentionDays: 14 }),
    logging: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'), pretty: z.enum(['auto', 'always', 'never']).default('auto') })
      .strict()
      .default({ level: 'info', pretty: 'auto' }),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.hub !== undefined) {
      config.tenants.forEach((tenant, index) => {
        if (tenant.hubCompanyId === undefined) {
          context.addIssue({
            code: 'custom',
            path: ['tenants', index],
            message: `tenant "${tenant.id}" needs hubCompanyId: the hub company whose payments it exports (a hub is configured)`,
          });
        }
      });
    }
    const seen = new Map<string, number>();
    config.tenants.forEach((tenant, index) => {
      const first = seen.get(tenant.id);
      if (first !== undefined) {
        context.addIssue({ code: 'custom', path: ['tenants', index, 'id'], message: `tenant id "${tenant.id}" is already used by tenants[${first}]` });
      } else seen.set(tenant.id, index);
    });
  });
export type DeploymentConfig = z.infer<typeof DeploymentConfig>;
