/** The rate-limited engine: lanes, retries, the HTTP transport, and the runtime that puts a connector to work. */
export { DEFAULT_RETRY_POLICY } from './types.js';
export type {
  ConnectorRuntime,
  ExportHooks,
  ExportItem,
  ExportRecordsOptions,
  ImportPage,
  LaneStats,
  RateLimitOverride,
  RecordExportItem,
  RetryPolicy,
  RuntimeOptions,
} from './types.js';
export { backoffDelay } from './backoff.js';
export type { BackoffInput } from './backoff.js';
export { createFetchHttpClient, createHttpClient, DEFAULT_TIMEOUT_MS } from './http-client.js';
export type { FetchHttpClientOptions, HttpClientOptions } from './http-client.js';
export { Lane } from './lane.js';
export type { LaneOptions } from './lane.js';
export { resolveRateLimit } from './rate-limit.js';
export { parseConnectorConfig } from './connector-config.js';
export type { ResolveRateLimitContext } from './rate-limit.js';
export { preflightPayment } from './preflight.js';
export { capabilityRefusal, preflightRecord } from './entity-preflight.js';
export { compileEntityMappings } from './entity-mappings.js';
export type { EntityMappings } from './entity-mappings.js';
export { createConnectorRuntime } from './runtime.js';
