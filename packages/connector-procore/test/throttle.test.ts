import { Lane } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPaid, clientFor, COMPANY, context, startHub } from './support.js';

describe("Procore's limits as a lane", () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('reports X-Rate-Limit headers on every answer', async () => {
    const { paymentId } = addPaid(hub, 100_00);
    hub.fundPayment(paymentId);
    const seen: Record<string, string>[] = [];
    const client = clientFor(hub, {
      http: async (request) => {
        const response = await fetch(request.url, { method: request.method, headers: request.headers ?? {}, ...(request.body === undefined ? {} : { body: request.body }) });
        const headers = Object.fromEntries(response.headers.entries());
        seen.push(headers);
        return { status: response.status, headers, body: await response.text() };
      },
    });
    await client.payment(String(COMPANY), String(paymentId), context);
    const api = seen.at(-1) as Record<string, string>;
    expect(Number(api['x-rate-limit-limit'])).toBeGreaterThan(0);
    expect(Number(api['x-rate-limit-remaining'])).toBeLessThan(Number(api['x-rate-limit-limit']));
    expect(Number(api['x-rate-limit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
  });

  it('a 429 with X-Rate-Limit-Reset is a retryable throttle, and the lane is told how long to pause', async () => {
    const { paymentId } = addPaid(hub, 100_00);
    hub.fundPayment(paymentId);
    const pauses: (number | undefined)[] = [];
    const client = clientFor(hub, { pauses });
    await client.check(context);
    hub.setFaults({ throttleNext: 1, throttleResetSeconds: 3 });
    type Refusal = { code: string; disposition: string; details: { retryAfterMs?: number; erp: { message: string } } };
    const error = await client.payment(String(COMPANY), String(paymentId), context).then(
      () => undefined,
      (caught: unknown) => caught as Refusal,
    );
    expect(error).toMatchObject({ code: 'LL_ERP_THROTTLED', disposition: 'retryable' });
    expect(error?.details.erp.message).toContain('surpassed the max number of requests');
    // Reset is a whole-second timestamp ~3 s ahead; a loaded machine may take a while to read the answer.
    expect(error?.details.retryAfterMs).toBeGreaterThan(0);
    expect(error?.details.retryAfterMs).toBeLessThanOrEqual(4_000);
    // The pause and the error each read the clock once: they agree to within a few milliseconds.
    expect(Math.abs((pauses.at(-1) ?? 0) - (error?.details.retryAfterMs ?? Infinity))).toBeLessThan(50);
    // The next call goes through.
    expect((await client.payment(String(COMPANY), String(paymentId), context))?.id).toBe(String(paymentId));
  });

  it('pauses a real lane on 429 and 503 with Retry-After', async () => {
    const lane = new Lane({ key: 'hub/procore', rateLimit: { requests: 3600, intervalMs: 3_600_000, concurrency: 4 } });
    try {
      const client = clientFor(hub, { http: lane.http, lane: lane.signals });
      await client.check(context);
      hub.setFaults({ unavailableNext: 1, retryAfterSeconds: 1 });
      const error = await client.check(context).catch((caught: unknown) => caught as { code: string; details: { retryAfterMs?: number } });
      expect(error).toMatchObject({ code: 'LL_ERP_THROTTLED', details: { retryAfterMs: 1_000 } });
      expect(lane.stats().throttlePauses).toBe(1);
      hub.setFaults({ throttleNext: 1, throttleResetSeconds: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(client.check(context)).rejects.toMatchObject({ code: 'LL_ERP_THROTTLED' });
      expect(lane.stats().throttlePauses).toBe(2);
    } finally {
      await lane.close();
    }
  });

  it('a 5xx is a retryable server error; the spike window answers 429 when limits are enforced', async () => {
    await hub.close();
    hub = await startHub({ spikeLimit: 2, faults: { enforceLimits: true } });
    const client = clientFor(hub);
    await client.check(context);
    await client.check(context);
    await expect(client.check(context)).rejects.toMatchObject({ code: 'LL_ERP_THROTTLED', disposition: 'retryable' });
    expect(hub.stats().throttled).toBe(1);
    await hub.close();
    hub = await startHub({ faults: { serverErrorRate: 1 } });
    await expect(clientFor(hub).check(context)).rejects.toMatchObject({ code: 'LL_ERP_SERVER_ERROR', disposition: 'retryable' });
  });
});
