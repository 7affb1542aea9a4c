/**
 * @ledgerlink/runner: the daemon and CLI. Config, the composition root, the stores, the export and import
 * flows, the scheduler and the HTTP server.
 */
import 'reflect-metadata';

export { loadConfig, parseConfig, formatConfigProblem } from './config/load-config.js';
export type { ConfigProblem, LoadedConfig } from './config/load-config.js';
export { DeploymentConfig, TenantConfig, ApiToken } from './config/schema.js';
export { validateDeployment } from './config/validate-deployment.js';
export { Runner } from './daemon.js';
export type { RunnerOptions, WebhookReceipt } from './daemon.js';
export { createRootContainer, createTenantScope } from './container.js';
export type { RootDependencies, TenantScope } from './container.js';
export { TenantExporter } from './flows/tenant-exporter.js';
export type { IntakeResult } from './flows/tenant-exporter.js';
export { TenantImporter, IMPORT_CURSOR } from './flows/tenant-importer.js';
export type { ImportSummary } from './flows/tenant-importer.js';
export { LedgerHooks, SYSTEM_ACTOR } from './flows/ledger-hooks.js';
export { createHubRuntime } from './hub/hub-runtime.js';
export type { HubRuntime } from './hub/hub-runtime.js';
export { HubRequestDispatcher, REQUEST_ROUTES } from './hub/request-dispatcher.js';
export type { RequestContext, RequestRoute } from './hub/request-dispatcher.js';
export { closeOutFor } from './hub/close-outs.js';
export { OwnExports, sameNaturalKey } from './flows/own-exports.js';
export { BUILT_IN_CONNECTORS } from './plugins/built-in-connectors.js';
export { ConnectorRegistry, loadPluginConnectors, isHubConnector } from './plugins/connector-registry.js';
export { createServer } from './server/create-server.js';
export { createLogger } from './logging/create-logger.js';
export { RUNNER_TOKENS } from './tokens.js';
export { main as cliMain } from './cli/main.js';
export * from './store/index.js';
