/**
 * Fuzzed agent protocol v1 answers: the real Sage 300 CRE client (the invoice-code exporter, its lookup, the
 * connection check), over real sockets, against a loopback server answering with generated bodies, statuses and
 * headers. Every call must end in a typed outcome or a LedgerlinkError, in bounded time, and never settle a
 * payment on an invoice other than the one it marks, or on a blank id.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type LoadItem, type Payment } from '@ledgerlink/core';
import { erpAnswerOf, refusalOutcome } from '../src/agent-errors.js';
import { AgentErrorBody, AgentInvoice, HealthAnswer, SetCodesAnswer, readJson } from '../src/agent-wire.js';
import { Sage300ConfigSchema } from '../src/config.js';
import { sage300Connector } from '../src/index.js';
import {
  checkFind,
  checkLoad,
  checkVoid,
  fuzzRuns,
  fuzzTimeout,
  jsonAnswer,
  junkBody,
  oddId,
  oddMoney,
  startFuzzServer,
  type FuzzAnswer,
  type FuzzServer,
} from '@ledgerlink/connector-testkit/fuzz';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const PAYLOAD = { invoiceCode1: 'PROCOREPAY', invoiceCode2: '10452', vendor: 'ACME', invoice: '4471', bank: 'OPER', amount: '1500.00', checkDate: '2025-05-06' };

const RECORD: Payment = {
  id: 'pay-1',
  status: 'funding_complete',
  amountCents: 150_000,
  method: 'check',
  fundedOn: '2025-05-06',
  bankId: 'OPER',
  checkNumber: '10452',
  vendor: { id: 'hub-v1', name: 'Acme', erpId: 'ACME' },
  invoice: { id: 'hub-i1', number: '4471', amountCents: 150_000, erpId: '4471' },
  project: { id: 'hub-p', number: 'P-1' },
};

function ours(value: unknown): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: oddId });
}

const invoice = fc.record(
  {
    vendor: ours('ACME'),
    invoice: ours('4471'),
    amount: fc.oneof(fc.constant('1500.00'), oddMoney),
    balance: fc.oneof(fc.constant('0.00'), oddMoney),
    status: fc.oneof(fc.constantFrom('open', 'paid'), oddId),
    invoiceCode1: ours('PROCOREPAY'),
    invoiceCode2: ours('10452'),
    bank: fc.oneof(fc.constantFrom('OPER', null), oddId),
  },
  { requiredKeys: ['vendor', 'invoice', 'invoiceCode1', 'invoiceCode2'] },
);

const errorBody = fc.record({
  error: fc.record(
    {
      code: fc.oneof(
        fc.constantFrom('UNAUTHORIZED', 'VENDOR_NOT_FOUND', 'INVOICE_NOT_FOUND', 'CODE_CONFLICT', 'DUPLICATE_CHECK', 'BANK_NOT_FOUND', 'CODE_TOO_LONG', 'INVOICE_PAID', 'AMOUNT_MISMATCH', 'IDEMPOTENCY_KEY_REUSED'),
        oddId,
      ),
      message: fc.oneof(fc.string({ maxLength: 30 }), oddId),
      found: fc.oneof(fc.record({ invoiceCode1: oddId, field: fc.constantFrom('invoiceCode1', 'invoiceCode2') }, { requiredKeys: [] }), oddId),
    },
    { requiredKeys: [] },
  ),
});

const health = fc.record(
  {
    status: fc.oneof(fc.constant('ok'), oddId),
    protocols: fc.oneof(fc.constant(['1']), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), oddId),
    agent: fc.oneof(fc.constant({ name: 'agent', version: '1.0.0' }), oddId),
    sage: fc.oneof(fc.constant({ company: 'Acme' }), oddId),
  },
  { requiredKeys: [] },
);

const script = fc.record({
  codes: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: fc.record({ changed: fc.oneof(fc.boolean(), oddId), invoice }) }, { weight: 2, arbitrary: errorBody }), [200, 409, 422, 503]), {
    maxLength: 1,
  }),
  invoice: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: invoice }, { weight: 1, arbitrary: errorBody }), [200, 404]), { maxLength: 1 }),
  health: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: health }, { weight: 1, arbitrary: errorBody }), [200, 401]), { maxLength: 1 }),
});

/** Payloads as a mapping override might leave them: blank ids among them. */
const payload = fc.oneof(
  { weight: 6, arbitrary: fc.constant(PAYLOAD) },
  { weight: 1, arbitrary: fc.record({ vendor: oddId, invoice: oddId }).map((ids) => ({ ...PAYLOAD, ...ids })) },
);

let server: FuzzServer;
let client: ConnectorClient;

beforeAll(async () => {
  server = await startFuzzServer((request) => {
    const url = request.url ?? '';
    if (url.endsWith('/v1/health')) return 'health';
    if (url.endsWith('/codes')) return 'codes';
    return 'invoice';
  });
  client = sage300Connector.createClient({
    config: Sage300ConfigSchema.parse({ agentUrl: server.url, agentToken: 'fuzz-token-0123456789' }),
    http: createFetchHttpClient({ timeoutMs: 500 }),
    lane: { throttled() {} },
    logger: silentLogger,
    now: () => new Date('2025-05-06T12:00:00Z'),
  });
});

afterAll(async () => {
  await server.close();
});

const signal = new AbortController().signal;
let runCounter = 0;

describe('Sage 300 CRE client under fuzzed agent answers', () => {
  it('ends every export, lookup and check in a typed outcome or a LedgerlinkError, never on a blank or foreign invoice', async () => {
    await fc.assert(
      fc.asyncProperty(script, payload, async (answers, mapped) => {
        runCounter += 1;
        const item: LoadItem = { id: 'pay-1', idempotencyKey: `pay-1.r${runCounter}`, record: RECORD, payload: mapped };
        server.script(answers as Record<string, FuzzAnswer[]>);
        const [loaded] = await checkLoad('load', () => client.payments.exporter!.load([item], { signal }), 1);
        const found = await checkFind('find', () => client.payments.exporter!.find(item, { signal }));
        for (const outcome of [loaded, found]) {
          if (outcome?.kind === 'synced') expect(outcome.erpId).toBe(`${String(mapped.vendor)}/${String(mapped.invoice)}`);
        }
        await checkVoid('check', () => client.check({ signal }));
      }),
      { numRuns: fuzzRuns(150) },
    );
  }, fuzzTimeout(150));

  it('does not settle a payment on an answer about a blank vendor', async () => {
    const body = JSON.stringify({ changed: true, invoice: { vendor: ' ', invoice: '4471', invoiceCode1: 'PROCOREPAY', invoiceCode2: '10452' } });
    server.script({ codes: [{ status: 200, headers: { 'content-type': 'application/json' }, body, delivery: 'normal' }] });
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.blank', record: RECORD, payload: PAYLOAD };
    const outcomes = await client.payments.exporter!.load([item], { signal });
    expect(outcomes).toMatchObject([{ kind: 'retryable', code: 'LL_ERP_PROTOCOL', committed: 'unknown' }]);
  });

  it('refuses a mapped payload with a blank invoice number before any call', async () => {
    server.script({});
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.blank-invoice', record: RECORD, payload: { ...PAYLOAD, invoice: ' ' } };
    const outcomes = await client.payments.exporter!.load([item], { signal });
    expect(outcomes).toMatchObject([{ kind: 'rejected', code: 'LL_MAPPING_FAILED' }]);
    expect(server.seen).toEqual([]);
  });

  it('reads any body with the pure answer readers without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(junkBody, fc.json({ maxDepth: 4 }), errorBody.map((body) => JSON.stringify(body))), fc.integer({ min: 200, max: 599 }), (body, status) => {
        const response = { status, headers: {}, body };
        readJson(AgentErrorBody, body);
        readJson(AgentInvoice, body);
        readJson(HealthAnswer, body);
        readJson(SetCodesAnswer, body);
        expect(typeof erpAnswerOf(response).message).toBe('string');
        refusalOutcome(response, PAYLOAD, { throttled() {} });
      }),
      { numRuns: fuzzRuns(2000) },
    );
  }, fuzzTimeout(2000, 2));
});
