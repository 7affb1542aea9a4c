import { afterEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { accessToken, call, COMPANY, PAYMENT, sleep, startCompany } from './sandbox-wire.js';

let sandbox: ProcoreSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const DETAILS = `/rest/v1.0/companies/${COMPANY}/erp_request_details`;

describe('the client credentials grant of a service account', () => {
  it('issues a bearer token for the client id and secret, as a form or as JSON, with no refresh token', async () => {
    sandbox = await startCompany({ accessTokenTtlMs: 60_000 });
    const form = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${sandbox.serviceAccount.clientId}&client_secret=${sandbox.serviceAccount.clientSecret}`,
    });
    expect(form.status).toBe(200);
    const granted = (await form.json()) as Record<string, unknown>;
    expect(granted).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(granted.access_token).toMatch(/^[0-9a-f]{64}$/);
    expect(granted).not.toHaveProperty('refresh_token');
    expect(typeof granted.created_at).toBe('number');

    const asJson = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: sandbox.serviceAccount.clientId, client_secret: sandbox.serviceAccount.clientSecret }),
    });
    expect(asJson.status).toBe(200);
    const answer = await call(sandbox, granted.access_token as string, 'GET', DETAILS);
    expect(answer.status).toBe(200);
    expect(sandbox.stats().tokensIssued).toBe(2);
  });

  it('refuses a wrong secret (401 invalid_client) and another grant type (400 unsupported_grant_type)', async () => {
    sandbox = await startCompany();
    const wrong = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${sandbox.serviceAccount.clientId}&client_secret=not-the-secret`,
    });
    expect(wrong.status).toBe(401);
    const refused = (await wrong.json()) as Record<string, unknown>;
    expect(refused.error).toBe('invalid_client');
    expect(JSON.stringify(refused)).not.toContain(sandbox.serviceAccount.clientSecret);

    const refresh = await fetch(sandbox.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=r1&client_id=${sandbox.serviceAccount.clientId}&client_secret=${sandbox.serviceAccount.clientSecret}`,
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as Record<string, unknown>).error).toBe('unsupported_grant_type');
  });

  it('answers 401 invalid_token for an expired, unknown or missing token, and a new grant works again', async () => {
    sandbox = await startCompany({ accessTokenTtlMs: 150 });
    const token = await accessToken(sandbox);
    expect((await call(sandbox, token, 'GET', DETAILS)).status).toBe(200);
    await sleep(200);
    const expired = await call(sandbox, token, 'GET', DETAILS);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ error: 'invalid_token', error_description: 'The access token expired' });
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await call(sandbox, 'f'.repeat(64), 'GET', DETAILS)).body).toMatchObject({ error: 'invalid_token' });
    const missing = await fetch(`${sandbox.url}${DETAILS}`, { headers: { 'procore-company-id': String(COMPANY) } });
    expect(missing.status).toBe(401);
    expect((await call(sandbox, await accessToken(sandbox), 'GET', DETAILS)).status).toBe(200);
  });

  it('ends every token on expireAccessTokens', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    sandbox.expireAccessTokens();
    expect((await call(sandbox, token, 'GET', DETAILS)).status).toBe(401);
  });

  it('requires the Procore-Company-Id header and refuses a company the account cannot see or a path of another company', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const none = await fetch(`${sandbox.url}${DETAILS}`, { headers: { authorization: `Bearer ${token}` } });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Procore-Company-Id');
    expect((await call(sandbox, token, 'GET', DETAILS, undefined, 999_999)).status).toBe(403);
    sandbox.addCompany({ id: 5000, name: 'Other Co' });
    expect((await call(sandbox, token, 'GET', DETAILS, undefined, 5000)).status).toBe(403);
  });
});

describe('rate limits and faults', () => {
  it('puts X-Rate-Limit-Limit/Remaining/Reset on every answer and, when enforced, answers 429 with Retry-After past the limit', async () => {
    sandbox = await startCompany({ rateLimit: { limit: 3, windowMs: 2_000, enforce: true } });
    const token = await accessToken(sandbox);
    const remaining: string[] = [];
    for (let n = 0; n < 3; n++) {
      const answer = await call(sandbox, token, 'GET', DETAILS);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-rate-limit-limit')).toBe('3');
      expect(Number(answer.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      remaining.push(answer.headers.get('x-rate-limit-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await call(sandbox, token, 'GET', DETAILS);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(over.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(sandbox.stats().throttled).toBe(1);
  });

  it('throttles on demand, answers 500 at the error rate, and adds latency', async () => {
    sandbox = await startCompany({ faults: { throttleNext: 1, retryAfterSeconds: 7 } });
    const token = await accessToken(sandbox);
    const throttled = await call(sandbox, token, 'GET', DETAILS);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await call(sandbox, token, 'GET', DETAILS)).status).toBe(200);
    sandbox.setFaults({ errorRate: 1 });
    expect((await call(sandbox, token, 'GET', DETAILS)).status).toBe(500);
    sandbox.setFaults({ errorRate: 0, latencyMs: 120 });
    const started = Date.now();
    expect((await call(sandbox, token, 'GET', DETAILS)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('commits a write and then drops the connection without an answer', async () => {
    sandbox = await startCompany();
    const { detail } = sandbox.fundPayment(PAYMENT);
    const token = await accessToken(sandbox);
    sandbox.setFaults({ commitThenDrop: 1 });
    await expect(call(sandbox, token, 'PATCH', `${DETAILS}/${detail?.id}`, { erp_request_detail: { status: 'success' } })).rejects.toThrow();
    expect(sandbox.requestDetail(detail?.id as number)?.status).toBe('success');
    // Only the next write: reads and the write after it answer.
    expect((await call(sandbox, token, 'PATCH', `${DETAILS}/${detail?.id}`, { erp_request_detail: { status: 'success' } })).status).toBe(200);
  });

  it('counts calls per endpoint', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    await call(sandbox, token, 'GET', DETAILS);
    await call(sandbox, token, 'GET', `/rest/v1.0/companies/${COMPANY}/erp_requests/12345`);
    await call(sandbox, token, 'GET', `/rest/v1.0/companies/${COMPANY}/erp_requests/12346`);
    const stats = sandbox.stats();
    expect(stats.byEndpoint).toEqual({
      'GET /rest/v1.0/companies/:id/erp_request_details': 1,
      'GET /rest/v1.0/companies/:id/erp_requests/:id': 2,
    });
    expect(stats.requests).toBe(3);
    sandbox.resetStats();
    expect(sandbox.stats()).toMatchObject({ requests: 0, tokenRequests: 0, byEndpoint: {} });
  });
});
