import { createConnectorRuntime, type Outcome, type Payment, parseMapping } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sage300Connector } from '../src/index.js';
import { type Sage300Sandbox } from '../src/sandbox/index.js';
import { paymentFor, startCompany } from './helpers.js';

/** Invoice 4471 of ACME (open balance 12,500.50), paid in full by the hub with check 10042 from OPER. */
const PAYMENT: Payment = paymentFor('pay-4471', { vendor: 'ACME', invoice: '4471', check: '10042' }, 1_250_050);

describe('the connector through the engine', () => {
  let sandbox: Sage300Sandbox;
  beforeEach(async () => {
    sandbox = await startCompany();
  });
  afterEach(() => sandbox.close());

  async function exportOnce(payment: Payment, overrides: Partial<Parameters<typeof createConnectorRuntime>[1]> = {}): Promise<{ outcome: Outcome; attempts: Outcome[] }> {
    const attempts: Outcome[] = [];
    const runtime = createConnectorRuntime(sage300Connector, {
      tenant: 'engine-test',
      config: { agentUrl: sandbox.url, agentToken: sandbox.agentToken },
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 },
      hooks: { afterAttempt: async (_item, outcome) => void attempts.push(outcome) },
      ...overrides,
    });
    try {
      const [outcome] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r1`, record: payment }]);
      return { outcome: outcome as Outcome, attempts };
    } finally {
      await runtime.close();
    }
  }

  it('retries BUSY answers until the codes are set, once', async () => {
    sandbox.setFaults({ throttleNext: 2 });
    const { outcome, attempts } = await exportOnce(PAYMENT);
    expect(outcome).toEqual({ kind: 'synced', erpId: 'ACME/4471' });
    expect(attempts.map((attempt) => (attempt.kind === 'retryable' ? `${attempt.reason}:${attempt.erp?.code}` : attempt.kind))).toEqual([
      'throttled:BUSY',
      'throttled:BUSY',
      'synced',
    ]);
    expect(sandbox.stats()).toMatchObject({ requests: 3, throttled: 2 });
    expect(sandbox.payments()).toHaveLength(1);
  });

  it('refuses a partial payment before any call', async () => {
    const partial: Payment = { ...PAYMENT, amountCents: 600_000 };
    const { outcome } = await exportOnce(partial);
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'LL_PARTIAL_PAYMENT_UNSUPPORTED' });
    expect(sandbox.stats().requests).toBe(0);
  });

  it('compares the amount with Sage\'s open balance, unless a customer override drops the amount row', async () => {
    // The hub paid 12,000.00 for an invoice Sage holds at 12,500.50: a check run would pay the Sage balance.
    const differing: Payment = { ...PAYMENT, amountCents: 1_200_000, invoice: { ...PAYMENT.invoice, amountCents: 1_200_000 } };
    expect((await exportOnce(differing)).outcome).toMatchObject({ kind: 'rejected', erp: { code: 'AMOUNT_MISMATCH' } });

    const override = parseMapping('version: 1\nentities:\n  payment:\n    export:\n      fields:\n        amount: null\n', 'acme-sage300.yaml', { override: true });
    expect((await exportOnce(differing, { mappingOverride: override })).outcome).toEqual({ kind: 'synced', erpId: 'ACME/4471' });
  });

  it('refuses a payment without a check number: Invoice Code 2 has nothing else to hold', async () => {
    const { checkNumber: _dropped, ...withoutCheck } = PAYMENT;
    const { outcome } = await exportOnce(withoutCheck);
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'LL_MAPPING_FAILED' });
    expect(outcome.kind === 'rejected' && outcome.message).toContain('invoiceCode2');
    expect(sandbox.stats().requests).toBe(0);
  });
});
