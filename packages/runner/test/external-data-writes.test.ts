import { createProcoreHubClient, ProcoreConfig } from '@ledgerlink/connector-procore';
import { createProcoreSandbox, type ProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { createFetchHttpClient, silentLogger, type HubClient } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalDataWrites } from '../src/hub/external-data-writes.js';

/**
 * External Data writes of many close-outs in one call, against the Procore platform sandbox over HTTP: the calls the
 * sandbox counted, the links it holds, and a refused item failing alone.
 */
const COMPANY = 4264;
const SYNC = 'PATCH /rest/v1.0/companies/:id/external_data/sync';
let hub: ProcoreSandbox;
let client: HubClient;
const payments: number[] = [];

beforeAll(async () => {
  hub = await createProcoreSandbox({
    seed: {
      companies: [{ id: COMPANY, name: 'Sandbox Builders Inc.' }],
      projects: [{ id: 501, companyId: COMPANY, projectNumber: 'P-100', name: 'Harbor View Tower' }],
      vendors: [{ id: 601, companyId: COMPANY, name: 'Summit Drywall Inc.', originCode: 'SUMMIT', originId: 'V-100' }],
      commitments: [{ id: 701, projectId: 501, vendorId: 601, number: 'SC-1' }],
    },
  });
  for (let i = 0; i < 12; i++) {
    const requisitionId = hub.addRequisition({ commitmentId: 701, invoiceNumber: `INV-${i}`, totalCents: 1000 + i, originId: `BILL-${i}` });
    payments.push(hub.addContractPayment({ requisitionId, amountCents: 1000 + i, paymentMethod: 'check', bankId: 'GS-1', checkNumber: String(5000 + i), paymentNumber: `PP-${i}` }));
  }
  const config = ProcoreConfig.parse({ apiBaseUrl: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: hub.serviceAccount.clientSecret, companyIds: [String(COMPANY)] });
  client = createProcoreHubClient({ config, http: createFetchHttpClient(), lane: { throttled: () => undefined }, logger: silentLogger, now: () => new Date() });
});

afterAll(async () => {
  await hub?.close();
});

describe('ExternalDataWrites', () => {
  it('writes the origin_ids of one turn in one External Data Sync call, and each caller learns it landed', async () => {
    const writes = new ExternalDataWrites(() => client, new AbortController().signal);
    hub.resetStats();
    const ids = payments.slice(0, 8);
    await Promise.all(ids.map((id) => writes.write(String(COMPANY), { itemType: 'contract_payment', itemId: String(id), originId: `PAY-${id}` })));
    expect(hub.stats().byEndpoint[SYNC]).toBe(1);
    expect(writes.stats()).toEqual({ calls: 1, updates: 8 });
    for (const id of ids) expect(hub.externalData('contract_payment', id)?.origin_id).toBe(`PAY-${id}`);
  });

  it('a refused item fails alone: the others of its batch land, the refused one rejects naming it', async () => {
    const writes = new ExternalDataWrites(() => client, new AbortController().signal);
    const [locked, ...others] = payments.slice(8, 12) as [number, ...number[]];
    // Linked elsewhere first: Procore refuses another origin_id for it until it is unlinked.
    await client.syncExternalData(String(COMPANY), [{ itemType: 'contract_payment', itemId: String(locked), originId: 'PAY-OTHER' }], { signal: new AbortController().signal });
    const outcomes = await Promise.allSettled([
      writes.write(String(COMPANY), { itemType: 'contract_payment', itemId: String(locked), originId: `PAY-${locked}` }),
      ...others.map((id) => writes.write(String(COMPANY), { itemType: 'contract_payment', itemId: String(id), originId: `PAY-${id}` })),
    ]);
    expect(outcomes[0]?.status).toBe('rejected');
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain(String(locked));
    expect(outcomes.slice(1).map((o) => o.status)).toEqual(others.map(() => 'fulfilled'));
    for (const id of others) expect(hub.externalData('contract_payment', id)?.origin_id).toBe(`PAY-${id}`);
    expect(hub.externalData('contract_payment', locked)?.origin_id).toBe('PAY-OTHER');
  });

  it('the hub unreachable: every caller of the batch is told, and nothing is retried one by one', async () => {
    const dead = createProcoreHubClient({
      config: ProcoreConfig.parse({ apiBaseUrl: 'http://127.0.0.1:9', tokenUrl: 'http://127.0.0.1:9/oauth/token', clientId: 'x', clientSecret: 'y', companyIds: [String(COMPANY)] }),
      http: createFetchHttpClient({ timeoutMs: 2_000 }),
      lane: { throttled: () => undefined },
      logger: silentLogger,
      now: () => new Date(),
    });
    const writes = new ExternalDataWrites(() => dead, new AbortController().signal);
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => writes.write(String(COMPANY), { itemType: 'contract_payment', itemId: String(payments[n]), originId: `X-${n}` })));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(writes.stats()).toEqual({ calls: 1, updates: 3 });
  });
});
