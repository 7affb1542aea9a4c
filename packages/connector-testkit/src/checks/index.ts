import type { ConformanceCheck } from '../check-names.js';
import { commitThenDropCheck } from './commit-then-drop.js';
import { configCheck } from './config.js';
import { duplicateCheckNumberCheck, unknownBankCheck } from './edits.js';
import { exportCheck } from './export.js';
import { importCheck } from './import.js';
import { lookupIsThisPaymentCheck } from './lookup-is-this-payment.js';
import { partialPaymentCheck } from './partial-payment.js';
import { rateLimitCheck } from './rate-limit.js';
import { unknownBillCheck, unknownVendorCheck } from './rejections.js';
import { specialCharactersCheck } from './special-characters.js';
import { throttlingCheck } from './throttling.js';
import { requisitionCommitThenDropCheck } from './requisition-commit-then-drop.js';
import { requisitionExportCheck } from './requisition-export.js';
import { requisitionUnknownVendorCheck } from './requisition-unknown-vendor.js';
import { vendorCommitThenDropCheck } from './vendor-commit-then-drop.js';
import { vendorExportCheck } from './vendor-export.js';
import { vendorImportCheck } from './vendor-import.js';
import type { CheckDefinition } from './types.js';

export { exportRefusal } from './export-refusal.js';
export type { CheckBody, CheckDefinition } from './types.js';

/** Every check's definition, by name. */
export const CHECKS: Record<ConformanceCheck, CheckDefinition> = {
  config: configCheck,
  export: exportCheck,
  'duplicate-check-number': duplicateCheckNumberCheck,
  'unknown-bank': unknownBankCheck,
  'unknown-bill': unknownBillCheck,
  'unknown-vendor': unknownVendorCheck,
  'partial-payment': partialPaymentCheck,
  throttling: throttlingCheck,
  'rate-limit': rateLimitCheck,
  'commit-then-drop': commitThenDropCheck,
  'lookup-is-this-payment': lookupIsThisPaymentCheck,
  import: importCheck,
  'special-characters': specialCharactersCheck,
  'requisition-export': requisitionExportCheck,
  'requisition-commit-then-drop': requisitionCommitThenDropCheck,
  'requisition-unknown-vendor': requisitionUnknownVendorCheck,
  'vendor-export': vendorExportCheck,
  'vendor-commit-then-drop': vendorCommitThenDropCheck,
  'vendor-import': vendorImportCheck,
};
