import { afterEach, describe, expect, it } from 'vitest';
import { VISTA_SANDBOX, type VistaSandbox } from '../src/sandbox/index.js';
import { itemFor, paymentFor, runtimeFor, seededSandbox } from './helpers.js';

let sandbox: VistaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const cacheUrl = (box: VistaSandbox) => `${box.url}/connect/v1/direct/subscribers/${VISTA_SANDBOX.subscriberUid}/Viewpoint/ap/1/data/paymenthistories/cache?limit=1&offset=0`;

describe('the Direct API wire format', () => {
  it('429 carries the JSON body and Retry-After; the export reports throttled with the wait and Vista text', async () => {
    sandbox = await seededSandbox();
    sandbox.setFaults({ throttleNext: 1 });
    const raw = await fetch(cacheUrl(sandbox), { headers: { 'X-Application-Key': VISTA_SANDBOX.applicationKey } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(await raw.json()).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' });

    sandbox.setFaults({ throttleNext: 1 });
    const runtime = runtimeFor(sandbox, {}, 1);
    const [outcome] = await runtime.exportPayments([itemFor(paymentFor(1))]);
    expect(outcome).toMatchObject({
      kind: 'retryable',
      reason: 'throttled',
      committed: 'no',
      erp: { code: '429', message: 'Rate limit is exceeded. Try again in 1 seconds.' },
    });
    expect(outcome?.kind === 'retryable' ? outcome.retryAfterMs : 0).toBe(1000);
    await runtime.close();
  });

  it('enforceLimits answers 429 past 2,000 requests in a rolling minute for the key', async () => {
    sandbox = await seededSandbox();
    sandbox.setFaults({ enforceLimits: true });
    const headers = { 'X-Application-Key': VISTA_SANDBOX.applicationKey };
    const statuses: number[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(cacheUrl(sandbox as VistaSandbox), { headers })));
      statuses.push(...answers.map((answer) => answer.status));
      await Promise.all(answers.map((answer) => answer.body?.cancel()));
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    const over = await fetch(cacheUrl(sandbox), { headers });
    expect(over.status).toBe(429);
    expect(sandbox.stats().throttled).toBe(1);
  }, 60_000);

  it('a wrong application key is LL_ERP_AUTH naming the setting, and the key never shows in the message', async () => {
    sandbox = await seededSandbox();
    const runtime = runtimeFor(sandbox, { applicationKey: 'secret-but-wrong' });
    const error = await runtime.check().then(
      () => undefined,
      (thrown: unknown) => thrown as { code?: string; message?: string },
    );
    expect(error?.code).toBe('LL_ERP_AUTH');
    expect(error?.message).toContain('applicationKey');
    expect(error?.message).not.toContain('secret-but-wrong');
    await runtime.close();
  });

  it('a server error after the POST may have queued the action: retryable with committed unknown', async () => {
    sandbox = await seededSandbox();
    sandbox.setFaults({ serverErrorRate: 1 });
    const runtime = runtimeFor(sandbox, {}, 1);
    const [outcome] = await runtime.exportPayments([itemFor(paymentFor(2))]);
    expect(outcome).toMatchObject({ kind: 'retryable', reason: 'server', committed: 'unknown', erp: { code: '500' } });
    await runtime.close();
  });
});
