import type { z } from 'zod';
import type { Connector } from '../connector/define-connector.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';

/**
 * Checks a tenant's connection settings against the connector's config schema. Every problem is listed at
 * once, each by its path under `connection.`; values are never echoed, since they may be secrets.
 */
export function parseConnectorConfig<TConfig>(connector: Connector<TConfig>, config: unknown, tenant: string): TConfig {
  const parsed = connector.configSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(describeIssue);
  const { id, displayName } = connector.manifest;
  throw new LedgerlinkError(
    ErrorCodes.CONNECTOR_CONFIG_INVALID,
    `the connection settings of tenant "${tenant}" for ${displayName} (${id}) are invalid:\n  ${problems.join('\n  ')}\n` +
      `Fix these fields in the tenant's connection block (secrets as \${env:NAME} references) and start again.`,
    { details: { tenant, connector: id, problems } },
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = ['connection', ...issue.path.map(String)].join('.');
  // zod 4 words a missing key as "expected string, received undefined": say what a reader would.
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  return `${path}: ${missing ? `Required (expected ${issue.expected})` : issue.message}`;
}
