/**
 * @ledgerlink/connector-testkit: the conformance suite every ledgerlink connector runs against its sandbox,
 * in one call. This file is the package's whole public surface.
 */
export { describeConnectorConformance } from './describe-conformance.js';
export { CONFORMANCE_CHECKS, NOT_SKIPPABLE, PAYMENT_CHECKS } from './check-names.js';
export { ENTITY_CHECKS, ENTITY_CHECK_SCOPE } from './entity-check-names.js';
export type { EntityCheck } from './entity-check-names.js';
export type { ConformanceCheck } from './check-names.js';
export type { ConformanceFixtures, ConformanceOptions, PaymentDefaults, RequisitionDefaults } from './options.js';
export { planChecks } from './plan.js';
export type { CheckPlan } from './plan.js';
export { SPECIAL_NOTES, SPECIAL_VENDOR_NAME } from './checks/special-characters.js';
export { describeSandboxIsolation } from './sandbox-isolation.js';
export { freePort } from './ports.js';
