import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, Payment, type Outcome } from '../src/index.js';
import { startFakeErp, type FakeErp } from './support/fake-erp.js';
import { exportItem, payment } from './support/payments.js';
import { recordingHooks, runtimeFixture } from './support/runtime-fixture.js';
import { testConnector } from './support/test-connector.js';

let erp: FakeErp;
const runtimes = runtimeFixture(() => erp);

beforeEach(async () => {
  erp = await startFakeErp();
});

afterEach(async () => {
  await runtimes.closeAll();
  await erp.close();
});

/** The routes the fake ERP saw, in order (`POST /payments`, `GET /payments`...). */
const routes = (): string[] => erp.arrivals.map((arrival) => `${arrival.method} ${arrival.path}`);

describe('exportPayments', () => {
  it('maps, batches by maxBatch and returns one outcome per item in input order', async () => {
    const runtime = runtimes.create();
    const items = [1, 2, 3, 4, 5].map((n) => exportItem(payment(n)));
    const outcomes = await runtime.exportPayments(items);

    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced', 'synced', 'synced', 'synced']);
    const byBill = new Map(erp.payments.map((p) => [p.billId, p.id]));
    expect(outcomes).toEqual([1, 2, 3, 4, 5].map((n) => ({ kind: 'synced', erpId: byBill.get(`BILL-${n}`) })));
    // maxBatch 2: three writes for five payments.
    expect(erp.count('POST /payments')).toBe(3);
    expect(erp.payments.find((p) => p.reference === 'ledgerlink P-1')).toMatchObject({
      reference: 'ledgerlink P-1',
      vendorId: 'VEND-1',
      bankAccount: '1010',
      amount: '1250.00',
      date: '2025-03-14',
      method: 'CHK',
      checkNo: 'CHK-1',
    });
  });

  it('checks each payment against the Payment model once, not again in its mapping; the public mapPayment still checks', async () => {
    const runtime = runtimes.create();
    const checks: unknown[] = [];
    const safeParse = Payment.safeParse;
    // Counts the schema's own checks (the model is not replaced: every check still runs as before).
    (Payment as { safeParse: typeof safeParse }).safeParse = ((input: unknown, ...rest: []) => {
      checks.push(input);
      return safeParse.call(Payment, input, ...rest);
    }) as typeof safeParse;
    try {
      const outcomes = await runtime.exportPayments([exportItem(payment(1)), exportItem(payment(2))]);
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced']);
      expect(checks).toHaveLength(2);
      // A payment the model refuses is still refused before any call (the export path's own check).
      const invalid = await runtime.exportPayments([exportItem({ ...payment(3), amountCents: -5 })]);
      expect(invalid).toEqual([expect.objectContaining({ kind: 'rejected', code: ErrorCodes.RECORD_INVALID })]);
      checks.length = 0;
      expect(runtime.mapPayment(payment(4))).toMatchObject({ ok: true });
      expect(checks).toHaveLength(1);
      expect(runtime.mapPayment({ ...payment(5), amountCents: -5 })).toMatchObject({ ok: false });
    } finally {
      (Payment as { safeParse: typeof safeParse }).safeParse = safeParse;
    }
    expect(erp.count('POST /payments')).toBe(1);
  });

  it('refuses partial payments, tax and markups before any call, with the reason', async () => {
    const runtime = runtimes.create();
    const partial = payment(1, { amountCents: 100_000 });
    const outcomes = await runtime.exportPayments([
      exportItem(partial),
      exportItem(payment(2, { taxCents: 1_250 })),
      exportItem(payment(3, { markupCents: 500 })),
    ]);
    expect(erp.arrivals).toHaveLength(0);
    expect(outcomes).toEqual([
      {
        kind: 'rejected',
        code: ErrorCodes.PARTIAL_PAYMENT_UNSUPPORTED,
        message:
          'partial payment of 1000.00 of invoice total 1250.00: Test ERP does not accept partial payments; pay the invoice in ' +
          'full or record this payment in the ERP by hand',
      },
      expect.objectContaining({ kind: 'rejected', code: ErrorCodes.TAX_UNSUPPORTED }),
      expect.objectContaining({ kind: 'rejected', code: ErrorCodes.MARKUP_UNSUPPORTED }),
    ]);
    expect(runtime.preflight(partial)).toEqual(outcomes[0]);
    expect(runtime.preflight(payment(4))).toBeNull();
    // Zero tax and zero markups are no tax and no markups.
    expect(runtime.preflight(payment(4, { taxCents: 0, markupCents: 0 }))).toBeNull();
  });

  it('lets a partial payment through when the connector declares partialPayments', async () => {
    const runtime = runtimes.create({ connector: testConnector({ capabilities: { partialPayments: true } }) });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1, { amountCents: 100_000 }))]);
    expect(outcome?.kind).toBe('synced');
    expect(erp.payments.map((p) => p.amount)).toEqual(['1000.00']);
  });

  it('refuses a payment when the connector does not export payments, before any call', async () => {
    const runtime = runtimes.create({ connector: testConnector({ capabilities: { entities: { payment: ['import'] } } }) });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1))]);
    expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.CAPABILITY_MISSING });
    expect((outcome as { message: string }).message).toContain('Test ERP (test-erp) does not export payments');
    expect(erp.arrivals).toHaveLength(0);
  });

  it('refuses invalid records and records that do not map, naming the field, and sends the rest', async () => {
    const runtime = runtimes.create();
    const outcomes = await runtime.exportPayments([
      exportItem(payment(1, { amountCents: 0 })),
      exportItem(payment(2, { bankId: 'BANK-UNKNOWN' })),
      exportItem(payment(3)),
    ]);
    expect(outcomes[0]).toMatchObject({ kind: 'rejected', code: ErrorCodes.RECORD_INVALID });
    expect((outcomes[0] as { message: string }).message).toContain('payment P-1 is not a valid payment record: amountCents: amount must be greater than zero');
    expect(outcomes[1]).toMatchObject({ kind: 'rejected', code: ErrorCodes.MAPPING_FAILED });
    expect((outcomes[1] as { message: string }).message).toContain('bankAccount (from bankId)');
    expect((outcomes[1] as { message: string }).message).toContain('BANK-UNKNOWN');
    expect(outcomes[2]?.kind).toBe('synced');
    expect(erp.payments.map((p) => p.billId)).toEqual(['BILL-3']);
  });

  it("keeps the ERP's refusals as final outcomes, its own code and text verbatim, without retrying", async () => {
    const runtime = runtimes.create();
    erp.addPayment({ reference: 'other', vendorId: 'VEND-1', billId: 'BILL-6', bankAccount: '1010', amount: '1.00', date: '2025-01-01', method: 'CHK', checkNo: 'CHK-2', status: 'Final' });
    const outcomes = await runtime.exportPayments([
      exportItem(payment(1, { invoice: { id: 'I-1', number: 'INV-1', amountCents: 125_000, erpId: 'BILL-99' } })),
      exportItem(payment(2)),
    ]);
    expect(outcomes[0]).toEqual({
      kind: 'rejected',
      code: ErrorCodes.ERP_REJECTED,
      message: 'Test ERP refused the payment',
      erp: { code: 'BILL_NOT_FOUND', message: 'Bill BILL-99 does not exist.' },
    });
    expect(outcomes[1]).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { code: 'DUP_CHECK' } });
    expect(erp.count('POST /payments')).toBe(1);
  });

  it('retries retryable outcomes with back-off until they succeed, looking up first after an unknown commit', async () => {
    const hooks = recordingHooks();
    const runtime = runtimes.create({ hooks });
    erp.fault('POST /payments', { kind: 'server-error' }, { kind: 'throttle', retryAfter: '0.05' });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1))]);

    expect(outcome).toMatchObject({ kind: 'synced' });
    // A 503 may have committed: each later attempt asks first. The 429 answer pauses the lane.
    expect(routes()).toEqual(['POST /payments', 'GET /payments', 'POST /payments', 'GET /payments', 'POST /payments']);
    expect(erp.payments).toHaveLength(1);
    expect(runtime.laneStats().throttlePauses).toBe(1);
    expect(hooks.log).toEqual([
      'before item-P-1',
      `after item-P-1 retryable/${ErrorCodes.ERP_SERVER_ERROR}`,
      'before item-P-1',
      `after item-P-1 retryable/${ErrorCodes.ERP_THROTTLED}`,
      'before item-P-1',
      'after item-P-1 synced',
    ]);
  });

  it('commit, then the connection drops: finds the commit and returns it as replayed, never posting twice', async () => {
    const hooks = recordingHooks();
    const runtime = runtimes.create({ hooks });
    erp.fault('POST /payments', { kind: 'commit-then-drop' });
    const outcomes = await runtime.exportPayments([exportItem(payment(1)), exportItem(payment(2))]);

    expect(erp.payments).toHaveLength(2);
    expect(outcomes).toEqual([
      { kind: 'synced', erpId: erp.payments[0]?.id, replayed: true },
      { kind: 'synced', erpId: erp.payments[1]?.id, replayed: true },
    ]);
    expect(erp.count('POST /payments')).toBe(1);
    expect(erp.count('GET /payments')).toBe(2);
    expect(hooks.log.filter((line) => line.startsWith('after item-P-1'))).toEqual([
      `after item-P-1 retryable/${ErrorCodes.ERP_TRANSPORT}`,
      'after item-P-1 synced',
    ]);
  });

  it('with native idempotency, re-sends with the same key instead of looking up', async () => {
    const runtime = runtimes.create({ connector: testConnector({ capabilities: { idempotency: 'native' } }) });
    erp.fault('POST /payments', { kind: 'commit-then-drop' });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1))]);
    expect(outcome).toEqual({ kind: 'synced', erpId: erp.payments[0]?.id });
    expect(erp.payments).toHaveLength(1);
    expect(routes()).toEqual(['POST /payments', 'POST /payments']);
  });

  it('looks up an item that came in as mayBeCommitted before writing it', async () => {
    const runtime = runtimes.create();
    const existing = erp.addPayment({ reference: 'ledgerlink P-1', vendorId: 'VEND-1', billId: 'BILL-1', bankAccount: '1010', amount: '1250.00', date: '2025-03-14', method: 'CHK', checkNo: 'CHK-1', status: 'Final' });
    const outcomes = await runtime.exportPayments([
      exportItem(payment(1), { mayBeCommitted: true }),
      exportItem(payment(2), { mayBeCommitted: true }),
    ]);
    expect(outcomes).toEqual([{ kind: 'synced', erpId: existing, replayed: true }, { kind: 'synced', erpId: erp.payments[1]?.id }]);
    expect(erp.payments).toHaveLength(2);
    // Both looked up; only the absent one written.
    expect(erp.count('GET /payments')).toBe(2);
    expect(erp.count('POST /payments')).toBe(1);
  });

  it('turns an exception from the client into a retryable outcome, never a crash', async () => {
    const hooks = recordingHooks();
    const runtime = runtimes.create({ hooks });
    erp.fault('POST /payments', { kind: 'garbage' });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1))]);
    expect(outcome?.kind).toBe('synced');
    expect(hooks.log[1]).toBe(`after item-P-1 retryable/${ErrorCodes.ERP_TRANSPORT}`);
    expect(erp.payments).toHaveLength(1);
    expect(runtime.laneStats().running).toBe(0);
  });

  it('returns the last retryable outcome as LL_RETRIES_EXHAUSTED when attempts run out', async () => {
    const runtime = runtimes.create({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    erp.fault('POST /payments', { kind: 'server-error' }, { kind: 'server-error' }, { kind: 'server-error' });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1))]);
    expect(outcome).toMatchObject({
      kind: 'retryable',
      code: ErrorCodes.RETRIES_EXHAUSTED,
      reason: 'server',
      committed: 'unknown',
      erp: { httpStatus: 503 },
    });
    expect((outcome as { message: string }).message).toContain('gave up after 3 attempts');
    expect(erp.count('POST /payments')).toBe(3);
  });

  it('stops retrying when its signal aborts and says what was not done', async () => {
    const controller = new AbortController();
    const runtime = runtimes.create({
      hooks: {
        afterAttempt: () => {
          controller.abort();
          return Promise.resolve();
        },
      },
    });
    // Retry-After of 30 s: without the abort this export would wait that long.
    erp.fault('POST /payments', { kind: 'throttle', retryAfter: '30' });
    const [outcome] = await runtime.exportPayments([exportItem(payment(1))], { signal: controller.signal });
    expect(outcome).toMatchObject({ kind: 'retryable', code: ErrorCodes.CANCELLED, committed: 'no', reason: 'throttled' });
    expect(erp.count('POST /payments')).toBe(1);
  });

  it('when its signal aborts, calls waiting in a lane paused for minutes end at once, unsent', { timeout: 10_000 }, async () => {
    const connector = testConnector({ capabilities: { maxBatch: 1, rateLimit: { requests: 50, intervalMs: 1_000, concurrency: 1 } } });
    const runtime = runtimes.create({ connector });
    const controller = new AbortController();
    // The first call is refused with Retry-After: 120 s; the other two wait in the paused lane.
    erp.fault('POST /payments', { kind: 'throttle', retryAfter: '120' });
    const exporting = runtime.exportPayments([1, 2, 3].map((n) => exportItem(payment(n))), { signal: controller.signal });
    while (!runtime.laneStats().paused || runtime.laneStats().queued < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    const abortedAt = Date.now();
    controller.abort();
    const outcomes = await exporting;
    // Before the fix the two waited out the pause: two minutes.
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(outcomes).toEqual([1, 2, 3].map(() => expect.objectContaining({ kind: 'retryable', code: ErrorCodes.CANCELLED })));
    expect(erp.count('POST /payments')).toBe(1);
    expect(runtime.laneStats()).toMatchObject({ queued: 0, running: 0, paused: true });
  });

  it('15 runs at once under one signal: its firing ends the calls of all of them at once, with no listener warning', { timeout: 10_000 }, async () => {
    const connector = testConnector({ capabilities: { maxBatch: 1, rateLimit: { requests: 50, intervalMs: 1_000, concurrency: 1 } } });
    const runtime = runtimes.create({ connector });
    const controller = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      erp.fault('POST /payments', { kind: 'throttle', retryAfter: '120' });
      const runs = Array.from({ length: 15 }, (_, n) => runtime.exportPayments([exportItem(payment(n + 1))], { signal: controller.signal }));
      while (!runtime.laneStats().paused || runtime.laneStats().queued < 14) await new Promise((resolve) => setTimeout(resolve, 2));
      const abortedAt = Date.now();
      controller.abort();
      const outcomes = (await Promise.all(runs)).flat();
      expect(Date.now() - abortedAt).toBeLessThan(1_000);
      // The throttled one and the 14 that waited behind its pause, none of them sent again.
      expect(outcomes.filter((outcome) => outcome.kind === 'retryable' && outcome.code === ErrorCodes.CANCELLED)).toHaveLength(15);
      expect(erp.count('POST /payments')).toBe(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('on close, waiting calls are cancelled and the running one finishes', async () => {
    const connector = testConnector({ capabilities: { maxBatch: 1, rateLimit: { requests: 50, intervalMs: 1_000, concurrency: 1 } } });
    const runtime = runtimes.create({ connector });
    const release = erp.hold();
    const exporting = runtime.exportPayments([1, 2, 3].map((n) => exportItem(payment(n))));
    let outcomes: Outcome[];
    try {
      while (erp.arrivals.length === 0 || runtime.laneStats().queued < 2) await new Promise((resolve) => setTimeout(resolve, 2));
      const closing = runtime.close();
      release();
      outcomes = await exporting;
      await closing;
    } finally {
      release();
    }
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'retryable', 'retryable']);
    expect(outcomes.slice(1)).toEqual([
      expect.objectContaining({ code: ErrorCodes.CANCELLED }),
      expect.objectContaining({ code: ErrorCodes.CANCELLED }),
    ]);
    expect(erp.payments).toHaveLength(1);
    expect(runtime.laneStats()).toMatchObject({ queued: 0, running: 0 });
  });

  it('calls the hooks before and after every attempt of every item, in order', async () => {
    const hooks = recordingHooks();
    const runtime = runtimes.create({ hooks });
    erp.fault('POST /payments', { kind: 'server-error' });
    await runtime.exportPayments([1, 2, 3].map((n) => exportItem(payment(n))));
    for (const id of ['item-P-1', 'item-P-2', 'item-P-3']) {
      const mine = hooks.log.filter((line) => line.includes(`${id} `) || line.endsWith(id));
      // Strictly alternating before/after, ending on synced.
      mine.forEach((line, i) => expect(line.startsWith(i % 2 === 0 ? 'before' : 'after')).toBe(true));
      expect(mine.at(-1)).toBe(`after ${id} synced`);
    }
    // Whichever batch (P-1 + P-2, or P-3) met the 503 went twice, as a batch; the other once.
    const retried = hooks.log.filter((line) => line.includes('retryable')).map((line) => line.split(' ')[1]);
    expect([['item-P-1', 'item-P-2'], ['item-P-3']]).toContainEqual(retried);
    expect(hooks.log.filter((line) => line.startsWith('before'))).toHaveLength(3 + retried.length);
    expect(erp.count('POST /payments')).toBe(3);
  });
});
