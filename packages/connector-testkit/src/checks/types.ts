import type { Harness } from '../harness.js';

/** One check's body: it gets the harness with the sandbox running and throws (through `expect`) on failure. */
export type CheckBody = (harness: Harness<unknown>) => Promise<void>;

/** A check as the suite registers it. */
export interface CheckDefinition {
  /** The full check. */
  run: CheckBody;
  /**
   * For a check skipped with a reason: proves the connector really lacks what the check needs, so a stale skip
   * fails instead of hiding a regression.
   */
  lacks?: CheckBody;
  /**
   * For a check whose capability is not declared: proves the engine refuses cleanly, before any call. The
   * default, for checks that need payment export, is the export refusal.
   */
  refusal?: CheckBody;
}
