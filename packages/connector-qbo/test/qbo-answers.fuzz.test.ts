import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createFetchHttpClient,
  type ConnectorClient,
  type ExtractPage,
  type LoadItem,
  LedgerlinkError,
  type Outcome,
} from '@ledgerlink/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qboConnector, QboConfig } from '../src/index.js';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH } from '../src/sandbox/index.js';
import { paymentFor, recordingLogger } from './support.js';

/**
 * Whatever QuickBooks (or anything in front of it) answers, the client never crashes, hangs or throws anything
 * but a LedgerlinkError: every answer parser (bill payment, query page, JSON and XML Faults, amounts through
 * parseCents) is driven over a real socket by a server that answers with generated bodies and statuses. A
 * blank or malformed Id never settles a payment.
 */

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 250);
const CALL_LIMIT_MS = 2_000;

interface FuzzAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Whether Intuit's token endpoint gets this answer too (a fresh client then refreshes first), or a good token. */
  tokenToo?: boolean;
}

let answer: FuzzAnswer = { status: 200, contentType: 'application/json', body: '{}' };
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      // The token endpoint always works: the fuzz is about the API's answers.
      const current =
        request.url?.startsWith(QBO_SANDBOX_TOKEN_PATH) === true && answer.tokenToo !== true
          ? {
              status: 200,
              contentType: 'application/json',
              body: JSON.stringify({ token_type: 'bearer', access_token: 'fuzz-access', expires_in: 3600, refresh_token: 'fuzz-refresh', x_refresh_token_expires_in: 8_726_400 }),
            }
          : answer;
      response.writeHead(current.status, { 'content-type': current.contentType });
      response.end(current.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(): ConnectorClient {
  return qboConnector.createClient({
    config: QboConfig.parse({
      baseUrl: base,
      tokenUrl: `${base}${QBO_SANDBOX_TOKEN_PATH}`,
      realmId: QBO_SANDBOX_APP.realmId,
      clientId: QBO_SANDBOX_APP.clientId,
      clientSecret: QBO_SANDBOX_APP.clientSecret,
      refreshToken: QBO_SANDBOX_APP.refreshToken,
      importPageSize: 3,
    }),
    http: createFetchHttpClient({ timeoutMs: CALL_LIMIT_MS }),
    lane: { throttled: () => {} },
    logger: recordingLogger([]),
    now: () => new Date(),
  });
}

// ---- generated answers ----

const blankish = fc.constantFrom('', ' ', '\t', '  1001 ', 'abc', '-1', '1e3', '10.5', '0x1F');
const id = fc.oneof(fc.integer({ min: 1, max: 99_999 }).map(String), blankish, fc.string({ maxLength: 6 }));
const amount = fc.oneof(
  fc.integer({ min: 0, max: 10_000_000 }).map((cents) => cents / 100),
  fc.double(),
  fc.constantFrom(1e21, -0, 10.555, Number.MAX_SAFE_INTEGER),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
);
const anyValue = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.boolean());
const row = fc.oneof(
  fc.record(
    {
      Id: fc.oneof(id, anyValue),
      TotalAmt: amount,
      PayType: fc.constantFrom('Check', 'CreditCard', '', 'X'),
      DocNumber: fc.oneof(fc.constant('4001'), fc.string({ maxLength: 4 })),
      TxnDate: fc.constantFrom('2025-05-02', '2025-02-30', '', 'x'),
      VendorRef: fc.oneof(fc.record({ value: fc.oneof(fc.constant('501'), anyValue) }), anyValue),
      CheckPayment: fc.oneof(fc.record({ BankAccountRef: fc.record({ value: fc.constantFrom('36', '', ' ') }), PrintStatus: fc.constantFrom('NotSet', 'NeedToPrint') }), anyValue),
      Line: fc.oneof(fc.array(fc.record({ Amount: amount, LinkedTxn: fc.oneof(fc.array(fc.record({ TxnId: fc.oneof(fc.constant('9001'), anyValue), TxnType: fc.constant('Bill') })), anyValue) })), anyValue),
      MetaData: fc.oneof(fc.record({ LastUpdatedTime: fc.constantFrom('2025-05-02T10:00:00-08:00', '2025-05-02T10:00:01-08:00', '', 'x') }), anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
  fc.array(anyValue, { maxLength: 2 }),
);
const faultError = fc.record(
  { Message: fc.oneof(fc.string({ maxLength: 12 }), anyValue), Detail: fc.oneof(fc.string({ maxLength: 20 }), anyValue), code: fc.oneof(fc.constantFrom('610', '2500', '6000', '6140', '3200', '3100', '3001', '10000'), anyValue), element: fc.oneof(fc.constantFrom('VendorRef', 'CheckPayment.BankAccountRef', 'LinkedTxn', 'DocNumber', ''), anyValue) },
  { requiredKeys: [] },
);
const jsonBody = fc.oneof(
  fc.record({ BillPayment: row, time: fc.constant('2025-05-02T10:00:00.000-08:00') }, { requiredKeys: [] }),
  fc.record({ Fault: fc.oneof(fc.record({ Error: fc.oneof(fc.array(faultError, { maxLength: 3 }), anyValue), type: fc.string({ maxLength: 8 }) }, { requiredKeys: [] }), anyValue) }),
  fc.record({ fault: fc.record({ error: fc.array(faultError, { maxLength: 2 }) }) }),
  fc.record(
    { QueryResponse: fc.oneof(fc.record({ BillPayment: fc.oneof(fc.array(row, { maxLength: 4 }), anyValue), Account: fc.array(row, { maxLength: 1 }), Vendor: fc.array(row, { maxLength: 1 }), startPosition: anyValue, maxResults: anyValue }, { requiredKeys: [] }), anyValue) },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);
const xmlFault = fc
  .record({ code: fc.string({ maxLength: 6 }), message: fc.string({ maxLength: 20 }), detail: fc.string({ maxLength: 20 }), cut: fc.nat(300) })
  .map(({ code, message, detail, cut }) => {
    const full = `<?xml version="1.0"?><IntuitResponse><Fault type="SERVICE"><Error code="${code}"><Message>${message}</Message><Detail>${detail}</Detail></Error></Fault></IntuitResponse>`;
    return cut > 250 ? full : full.slice(0, cut);
  });
const fuzzAnswer: fc.Arbitrary<FuzzAnswer> = fc.record({
  status: fc.oneof(fc.constantFrom(200, 200, 200, 400, 401, 403, 429, 500, 503), fc.integer({ min: 200, max: 599 })),
  contentType: fc.constantFrom('application/json', 'application/xml', 'text/html'),
  body: fc.oneof(
    jsonBody.map((value) => JSON.stringify(value)),
    xmlFault,
    fc.string({ maxLength: 40 }),
    fc.constant(''),
    fc
      .record({ access_token: fc.oneof(fc.string({ maxLength: 6 }), anyValue), expires_in: anyValue, refresh_token: fc.oneof(fc.string({ maxLength: 6 }), anyValue), error: fc.constantFrom('invalid_grant', 'invalid_client') }, { requiredKeys: [] })
      .map((value) => JSON.stringify(value)),
  ),
  tokenToo: fc.boolean(),
});

// ---- properties ----

async function bounded<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${CALL_LIMIT_MS * 3} ms`)), CALL_LIMIT_MS * 3);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** A thrown error must be a LedgerlinkError; returns it for the caller's checks. */
async function typed(what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await bounded(what, work());
  } catch (error) {
    if (!(error instanceof LedgerlinkError)) throw new Error(`${what} threw an untyped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

const KINDS = new Set(['synced', 'needs-edit', 'rejected', 'retryable', 'blocked']);

function expectSettledOnlyByAnId(outcome: Outcome | null | undefined): void {
  if (outcome === null || outcome === undefined) return;
  expect(KINDS.has(outcome.kind), `outcome kind ${outcome.kind}`).toBe(true);
  if (outcome.kind === 'synced') expect(outcome.erpId, 'a synced payment names a well-formed QuickBooks Id').toMatch(/^\d+$/);
}

const payment = paymentFor(1);
const item: LoadItem = {
  id: payment.id,
  idempotencyKey: `${payment.id}.r1`,
  record: payment,
  payload: {
    VendorRef: { value: '501' },
    PayType: 'Check',
    CheckPayment: { BankAccountRef: { value: '36' }, PrintStatus: 'NotSet' },
    TotalAmt: '2500.01',
    TxnDate: '2025-05-02',
    DocNumber: '4001',
    Line: [{ Amount: '2500.01', LinkedTxn: [{ TxnId: '9001', TxnType: 'Bill' }] }],
  },
};
const signal = new AbortController().signal;
const OPERATIONS = ['load', 'find', 'import', 'check'] as const;

describe('QuickBooks Online answers, fuzzed', () => {
  it('export, find, import and check: no crash, no hang, only LedgerlinkErrors or typed outcomes; a blank Id never settles', async () => {
    const shared = client();
    await fc.assert(
      fc.asyncProperty(fuzzAnswer, fc.constantFrom(...OPERATIONS), async (generated, operation) => {
        answer = generated;
        const qbo = generated.tokenToo === true ? client() : shared;
        // One operation a run keeps the file fast; every operation meets every kind of answer over the runs.
        switch (operation) {
          case 'load':
            return typed('load', async () => {
              const outcomes = await qbo.payments.exporter!.load([item], { signal });
              expect(outcomes).toHaveLength(1);
              expectSettledOnlyByAnId(outcomes[0]);
            });
          case 'find':
            return typed('find', async () => expectSettledOnlyByAnId(await qbo.payments.exporter!.find(item, { signal })));
          case 'import':
            return typed('import', async () => {
              let pages = 0;
              for await (const page of qbo.payments.importer!.pages({ signal }) as AsyncIterable<ExtractPage>) {
                for (const record of page.records) expect(String((record as { Id?: unknown }).Id)).toMatch(/^\d+$/);
                if (++pages >= 3) break;
              }
            });
          case 'check':
            return typed('check', () => qbo.check({ signal }));
        }
      }),
      {
        numRuns: RUNS,
        // Answers that once got through: an Id that is not one, a status fetch cannot read, a null row.
        examples: [
          [{ status: 200, contentType: 'application/json', body: '{"BillPayment":{"Id":"1e3"}}' }, 'load'],
          [{ status: 200, contentType: 'application/json', body: '{"BillPayment":{"Id":" "}}' }, 'load'],
          [{ status: 407, contentType: 'application/json', body: '' }, 'import'],
          [{ status: 200, contentType: 'application/json', body: '{"QueryResponse":{"BillPayment":[null]}}' }, 'import'],
        ],
      },
    );
  }, 120_000);
});
