import {
  createConnectorRuntime,
  type Connector,
  type ConnectorRuntime,
  type ErpSandbox,
  type ExportItem,
  type Outcome,
  type Payment,
  type RuntimeOptions,
  type SandboxPayment,
} from '@ledgerlink/core';
import { checkNumberFor, erpIds, makePayment, seedFor, type ErpIds, type SeedParts } from './fixtures.js';
import type { ConformanceOptions } from './options.js';

/** Retries fast enough for a test, with room for a few throttle answers in a row. */
const TEST_RETRY = { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 5 };
/** How long an `accepted` export (asyncExport connectors) may take to show up in the ERP. */
const SETTLE_ATTEMPTS = 100;
const SETTLE_DELAY_MS = 25;

/** One generated payment and the ERP ids it refers to. */
export interface Generated {
  n: number;
  payment: Payment;
  ids: ErpIds;
}

/**
 * What every check works with: the running sandbox, fresh numbered fixtures, and runtimes built by the real
 * engine exactly as the runner builds them.
 */
export class Harness<TConfig> {
  readonly connector: Connector<TConfig>;
  readonly options: ConformanceOptions<TConfig>;
  #sandbox: ErpSandbox | undefined;
  #counter = 0;

  constructor(connector: Connector<TConfig>, options: ConformanceOptions<TConfig>) {
    this.connector = connector;
    this.options = options;
  }

  get sandbox(): ErpSandbox {
    if (this.#sandbox === undefined) throw new Error('the sandbox is not running: checks run inside describeConnectorConformance');
    return this.#sandbox;
  }

  async start(): Promise<void> {
    this.#sandbox = await this.options.startSandbox();
  }

  async stop(): Promise<void> {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    await sandbox?.close();
  }

  /** A payment with a number no other payment of this run has; nothing is seeded yet. */
  generate(): Generated {
    this.#counter += 1;
    const n = this.#counter;
    return { n, payment: makePayment(this.options.fixtures, n), ids: erpIds(this.options.fixtures, n) };
  }

  /** A check number no payment of this run has used. */
  freshCheckNumber(): string {
    this.#counter += 1;
    return checkNumberFor(this.#counter);
  }

  /** Seeds what makes the payment valid in the ERP, leaving out the parts switched off. */
  seed(payment: Payment, parts: SeedParts = {}): void {
    this.sandbox.seed(seedFor(payment, parts));
  }

  /** A generated payment whose vendor, bank account and bill are all seeded. */
  seeded(): Generated {
    const generated = this.generate();
    this.seed(generated.payment);
    return generated;
  }

  runtimeOptions(overrides: Partial<RuntimeOptions> = {}): RuntimeOptions {
    const { lookups } = this.options.fixtures;
    return {
      tenant: 'conformance',
      config: this.options.config(this.sandbox),
      ...(lookups === undefined ? {} : { lookups }),
      retry: TEST_RETRY,
      ...overrides,
    };
  }

  createRuntime(overrides: Partial<RuntimeOptions> = {}): ConnectorRuntime {
    return createConnectorRuntime(this.connector, this.runtimeOptions(overrides));
  }

  /** Runs `work` with a fresh runtime and always closes it, so no lane state leaks from one check to the next. */
  async withRuntime<T>(work: (runtime: ConnectorRuntime) => Promise<T>, overrides: Partial<RuntimeOptions> = {}): Promise<T> {
    const runtime = this.createRuntime(overrides);
    try {
      return await work(runtime);
    } finally {
      await runtime.close();
    }
  }

  /** The export item the ledger would hand the engine for revision `revision` of the payment. */
  item(payment: Payment, revision = 1): ExportItem {
    return { id: payment.id, idempotencyKey: `${payment.id}.r${revision}`, record: payment };
  }

  /**
   * Exports one payment and returns its final outcome. An `accepted` outcome (asyncExport connectors) is
   * settled through the connector's `find` until the ERP shows the payment.
   */
  async exportOne(runtime: ConnectorRuntime, payment: Payment, revision = 1): Promise<Outcome> {
    const item = this.item(payment, revision);
    const [outcome] = await runtime.exportPayments([item]);
    if (outcome === undefined) throw new Error('exportPayments returned no outcome for the item');
    return this.settleAccepted(runtime, item, outcome);
  }

  /** Exports several payments in one call, each settled as in `exportOne`. */
  async exportMany(runtime: ConnectorRuntime, payments: Payment[]): Promise<Outcome[]> {
    const items = payments.map((payment) => this.item(payment));
    const outcomes = await runtime.exportPayments(items);
    if (outcomes.length !== items.length) {
      throw new Error(`exportPayments returned ${outcomes.length} outcomes for ${items.length} items`);
    }
    return Promise.all(outcomes.map((outcome, index) => this.settleAccepted(runtime, items[index] as ExportItem, outcome)));
  }

  async settleAccepted(runtime: ConnectorRuntime, item: ExportItem, outcome: Outcome): Promise<Outcome> {
    let current = outcome;
    for (let attempt = 0; current.kind === 'accepted' && attempt < SETTLE_ATTEMPTS; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_DELAY_MS));
      current = (await runtime.settle(item)) ?? current;
    }
    return current;
  }

  /** The payments the sandbox holds that apply to this bill. */
  landedForBill(billId: string): SandboxPayment[] {
    return this.sandbox.payments().filter((payment) => payment.applications.some((application) => application.billId === billId));
  }

  /** Requests the sandbox has received since its stats were last reset. */
  requests(): number {
    return this.sandbox.stats().requests;
  }
}
