import { ENTITY_CHECKS, ENTITY_CHECK_TITLES, ENTITY_NOT_SKIPPABLE } from './entity-check-names.js';

/** The payment checks, in the order they run. */
export const PAYMENT_CHECKS = [
  'config',
  'export',
  'duplicate-check-number',
  'unknown-bank',
  'unknown-bill',
  'unknown-vendor',
  'partial-payment',
  'throttling',
  'rate-limit',
  'commit-then-drop',
  'lookup-is-this-payment',
  'import',
  'special-characters',
] as const;

/** Every check the conformance suite may run, in the order it runs them: the payment checks, then the per-entity ones. */
export const CONFORMANCE_CHECKS = [...PAYMENT_CHECKS, ...ENTITY_CHECKS] as const;

export type ConformanceCheck = (typeof CONFORMANCE_CHECKS)[number];

/** What each check proves, as the test's title. */
export const CHECK_TITLES: Record<ConformanceCheck, string> = {
  config: 'a valid config connects; an invalid one fails naming the field',
  export: 'a payment lands in the sandbox with every mapped field',
  'duplicate-check-number': 'a check number already used on the bank account needs an edit; the edit then exports',
  'unknown-bank': 'an unknown bank needs an edit naming the bank ID',
  'unknown-bill': "a bill not in the ERP is rejected with the ERP's own answer",
  'unknown-vendor': "an unknown vendor is rejected with the ERP's own answer",
  'partial-payment': 'a partial payment syncs (partialPayments declared)',
  throttling: "the ERP's throttle answer is retried and the export syncs",
  'rate-limit': "a burst never exceeds the lane's rate or concurrency",
  'commit-then-drop': 'a lost answer after a commit does not post a second payment',
  'lookup-is-this-payment': 'a lookup never settles a payment against another one with the same vendor, bank and check number',
  import: 'import returns only final payments, mapped back to the canonical model',
  'special-characters': "& < > \" ' non-ASCII and emoji survive export and import unchanged",
  ...ENTITY_CHECK_TITLES,
};

/**
 * Checks that no skip reason can switch off, and what to do instead. What a connector cannot do it declares
 * in its capabilities (the kit then checks the refusal); what every connector must do is not optional.
 */
export const NOT_SKIPPABLE: Partial<Record<ConformanceCheck, string>> = {
  config: 'every connector validates its config and connects',
  export: 'declare no payment export in capabilities.entities instead; the kit then checks the refusal',
  'partial-payment': 'declare partialPayments: false instead; the kit then checks the refusal',
  'rate-limit': 'the engine enforces the lane for every connector',
  'commit-then-drop': 'a payment is never posted twice: declare idempotency native or lookup and implement it',
  'lookup-is-this-payment': 'a lookup that settles one payment against another loses a payment: match amount, bills and date too',
  import: 'declare no payment import in capabilities.entities instead; the kit then checks the refusal',
  ...ENTITY_NOT_SKIPPABLE,
};
