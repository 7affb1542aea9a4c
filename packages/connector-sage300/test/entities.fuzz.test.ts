/**
 * Fuzzed agent answers to the requisition (AP invoice) and vendor routes: the real client over real sockets against
 * a loopback server answering with generated bodies, statuses and deliveries. Every call ends in a typed outcome or
 * a LedgerlinkError in bounded time; a bill or vendor is never settled on a blank id or on an answer about another.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFetchHttpClient, type HubVendor, type LoadItem, type Requisition, silentLogger, type ConnectorClient } from '@ledgerlink/core';
import { AgentBill, CreateInvoiceAnswer, CreateVendorAnswer, VendorPage, centsOfAmount } from '../src/bill-wire.js';
import { readJson } from '../src/agent-wire.js';
import { Sage300ConfigSchema } from '../src/config.js';
import { sage300Connector } from '../src/index.js';
import { checkFind, checkLoad, checkPages, fuzzRuns, fuzzTimeout, jsonAnswer, junkBody, oddId, oddMoney, startFuzzServer, type FuzzAnswer, type FuzzServer } from '@ledgerlink/connector-testkit/fuzz';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const REQUISITION: Requisition = {
  id: 'req-1',
  number: 'R-1',
  billingDate: '2025-04-30',
  vendor: { id: 'hub-v', name: 'Acme', erpId: 'ACME' },
  project: { id: 'hub-p', number: 'P-1' },
  commitment: { id: 'hub-c' },
  totalCents: 10_001,
  retainageCents: 0,
  lines: [{ id: 'l1', description: 'a', amountCents: 10_001, retainageCents: 0 }],
};
const BILL = { vendor: 'ACME', invoice: 'R-1', amount: '100.01', invoiceDate: '2025-04-30', distributions: [{ amount: '100.01' }] };
const HUB_VENDOR: HubVendor = { id: 'hub-v', name: 'Acme', code: 'ACME', isActive: true };
const VENDOR = { vendor: 'ACME', name: 'Acme', status: 'Active' };

const ours = (value: unknown): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: oddId });
const bill = fc.record(
  { vendor: ours('ACME'), invoice: ours('R-1'), amount: fc.oneof(fc.constant('100.01'), oddMoney), invoiceDate: ours('2025-04-30') },
  { requiredKeys: [] },
);
const vendor = fc.record({ vendor: ours('ACME'), name: ours('Acme'), status: ours('Active') }, { requiredKeys: [] });
const errorBody = fc.record({
  error: fc.record(
    {
      code: fc.oneof(fc.constantFrom('VENDOR_NOT_FOUND', 'DUPLICATE_INVOICE', 'FIELD_TOO_LONG', 'COST_CODE_NOT_FOUND', 'VENDOR_EXISTS', 'BUSY'), oddId),
      message: fc.oneof(fc.string({ maxLength: 30 }), oddId),
      found: fc.oneof(fc.record({ amount: ours('100.01'), invoiceDate: ours('2025-04-30'), name: ours('Acme'), field: fc.constantFrom('invoice', 'vendor', 'name') }, { requiredKeys: [] }), oddId),
    },
    { requiredKeys: [] },
  ),
});
const created = (record: fc.Arbitrary<unknown>, key: string) => fc.record({ created: fc.oneof(fc.boolean(), oddId), [key]: record }, { requiredKeys: [] });
const script = fc.record({
  create: fc.array(
    jsonAnswer(fc.oneof({ weight: 3, arbitrary: created(bill, 'invoice') }, { weight: 2, arbitrary: created(vendor, 'vendor') }, { weight: 2, arbitrary: errorBody }), [201, 200, 404, 409, 422, 429, 500]),
    { maxLength: 1 },
  ),
  read: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: bill }, { weight: 2, arbitrary: vendor }, { weight: 1, arbitrary: errorBody }), [200, 404]), { maxLength: 1 }),
  list: fc.array(
    jsonAnswer(
      fc.record({ vendors: fc.oneof(fc.array(vendor, { maxLength: 3 }), oddId), nextCursor: fc.oneof(fc.constant(null), fc.constant('Ym'), oddId) }, { requiredKeys: [] }),
      [200, 400, 503],
    ),
    { maxLength: 3 },
  ),
});

let server: FuzzServer;
let client: ConnectorClient;
beforeAll(async () => {
  server = await startFuzzServer((request) => {
    if (request.method === 'POST') return 'create';
    return /\/v1\/ap\/vendors\?/.test(request.url ?? '') ? 'list' : 'read';
  });
  client = sage300Connector.createClient({
    config: Sage300ConfigSchema.parse({ agentUrl: server.url, agentToken: 'fuzz-token-0123456789' }),
    http: createFetchHttpClient({ timeoutMs: 500 }),
    lane: { throttled() {} },
    logger: silentLogger,
    now: () => new Date('2025-05-06T12:00:00Z'),
  });
});
afterAll(() => server.close());

const signal = new AbortController().signal;
let run = 0;

describe('Sage 300 CRE requisition and vendor client under fuzzed agent answers', () => {
  it('ends every bill and vendor export, lookup and vendor page in a typed outcome or a LedgerlinkError, never on a blank or foreign id', async () => {
    await fc.assert(
      fc.asyncProperty(script, fc.boolean(), async (answers, blankVendor) => {
        run += 1;
        const billItem: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: `req-1.r${run}`, record: REQUISITION, payload: blankVendor ? { ...BILL, vendor: ' ' } : BILL };
        const vendorItem: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hub-v', idempotencyKey: `hub-v.r${run}`, record: HUB_VENDOR, payload: VENDOR };
        server.script(answers as Record<string, FuzzAnswer[]>);
        const outcomes = [
          ...(await checkLoad('bill load', () => client.requisitions!.exporter!.load([billItem], { signal }), 1)),
          await checkFind('bill find', () => client.requisitions!.exporter!.find(billItem, { signal })),
        ];
        for (const outcome of outcomes) if (outcome?.kind === 'synced') expect(outcome.erpId).toBe('R-1');
        server.script(answers as Record<string, FuzzAnswer[]>);
        const vendorOutcomes = [
          ...(await checkLoad('vendor load', () => client.vendors!.exporter!.load([vendorItem], { signal }), 1)),
          await checkFind('vendor find', () => client.vendors!.exporter!.find(vendorItem, { signal })),
        ];
        for (const outcome of vendorOutcomes) if (outcome?.kind === 'synced') expect(outcome.erpId).toBe('ACME');
        server.script(answers as Record<string, FuzzAnswer[]>);
        await checkPages('vendor pages', client.vendors!.importer!.pages({ signal }));
      }),
      { numRuns: fuzzRuns(100) },
    );
  }, fuzzTimeout(100, 150));

  it('reads any body with the answer readers without throwing, and amounts only as exact decimals', () => {
    fc.assert(
      fc.property(fc.oneof(junkBody, fc.json({ maxDepth: 4 }), oddMoney.map(String)), (body) => {
        for (const schema of [AgentBill, CreateInvoiceAnswer, CreateVendorAnswer, VendorPage]) readJson(schema as never, body);
        const cents = centsOfAmount(body);
        if (cents !== undefined) expect(Number.isSafeInteger(cents)).toBe(true);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
