import { createFetchHttpClient, ErrorCodes } from '@ledgerlink/core';
import { qboConnector } from '../src/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QboSandbox } from '../src/sandbox/index.js';
import { contextFor, directClient, loadItemFor, recordingLogger, runtimeFor, seededPayment, signal, startSandbox } from './support.js';

let sandbox: QboSandbox;
beforeEach(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.close();
});

describe('OAuth 2.0: bearer tokens and their refresh', () => {
  it('refreshes before the first call, and logs that the refresh token rotated without logging any token', async () => {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const client = directClient(sandbox, {}, recordingLogger(lines));
    await client.check({ signal });
    expect(sandbox.tokenRequests()).toBe(1);
    expect(lines.map((line) => line.message)).toContain("Intuit rotated the QuickBooks refresh token; the new one is kept (in memory, and in the runner's credentials file)");
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(sandbox.app.refreshToken);
    expect(logged).not.toMatch(/eyJsandbox|AB11/);
  });

  it('keeps the rotated refresh token in the credential store, and a restarted client starts from it', async () => {
    const kept = new Map<string, string>();
    const store = { get: (name: string) => kept.get(name), set: (name: string, value: string) => void kept.set(name, value) };
    const first = qboConnector.createClient({ ...contextFor(sandbox), credentials: store });
    await first.check({ signal });
    const [rotated] = [...kept.values()];
    expect(rotated).toMatch(/^AB11/);
    expect(rotated).not.toBe(sandbox.app.refreshToken);
    // A restarted client presents the rotated token, not the configured one.
    const presented: string[] = [];
    const restarted = qboConnector.createClient({
      ...contextFor(sandbox),
      credentials: store,
      http: async (request) => {
        if (request.body?.includes('refresh_token=')) presented.push(new URLSearchParams(request.body).get('refresh_token') ?? '');
        return createFetchHttpClient({ timeoutMs: 5_000 })(request);
      },
    });
    await restarted.check({ signal });
    expect(presented).toEqual([rotated]);
  });

  it('an expired access token gets a 401; the client refreshes once and the same request then syncs', async () => {
    const runtime = runtimeFor(sandbox);
    try {
      const payment = seededPayment(sandbox, 2);
      const client = directClient(sandbox);
      await client.check({ signal });
      sandbox.expireAccessTokens();
      sandbox.resetStats();
      const tokensBefore = sandbox.tokenRequests();

      const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });

      expect(outcome).toEqual({ kind: 'synced', erpId: expect.any(String) });
      expect(sandbox.tokenRequests() - tokensBefore).toBe(1);
      // the refused POST and its retry, and one payment
      expect(sandbox.stats().requests).toBe(2);
      expect(sandbox.payments()).toHaveLength(1);
    } finally {
      await runtime.close();
    }
  });

  it('a stale access token from the config is refreshed on its 401', async () => {
    const client = directClient(sandbox, { accessToken: 'stale-token-from-yesterday' });
    await client.check({ signal });
    expect(sandbox.tokenRequests()).toBe(1);
  });

  it('calls that meet a 401 together share one refresh', async () => {
    const runtime = runtimeFor(sandbox);
    try {
      const client = directClient(sandbox);
      await client.check({ signal });
      const payments = [3, 4, 5, 6].map((n) => seededPayment(sandbox, n));
      sandbox.expireAccessTokens();
      const before = sandbox.tokenRequests();
      const outcomes = await Promise.all(payments.map((payment) => client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal })));
      expect(outcomes.flat().map((outcome) => outcome.kind)).toEqual(['synced', 'synced', 'synced', 'synced']);
      expect(sandbox.tokenRequests() - before).toBe(1);
    } finally {
      await runtime.close();
    }
  });

  it('a revoked refresh token fails the record with LL_ERP_AUTH and says to reconnect the company', async () => {
    const runtime = runtimeFor(sandbox);
    try {
      const payment = seededPayment(sandbox, 7);
      const client = directClient(sandbox);
      await client.check({ signal });
      sandbox.revokeRefreshTokens();
      const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
      expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_AUTH });
      expect((outcome as { message: string }).message).toContain('reconnect the QuickBooks company (refresh token expired or revoked)');
      expect(sandbox.payments()).toHaveLength(0);
      await expect(client.check({ signal })).rejects.toMatchObject({ code: ErrorCodes.ERP_AUTH });
    } finally {
      await runtime.close();
    }
  });

  it('a wrong client secret fails check() with LL_ERP_AUTH naming the app credentials, and never echoes the secret', async () => {
    const client = directClient(sandbox, { clientSecret: 'wrong-secret-value' });
    const error = await client.check({ signal }).then(
      () => undefined,
      (thrown: unknown) => thrown as Error & { code: string },
    );
    expect(error).toMatchObject({ code: ErrorCodes.ERP_AUTH });
    expect(error?.message).toMatch(/clientId and clientSecret/);
    expect(error?.message).not.toContain('wrong-secret-value');
  });

  it('a token for another company is refused with 403 and LL_ERP_AUTH naming the realm id', async () => {
    const client = directClient(sandbox, { realmId: '4620816365000000' });
    await expect(client.check({ signal })).rejects.toMatchObject({
      code: ErrorCodes.ERP_AUTH,
      message: expect.stringContaining('check realmId'),
    });
  });
});
