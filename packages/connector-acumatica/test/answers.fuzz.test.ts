/**
 * Fuzzed contract-based REST answers: the real Acumatica client (session, exporter, release polling, importer,
 * connection check), over real sockets, against a loopback server answering with generated bodies, statuses,
 * cookies and headers. Every call must end in a typed outcome or a LedgerlinkError, in bounded time, and never
 * settle a payment on a blank or malformed ReferenceNbr.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type LoadItem, type Payment } from '@ledgerlink/core';
import { erpAnswer, fieldErrors, refusalOutcome, failureOutcome } from '../src/acumatica-errors.js';
import { isSameCheck, naturalKey } from '../src/check-payload.js';
import { createCheckImporter } from '../src/check-importer.js';
import { AcumaticaConfig } from '../src/config.js';
import { acumaticaConnector } from '../src/index.js';
import { AcumaticaSession } from '../src/session.js';
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
  retryAfter,
  startFuzzServer,
  statusOf,
  delivery,
  type FuzzAnswer,
  type FuzzServer,
} from '@ledgerlink/connector-testkit/fuzz';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const PAYLOAD = {
  Type: { value: 'Payment' },
  Vendor: { value: 'V000101' },
  PaymentMethod: { value: 'CHECK' },
  CashAccount: { value: '10200WF' },
  ApplicationDate: { value: '2025-05-02' },
  PaymentRef: { value: '20001' },
  PaymentAmount: { value: '123.45' },
  Hold: { value: false },
  Details: [{ DocType: { value: 'Bill' }, ReferenceNbr: { value: 'AP000201' }, AmountPaid: { value: '123.45' } }],
};

const RECORD: Payment = {
  id: 'pay-1',
  status: 'funding_complete',
  amountCents: 12_345,
  method: 'check',
  fundedOn: '2025-05-02',
  bankId: '10200WF',
  checkNumber: '20001',
  vendor: { id: 'hub-v1', name: 'Keller', erpId: 'V000101' },
  invoice: { id: 'hub-i1', number: 'INV-1', amountCents: 2_000_000, erpId: 'AP000201' },
  project: { id: 'hub-p', number: 'P-1' },
};

function ours(value: unknown): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: oddId });
}

/** A field as Acumatica wraps it (`{ value }`), sometimes with an error, sometimes not wrapped at all. */
function wrapped(value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: value.map((inner) => ({ value: inner })) },
    { weight: 1, arbitrary: fc.record({ value: value, error: fc.string({ maxLength: 20 }) }) },
    { weight: 1, arbitrary: oddId },
  );
}

const amount = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('123.45', 123.45) }, { weight: 2, arbitrary: oddMoney });

const applicationRow = fc.record(
  { DocType: wrapped(fc.constantFrom('Bill', 'Credit Adj.')), ReferenceNbr: wrapped(ours('AP000201')), AmountPaid: wrapped(amount), error: fc.string({ maxLength: 10 }) },
  { requiredKeys: [] },
);

const check = fc.record(
  {
    id: oddId,
    ReferenceNbr: wrapped(fc.oneof(fc.constantFrom('000123'), oddId)),
    Type: wrapped(fc.oneof(fc.constantFrom('Payment'), oddId)),
    Status: wrapped(fc.oneof(fc.constantFrom('Balanced', 'Closed', 'Open', 'Voided', 'Printed', 'Pending Print'), oddId)),
    Hold: wrapped(fc.oneof(fc.boolean(), oddId)),
    PaymentAmount: wrapped(amount),
    PaymentRef: wrapped(ours('20001')),
    Vendor: wrapped(ours('V000101')),
    CashAccount: wrapped(ours('10200WF')),
    LastModifiedDateTime: wrapped(fc.oneof(fc.constantFrom('2025-05-02T10:00:00+00:00', 'not a date'), oddId)),
    Details: fc.oneof(fc.array(applicationRow, { maxLength: 2 }), oddId),
    History: fc.oneof(fc.array(applicationRow, { maxLength: 2 }), oddId),
    error: fc.string({ maxLength: 10 }),
  },
  { requiredKeys: [] },
);

/** This payment's own check as Acumatica would show it, with random number and status. */
const ourCheck = fc.record({
  id: fc.constantFrom('b1c2', ''),
  ReferenceNbr: wrapped(fc.oneof({ weight: 2, arbitrary: fc.constant('000123') }, { weight: 1, arbitrary: oddId })),
  Type: fc.constant({ value: 'Payment' }),
  Status: wrapped(fc.constantFrom('Balanced', 'Closed', 'Open', 'Printed', 'Pending Print')),
  Hold: fc.constant({ value: false }),
  PaymentAmount: fc.constantFrom({ value: 123.45 }, { value: '123.45' }),
  PaymentRef: fc.constant({ value: '20001' }),
  Vendor: fc.constant({ value: 'V000101' }),
  CashAccount: fc.constant({ value: '10200WF' }),
  Details: fc.constant([{ ReferenceNbr: { value: 'AP000201' }, AmountPaid: { value: 123.45 } }]),
});

const anyCheck = fc.oneof({ weight: 2, arbitrary: ourCheck }, { weight: 1, arbitrary: check });

const errorBody = fc.record(
  {
    message: fc.oneof(fc.string({ maxLength: 30 }), oddId),
    exceptionMessage: fc.oneof(fc.constantFrom('API Login Limit', 'Invalid credentials'), oddId),
    exceptionType: fc.oneof(fc.constantFrom('PX.Data.PXException', 'System.Exception'), oddId),
  },
  { requiredKeys: [] },
);

const cookie = fc.oneof(
  fc.constantFrom('.ASPXAUTH=abc; path=/; HttpOnly', 'ASP.NET_SessionId=s1; path=/', '.ASPXAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT', 'x=y; Max-Age=0', '=novalue', ''),
  fc.string({ unit: fc.constantFrom('a', '=', ';', ',', ' ', '1'), maxLength: 20 }),
);

const SIGNED_IN: FuzzAnswer = { status: 204, headers: { 'set-cookie': '.ASPXAUTH=abc; path=/; HttpOnly' }, body: '', delivery: 'normal' };

const oddLogin: fc.Arbitrary<FuzzAnswer> = fc.record({
  status: statusOf([204, 204, 200, 401, 500, 429]),
  headers: fc.record({ 'set-cookie': cookie, 'retry-after': retryAfter }, { requiredKeys: [] }),
  body: fc.oneof(fc.constant(''), errorBody.map((body) => JSON.stringify(body)), junkBody),
  delivery,
});

/** Mostly a good sign-in, so the calls behind it are reached. */
const loginAnswer = fc.oneof({ weight: 4, arbitrary: fc.constant(SIGNED_IN) }, { weight: 1, arbitrary: oddLogin });

const releaseAnswer: fc.Arbitrary<FuzzAnswer> = fc.record({
  status: statusOf([204, 202, 422, 500, 404]),
  headers: fc.record(
    { location: fc.oneof(fc.constantFrom('/entity/Default/24.200.001/Check/ReleaseCheck/status/1', 'http://elsewhere.example/x', '', 'status'), fc.string({ maxLength: 20 })) },
    { requiredKeys: [] },
  ),
  body: fc.oneof(fc.constant(''), errorBody.map((body) => JSON.stringify(body)), junkBody),
  delivery,
});

const script = fc.record({
  login: fc.array(loginAnswer, { minLength: 1, maxLength: 3 }),
  put: fc.array(jsonAnswer(fc.oneof(anyCheck, errorBody), [200, 422, 412, 500]), { maxLength: 1 }),
  find: fc.array(jsonAnswer(fc.oneof({ weight: 3, arbitrary: fc.array(anyCheck, { maxLength: 2 }) }, { weight: 1, arbitrary: errorBody }), [200]), { maxLength: 2 }),
  import: fc.array(jsonAnswer(fc.oneof(fc.array(check, { maxLength: 3 }), errorBody), [200]), { maxLength: 3 }),
  release: fc.array(releaseAnswer, { maxLength: 4 }),
  check: fc.array(jsonAnswer(fc.oneof(fc.array(check, { maxLength: 1 }), errorBody), [200, 401, 404]), { maxLength: 1 }),
});

const cursor = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', '{}', '{"since":"2025-05-02T10:00:00+00:00","seen":["000123"],"skip":0,"runMaxSeen":[]}', '{"skip":-1}', '{"seen":5}', 'null', '{'),
  fc.string({ maxLength: 20 }),
);

let server: FuzzServer;
let client: ConnectorClient;

beforeAll(async () => {
  server = await startFuzzServer((request) => {
    const url = decodeURIComponent(request.url ?? '');
    if (url.endsWith('/entity/auth/login')) return 'login';
    if (url.endsWith('/entity/auth/logout')) return 'logout';
    if (request.method === 'PUT') return 'put';
    if (url.includes('ReleaseCheck') || url.includes('status')) return 'release';
    if (url.includes('PaymentRef eq')) return 'find';
    if (url.includes("Status eq 'Closed'")) return 'import';
    return 'check';
  });
  const config = AcumaticaConfig.parse({
    baseUrl: server.url,
    username: 'ledgerlink',
    password: 'secret-fuzz',
    tenant: 'Company',
    releasePollIntervalMs: 1,
    releaseTimeoutMs: 40,
    pageSize: 2,
  });
  client = acumaticaConnector.createClient({
    config,
    http: createFetchHttpClient({ timeoutMs: 500 }),
    lane: { throttled() {} },
    logger: silentLogger,
    now: () => new Date('2025-05-02T12:00:00Z'),
  });
});

afterAll(async () => {
  await server.close();
});

const signal = new AbortController().signal;
let runCounter = 0;

describe('Acumatica client under fuzzed answers', () => {
  it('ends every export, lookup, import and check in a typed outcome or a LedgerlinkError, never on a blank ReferenceNbr', async () => {
    await fc.assert(
      fc.asyncProperty(script, cursor, fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: oddMoney }), async (answers, start, oddAmount) => {
        runCounter += 1;
        const payload = oddAmount === null ? PAYLOAD : { ...PAYLOAD, PaymentAmount: { value: oddAmount } };
        const item: LoadItem = { id: 'pay-1', idempotencyKey: `pay-1.r${runCounter}`, record: RECORD, payload };
        // Each call signs in afresh (the session signs out after each unit of work): give each its logins.
        const run = async (names: string[], call: () => Promise<unknown>) => {
          server.script(Object.fromEntries([['login', answers.login], ...names.map((name) => [name, answers[name as keyof typeof answers]])]));
          await call();
        };
        await run(['put', 'release', 'find'], () => checkLoad('load', () => client.payments.exporter!.load([item], { signal }), 1));
        await run(['find', 'release'], () => checkFind('find', () => client.payments.exporter!.find(item, { signal })));
        await run(['import'], () => checkPages('pages', client.payments.importer!.pages(start === undefined ? { signal } : { signal, cursor: start })));
        await run(['check'], () => checkVoid('check', () => client.check({ signal })));
      }),
      { numRuns: fuzzRuns(120) },
    );
  }, fuzzTimeout(120, 80));

  it('does not settle a payment whose check Acumatica shows with a blank ReferenceNbr', async () => {
    const found = { ReferenceNbr: { value: ' ' }, Type: { value: 'Payment' }, Status: { value: 'Closed' }, ApplicationDate: { value: '2025-05-02T00:00:00+00:00' }, PaymentAmount: { value: 123.45 }, Details: [{ ReferenceNbr: { value: 'AP000201' }, AmountPaid: { value: 123.45 } }] };
    server.script({ login: [SIGNED_IN], find: [{ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify([found]), delivery: 'normal' }] });
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.blank', record: RECORD, payload: PAYLOAD };
    const outcome = await client.payments.exporter!.find(item, { signal });
    expect(outcome).toMatchObject({ kind: 'retryable', code: 'LL_ERP_PROTOCOL', committed: 'unknown' });
  });

  it('rejects a payload whose amount is not exact instead of throwing a RangeError', async () => {
    server.script({ login: [SIGNED_IN] });
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.amount', record: RECORD, payload: { ...PAYLOAD, PaymentAmount: { value: '1e5' } } };
    const outcomes = await client.payments.exporter!.load([item], { signal });
    expect(outcomes).toMatchObject([{ kind: 'rejected', code: 'LL_MAPPING_FAILED' }]);
  });

  it('ends an import run whose pages stay full, with a cursor that goes on from there', async () => {
    const full = JSON.stringify([{ ReferenceNbr: { value: '000001' } }, { ReferenceNbr: { value: '000002' } }]);
    const page: FuzzAnswer = { status: 200, headers: { 'content-type': 'application/json' }, body: full, delivery: 'normal' };
    server.script({ login: Array.from({ length: 10 }, () => SIGNED_IN), import: Array.from({ length: 10 }, () => page) });
    const config = AcumaticaConfig.parse({ baseUrl: server.url, username: 'ledgerlink', password: 'secret-fuzz', tenant: 'Company', pageSize: 2 });
    const session = new AcumaticaSession({ config, http: createFetchHttpClient({ timeoutMs: 1000 }), lane: { throttled() {} }, logger: silentLogger });
    const cursors: string[] = [];
    for await (const read of createCheckImporter({ config, session, maxPagesPerRun: 5 }).pages({ signal })) cursors.push(read.cursor);
    expect(cursors).toHaveLength(5);
    expect(JSON.parse(cursors[4]!)).toMatchObject({ skip: 10 });
  });

  it('reads any body with the pure answer readers without throwing', () => {
    const key = naturalKey(PAYLOAD)!;
    fc.assert(
      fc.property(fc.oneof(junkBody, fc.json({ maxDepth: 4 }), check.map((value) => JSON.stringify(value))), fc.integer({ min: 200, max: 599 }), (body, status) => {
        const response = { status, headers: {}, body };
        expect(typeof erpAnswer(response).message).toBe('string');
        fieldErrors(JSON.parse(body.trim() === '' ? 'null' : isJson(body) ? body : 'null'));
        refusalOutcome(response, { paymentRef: '20001', cashAccount: '10200WF' });
        failureOutcome(response, 'fuzzing', 'unknown');
        const parsed: unknown = isJson(body) ? JSON.parse(body) : undefined;
        expect(typeof isSameCheck(parsed, key)).toBe('boolean');
      }),
      { numRuns: fuzzRuns(2000) },
    );
  }, fuzzTimeout(2000, 2));
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
