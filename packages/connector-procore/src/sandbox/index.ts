import type { ProcoreSandbox, ProcoreSandboxOptions } from './types.js';

export type * from './types.js';

/** The service account the sandbox knows unless told otherwise (test values, not secrets). */
export const PROCORE_SANDBOX_SERVICE_ACCOUNT = {
  clientId: 'sandbox-procore-dmsa-client-id',
  clientSecret: 'sandbox-procore-dmsa-client-secret',
} as const;

/**
 * Starts a Procore company with the ERP Integrations tool, in memory, on 127.0.0.1 (a free port unless told).
 * Skeleton: the implementation lands in the following commits.
 */
export function createProcoreSandbox(options: ProcoreSandboxOptions = {}): Promise<ProcoreSandbox> {
  return Promise.reject(new Error(`createProcoreSandbox is not implemented yet (options: ${Object.keys(options).join(', ')})`));
}

// The disbursements-era sandbox, kept only until its last users move to the platform sandbox; then deleted.
export { generatePayments, PROCORE_SANDBOX_APP, startProcoreSandbox } from './legacy/index.js';
export type { GeneratedPayment, GeneratedPayments, GeneratePaymentsOptions, PaymentScenario } from './legacy/index.js';
export type { ProcoreSandbox as LegacyProcoreSandbox, ProcoreSandboxOptions as LegacyProcoreSandboxOptions, Subscription } from './legacy/index.js';
