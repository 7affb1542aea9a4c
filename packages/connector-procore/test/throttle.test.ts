import { Lane } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPayment, clientFor, COMPANY, context, startHub } from './support.js';

const C = String(COMPANY);

describe("Procore's limits as a lane", () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('a 429 is a retryable throttle carrying Procore\'s words, and the lane is told how long to pause', async () => {
    const { requestId } = addPayment(hub, 100_00);
    const pauses: (number | undefined)[] = [];
    const client = clientFor(hub, { pauses });
    await client.check(context);
    hub.setFaults({ throttleNext: 1, retryAfterSeconds: 3 });
    type Refusal = { code: string; disposition: string; details: { retryAfterMs?: number; erp: { message: string } } };
    const error = await client.erpRequest(C, String(requestId), context).then(
      () => undefined,
      (caught: unknown) => caught as Refusal,
    );
    expect(error).toMatchObject({ code: 'LL_ERP_THROTTLED', disposition: 'retryable', details: { retryAfterMs: 3_000 } });
    expect(error?.details.erp.message).toContain('surpassed the max number of requests');
    expect(pauses).toEqual([3_000]);
    // The next call goes through.
    expect((await client.erpRequest(C, String(requestId), context))?.id).toBe(String(requestId));
  });

  it('pauses a real lane on a 429, and ahead of time when X-Rate-Limit-Remaining reaches 0', async () => {
    await hub.close();
    hub = await startHub({ rateLimit: { limit: 3, windowMs: 60_000 } });
    const lane = new Lane({ key: 'hub/procore', rateLimit: { requests: 3600, intervalMs: 3_600_000, concurrency: 4 } });
    try {
      const client = clientFor(hub, { http: lane.http, lane: lane.signals });
      await client.check(context);
      await client.erpRequest(C, '1', context);
      expect(lane.stats().throttlePauses).toBe(0);
      // The third call of the window leaves none: the lane pauses before Procore has to say 429.
      await client.erpRequest(C, '1', context);
      expect(lane.stats().throttlePauses).toBe(1);
    } finally {
      await lane.close();
    }
  });

  it('a 5xx is a retryable server error; the enforced window answers 429', async () => {
    await hub.close();
    hub = await startHub({ rateLimit: { limit: 2, windowMs: 60_000, enforce: true } });
    const client = clientFor(hub);
    await client.check(context);
    await client.check(context);
    await expect(client.check(context)).rejects.toMatchObject({ code: 'LL_ERP_THROTTLED', disposition: 'retryable' });
    expect(hub.stats().throttled).toBe(1);
    await hub.close();
    hub = await startHub({ faults: { errorRate: 1 } });
    await expect(clientFor(hub).check(context)).rejects.toMatchObject({ code: 'LL_ERP_SERVER_ERROR', disposition: 'retryable' });
  });
});
