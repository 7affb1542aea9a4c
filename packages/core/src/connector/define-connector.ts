import semver from 'semver';
import type { z } from 'zod';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { CORE_VERSION } from '../version.js';
import { Capabilities, type CapabilitiesInput } from './capabilities.js';
import type { ClientContext, ConnectorClient } from './contracts.js';
import { CONTRACT_VERSION, Manifest } from './manifest.js';

export interface ConnectorDefinition<TConfig> {
  manifest: z.input<typeof Manifest>;
  capabilities: CapabilitiesInput;
  /** zod schema of the connection settings (the tenant's `connection:` block). */
  configSchema: z.ZodType<TConfig>;
  /** The connector's mapping.yaml, by absolute path. */
  mapping: { path: string };
  createClient(context: ClientContext<TConfig>): ConnectorClient;
}

/** A validated connector: one typed value, what a connector package exports. */
export interface Connector<TConfig = unknown> {
  readonly manifest: Manifest;
  readonly capabilities: Capabilities;
  readonly configSchema: z.ZodType<TConfig>;
  readonly mapping: { path: string };
  createClient(context: ClientContext<TConfig>): ConnectorClient;
}

/**
 * Defines a connector. Validates the manifest and capabilities at once, so a malformed plugin fails where
 * it is defined, with every problem listed.
 */
export function defineConnector<TConfig>(definition: ConnectorDefinition<TConfig>): Connector<TConfig> {
  const manifest = Manifest.safeParse(definition.manifest);
  const capabilities = Capabilities.safeParse(definition.capabilities);
  const problems = [
    ...(manifest.success ? [] : manifest.error.issues.map((issue) => `manifest.${issue.path.join('.')}: ${issue.message}`)),
    ...(capabilities.success
      ? []
      : capabilities.error.issues.map((issue) => `capabilities.${issue.path.join('.')}: ${issue.message}`)),
  ];
  if (!manifest.success || !capabilities.success) {
    const id = typeof definition.manifest.id === 'string' ? definition.manifest.id : '(no id)';
    throw new LedgerlinkError(ErrorCodes.PLUGIN_INVALID, `connector ${id} is invalid:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return Object.freeze({
    manifest: manifest.data,
    capabilities: capabilities.data,
    configSchema: definition.configSchema,
    mapping: definition.mapping,
    createClient: definition.createClient,
  });
}

/**
 * Refuses a connector built for another core or contract, with a coded error that says which versions fit.
 */
export function assertCompatible(connector: Pick<Connector, 'manifest'>, coreVersion: string = CORE_VERSION): void {
  const { id, version, contractVersion, coreRange } = connector.manifest;
  if (contractVersion !== CONTRACT_VERSION) {
    throw new LedgerlinkError(
      ErrorCodes.PLUGIN_CONTRACT_VERSION,
      `connector ${id}@${version} speaks contract ${String(contractVersion)}; this core speaks ${CONTRACT_VERSION}. ` +
        `Install a version of the connector written for contract ${CONTRACT_VERSION}.`,
    );
  }
  if (semver.validRange(coreRange) === null) {
    throw new LedgerlinkError(ErrorCodes.PLUGIN_CORE_RANGE, `connector ${id}@${version} states an invalid core range "${coreRange}".`);
  }
  if (!semver.satisfies(coreVersion, coreRange, { includePrerelease: true })) {
    throw new LedgerlinkError(
      ErrorCodes.PLUGIN_CORE_RANGE,
      `connector ${id}@${version} needs @ledgerlink/core ${coreRange}, but this is core ${coreVersion}. ` +
        `Install a connector version whose core range includes ${coreVersion} (its manifest's coreRange), ` +
        `or a core within ${coreRange}.`,
      { details: { connector: id, connectorVersion: version, coreRange, coreVersion } },
    );
  }
}
