import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPaid, clientFor, COMPANY, context, startHub, type LogLine } from './support.js';

describe('OAuth 2.0 with single-use refresh tokens', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('refreshes once on a 401 and sends the same request again', async () => {
    const { paymentId } = addPaid(hub, 100_00);
    hub.fundPayment(paymentId);
    const client = clientFor(hub);
    await client.payment(String(COMPANY), String(paymentId), context);
    expect(client.tokenRotations()).toBe(1);
    hub.expireAccessTokens();
    hub.resetStats();
    const again = await client.payment(String(COMPANY), String(paymentId), context);
    expect(again?.id).toBe(String(paymentId));
    const stats = hub.stats();
    expect(stats.tokenRequests).toBe(1);
    // The refused call, then the same call with the new token.
    expect(stats.log).toEqual([
      `GET /rest/v1.0/companies/${COMPANY}/payments/disbursements/${paymentId}`,
      `GET /rest/v1.0/companies/${COMPANY}/payments/disbursements/${paymentId}`,
    ]);
    expect(client.tokenRotations()).toBe(2);
  });

  it('keeps the rotated refresh token in memory, logs the rotation, never the token', async () => {
    const refreshToken = hub.issueRefreshToken();
    const logs: LogLine[] = [];
    const client = clientFor(hub, { config: { refreshToken }, logs });
    await client.check(context);
    hub.expireAccessTokens();
    await client.check(context);
    hub.expireAccessTokens();
    await client.check(context);
    expect(hub.stats().tokenRotations).toBeGreaterThanOrEqual(3);
    const rotations = logs.filter((line) => line.message.includes('rotated the refresh token'));
    expect(rotations).toHaveLength(3);
    expect(JSON.stringify(logs)).not.toContain(refreshToken);

    // The configured token was used once; a second process starting from it is refused (single-use).
    const stale = clientFor(hub, { config: { refreshToken } });
    await expect(stale.check(context)).rejects.toMatchObject({
      code: 'LL_ERP_AUTH',
      message: expect.stringContaining('invalid_grant') as unknown as string,
    });
  });

  it('refuses a wrong client secret the way Procore does, naming the setting to fix and not the secret', async () => {
    const client = clientFor(hub, { config: { clientSecret: 'not-the-secret' } });
    const error = await client.check(context).then(
      () => undefined,
      (caught: unknown) => caught as Error & { code: string; details: Record<string, unknown> },
    );
    expect(error?.code).toBe('LL_ERP_AUTH');
    expect(error?.message).toContain('invalid_client');
    expect(error?.message).toContain('clientSecret');
    expect(JSON.stringify({ message: error?.message, details: error?.details })).not.toContain('not-the-secret');
  });

  it('a second 401 after a fresh token is LL_ERP_AUTH with a reconnect hint', async () => {
    await hub.close();
    // Tokens that lapse as they are issued: the retried call meets a 401 again.
    hub = await startHub({ accessTokenTtlSeconds: 0 });
    await expect(clientFor(hub).check(context)).rejects.toMatchObject({
      code: 'LL_ERP_AUTH',
      message: expect.stringContaining('freshly refreshed access token') as unknown as string,
    });
    // The first token, then one refresh on the 401, and no more.
    expect(hub.stats().tokenRequests).toBe(2);
  });
});
