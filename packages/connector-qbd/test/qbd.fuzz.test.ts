import { deflateSync, gzipSync } from 'node:zlib';
import { LedgerlinkError, silentLogger, type LoadItem, type Outcome, type Payment } from '@ledgerlink/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BillPaymentExtractor } from '../src/bill-payment-extractor.js';
import { BillPaymentLoader } from '../src/bill-payment-loader.js';
import type { QbdConfig } from '../src/config.js';
import { externalGuidFor } from '../src/external-guid.js';
import { displayUserName } from '../src/login-guard.js';
import { QbwcService } from '../src/qbwc-service.js';
import { parseResponseMessage } from '../src/qbxml-wire.js';
import { WorkQueue } from '../src/work-queue.js';
import { freePort } from './support.js';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

/**
 * Fuzzing what reaches the connector from outside: QuickBooks' answers (through the Web Connector) and the
 * Web Connector's SOAP calls. Nothing may crash, hang or throw anything but a LedgerlinkError, and an answer
 * whose TxnID is blank never settles a payment. `bench` runs it again with LEDGERLINK_FUZZ_RUNS=20000.
 */
const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 400);
const TIMEOUT = Math.max(30_000, RUNS * 20);

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// Characters XML 1.0 cannot carry are left out of generated text: a real QuickBooks never sends them.
const xmlText = fc.string({ maxLength: 24 }).map((value) => value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
const blank = fc.constantFrom('', ' ', '  ', '\t', '\n', ' \u00a0');
const txnId = fc.oneof(blank, fc.constantFrom('1F3-1741900000', ' 1F3-1741900000', '1F3-1741900000 '), xmlText);
const statusCode = fc.oneof(fc.constantFrom('0', '1', '500', '530', '3070', '3120', '3140', '3170', '3180', '3210', '3231', '9001', ''), xmlText);
const severity = fc.oneof(fc.constantFrom('Info', 'Warn', 'Error', 'info', 'ERROR', ''), xmlText);

const guid = externalGuidFor('fuzz-item');

/** A BillPaymentCheckRet in roughly QuickBooks' shape, any of its fields odd or missing. */
const ret = fc
  .record(
    {
      TxnID: txnId,
      RefNumber: fc.oneof(fc.constant('1001'), xmlText),
      BankAccountRef: fc.oneof(fc.constant('<ListID>B-1</ListID>'), xmlText.map(escape)),
      Amount: fc.oneof(fc.constantFrom('10.50', '-1', '1e9', 'NaN'), xmlText),
      ExternalGUID: fc.oneof(fc.constant(guid), fc.constant(guid.toLowerCase()), xmlText),
    },
    { requiredKeys: [] },
  )
  .map((fields) =>
    Object.entries(fields)
      .map(([name, value]) => (name === 'BankAccountRef' ? `<${name}>${value}</${name}>` : `<${name}>${escape(value)}</${name}>`))
      .join(''),
  );

/** The answer to one request: a qbXML Rs (odd or not), a broken document, or an HRESULT for the whole message. */
const answer = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({ code: statusCode, severity, message: xmlText, rets: fc.array(ret, { maxLength: 3 }), sameId: fc.boolean(), name: fc.constantFrom('BillPaymentCheckQueryRs', 'BillPaymentCheckAddRs', 'OtherRs') })
      .map((rs) => ({ kind: 'xml' as const, ...rs })),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom('<QBXML>', '<QBXML><QBXMLMsgsRs><', '<!DOCTYPE x [<!ENTITY a "aaaa">]><QBXML/>')).map((text) => ({ kind: 'raw' as const, text })) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0x80040400', '0x80040408', '0x8004041A'), xmlText).map((hresult) => ({ kind: 'hresult' as const, hresult })) },
);
type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never;

function render(answer: Extract<Answer, { kind: 'xml' }>, requestId: string): string {
  const id = answer.sameId ? requestId : `${requestId}x`;
  return (
    `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><${answer.name} requestID="${escape(id)}" statusCode="${escape(answer.code)}" ` +
    `statusSeverity="${escape(answer.severity)}" statusMessage="${escape(answer.message)}">` +
    `${answer.rets.map((fields) => `<BillPaymentCheckRet>${fields}</BillPaymentCheckRet>`).join('')}</${answer.name}></QBXMLMsgsRs></QBXML>`
  );
}

/** Hands the queued message to "QuickBooks" and its answer back, as the service does on receiveResponseXML. */
function deliver(queue: WorkQueue, ticket: string, given: Answer): void {
  const requests = queue.take(ticket);
  if (requests.length === 0) return;
  if (given.kind === 'hresult') {
    queue.fail(ticket, given.hresult, 'fuzzed');
    return;
  }
  try {
    const text = given.kind === 'raw' ? given.text : render(given, requests[0]?.requestId ?? '');
    queue.answer(ticket, parseResponseMessage(text));
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerlinkError);
    queue.loseUnanswered('unreadable');
  }
}

const config: QbdConfig = {
  listen: { host: '127.0.0.1', port: 1, path: '/qbwc' },
  username: 'fuzz',
  password: 'fuzz-password',
  companyFile: '',
  answerWaitMs: 2_000,
  checkWaitMs: 1_000,
  importWaitMs: 1_000,
  lostAfterMs: 300_000,
  importPageSize: 25,
};

const record = { id: 'fuzz-item', amountCents: 1050 } as unknown as Payment;
const item = (checkNumber: boolean): LoadItem => ({
  id: 'fuzz-item',
  idempotencyKey: 'fuzz-item.r1',
  record,
  payload: {
    PayeeEntityRef: { ListID: 'V-1' },
    TxnDate: '2025-03-14',
    BankAccountRef: { ListID: 'B-1' },
    ...(checkNumber ? { RefNumber: '1001' } : {}),
    AppliedToTxnAdd: [{ TxnID: 'T-1', PaymentAmount: '10.50' }],
  },
});

function expectTyped(outcome: Outcome | null): void {
  if (outcome === null) return;
  expect(['synced', 'accepted', 'needs-edit', 'rejected', 'retryable']).toContain(outcome.kind);
  // A blank or padded ERP id never settles a payment.
  if (outcome.kind === 'synced') expect(outcome.erpId.trim() !== '' && outcome.erpId.trim() === outcome.erpId).toBe(true);
}

describe('fuzz: QuickBooks answers read by the connector', () => {
  it(
    'parseResponseMessage returns Rs parts or throws a LedgerlinkError, whatever the text',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), answer.filter((a) => a.kind === 'xml').map((a) => render(a as Extract<Answer, { kind: 'xml' }>, 'r'))), (text) => {
          try {
            const parts = parseResponseMessage(text);
            expect(Array.isArray(parts)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(LedgerlinkError);
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    'an export ends in a typed outcome for any lookup and add answers, and a blank TxnID never settles it',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.boolean(), answer, answer, fc.boolean(), async (checkNumber, lookupAnswer, addAnswer, viaFind) => {
          const queue = new WorkQueue();
          const loader = new BillPaymentLoader(queue, config, silentLogger, async () => {});
          const signal = new AbortController().signal;
          const pending = viaFind ? loader.find(item(checkNumber), { signal }) : loader.load([item(checkNumber)], { signal }).then(([outcome]) => outcome ?? null);
          await new Promise((resolve) => setImmediate(resolve));
          deliver(queue, 't', lookupAnswer);
          await queue.settled(1_000);
          deliver(queue, 't', addAnswer);
          queue.drain('fuzz case over');
          expectTyped(await pending);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe('fuzz: import pages read by the connector', () => {
  const page = fc
    .record({ answer, remaining: fc.oneof(fc.constantFrom('0', '1', '2'), xmlText), iteratorId: fc.oneof(blank, fc.constant('{IT}'), xmlText) })
    .map(({ answer: given, remaining, iteratorId }) =>
      given.kind === 'xml' ? { ...given, name: 'BillPaymentCheckQueryRs' as const, extra: ` iteratorRemainingCount="${escape(remaining)}" iteratorID="${escape(iteratorId)}"` } : given,
    );

  it(
    'yields pages or throws a LedgerlinkError, whatever QuickBooks answers, and never waits past the last answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(page, { minLength: 1, maxLength: 3 }), async (pages) => {
          const queue = new WorkQueue();
          const extractor = new BillPaymentExtractor(queue, { ...config, importWaitMs: 2_000 }, async () => {});
          const reading = (async () => {
            let count = 0;
            for await (const read of extractor.pages({ signal: new AbortController().signal })) {
              expect(Array.isArray(read.records)).toBe(true);
              // A blank or padded TxnID never reaches the mapping as an id: it comes as "" (required, so reported).
              for (const record of read.records) {
                const id = record.TxnID;
                expect(id === '' || (typeof id === 'string' && id.trim() === id && id !== '')).toBe(true);
              }
              expect(typeof read.cursor).toBe('string');
              count += 1;
            }
            return count;
          })().catch((error: unknown) => error);
          for (const given of pages) {
            await new Promise((resolve) => setImmediate(resolve));
            if (given.kind === 'xml') {
              const requests = queue.take('t');
              if (requests.length === 0) continue;
              try {
                queue.answer('t', parseResponseMessage(render(given, requests[0]?.requestId ?? '').replace('<BillPaymentCheckQueryRs ', `<BillPaymentCheckQueryRs${given.extra} `)));
              } catch (error) {
                expect(error).toBeInstanceOf(LedgerlinkError);
                queue.loseUnanswered('unreadable');
              }
            } else deliver(queue, 't', given);
          }
          await new Promise((resolve) => setImmediate(resolve));
          queue.drain('fuzz case over');
          const ended = await reading;
          if (typeof ended !== 'number') expect(ended).toBeInstanceOf(LedgerlinkError);
        }),
        { numRuns: Math.max(20, Math.floor(RUNS / 2)) },
      );
    },
    TIMEOUT,
  );
});

describe("fuzz: the Web Connector's SOAP calls to the service", () => {
  const queue = new WorkQueue();
  let service: QbwcService;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/qbwc`;
    service = new QbwcService({ ...config, listen: { host: '127.0.0.1', port, path: '/qbwc' } }, queue, { authFailed() {}, connectionError() {} });
    await service.start();
  });
  afterAll(() => service.close());

  const methods = ['serverVersion', 'clientVersion', 'authenticate', 'sendRequestXML', 'receiveResponseXML', 'connectionError', 'getLastError', 'closeConnection', 'getInteractiveURL', 'interactiveDone', 'interactiveRejected', 'nonsense'];
  const params = ['ticket', 'strUserName', 'strPassword', 'strVersion', 'strHCPResponse', 'strCompanyFileName', 'qbXMLCountry', 'qbXMLMajorVers', 'qbXMLMinorVers', 'response', 'hresult', 'message'];
  const value = fc.oneof(xmlText, fc.constantFrom('fuzz', 'fuzz-password', '13', '-1', '1e400', '<QBXML><QBXMLMsgsRs/></QBXML>', '0x80040400'));
  const call = fc.oneof(
    { weight: 5, arbitrary: fc.record({ method: fc.constantFrom(...methods), args: fc.dictionary(fc.constantFrom(...params), value, { maxKeys: 6 }) }).map(({ method, args }) => envelope(method, args)) },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom('<soap:Envelope', '<?xml version="1.0"?><a/>', '')) },
  );

  function envelope(method: string, args: Record<string, string>): string {
    const body = Object.entries(args)
      .map(([name, text]) => `<${name}>${escape(text)}</${name}>`)
      .join('');
    return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${method} xmlns="http://developer.intuit.com/">${body}</${method}></soap:Body></soap:Envelope>`;
  }

  it(
    'answers every call (a result or a SOAP fault) without crashing or hanging, and still serves a proper session afterwards',
    async () => {
      // Each case is up to four HTTP round trips: a tenth of the runs keeps the file at a few seconds.
      const runs = Math.max(40, Math.floor(RUNS / 10));
      await fc.assert(
        fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 4 }), fc.boolean(), async (bodies, withWork) => {
          if (withWork) queue.enqueue({ build: () => ({ name: 'CompanyQueryRq', requestId: `c${Math.random()}`, content: {} }), answer: () => {} });
          for (const body of bodies) {
            const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml; charset=utf-8' }, signal: AbortSignal.timeout(5_000) });
            // 400: an empty body is refused before the SOAP layer; anything else is a result or a fault.
            expect(body === '' ? [400] : [200, 500]).toContain(response.status);
            await response.text();
          }
        }),
        { numRuns: runs },
      );
      queue.drain('fuzz over');
      const alive = await fetch(url, { method: 'POST', body: envelope('serverVersion', {}), headers: { 'content-type': 'text/xml; charset=utf-8' } });
      expect(await alive.text()).toMatch(/ledgerlink-qbd/);
    },
    TIMEOUT,
  );

  it(
    'answers any body under any Content-Encoding with a status, never a crash: compressed, truncated or garbage',
    async () => {
      const encodings = fc.oneof(fc.constantFrom('gzip', 'deflate', 'x-gzip', 'identity', '', 'br', 'gzip, gzip', 'GZIP'), fc.string({ maxLength: 12 }));
      const payload = fc.oneof(
        fc.uint8Array({ maxLength: 2_048 }),
        call.map((text) => new Uint8Array(gzipSync(text))),
        call.map((text) => new Uint8Array(deflateSync(text))),
        fc.tuple(call, fc.nat()).map(([text, cut]) => {
          const zipped = gzipSync(text);
          return new Uint8Array(zipped.subarray(0, cut % (zipped.length + 1)));
        }),
      );
      await fc.assert(
        fc.asyncProperty(payload, encodings, async (body, encoding) => {
          let headerOk = true;
          try {
            new Headers({ 'content-encoding': encoding });
          } catch {
            headerOk = false;
          }
          const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', ...(headerOk && encoding !== '' ? { 'content-encoding': encoding } : {}) };
          const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(5_000) });
          expect([200, 400, 413, 415, 500]).toContain(response.status);
          await response.text();
        }),
        { numRuns: Math.max(40, Math.floor(RUNS / 10)) },
      );
      const alive = await fetch(url, { method: 'POST', body: envelope('serverVersion', {}), headers: { 'content-type': 'text/xml; charset=utf-8' } });
      expect(await alive.text()).toMatch(/ledgerlink-qbd/);
    },
    TIMEOUT,
  );
});

describe('fuzz: a user name as the log shows it', () => {
  it('is bounded, quoted, and holds no control or bidi characters, whatever was sent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 200 })), (name) => {
        const shown = displayUserName(name);
        expect(shown.length).toBeLessThanOrEqual(64 * 12 + 40);
        expect(shown.startsWith('"')).toBe(true);
        expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        if (name.length <= 64 && !/["\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(name)) expect(shown).toBe(`"${name}"`);
      }),
      { numRuns: RUNS },
    );
  });
});
