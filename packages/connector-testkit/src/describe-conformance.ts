import type { Connector } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_TITLES } from './check-names.js';
import { CHECKS, exportRefusal, type CheckBody } from './checks/index.js';
import { ExportGate } from './export-gate.js';
import { Harness } from './harness.js';
import type { ConformanceOptions } from './options.js';
import { planChecks, type CheckPlan } from './plan.js';

/** Room for a sandbox's Retry-After pauses and a rate-limited burst on a loaded machine. */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * The whole conformance test of a connector, in one call from its test file:
 *
 * ```ts
 * describeConnectorConformance(qboConnector, { startSandbox, config, invalidConfig, fixtures: {} });
 * ```
 *
 * Registers a vitest `describe` with one test per check, run against the connector's sandbox over a real
 * loopback socket and through the real engine (`createConnectorRuntime`). What the connector does not declare
 * is checked as a clean refusal; a check skipped for another reason carries its written reason in its title
 * and still proves the connector really lacks what it needs.
 */
export function describeConnectorConformance<TConfig>(connector: Connector<TConfig>, options: ConformanceOptions<TConfig>): void {
  const harness = new Harness<TConfig>(connector, options) as unknown as Harness<unknown>;
  const gate = new ExportGate();
  describe(`${connector.manifest.displayName} conformance`, () => {
    beforeAll(() => harness.start());
    afterAll(() => harness.stop());
    for (const plan of planChecks(connector.capabilities, options.skip)) {
      const [title, body] = testFor(plan);
      // A check that exports stops at a failed export with "blocked by export" rather than its own misleading failure.
      const run = plan.mode === 'run' || plan.mode === 'not-applicable' ? gate.guard(plan.check, body) : body;
      it(title, () => run(harness), CHECK_TIMEOUT_MS);
    }
  });
}

function testFor(plan: CheckPlan): [string, CheckBody] {
  switch (plan.mode) {
    case 'run':
      return [`${plan.check}: ${CHECK_TITLES[plan.check]}`, CHECKS[plan.check].run];
    case 'refusal':
      return [`${plan.check}: refused cleanly, before any call (${plan.missing})`, CHECKS[plan.check].refusal ?? exportRefusal];
    case 'not-applicable': {
      const { lacks } = CHECKS[plan.check];
      return [
        `${plan.check}: not applicable — ${plan.reason}`,
        async (harness) => {
          expect(plan.reason.trim(), 'a skipped check carries a written reason').not.toBe('');
          console.info(`[conformance] ${harness.connector.manifest.id} ${plan.check}: not applicable — ${plan.reason}`);
          if (lacks === undefined) throw new Error(`${plan.check} cannot be skipped`);
          await lacks(harness);
        },
      ];
    }
    case 'invalid-skip':
      return [
        `${plan.check}: invalid skip`,
        async () => {
          throw new Error(plan.problem);
        },
      ];
  }
}
