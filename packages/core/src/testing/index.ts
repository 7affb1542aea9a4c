/**
 * @ledgerlink/core/testing: test kits that ship with core. Each store's whole ledger conformance test is one
 * call of `describeLedgerConformance`. Needs vitest (an optional peer dependency of core).
 */
export { describeLedgerConformance } from './ledger-suite.js';
export type { CreateLedger, LedgerSuiteContext, LedgerUnderTest } from './ledger-fixtures.js';
