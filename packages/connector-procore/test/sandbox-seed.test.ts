import { afterEach, describe, expect, it } from 'vitest';
import { createProcoreSandbox, generatePayments, type ProcoreSandbox } from '../src/sandbox/index.js';
import { accessToken, call, control } from './sandbox-wire.js';

let sandbox: ProcoreSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('seeding and the generator', () => {
  it('seeds 100,000 contract payments in well under a few seconds, and funds one of them at once', async () => {
    const generated = generatePayments({ count: 100_000, companyId: 4264, seed: 3 });
    sandbox = await createProcoreSandbox();
    const started = performance.now();
    const counts = sandbox.seed(generated.seed);
    const elapsed = performance.now() - started;
    expect(counts).toMatchObject({ companies: 1, contractPayments: 100_000, requisitions: 100_000 });
    // Linear work: about 0.3 s on an idle 2-core machine. The bound only has to tell linear from quadratic (100,000²
    // steps would take many minutes), so it leaves a shared, loaded machine all the room it needs; speed itself is
    // the benchmark's business, not a test's.
    expect(elapsed).toBeLessThan(60_000);
    const last = generated.payments.at(-1) as { id: number };
    const fundStarted = performance.now();
    const raised = sandbox.fundPayment(last.id);
    // Funding one payment among 100,000 is a keyed lookup, not a scan of them all.
    expect(performance.now() - fundStarted).toBeLessThan(1_000);
    expect((raised.request.request_data.contract_payment as { id: number }).id).toBe(last.id);
  }, 120_000);

  it('is deterministic, and makes each scenario: a reused check number, an unknown bank, an unsynced requisition, a partial payment', () => {
    const options = { count: 400, seed: 9, failureRates: { 'used-check-number': 0.1, 'unknown-bank': 0.1, 'invoice-not-synced': 0.1, partial: 0.1 } };
    const a = generatePayments(options);
    expect(generatePayments(options)).toEqual(a);
    expect(generatePayments({ ...options, seed: 10 }).payments).not.toEqual(a.payments);
    const byScenario = (name: string) => a.payments.filter((p) => p.scenario === name);
    for (const name of ['ok', 'used-check-number', 'unknown-bank', 'invoice-not-synced', 'partial']) expect(byScenario(name).length).toBeGreaterThan(10);
    for (const p of byScenario('used-check-number')) {
      const first = a.payments.find((q) => q.scenario === 'ok' && q.bankId === p.bankId && q.checkNumber === p.checkNumber);
      expect(first?.id).toBeLessThan(p.id);
    }
    expect(byScenario('unknown-bank').every((p) => !a.erpSeed.bankAccounts?.some((b) => b.id === p.bankId))).toBe(true);
    const synced = new Set(a.seed.requisitions?.filter((r) => r.originId !== undefined).map((r) => r.id));
    expect(byScenario('invoice-not-synced').every((p) => !synced.has(p.requisitionId))).toBe(true);
    expect(byScenario('ok').every((p) => synced.has(p.requisitionId) && p.amountCents === p.invoiceCents)).toBe(true);
    expect(byScenario('partial').every((p) => p.amountCents < p.invoiceCents)).toBe(true);
    expect(a.erpSeed.bills).toHaveLength(synced.size);
  });

  it('seeds over the control endpoint, and the REST API reads what was seeded', async () => {
    sandbox = await createProcoreSandbox();
    const generated = generatePayments({ count: 50, companyId: 77, seed: 1 });
    const seeded = await control(sandbox, 'POST', '/seed', generated.seed);
    expect(seeded.status).toBe(200);
    expect(seeded.body).toMatchObject({ companies: 1, contractPayments: 50 });
    const payment = generated.payments[0] as { id: number; requisitionId: number };
    const project = generated.seed.requisitions?.find((r) => r.id === payment.requisitionId);
    const commitment = generated.seed.commitments?.find((c) => c.id === project?.commitmentId);
    const token = await accessToken(sandbox);
    const requisition = await call(sandbox, token, 'GET', `/rest/v1.0/projects/${String(commitment?.projectId)}/requisitions/${payment.requisitionId}`, undefined, 77);
    expect(requisition.status).toBe(200);
    const funded = await control(sandbox, 'POST', `/contract_payments/${payment.id}/fund`, {});
    expect(funded.status).toBe(200);
    expect((await control(sandbox, 'GET', `/contract_payments/${payment.id}`)).body).toMatchObject({ id: payment.id, status: 'in_progress' });
    expect((await control(sandbox, 'POST', '/seed', { projects: [{ companyId: 404, projectNumber: 'P-1' }] })).status).toBe(404);
    expect((await control(sandbox, 'POST', '/seed', { companies: [{ id: -1, name: 'x' }] })).status).toBe(422);
  });
});
