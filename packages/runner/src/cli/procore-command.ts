import { parseArgs } from 'node:util';
import { isLedgerlinkError, type SetupStep } from '@ledgerlink/core';
import { bearerFor, erpMetadataFor } from '@ledgerlink/connector-procore';
import { formatConfigProblem, loadConfig } from '../config/load-config.js';
import { validateDeployment } from '../config/validate-deployment.js';
import { createHubRuntime } from '../hub/hub-runtime.js';
import { createLogger } from '../logging/create-logger.js';
import { loadBuiltInConnectors } from '../plugins/built-in-loaders.js';
import { ConnectorRegistry, loadPluginConnectors } from '../plugins/connector-registry.js';
import { UsageError, type CliIo } from './io.js';

export const PROCORE_USAGE = 'procore connect --config FILE [--tenant T] [--dry-run] [--url PUBLIC_URL]';

/** Where the runner receives Procore's deliveries (the webhook route), below its public URL. */
const WEBHOOK_PATH = '/webhooks/procore';

/**
 * `ledgerlink procore connect`: for each tenant (or one), creates or updates, idempotently, its Procore company's ERP
 * connection with metadata generated from the tenant's ERP connector capabilities, the webhook hook with the
 * company's bearer in `destination_headers`, and the `ERP Requests` / `create` trigger. One line per step;
 * `--dry-run` prints the metadata and changes nothing.
 */
export async function procoreCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'connect') throw new UsageError(PROCORE_USAGE);
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: 'string' }, tenant: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, url: { type: 'string' } },
  });
  if (values.config === undefined) throw new UsageError(`procore connect needs --config FILE\n  ${PROCORE_USAGE}`);
  const file = values.config;

  const first = loadConfig(file, io.env);
  const registry = new ConnectorRegistry([...(await loadBuiltInConnectors()), ...(await loadPluginConnectors(first.ok ? first.loaded.config.plugins : []))]);
  const result = validateDeployment(file, registry, io.env);
  if (!result.ok) {
    for (const problem of result.problems) io.err(formatConfigProblem(problem));
    return 1;
  }
  const { config, secrets } = result.loaded;
  if (config.hub === undefined || config.hub.connector !== 'procore') {
    io.err(`${file}: no Procore hub is configured: add a hub: block with connector: procore and its connection`);
    return 1;
  }
  const tenants = config.tenants.filter((tenant) => values.tenant === undefined || tenant.id === values.tenant);
  if (tenants.length === 0) {
    io.err(`${file}: no tenant "${values.tenant ?? ''}" (tenants: ${config.tenants.map((tenant) => tenant.id).join(', ')})`);
    return 1;
  }
  // Procore's ERP tool has one ERP connection per company: two tenants on one company would overwrite each other.
  const owner = new Map<string, string>();
  for (const tenant of config.tenants) {
    if (tenant.hubCompanyId === undefined) continue;
    const other = owner.get(tenant.hubCompanyId);
    if (other !== undefined && tenants.some((t) => t.id === tenant.id || t.id === other)) {
      io.err(`${file}: tenants ${other} and ${tenant.id} both name Procore company ${tenant.hubCompanyId}; a company has one ERP connection, so one tenant per company`);
      return 1;
    }
    owner.set(tenant.hubCompanyId, tenant.id);
  }

  const plans = tenants.map((tenant) => {
    const erp = registry.erp(tenant.erp);
    return { tenant, companyId: tenant.hubCompanyId, metadata: erpMetadataFor(erp.capabilities, { name: erp.manifest.displayName }) };
  });

  if (values['dry-run']) {
    for (const plan of plans) io.out(JSON.stringify({ tenant: plan.tenant.id, companyId: plan.companyId ?? null, metadata: plan.metadata }, null, 2));
    return 0;
  }

  const base = values.url ?? config.server.publicUrl;
  if (base === undefined) {
    io.err(`${file}: where does Procore reach this runner? Give --url https://… (its public address) or set server.publicUrl`);
    return 1;
  }
  const destinationUrl = webhookUrl(base);
  if (destinationUrl === undefined) {
    io.err(`--url ${base} is not an http(s) address such as https://ledgerlink.example.com`);
    return 1;
  }
  const webhookSecret = config.hub.webhookSecret;
  if (webhookSecret === undefined) {
    io.err(`${file}: hub.webhookSecret is not set: each company's hook bearer is derived from it (set it as \${env:NAME})`);
    return 1;
  }

  const logger = createLogger({ level: 'warn', pretty: config.logging.pretty, secrets, destination: process.stderr });
  const runtime = createHubRuntime(registry.hub(config.hub.connector), {
    config: config.hub.connection,
    webhookSecret,
    ...(config.hub.rateLimit === undefined ? {} : { rateLimit: config.hub.rateLimit }),
    logger,
    now: () => new Date(),
  });
  const context = { signal: new AbortController().signal };
  const print = (tenantId: string, step: SetupStep): void => io.out(`${tenantId}  ${step.what}  ${step.action}  id ${step.id}`);
  let failed = false;
  try {
    for (const { tenant, companyId, metadata } of plans) {
      if (companyId === undefined) {
        io.err(`${tenant.id}: has no hubCompanyId, so there is no Procore company to connect; skipped`);
        failed = true;
        continue;
      }
      try {
        const { setup } = runtime.client;
        print(tenant.id, await setup.ensureConnection(companyId, metadata, context));
        const hook = await setup.ensureHook(companyId, { destinationUrl, bearer: bearerFor(webhookSecret, companyId) }, context);
        print(tenant.id, hook);
        print(tenant.id, await setup.ensureTrigger(companyId, hook.id, context));
      } catch (error) {
        if (!isLedgerlinkError(error)) throw error;
        io.err(`${tenant.id}: could not connect Procore company ${companyId}: ${error.message}`);
        failed = true;
      }
    }
  } finally {
    await runtime.close();
  }
  return failed ? 1 : 0;
}

/** The hook's destination: the public base URL with the webhook route, unless it is already there. */
function webhookUrl(base: string): string | undefined {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(WEBHOOK_PATH) ? path : `${path}${WEBHOOK_PATH}`;
  return url.toString();
}
