import { isLedgerlinkError, type ErpRequest, type HttpClient, type HttpResponse, type PaymentIssuedWrite } from '@ledgerlink/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { bearerFor, createProcoreHubClient, procoreConnector, ProcoreConfig } from '../src/index.js';
import { recordingLogger } from './support.js';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 300);

/** One answer "Procore" gives in a run. */
interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}
const SECRET = 'fuzz-secret-0123456789';
const NOW = new Date('2025-05-02T12:00:00Z');
const context = { signal: new AbortController().signal };

/** Values that have broken parsers before: blanks, exponent and over-precise money, huge and negative numbers. */
const nasty = fc.oneof(
  fc.constantFrom(' ', '', '\t', '1e3', '10.555', '-1', '0', '0.00', '1.0', '1250.00', '99999999999999999999', '1,000.00', 'NaN', '12a', '01HXA7Z5K3Q9W8E2R4T6Y8V0JP'),
  fc.constantFrom(1e308, 2 ** 53 + 1, -3, 1.5, 0, 4264, 9001, Number.MAX_SAFE_INTEGER, null, true, false),
  fc.constantFrom([], {}, [null], { id: ' ' }),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
);
const value = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

const contractPaymentWire = fc.record(
  {
    id: value,
    company_id: value,
    project_id: value,
    contract_id: value,
    requisition_id: value,
    vendor_id: value,
    amount: value,
    status: value,
    payment_method: value,
    bank_id: value,
    check_number: value,
    payment_number: value,
    date_payment_funded: value,
    date_payment_settled: value,
    tax_amount: value,
    notes: value,
  },
  { requiredKeys: [] },
);
const requestWire = fc.record(
  {
    id: value,
    company_id: value,
    request_name: fc.oneof(value, fc.constantFrom('create_contract_payment', 'sync_contract_payments')),
    request_data: fc.oneof(value, fc.record({ request_detail_id: value, contract_payment: fc.oneof(value, contractPaymentWire) }, { requiredKeys: [] })),
    created_at: value,
  },
  { requiredKeys: [] },
);
const hubObject = fc.record(
  { id: value, name: value, origin_id: value, origin_code: value, project_number: value, invoice_number: value, total_amount: value, commitment_id: value, summary: fc.oneof(value, fc.record({ current_payment_due: value })) },
  { requiredKeys: [] },
);
const listOf = (item: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(fc.array(item, { maxLength: 4 }), value);
const bodyOf = (json: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: json.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.tuple(json, fc.nat()).map(([v, cut]) => { const text = JSON.stringify(v) ?? 'null'; return text.slice(0, cut % (text.length + 1)); }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
const answerOf = (json: fc.Arbitrary<unknown>): fc.Arbitrary<CannedAnswer> =>
  fc.record({
    status: fc.constantFrom(200, 200, 200, 200, 201, 204, 400, 401, 404, 422, 429, 500, 503),
    headers: fc.dictionary(fc.constantFrom('retry-after', 'x-rate-limit-remaining', 'x-rate-limit-reset', 'link'), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('0', '1', '99999999999999', '<http://x/?page=2>; rel="next"')), { maxKeys: 3 }),
    body: bodyOf(json),
  });
const anyAnswer = answerOf(fc.oneof(requestWire, hubObject, listOf(fc.oneof(hubObject, requestWire)), fc.record({ entities: listOf(hubObject), errors: listOf(hubObject) }, { requiredKeys: [] }), value));
const tokenAnswer = fc.oneof(
  { weight: 4, arbitrary: fc.constant<CannedAnswer>({ status: 200, body: JSON.stringify({ access_token: 'token-1', token_type: 'Bearer', expires_in: 5400 }) }) },
  { weight: 1, arbitrary: answerOf(fc.record({ access_token: value, expires_in: value, error: value }, { requiredKeys: [] })) },
);

const isId = (id: unknown): boolean => typeof id === 'string' && /^\d+$/.test(id);

/**
 * The client on a transport that hands it canned answers in-process. The transport is the one part replaced, so
 * twenty thousand runs finish in a bench: what is fuzzed is the client's own reading of the answers (status, headers,
 * bodies), the same code that reads the sandbox over sockets in the other suites.
 */
function clientAnswering(token: CannedAnswer, answers: CannedAnswer[]) {
  const queue = [...answers];
  const http: HttpClient = (request) => {
    const canned = request.url.endsWith('/oauth/token') ? token : (queue.shift() ?? { status: 404, body: '{"errors":"not found"}' });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, headerValue] of Object.entries(canned.headers ?? {})) headers[name.toLowerCase()] = headerValue;
    return Promise.resolve<HttpResponse>({ status: canned.status, headers, body: canned.body });
  };
  return createProcoreHubClient({
    config: ProcoreConfig.parse({ apiBaseUrl: 'http://procore.invalid', tokenUrl: 'http://procore.invalid/oauth/token', clientId: 'id', clientSecret: 'secret', companyIds: ['4264'], perPage: 3 }),
    http,
    lane: { throttled: () => undefined },
    logger: recordingLogger([]),
    now: () => new Date(),
  });
}

describe('fuzz: every hub answer the client parses', () => {
  /** The operation settles with a value the check accepts, or with a LedgerlinkError: nothing else. */
  async function settles<T>(work: () => Promise<T>, check: (value: T) => void): Promise<void> {
    let result: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      result = { ok: true, value: await work() };
    } catch (error) {
      result = { ok: false, error };
    }
    if (result.ok) check(result.value);
    else if (!isLedgerlinkError(result.error)) throw result.error;
  }

  const checkRequest = (request: ErpRequest | undefined): void => {
    if (request === undefined) return;
    expect(isId(request.id)).toBe(true);
    expect(request.requestName.trim()).not.toBe('');
    if (request.requestDetailId !== undefined) expect(isId(request.requestDetailId)).toBe(true);
  };

  it('ERP Requests Show and the open-requests listing', async () => {
    await fc.assert(
      fc.asyncProperty(tokenAnswer, fc.array(anyAnswer, { maxLength: 6 }), async (token, answers) => {
        await settles(() => clientAnswering(token, answers).erpRequest('4264', '9001', context), checkRequest);
        await settles(
          async () => {
            const seen: ErpRequest[] = [];
            for await (const page of clientAnswering(token, answers).openRequests('4264', context)) seen.push(...page);
            return seen;
          },
          (requests) => requests.forEach(checkRequest),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('contractPayment: exact cents or a named refusal, never a blank id', async () => {
    await fc.assert(
      fc.asyncProperty(contractPaymentWire, fc.array(answerOf(hubObject), { maxLength: 3 }), async (payment, answers) => {
        const request: ErpRequest = { id: '1', companyId: '4264', requestName: 'create_contract_payment', requestDetailId: '2', data: { contract_payment: payment }, createdAt: NOW.toISOString() };
        await settles(
          () => clientAnswering({ status: 200, body: '{"access_token":"t","expires_in":5400}' }, answers).contractPayment(request, context),
          (candidate) => {
            const c = candidate as { id?: unknown; amountCents?: unknown; vendor?: { id?: unknown; erpId?: unknown }; invoice?: { id?: unknown; amountCents?: unknown }; project?: { id?: unknown } };
            expect(Number.isSafeInteger(c.amountCents)).toBe(true);
            for (const id of [c.id, c.vendor?.id, c.invoice?.id, c.project?.id]) if (id !== undefined) expect(isId(id)).toBe(true);
            if (c.invoice?.amountCents !== undefined) expect(Number.isSafeInteger(c.invoice.amountCents)).toBe(true);
            if (c.vendor?.erpId !== undefined) expect(String(c.vendor.erpId).trim()).not.toBe('');
          },
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('writes: Invoice Payments Sync, External Data, close-out, unlink, setup', async () => {
    const writes: PaymentIssuedWrite[] = [1, 2].map((n) => ({
      originId: `acme:${n}`,
      payment: { erpPaymentId: String(n), amountCents: 1050, paidOn: '2025-05-02', method: 'check', erpStatus: 'Paid' },
    }));
    await fc.assert(
      fc.asyncProperty(tokenAnswer, fc.array(anyAnswer, { maxLength: 4 }), async (token, answers) => {
        await settles(
          () => clientAnswering(token, answers).syncPaymentsIssued('4264', writes, context),
          (results) => {
            expect(results.map((r) => r.originId)).toEqual(['acme:1', 'acme:2']);
            for (const result of results) if (result.ok) expect(isId(result.hubId)).toBe(true);
          },
        );
        await settles(() => clientAnswering(token, answers).syncExternalData('4264', [{ itemType: 'contract_payment', itemId: '4', originId: 'X' }], context), () => undefined);
        await settles(() => clientAnswering(token, answers).closeOut('4264', '2', { status: 'failed', messages: ['Check Number 12 is used'] }, context), () => undefined);
        await settles(() => clientAnswering(token, answers).unlinkPaymentIssued('4264', '7', context), () => undefined);
        const { setup } = clientAnswering(token, answers);
        await settles(() => setup.ensureConnection('4264', { settings: {} }, context), (step) => expect(isId(step.id)).toBe(true));
        await settles(() => clientAnswering(token, answers).setup.ensureHook('4264', { destinationUrl: 'https://x/webhooks/procore', bearer: 'b' }, context), (step) => expect(isId(step.id)).toBe(true));
        await settles(() => clientAnswering(token, answers).setup.ensureTrigger('4264', '5', context), (step) => expect(isId(step.id)).toBe(true));
        await settles(() => clientAnswering(token, answers).check(context), () => undefined);
        await settles(
          () => clientAnswering(token, answers).invoice('4264', '8001', context),
          (invoice) => {
            if (invoice === undefined) return;
            expect(isId(invoice.id) && Number.isSafeInteger(invoice.amountCents)).toBe(true);
            if (invoice.erpId !== undefined) expect(invoice.erpId.trim()).not.toBe('');
          },
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzz: webhook bodies and headers', () => {
  const delivery = fc.record(
    { id: value, ulid: value, timestamp: fc.oneof(value, fc.constant('2025-05-02T11:59:00Z')), company_id: fc.oneof(value, fc.constant(4264)), resource_name: fc.oneof(value, fc.constant('ERP Requests')), resource_id: value, event_type: value },
    { requiredKeys: [] },
  );
  const headers = fc.oneof(
    fc.constant({ Authorization: `Bearer ${bearerFor(SECRET, '4264')}` }),
    fc.dictionary(fc.constantFrom('Authorization', 'authorization', 'content-type'), fc.oneof(fc.string({ maxLength: 60 }), fc.constant('Bearer '), fc.constant(`Bearer ${bearerFor(SECRET, '4264')}`))),
  );

  it('parse returns well-formed events or throws a LedgerlinkError; a blank id never becomes an id', () => {
    fc.assert(
      fc.property(fc.oneof(bodyOf(fc.oneof(delivery, fc.array(delivery, { maxLength: 3 }), value))), headers, (body, sent) => {
        let events;
        try {
          events = procoreConnector.webhooks.parse(body, sent, SECRET, NOW);
        } catch (error) {
          expect(isLedgerlinkError(error)).toBe(true);
          expect(String((error as Error).message)).not.toContain(SECRET);
          return;
        }
        for (const event of events) {
          expect(event.eventId.trim()).toBe(event.eventId);
          expect(event.eventId).not.toBe('');
          expect(isId(event.companyId) && isId(event.resourceId)).toBe(true);
          expect(event.resourceName).toBe('ERP Requests');
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});
