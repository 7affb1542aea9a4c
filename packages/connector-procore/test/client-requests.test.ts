import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErpRequest } from '@ledgerlink/core';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPayment, clientFor, collect, COMMITMENT, COMPANY, context, PROJECT, startHub, VENDOR } from './support.js';

const C = String(COMPANY);

describe('the client on the ERP Platform sandbox: auth and ERP Requests', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('gets a token by client credentials, reuses it, and gets a new one when Procore ends it', async () => {
    const client = clientFor(hub);
    await client.check(context);
    await client.erpRequest(C, '1', context);
    expect(client.tokenGrants()).toBe(1);
    expect(hub.stats().tokensIssued).toBe(1);
    hub.expireAccessTokens();
    // The 401 invalid_token is answered by one new grant and the same call again.
    await client.check(context);
    expect(client.tokenGrants()).toBe(2);
    expect(hub.stats().tokensIssued).toBe(2);
  });

  it("reads one object's External Data origin_id by item type (the runner's re-check of what blocked records wait on)", async () => {
    const client = clientFor(hub);
    // The seeded vendor is linked (V-100); a new one is not, until another integration writes its External Data.
    expect(await client.originId(C, 'vendor', String(VENDOR), context)).toBe('V-100');
    const vendorId = hub.addVendor({ companyId: COMPANY, name: 'Harbor Steel' });
    expect(await client.originId(C, 'vendor', String(vendorId), context)).toBeUndefined();
    await client.syncExternalData(C, [{ itemType: 'vendor', itemId: String(vendorId), originId: 'V-200' }], context);
    expect(await client.originId(C, 'vendor', String(vendorId), context)).toBe('V-200');
    // A requisition's origin_id is its bill's id; an unknown object or a non-id is undefined, the latter without a call.
    const { requisitionId } = addPayment(hub, 10_00, { originId: 'BILL-77' });
    expect(await client.originId(C, 'requisition', String(requisitionId), context)).toBe('BILL-77');
    expect(await client.originId(C, 'vendor', '999999', context)).toBeUndefined();
    hub.resetStats();
    expect(await client.originId(C, 'vendor', ' ', context)).toBeUndefined();
    expect(hub.stats().requests).toBe(0);
  });

  it('asks again before the stated expiry, without waiting for a 401', async () => {
    await hub.close();
    hub = await startHub({ accessTokenTtlMs: 1_000 });
    const client = clientFor(hub);
    await client.check(context);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    hub.resetStats();
    await client.check(context);
    expect(hub.stats().tokensIssued).toBe(1);
    expect(hub.stats().byEndpoint['GET /rest/v1.0/companies/:id/erp_connections']).toBe(1);
  });

  it('refuses wrong client credentials with LL_HUB_AUTH naming the settings, never the secret', async () => {
    const client = clientFor(hub, { config: { clientSecret: 'wrong-secret-value' } });
    const error = (await client.check(context).catch((caught: unknown) => caught)) as { code: string; message: string };
    expect(error).toMatchObject({ code: 'LL_HUB_AUTH' });
    expect(error.message).toContain('hub.connection.clientId');
    expect(error.message).toContain('hub.connection.clientSecret');
    expect(JSON.stringify(error)).not.toContain('wrong-secret-value');
    // A company the service account is not installed in: the same code, saying so.
    await expect(clientFor(hub, { config: { companyIds: ['999'] } }).check(context)).rejects.toMatchObject({ code: 'LL_HUB_AUTH' });
  });

  it('shows the ERP Request a webhook names, and undefined for one Procore does not have', async () => {
    const { paymentId, requestId, detailId } = addPayment(hub, 1234_56);
    const request = (await clientFor(hub).erpRequest(C, String(requestId), context)) as ErpRequest;
    expect(request).toMatchObject({ id: String(requestId), companyId: C, requestName: 'create_contract_payment', requestDetailId: String(detailId) });
    expect((request.data.contract_payment as { id: number }).id).toBe(paymentId);
    expect(Date.parse(request.createdAt)).not.toBeNaN();
    expect(await clientFor(hub).erpRequest(C, '99999', context)).toBeUndefined();
    expect(await clientFor(hub).erpRequest(C, ' ', context)).toBeUndefined();
  });

  it('lists open requests across pages, oldest first, each resolved to its ERP Request; closed ones drop out', async () => {
    const raised = [1, 2, 3, 4, 5].map((n) => addPayment(hub, n * 100_00));
    const client = clientFor(hub, { config: { perPage: 2 } });
    const open = await collect(client.openRequests(C, context));
    expect(open.pages).toBe(3);
    expect(open.items.map((request) => request.id)).toEqual(raised.map((r) => String(r.requestId)));
    expect(open.items.every((request) => request.requestName === 'create_contract_payment' && request.requestDetailId !== undefined)).toBe(true);
    // Closing out as the pages are read does not skip any (the open list is read whole first).
    const seen: string[] = [];
    for await (const page of client.openRequests(C, context)) {
      for (const request of page) {
        seen.push(request.id);
        await client.closeOut(C, request.requestDetailId as string, { status: 'success', messages: [] }, context);
      }
    }
    expect(seen).toHaveLength(5);
    expect((await collect(client.openRequests(C, context))).items).toEqual([]);
  });

  it('maps a create_contract_payment to the canonical payment: exact cents, dates, vendor, requisition, project', async () => {
    const { paymentId, requisitionId, requestId } = addPayment(hub, 99_999_999_99, { totalCents: 100_000_000_00, method: 'ach', dateFunded: '2025-05-02T15:06:05Z' });
    const client = clientFor(hub);
    const request = (await client.erpRequest(C, String(requestId), context)) as ErpRequest;
    const payment = await client.contractPayment(request, context);
    expect(payment).toEqual({
      id: String(paymentId),
      status: 'paid',
      amountCents: 99_999_999_99,
      method: 'ach',
      fundedOn: '2025-05-02',
      bankId: 'GS-OPERATING-1',
      checkNumber: expect.any(String) as unknown,
      paymentNumber: expect.stringMatching(/^PP-/) as unknown,
      vendor: { id: String(VENDOR), name: 'Summit Drywall Inc.', code: 'SUMMIT', erpId: 'V-100' },
      invoice: { id: String(requisitionId), number: expect.stringMatching(/^INV-/) as unknown, amountCents: 100_000_000_00, erpId: expect.stringMatching(/^BILL-/) as unknown, commitmentId: String(COMMITMENT) },
      project: { id: String(PROJECT), number: 'P-100', name: 'Harbor View Tower' },
      commitmentId: String(COMMITMENT),
      taxCents: 0,
      markupCents: 0,
    });
    // The invoice-before-payment rule's read: the same requisition, its ERP id once synced.
    expect(await client.invoice(C, String(requisitionId), context)).toMatchObject({ id: String(requisitionId), amountCents: 100_000_000_00, erpId: expect.stringMatching(/^BILL-/) as unknown });
    // A client that has not read the payment (a restart) looks for the requisition through the company's projects.
    expect(await clientFor(hub).invoice(C, String(requisitionId + 1_000_000), context)).toBeUndefined();
    expect(await client.invoice(C, ' ', context)).toBeUndefined();
    const unsynced = addPayment(hub, 10_00, { originId: null });
    const second = await client.contractPayment((await client.erpRequest(C, String(unsynced.requestId), context)) as ErpRequest, context);
    expect((second as { invoice: Record<string, unknown> }).invoice.erpId).toBeUndefined();
  });

  it('reads vendors and projects once for a batch of payments of the same company', async () => {
    const raised = [1, 2, 3].map((n) => addPayment(hub, n * 10_00));
    const client = clientFor(hub);
    const requests = await Promise.all(raised.map(async (r) => (await client.erpRequest(C, String(r.requestId), context)) as ErpRequest));
    hub.resetStats();
    await Promise.all(requests.map((request) => client.contractPayment(request, context)));
    const calls = hub.stats().byEndpoint;
    expect(calls['GET /rest/v1.0/companies/:id/vendors/:id']).toBe(1);
    expect(calls['GET /rest/v1.0/projects/:id']).toBe(1);
    expect(calls['GET /rest/v1.0/projects/:id/requisitions/:id']).toBe(3);
  });

  it('refuses an amount it cannot read exactly, by name, instead of rounding', async () => {
    const { requestId } = addPayment(hub, 10_00);
    const client = clientFor(hub);
    const request = (await client.erpRequest(C, String(requestId), context)) as ErpRequest;
    for (const amount of ['10.555', '1e3', 12.5, ' ']) {
      const tampered: ErpRequest = { ...request, data: { ...request.data, contract_payment: { ...(request.data.contract_payment as object), amount } } };
      await expect(client.contractPayment(tampered, context)).rejects.toMatchObject({ code: 'LL_RECORD_INVALID', details: { field: 'amount' } });
    }
  });
});
