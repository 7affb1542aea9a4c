import { compileMapping, loadMappingFile, mergeMapping, MappingFileError, resolveRateLimit, supports, type Connector, isLedgerlinkError } from '@ledgerlink/core';
import { formatPath, issuesToProblems, loadConfig, type ConfigProblem, type LoadedConfig } from './load-config.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';

export type ValidateResult = { ok: true; loaded: LoadedConfig } | { ok: false; problems: ConfigProblem[] };

/**
 * Validates a deployment config the whole way: the file (syntax, schema, secret references), then what only the
 * connectors know: each tenant's ERP id, its connection block against the connector's own schema, its mapping
 * override merged onto the connector's mapping, its rate limit against the declared one, and the hub's
 * connection. Every problem is reported at once, each with its position.
 */
export function validateDeployment(file: string, registry: ConnectorRegistry, env: NodeJS.ProcessEnv = process.env): ValidateResult {
  const result = loadConfig(file, env);
  if (!result.ok) return result;
  const { loaded } = result;
  const problems: ConfigProblem[] = [];
  const at = (path: (string | number)[], message: string, atKey = false): ConfigProblem => ({
    file,
    ...loaded.locate(path, atKey),
    path: formatPath(path),
    message,
  });

  loaded.config.tenants.forEach((tenant, index) => {
    const base = ['tenants', index];
    if (!registry.has(tenant.erp) || !registry.erpIds().includes(tenant.erp)) {
      problems.push(at([...base, 'erp'], `unknown ERP connector "${tenant.erp}"; known: ${registry.erpIds().join(', ')} (ledgerlink connectors lists them)`));
      return;
    }
    const connector = registry.erp(tenant.erp) as Connector;
    const parsed = connector.configSchema.safeParse(tenant.connection);
    if (!parsed.success) problems.push(...issuesToProblems(parsed.error.issues, file, loaded.locate, [...base, 'connection']));
    if (tenant.rateLimit !== undefined) {
      try {
        resolveRateLimit(connector.capabilities.rateLimit, tenant.rateLimit, { label: `tenant ${tenant.id}` });
      } catch (error) {
        problems.push(at([...base, 'rateLimit'], (error as Error).message));
      }
    }
    if (tenant.mappingOverride !== undefined) {
      try {
        const merged = mergeMapping(loadMappingFile(connector.mapping.path), loadMappingFile(loaded.resolvePath(tenant.mappingOverride), { override: true }));
        for (const direction of ['export', 'import'] as const) {
          if (supports(connector.capabilities, 'payment', direction)) compileMapping(merged, 'payment', direction);
        }
      } catch (error) {
        if (error instanceof MappingFileError) {
          for (const problem of error.problems) problems.push({ file: problem.file, line: problem.line, col: problem.col, path: '', message: problem.message });
        } else problems.push(at([...base, 'mappingOverride'], isLedgerlinkError(error) ? error.message : String(error)));
      }
    }
  });

  const hub = loaded.config.hub;
  if (hub !== undefined) {
    const connector = registry.list().find((candidate) => candidate.manifest.id === hub.connector);
    if (connector === undefined || !('role' in connector)) {
      problems.push(at(['hub', 'connector'], `unknown hub connector "${hub.connector}"`));
    } else {
      const parsed = connector.configSchema.safeParse(hub.connection);
      if (!parsed.success) problems.push(...issuesToProblems(parsed.error.issues, file, loaded.locate, ['hub', 'connection']));
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, loaded };
}
