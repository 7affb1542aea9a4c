import type { ConformanceCheck } from './check-names.js';
import type { CheckBody } from './checks/types.js';
import { NEEDS_EXPORT } from './plan.js';

/**
 * Remembers whether the `export` check failed, so the checks that stand on a working export (every other check
 * that exports a payment) say they are blocked by it instead of failing with titles that point elsewhere. They
 * still fail: a connector whose export is broken does not pass the kit.
 */
export class ExportGate {
  #failure: string | undefined;

  /** The check's body as the suite runs it: `export` records its failure; its dependents stop at it. */
  guard(check: ConformanceCheck | string, body: CheckBody): CheckBody {
    if (check === 'export') {
      return async (harness) => {
        try {
          await body(harness);
        } catch (error) {
          this.#failure = firstLine(error);
          throw error;
        }
      };
    }
    if (!NEEDS_EXPORT.has(check as ConformanceCheck)) return body;
    return async (harness) => {
      if (this.#failure !== undefined) {
        throw new Error(`blocked by export: the export check failed, so ${check} cannot tell anything; fix export first (it failed with: ${this.#failure})`);
      }
      await body(harness);
    };
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
