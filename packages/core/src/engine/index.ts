// Placeholder until the engine lands.
export { DEFAULT_RETRY_POLICY } from './types.js';
export type { ConnectorRuntime, ExportHooks, ExportItem, ImportPage, LaneStats, RateLimitOverride, RetryPolicy, RuntimeOptions } from './types.js';
