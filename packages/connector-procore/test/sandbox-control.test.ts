import { afterEach, describe, expect, it } from 'vitest';
import type { ErpToolView, ProcoreSandbox, ProcoreSandboxStats } from '../src/sandbox/index.js';
import { accessToken, call, COMPANY, control, PAYMENT, startCompany } from './sandbox-wire.js';

let sandbox: ProcoreSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('the control endpoints', () => {
  it('show the ERP tool, a request, a payment payload, the stats; set faults; end tokens', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const funded = (await control(sandbox, 'POST', `/contract_payments/${PAYMENT}/fund`, { dateFunded: '2026-12-02T10:00:00Z' })).body as { request: { id: number } };
    const tool = (await control(sandbox, 'GET', `/companies/${COMPANY}/erp_tool`)).body as ErpToolView;
    expect(tool.contractPayments).toEqual([expect.objectContaining({ id: PAYMENT, status: 'in_progress', requestIds: [funded.request.id], amount: '12500.0' })]);
    expect(tool.requestDetails).toHaveLength(1);
    expect((await control(sandbox, 'GET', `/erp_requests/${funded.request.id}`)).body).toMatchObject({ id: funded.request.id, request_name: 'create_contract_payment' });
    expect((await control(sandbox, 'GET', `/contract_payments/${PAYMENT}/payload`)).body).toMatchObject({ id: PAYMENT, date_payment_funded: '2026-12-02T10:00:00Z' });

    await call(sandbox, token, 'GET', `/rest/v1.0/companies/${COMPANY}/erp_requests/${funded.request.id}`);
    const stats = (await control(sandbox, 'GET', '/stats')).body as ProcoreSandboxStats;
    expect(stats).toMatchObject({ requests: 1, tokenRequests: 1, tokensIssued: 1, byEndpoint: { 'GET /rest/v1.0/companies/:id/erp_requests/:id': 1 } });
    expect((await control(sandbox, 'POST', '/stats/reset')).status).toBe(200);
    expect(sandbox.stats().requests).toBe(0);

    expect((await control(sandbox, 'POST', '/faults', { errorRate: 1 })).status).toBe(200);
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/companies/${COMPANY}/erp_request_details`)).status).toBe(500);
    await control(sandbox, 'POST', '/faults', { errorRate: 0 });
    expect((await control(sandbox, 'POST', '/tokens/expire')).status).toBe(200);
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/companies/${COMPANY}/erp_request_details`)).status).toBe(401);
  });

  it('refuses what Procore would not do, saying why', async () => {
    sandbox = await startCompany();
    expect((await control(sandbox, 'POST', `/contract_payments/${PAYMENT}/export`, {})).body).toEqual({ error: `contract payment ${PAYMENT} is not funded yet (status pending)` });
    expect((await control(sandbox, 'POST', '/contract_payments/424242/fund', {})).status).toBe(404);
    expect((await control(sandbox, 'POST', `/companies/424242/sync_payments`)).status).toBe(404);
    expect((await control(sandbox, 'POST', '/requisitions/export', { ids: [] })).status).toBe(422);
    expect((await control(sandbox, 'POST', '/invoice_payments/424242/reset', {})).status).toBe(404);
    expect((await control(sandbox, 'GET', '/nothing/here')).status).toBe(404);
    const broken = await fetch(`${sandbox.url}/_sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"companies": [' });
    expect(broken.status).toBe(400);
  });
});
