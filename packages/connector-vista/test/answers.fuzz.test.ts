/**
 * Fuzzed Direct API answers: the real Vista client, over real sockets, against a loopback server that answers
 * with generated bodies, statuses and headers (valid-shaped answers with random values, cut-off bodies, wrong
 * types, blank ids, odd amounts, resets, stalls). Every call must end in a typed outcome or a LedgerlinkError,
 * in bounded time, and never settle a payment on a blank or malformed KeyID.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type LoadItem, type Payment } from '@ledgerlink/core';
import { vistaConnector, type VistaConfig } from '../src/index.js';
import { erpAnswerOf } from '../src/vista-errors.js';
import { VistaExtractor } from '../src/vista-extractor.js';
import { asAccepted, asActionState, asCachePage, problemsOf, readJson, VistaApi } from '../src/vista-wire.js';
import {
  checkFind,
  checkLoad,
  checkPages,
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

const PAYLOAD = {
  PaymentStatus: 'Posted',
  PaymentTxnAmount: '1000.05',
  PaymentDate: '2025-05-06',
  PaymentMethod: 'C',
  Account: 'CM1',
  DocumentOrCheckNo: '4401',
  VendorID: 'V1',
  Invoices: [{ APTrans: '901', Amount: '1000.05' }],
};

const RECORD: Payment = {
  id: 'pay-1',
  status: 'funding_complete',
  amountCents: 100_005,
  method: 'check',
  fundedOn: '2025-05-06',
  bankId: 'CM1',
  checkNumber: '4401',
  vendor: { id: 'hub-v1', name: 'Vendor 1', erpId: 'V1' },
  invoice: { id: 'hub-i1', number: 'INV-1', amountCents: 100_005, erpId: '901' },
  project: { id: 'hub-p', number: 'P-1' },
};

/** A value that is often the payload's own (so lookups match) and otherwise anything. */
function ours<T>(value: T): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: oddId });
}

const problem = fc.record(
  {
    field: fc.oneof(fc.constantFrom('DocumentOrCheckNo', 'Account', 'VendorID'), oddId),
    message: fc.oneof(fc.string({ maxLength: 30 }), oddId),
  },
  { requiredKeys: [] },
);

const cacheRecord = fc.record(
  {
    KeyID: fc.oneof({ weight: 2, arbitrary: fc.constantFrom('77', 77) }, { weight: 3, arbitrary: oddId }),
    PaymentTxnAmount: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1000.05', 1000.05) }, { weight: 2, arbitrary: oddMoney }),
    Account: ours('CM1'),
    PaymentMethod: ours('C'),
    DocumentOrCheckNo: ours('4401'),
    VendorID: ours('V1'),
    LastUpdated: fc.oneof(fc.constantFrom('2025-05-06T10:00:00Z', ''), oddId),
    PaymentStatus: fc.oneof(fc.constantFrom('Posted', 'Cleared', 'Open'), oddId),
  },
  { requiredKeys: [] },
);

const cachePage = fc.record(
  {
    data: fc.oneof({ weight: 5, arbitrary: fc.array(cacheRecord, { maxLength: 3 }) }, { weight: 1, arbitrary: oddId }),
    continuationToken: fc.oneof(fc.constantFrom(null, '', 'next'), oddId),
  },
  { requiredKeys: [] },
);

const errorBody = fc.record(
  {
    statusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), oddId),
    message: fc.oneof(fc.string({ maxLength: 40 }), oddId),
    errors: fc.oneof(fc.array(problem, { maxLength: 3 }), oddId),
  },
  { requiredKeys: [] },
);

const createAnswer = jsonAnswer(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ actionId: ours('act-1'), status: fc.oneof(fc.constantFrom('Queued'), oddId) }, { requiredKeys: [] }) },
    { weight: 2, arbitrary: errorBody },
  ),
  [202, 200, 400, 429, 500],
);

const actionAnswer = jsonAnswer(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record(
        {
          actionId: ours('act-1'),
          status: fc.oneof(fc.constantFrom('Queued', 'Processing', 'Successful', 'Failed'), oddId),
          result: fc.oneof(fc.record({ KeyID: oddId }, { requiredKeys: [] }), oddId),
          errors: fc.oneof(fc.array(problem, { maxLength: 3 }), oddId),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: errorBody },
  ),
  [200, 404],
);

const searchAnswer = jsonAnswer(fc.oneof({ weight: 4, arbitrary: cachePage }, { weight: 1, arbitrary: errorBody }), [200, 400]);

const script = fc.record({
  create: fc.array(createAnswer, { maxLength: 2 }),
  action: fc.array(actionAnswer, { maxLength: 2 }),
  search: fc.array(searchAnswer, { maxLength: 5 }),
  cache: fc.array(searchAnswer, { maxLength: 1 }),
});

/** A cursor as stored, or as something else wrote it. */
const cursor = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', '{}', '{"since":"2025-01-01T00:00:00Z"}', '{"token":"t","high":"x"}', 'null', '[]', '{"since":5}', '{'),
  fc.string({ maxLength: 20 }),
);

const CONFIG: VistaConfig = {
  baseUrl: 'http://127.0.0.1:9',
  subscriberUid: 'sub-1',
  applicationKey: 'key-fuzz',
  module: 'ap',
  apiVersion: '1',
  paymentObject: 'paymenthistories',
  apCompany: 1,
  pageSize: 50,
};

let server: FuzzServer;
let client: ConnectorClient;

beforeAll(async () => {
  server = await startFuzzServer((request) => {
    const path = request.url ?? '';
    if (path.endsWith('/actions/create')) return 'create';
    if (path.includes('/actions/')) return 'action';
    if (path.includes('/cache/search')) return 'search';
    return 'cache';
  });
  const config: VistaConfig = { ...CONFIG, baseUrl: server.url };
  client = vistaConnector.createClient({
    config,
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

describe('Vista client under fuzzed Direct API answers', () => {
  it('ends every export, lookup, import and check in a typed outcome or a LedgerlinkError, never on a blank KeyID', async () => {
    await fc.assert(
      fc.asyncProperty(script, cursor, fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: oddMoney }), async (answers, start, oddAmount) => {
        runCounter += 1;
        const payload = oddAmount === null ? PAYLOAD : { ...PAYLOAD, PaymentTxnAmount: oddAmount };
        const item: LoadItem = { id: 'pay-1', idempotencyKey: `pay-1.r${runCounter}`, record: RECORD, payload };
        server.script(answers as Record<string, FuzzAnswer[]>);
        await checkLoad('load', () => client.payments.exporter!.load([item], { signal }), 1);
        await checkFind('find', () => client.payments.exporter!.find(item, { signal }));
        await checkPages('pages', client.payments.importer!.pages(start === undefined ? { signal } : { signal, cursor: start }));
        await checkVoid('check', () => client.check({ signal }));
      }),
      { numRuns: fuzzRuns(200) },
    );
  }, fuzzTimeout(200));

  it('ends an import run that keeps receiving continuation tokens, with a cursor that goes on from there', async () => {
    const page = JSON.stringify({ data: [], continuationToken: 'again' });
    const forever: FuzzAnswer = { status: 200, headers: { 'content-type': 'application/json' }, body: page, delivery: 'normal' };
    server.script({ search: Array.from({ length: 10 }, () => forever) });
    const extractor = new VistaExtractor(new VistaApi({ ...CONFIG, baseUrl: server.url }, createFetchHttpClient({ timeoutMs: 1000 })), 1, 5);
    const cursors: string[] = [];
    for await (const read of extractor.pages({ signal })) cursors.push(read.cursor);
    expect(cursors).toHaveLength(5);
    expect(JSON.parse(cursors[4]!)).toMatchObject({ token: 'again' });
  });

  it('reads any body with the pure answer readers without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(junkBody, fc.json({ maxDepth: 4 })), fc.integer({ min: 200, max: 599 }), (body, status) => {
        const value = readJson(body);
        problemsOf(value);
        asAccepted(value);
        asActionState(value);
        const page = asCachePage(value);
        if (page !== undefined) expect(page.data.every((record) => typeof record === 'object')).toBe(true);
        const erp = erpAnswerOf({ status, headers: {}, body });
        expect(typeof erp.message).toBe('string');
        // What a careless HttpClient might hand over instead of text.
        expect(typeof erpAnswerOf({ status, headers: {}, body: value as string }).message).toBe('string');
      }),
      { numRuns: fuzzRuns(2000) },
    );
  }, fuzzTimeout(2000, 2));

  it('does not settle a payment the cache shows with a blank KeyID', async () => {
    const record = { ...PAYLOAD, KeyID: ' ' };
    const body = JSON.stringify({ data: [record], continuationToken: null });
    server.script({ search: [{ status: 200, headers: { 'content-type': 'application/json' }, body, delivery: 'normal' }] });
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.blank', record: RECORD, payload: PAYLOAD };
    const outcome = await client.payments.exporter!.find(item, { signal });
    expect(outcome).toMatchObject({ kind: 'retryable', code: 'LL_ERP_PROTOCOL', committed: 'unknown' });
  });

  it('maps a lost answer during a lookup to a retryable outcome, not a thrown transport error', async () => {
    server.script({ search: [{ status: 200, headers: {}, body: '', delivery: 'reset' }] });
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.reset', record: RECORD, payload: PAYLOAD };
    const outcome = await client.payments.exporter!.find(item, { signal });
    expect(outcome).toMatchObject({ kind: 'retryable', code: 'LL_ERP_TRANSPORT', committed: 'unknown' });
  });

});
