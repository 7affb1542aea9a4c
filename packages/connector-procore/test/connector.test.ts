import { assertCompatible, CONTRACT_VERSION } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { amountCents, procoreConnector, ProcoreConfig, VERSION } from '../src/index.js';
import { generatePayments, startProcoreSandbox, type ProcoreSandbox } from '../src/sandbox/index.js';
import { clientFor, collect, context } from './support.js';

describe('the Procore hub connector', () => {
  it('is one validated value: id, version, contract, capabilities, role', () => {
    expect(procoreConnector.manifest).toMatchObject({ id: 'procore', version: VERSION, contractVersion: CONTRACT_VERSION });
    expect(procoreConnector.role).toBe('hub');
    expect(procoreConnector.capabilities).toMatchObject({
      entities: { payment: ['export', 'import'] },
      rateLimit: { requests: 3600, intervalMs: 3_600_000 },
      idempotency: 'native',
    });
    expect(() => assertCompatible(procoreConnector)).not.toThrow();
  });

  it('validates its settings and says what is wrong', () => {
    const result = ProcoreConfig.safeParse({ clientId: 'a', clientSecret: '', refreshToken: 'r', companyIds: ['acme'] });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
    expect(messages).toEqual(expect.arrayContaining(['clientSecret: must not be empty', 'companyIds.0: a Procore company id is numeric, e.g. "4264"']));
  });

  it('parses Procore decimal strings exactly and refuses what would need rounding', () => {
    expect(amountCents('0.10', 'amount')).toBe(10);
    expect(amountCents('1.0', 'amount')).toBe(100);
    expect(amountCents('99999999.99', 'amount')).toBe(9_999_999_999);
    expect(amountCents('1234.500', 'amount')).toBe(123_450);
    expect(() => amountCents('1.005', 'amount')).toThrow(/more than two decimal places/);
    expect(() => amountCents('1e3', 'amount')).toThrow(/not a decimal amount/);
    expect(() => amountCents(null, 'invoice.amount')).toThrow(/invoice.amount is missing/);
  });
});

describe('generatePayments, for the demo', () => {
  let hub: ProcoreSandbox | undefined;
  afterEach(async () => {
    await hub?.close();
  });

  it('makes reproducible, varied payments with every failing scenario, that seed and fund in the sandbox', async () => {
    const options = { count: 60, seed: 7, failureRates: { 'used-check-number': 0.1, 'unknown-bank': 0.1, 'invoice-not-synced': 0.1, partial: 0.1 } };
    const generated = generatePayments(options);
    expect(generatePayments(options)).toEqual(generated);
    const scenarios = new Set(generated.payments.map((p) => p.scenario));
    expect([...scenarios].sort()).toEqual(['invoice-not-synced', 'ok', 'partial', 'unknown-bank', 'used-check-number']);
    expect(new Set(generated.payments.map((p) => p.method))).toEqual(new Set(['ach', 'check']));
    for (const p of generated.payments.filter((p) => p.scenario === 'partial')) expect(p.amountCents).toBeLessThan(p.invoiceCents);
    for (const p of generated.payments.filter((p) => p.scenario === 'used-check-number')) {
      const first = generated.payments.find((q) => q.scenario === 'ok' && q.bankId === p.bankId && q.checkNumber === p.checkNumber);
      expect(first?.id).toBeLessThan(p.id);
    }
    expect(generated.erpSeed.bills?.length).toBe(generated.payments.filter((p) => p.scenario !== 'invoice-not-synced').length);

    hub = await startProcoreSandbox({ seed: generated.seed });
    for (const p of generated.payments) hub.fundPayment(p.id);
    const read = await collect(clientFor(hub, { config: { companyIds: ['4264'], perPage: 25 } }).fundedPayments('4264', context));
    expect(read.records).toHaveLength(60);
    const unsynced = read.records.filter((p) => p.invoice.erpId === undefined).map((p) => Number(p.id));
    expect(unsynced.sort()).toEqual(generated.payments.filter((p) => p.scenario === 'invoice-not-synced').map((p) => p.id).sort());
  });
});
