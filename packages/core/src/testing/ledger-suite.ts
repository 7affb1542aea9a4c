import { afterEach, beforeEach, describe } from 'vitest';
import type { Ledger } from '../ledger/types.js';
import type { CreateLedger, LedgerSuiteContext, LedgerUnderTest } from './ledger-fixtures.js';
import { describeAttempts } from './ledger-suite-attempts.js';
import { describeDurability } from './ledger-suite-durability.js';
import { describeEdits } from './ledger-suite-edits.js';
import { describeItems } from './ledger-suite-items.js';
import { describeStates } from './ledger-suite-states.js';

class Harness implements LedgerSuiteContext {
  private underTest: LedgerUnderTest | undefined;
  private current: Ledger | undefined;

  async open(createLedger: CreateLedger): Promise<void> {
    this.underTest = await createLedger();
    this.current = this.underTest.ledger;
  }

  get ledger(): Ledger {
    if (this.current === undefined) throw new Error('no ledger: the suite opens one before each test');
    return this.current;
  }

  async reopen(): Promise<Ledger> {
    const reopen = this.underTest?.reopen;
    if (reopen === undefined) throw new Error('this store gave no reopen(): it cannot run the durability checks');
    await this.current?.close();
    this.current = undefined;
    this.current = await reopen();
    return this.current;
  }

  async dispose(): Promise<void> {
    await this.current?.close();
    await this.underTest?.cleanup?.();
    this.current = undefined;
    this.underTest = undefined;
  }
}

/**
 * The conformance suite every Ledger store runs, in one call:
 *
 * ```ts
 * describeLedgerConformance('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'ledger-'));
 *   const path = join(dir, 'ledger.db');
 *   return { ledger: openSqliteLedger({ path }), reopen: async () => openSqliteLedger({ path }),
 *            cleanup: () => rm(dir, { recursive: true, force: true }) };
 * });
 * ```
 *
 * `createLedger` is called once per test and must give a fresh, empty store. When it gives `reopen`, the
 * store's data must survive a close and reopen, and the durability checks run too.
 */
export function describeLedgerConformance(name: string, createLedger: CreateLedger): void {
  describe(`ledger conformance: ${name}`, async () => {
    // Whether the durability checks apply is the store's to say: ask it once, while the suite is collected.
    const probe = await createLedger();
    const durable = probe.reopen !== undefined;
    await probe.ledger.close();
    await probe.cleanup?.();

    const harness = new Harness();
    beforeEach(() => harness.open(createLedger));
    afterEach(() => harness.dispose());

    describeItems(harness);
    describeStates(harness);
    describeAttempts(harness);
    describeEdits(harness);
    if (durable) describeDurability(harness);
  });
}
