import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createFetchHttpClient,
  type ConnectorClient,
  type ExtractPage,
  LedgerlinkError,
  type LoadItem,
  type Logger,
  type Outcome,
} from '@ledgerlink/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntacctConfig, intacctConnector } from '../src/index.js';
import { credentials, paymentFor } from './support/intacct-fixtures.js';

/**
 * Whatever the XML gateway (or anything in front of it) answers, the client never crashes, hangs or throws
 * anything but a LedgerlinkError: the response parser, the results of create, query and getAPISession, errors at
 * every level, paging attributes and amounts are driven over a real socket by a server answering generated
 * documents (well-formed, truncated, or not XML at all) under generated HTTP statuses. A blank or malformed
 * RECORDNO never settles a payment.
 */

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 250);
const CALL_LIMIT_MS = 2_000;

interface FuzzAnswer {
  status: number;
  body: string;
  /** Whether the sign-in (getAPISession) gets this answer too, or a good session. */
  signInToo: boolean;
}

let answer: FuzzAnswer = { status: 200, body: '', signInToo: false };
let server: Server;
let base = '';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const GOOD_SESSION = (): string =>
  '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation>' +
  '<authentication><status>success</status><userid>u</userid><companyid>c</companyid></authentication>' +
  `<result><status>success</status><function>getAPISession</function><controlid>s</controlid><data><api><sessionid>fuzz-session</sessionid><endpoint>${base}/session</endpoint></api></data></result>` +
  '</operation></response>';

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signIn = body.includes('<getAPISession');
      const current = signIn && !answer.signInToo ? { status: 200, body: GOOD_SESSION() } : answer;
      response.writeHead(current.status, { 'content-type': 'text/xml; charset=UTF-8' });
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

const silent: Logger = { trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

function client(): ConnectorClient {
  return intacctConnector.createClient({
    config: IntacctConfig.parse({
      endpointUrl: `${base}/login`,
      senderId: credentials.senderId,
      senderPassword: credentials.senderPassword,
      companyId: credentials.companyId,
      userId: credentials.userId,
      userPassword: credentials.userPassword,
      pageSize: 3,
    }),
    http: createFetchHttpClient({ timeoutMs: CALL_LIMIT_MS }),
    lane: { throttled: () => {} },
    logger: silent,
    now: () => new Date(),
  });
}

// ---- generated answers ----

const word = fc.oneof(
  fc.constantFrom('', ' ', '1001', '1002', '7001', 'abc', '-1', '1e3', '10.00', '12.345', 'Approved', 'Posted', 'C', 'Voided', 'EFT', 'Printed Check', '01/31/2025', '02/30/2025', '03/04/2025 10:00:00'),
  fc.string({ maxLength: 8 }),
);
const field = fc.constantFrom('RECORDNO', 'STATE', 'WHENMODIFIED', 'WHENCREATED', 'PAYMENTMETHOD', 'VENDORID', 'FINANCIALENTITY', 'DOCNUMBER', 'PAYMENTKEY', 'RECORDKEY', 'TRX_PAYMENTAMOUNT', 'RECORDID', 'sessionid', 'endpoint');
const record = fc
  .tuple(fc.constantFrom('appymt', 'APPYMT', 'APPYMTDETAIL', 'APBILL', 'api'), fc.array(fc.tuple(field, word), { maxLength: 8 }))
  .map(([tag, fields]) => `<${tag}>${fields.map(([name, value]) => `<${name}>${escape(value)}</${name}>`).join('')}</${tag}>`);
const errorXml = fc
  .record({
    errorno: fc.oneof(fc.constantFrom('GW-0010', 'XL03000006', 'XMLGW_JPP0002', 'XL03000009', 'XL03000017', 'BL01001973', 'BL01001974', 'BL01001975', 'BL01001976', ''), fc.string({ maxLength: 6 })),
    description: fc.oneof(fc.constantFrom('control id already used', 'Invalid FINANCIALENTITY', 'DOCNUMBER already used', 'Sign-in information is incorrect'), fc.string({ maxLength: 12 })),
    description2: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  })
  .map(({ errorno, description, description2 }) => `<error><errorno>${escape(errorno)}</errorno><description>${escape(description)}</description>${description2 === undefined ? '' : `<description2>${escape(description2)}</description2>`}</error>`);
const errorMessage = fc.array(errorXml, { maxLength: 3 }).map((errors) => `<errormessage>${errors.join('')}</errormessage>`);
const attrs = fc
  .array(fc.tuple(fc.constantFrom('listtype', 'count', 'totalcount', 'numremaining', 'resultId'), fc.oneof(fc.nat(5).map(String), word)), { maxLength: 4 })
  .map((pairs) => pairs.map(([name, value]) => ` ${name}="${escape(value).replace(/"/g, '&quot;')}"`).join(''));
const result = fc
  .record({
    status: fc.constantFrom('success', 'success', 'failure', 'aborted', '', 'odd'),
    fn: fc.constantFrom('create', 'query', 'readByQuery', 'getAPISession'),
    controlid: fc.constantFrom('ledgerlink-hub-pay-1.r1', 'other', ''),
    data: fc.option(fc.tuple(attrs, fc.array(record, { maxLength: 4 })), { nil: undefined }),
    errors: fc.option(errorMessage, { nil: undefined }),
  })
  .map(
    ({ status, fn, controlid, data, errors }) =>
      `<result><status>${status}</status><function>${fn}</function><controlid>${escape(controlid)}</controlid>` +
      `${data === undefined ? '' : `<data${data[0]}>${data[1].join('')}</data>`}${errors ?? ''}</result>`,
  );
const document = fc
  .record({
    control: fc.constantFrom('success', 'success', 'failure', ''),
    controlErrors: fc.option(errorMessage, { nil: undefined }),
    auth: fc.constantFrom('success', 'success', 'failure'),
    authErrors: fc.option(errorMessage, { nil: undefined }),
    results: fc.array(result, { maxLength: 3 }),
    withOperation: fc.boolean(),
  })
  .map(
    ({ control, controlErrors, auth, authErrors, results, withOperation }) =>
      `<?xml version="1.0" encoding="UTF-8"?><response><control><status>${control}</status></control>${controlErrors ?? ''}` +
      (withOperation
        ? `<operation><authentication><status>${auth}</status><userid>u</userid><companyid>c</companyid></authentication>${authErrors ?? ''}${results.join('')}</operation>`
        : '') +
      '</response>',
  );
const fuzzAnswer: fc.Arbitrary<FuzzAnswer> = fc.record({
  status: fc.oneof(fc.constantFrom(200, 200, 200, 200, 401, 429, 400, 500, 503), fc.integer({ min: 200, max: 599 })),
  body: fc.oneof(
    document,
    fc.tuple(document, fc.nat(400)).map(([xml, cut]) => xml.slice(0, cut)),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', '<html><body>502 Bad Gateway</body></html>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><response>&a;</response>'),
  ),
  signInToo: fc.boolean(),
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

async function typed(what: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await bounded(what, work());
  } catch (error) {
    if (!(error instanceof LedgerlinkError)) throw new Error(`${what} threw an untyped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

const KINDS = new Set(['synced', 'needs-edit', 'rejected', 'retryable', 'blocked']);

function expectSettledOnlyByARecordNo(outcome: Outcome | null | undefined): void {
  if (outcome === null || outcome === undefined) return;
  expect(KINDS.has(outcome.kind), `outcome kind ${outcome.kind}`).toBe(true);
  if (outcome.kind === 'synced') expect(outcome.erpId, 'a synced payment names a well-formed RECORDNO').toMatch(/^\d+$/);
}

const payment = paymentFor(1);
const item = (method: 'check' | 'ach'): LoadItem => ({
  id: payment.id,
  idempotencyKey: `${payment.id}.r1`,
  record: payment,
  payload: {
    PAYMENTMETHOD: method === 'check' ? 'Printed Check' : 'EFT',
    FINANCIALENTITY: 'BA-1',
    VENDORID: 'V-1',
    ...(method === 'check' ? { DOCNUMBER: '20001' } : {}),
    PAYMENTDATE: '01/31/2025',
    APPYMTDETAILS: { APPYMTDETAIL: [{ RECORDKEY: '7001', TRX_PAYMENTAMOUNT: '100.01' }] },
  },
});
const signal = new AbortController().signal;
const OPERATIONS = ['load', 'find', 'import', 'check'] as const;

describe('Intacct gateway answers, fuzzed', () => {
  it('export, find, import and sign-in: no crash, no hang, only LedgerlinkErrors or typed outcomes; a blank RECORDNO never settles', async () => {
    const intacct = client();
    await fc.assert(
      fc.asyncProperty(fuzzAnswer, fc.constantFrom('check' as const, 'ach' as const), fc.constantFrom(...OPERATIONS), async (generated, method, operation) => {
        answer = generated;
        // One operation a run keeps the file fast; every operation meets every kind of answer over the runs.
        switch (operation) {
          case 'load':
            return typed('load', async () => {
              const outcomes = await intacct.payments.exporter!.load([item(method)], { signal });
              expect(outcomes).toHaveLength(1);
              expectSettledOnlyByARecordNo(outcomes[0]);
            });
          case 'find':
            return typed('find', async () => expectSettledOnlyByARecordNo(await intacct.payments.exporter!.find(item(method), { signal })));
          case 'import':
            return typed('import', async () => {
              let pages = 0;
              for await (const page of intacct.payments.importer!.pages({ signal }) as AsyncIterable<ExtractPage>) {
                for (const record of page.records) {
                  expect(String((record as { ledgerlink?: { paymentKey?: unknown } }).ledgerlink?.paymentKey)).toMatch(/^\d+(\.\d+)?$/);
                }
                if (++pages >= 3) break;
              }
            });
          case 'check':
            return typed('check', () => intacct.check({ signal }));
        }
      }),
      {
        numRuns: RUNS,
        examples: [
          // The SDK fixtures' refused sign-in, and a create answered with a blank RECORDNO.
          [{ status: 401, signInToo: true, body: '<?xml version="1.0"?><response><control><status>failure</status></control><errormessage><error><errorno>XMLGW_JPP0002</errorno><description>Sign-in information is incorrect. Please check your request.</description></error></errormessage></response>' }, 'check'],
          [{ status: 200, signInToo: false, body: '<response><control><status>success</status></control><operation><authentication><status>success</status></authentication><result><status>success</status><function>create</function><controlid>ledgerlink-hub-pay-1.r1</controlid><data><appymt><RECORDNO> </RECORDNO></appymt></data></result></operation></response>' }, 'check', 'load'],
        ],
      },
    );
  }, 120_000);
});
