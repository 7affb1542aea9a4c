/**
 * Fuzzed SOAP answers: the real Yardi client (the check loader and its lookups, the check extractor, the
 * connection check), over real sockets, against a loopback server answering with generated envelopes (results
 * with random checks and messages, Faults, cut-off or malformed XML, DOCTYPEs, wrong content types, resets).
 * Every call must end in a typed outcome or a LedgerlinkError, in bounded time, and never settle a payment on a
 * blank or malformed CheckId.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type LoadItem, type Payment } from '@ledgerlink/core';
import { checksOf, importedCheckId, payablesOf } from '../src/check-records.js';
import { YardiConfig } from '../src/config.js';
import { yardiConnector } from '../src/index.js';
import { messagesOf } from '../src/yardi-messages.js';
import { child, parseXml } from '../src/yardi-xml.js';
import {
  checkFind,
  checkLoad,
  checkPages,
  checkVoid,
  delivery,
  fuzzRuns,
  fuzzTimeout,
  junkBody,
  oddMoney,
  retryAfter,
  startFuzzServer,
  statusOf,
  type FuzzAnswer,
  type FuzzServer,
} from '@ledgerlink/connector-testkit/fuzz';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const PAYLOAD = {
  PropertyId: 'P-1',
  PayeeId: 'v0001',
  BankId: 'op1',
  CheckNumber: '10003',
  PaymentDate: '2025-05-09',
  AmountPaid: '2500.01',
  PaymentMethod: 'Check',
  Details: [{ PayableId: '80001', InvoiceNumber: 'INV-1', AmountPaid: '2500.01' }],
};

const RECORD: Payment = {
  id: 'pay-1',
  status: 'funding_complete',
  amountCents: 250_001,
  method: 'check',
  fundedOn: '2025-05-06',
  paidOn: '2025-05-09',
  bankId: 'op1',
  checkNumber: '10003',
  vendor: { id: 'hub-v1', name: 'Vendor 1', code: 'v0001', erpId: 'v0001' },
  invoice: { id: 'hub-i1', number: 'INV-1', amountCents: 250_001, erpId: '80001' },
  project: { id: 'hub-p', number: 'P-1' },
};

/** Text as an element may carry it: our value, blanks, entities, markup that breaks the document. */
function text(value: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(value) },
    { weight: 2, arbitrary: fc.constantFrom(' ', '', '\t', '&#32;', '&amp;', '&bogus;', '&#0;', '<![CDATA[ ]]>', '<![CDATA[x]]>', '12345', ' 12345 ') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
}

function element(name: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 5, arbitrary: value.map((inner) => `<${name}>${inner}</${name}>`) }, { weight: 1, arbitrary: fc.constantFrom('', `<${name}/>`, `<${name}><x/></${name}>`) });
}

const money = fc.oneof({ weight: 3, arbitrary: fc.constant('2500.01') }, { weight: 1, arbitrary: oddMoney.map(String) });

const detail = fc
  .tuple(element('PayableId', text('80001')), element('InvoiceNumber', text('INV-1')), element('AmountPaid', money))
  .map((parts) => `<Detail>${parts.join('')}</Detail>`);

const checkXml = fc
  .tuple(
    element('CheckId', text('5001')),
    element('BankId', text('op1')),
    element('CheckNumber', text('10003')),
    element('PayeeId', text('v0001')),
    element('AmountPaid', money),
    element('PaymentDate', text('2025-05-09T00:00:00')),
    element('Status', text('Posted')),
    fc.array(detail, { maxLength: 2 }).map((rows) => `<Details>${rows.join('')}</Details>`),
  )
  .map((parts) => `<Check>${parts.join('')}</Check>`);

const messages = fc
  .array(
    fc.tuple(fc.constantFrom('Error', 'Warning', 'Information', ''), fc.constantFrom('', 'DUP', '42'), fc.string({ maxLength: 20 }).map(escape)),
    { maxLength: 2 },
  )
  .map((list) => (list.length === 0 ? '' : `<Messages>${list.map(([type, code, message]) => `<Message messageType="${type}" code="${code}">${message}</Message>`).join('')}</Messages>`));

const checks = fc.array(checkXml, { maxLength: 3 }).map((list) => `<Checks>${list.join('')}</Checks>`);
const payables = fc
  .array(
    fc.tuple(element('PayableId', text('80001')), fc.array(checkXml, { maxLength: 2 })).map(([id, list]) => `<Payable>${id}<Checks>${list.join('')}</Checks></Payable>`),
    { maxLength: 2 },
  )
  .map((list) => `<Payables>${list.join('')}</Payables>`);

function envelope(method: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    `<${method}Response xmlns="http://tempuri.org/YSI.Interfaces.WebServices/ItfVendorInvoicing"><${method}Result>${inner}</${method}Result></${method}Response>` +
    '</soap:Body></soap:Envelope>'
  );
}

const fault = fc
  .tuple(fc.constantFrom('soap:Client', 'soap:Server', ''), fc.constantFrom('Invalid login', 'Server was unable to process request.', '', ' '), fc.constantFrom('', '<ErrorCode>1001</ErrorCode>'))
  .map(
    ([code, message, detail]) =>
      '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
      `<faultcode>${code}</faultcode><faultstring>${message}</faultstring><detail>${detail}</detail></soap:Fault></soap:Body></soap:Envelope>`,
  );

const brokenXml = fc.oneof(
  fc.constantFrom(
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    '<soap:Envelope><soap:Body>',
    '<a><b></a></b>',
    '<html><body>Server Too Busy</body></html>',
    `${'<a>'.repeat(600)}${'</a>'.repeat(600)}`,
  ),
  junkBody,
);

function answer(method: string, result: fc.Arbitrary<string>): fc.Arbitrary<FuzzAnswer> {
  return fc.record({
    status: statusOf([200, 500, 503]),
    headers: fc.record({ 'content-type': fc.constantFrom('text/xml; charset=utf-8', 'text/html', 'application/json'), 'retry-after': retryAfter }, { requiredKeys: [] }),
    body: fc.oneof({ weight: 6, arbitrary: result.map((inner) => envelope(method, inner)) }, { weight: 1, arbitrary: fault }, { weight: 1, arbitrary: brokenXml }),
    delivery,
  });
}

const script = fc.record({
  ImportCheck_Login: fc.array(answer('ImportCheck_Login', fc.tuple(messages, checks).map(([m, c]) => m + c)), { maxLength: 1 }),
  GetCheckInvoice: fc.array(answer('GetCheckInvoice', fc.tuple(messages, checks).map(([m, c]) => m + c)), { maxLength: 4 }),
  GetPayables2: fc.array(answer('GetPayables2', fc.tuple(messages, payables).map(([m, p]) => m + p)), { maxLength: 1 }),
});

const cursor = fc.oneof(fc.constant(undefined), fc.constantFrom('', '2025-05-01', '{"through":"2025-05-01"}', '{"through":"2025-13-45"}', 'null', '{'), fc.string({ maxLength: 12 }));

let server: FuzzServer;
let client: ConnectorClient;

beforeAll(async () => {
  server = await startFuzzServer((request) => {
    const action = String(request.headers.soapaction ?? '');
    return action.replace(/"/g, '').split('/').pop() ?? '';
  });
  client = yardiConnector.createClient({
    config: YardiConfig.parse({
      url: `${server.url}/webservices/ItfVendorInvoicing.asmx`,
      userName: 'ledgerlink',
      password: 'fuzz-password',
      serverName: 'srv',
      database: 'db',
      interfaceEntity: 'Procore',
      interfaceLicense: 'fuzz-licence',
      importStartDate: '2025-01-01',
      importWindowDays: 60,
    }),
    http: createFetchHttpClient({ timeoutMs: 500 }),
    lane: { throttled() {} },
    logger: silentLogger,
    now: () => new Date('2025-05-09T12:00:00Z'),
  });
});

afterAll(async () => {
  await server.close();
});

const signal = new AbortController().signal;

describe('Yardi client under fuzzed SOAP answers', () => {
  it('ends every export, lookup, import and check in a typed outcome or a LedgerlinkError, never on a blank CheckId', async () => {
    await fc.assert(
      fc.asyncProperty(script, cursor, fc.boolean(), fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: oddMoney }), async (answers, start, withCheckNumber, oddAmount) => {
        const payload: Record<string, unknown> = { ...PAYLOAD, ...(oddAmount === null ? {} : { AmountPaid: oddAmount }) };
        if (!withCheckNumber) delete payload.CheckNumber;
        const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.r1', record: RECORD, payload };
        server.script(answers as Record<string, FuzzAnswer[]>);
        await checkLoad('load', () => client.payments.exporter!.load([item], { signal }), 1);
        await checkFind('find', () => client.payments.exporter!.find(item, { signal }));
        await checkPages('pages', client.payments.importer!.pages(start === undefined ? { signal } : { signal, cursor: start }));
        await checkVoid('check', () => client.check({ signal }));
      }),
      { numRuns: fuzzRuns(100) },
    );
  }, fuzzTimeout(100));

  it('does not settle a payment whose check the lookup shows with a blank CheckId', async () => {
    const check = '<Check><CheckId> </CheckId><BankId>op1</BankId><CheckNumber>10003</CheckNumber><PayeeId>v0001</PayeeId><AmountPaid>2500.01</AmountPaid><PaymentDate>2025-05-09T00:00:00</PaymentDate><Details><Detail><PayableId>80001</PayableId></Detail></Details></Check>';
    server.script({ GetCheckInvoice: [{ status: 200, headers: { 'content-type': 'text/xml' }, body: envelope('GetCheckInvoice', `<Checks>${check}</Checks>`), delivery: 'normal' }] });
    const item: LoadItem = { id: 'pay-1', idempotencyKey: 'pay-1.blank', record: RECORD, payload: PAYLOAD };
    const outcome = await client.payments.exporter!.find(item, { signal });
    expect(outcome).toMatchObject({ kind: 'retryable', code: 'LL_ERP_PROTOCOL', committed: 'unknown' });
  });

  it('turns a lost answer during an import into a retryable LedgerlinkError', async () => {
    server.script({ GetCheckInvoice: [{ status: 200, headers: {}, body: '', delivery: 'reset' }] });
    const pages = client.payments.importer!.pages({ signal });
    await expect(pages[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'LedgerlinkError', code: 'LL_ERP_TRANSPORT', disposition: 'retryable' });
  });

  it('refuses a message rule whose pattern is not a regular expression', () => {
    const parsed = YardiConfig.safeParse({
      url: 'https://yardi.example/ItfVendorInvoicing.asmx',
      userName: 'u',
      password: 'p',
      serverName: 's',
      database: 'd',
      interfaceEntity: 'e',
      interfaceLicense: 'l',
      messageRules: { duplicateCheckNumber: { patterns: ['check (number'] } },
    });
    expect(parsed.success).toBe(false);
  });

  it('reads any result document with the pure readers without throwing an untyped error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(messages, checks, payables).map((parts) => envelope('GetCheckInvoice', parts.join(''))), brokenXml), (body) => {
        let document;
        try {
          document = parseXml(body);
        } catch (error) {
          expect((error as Error).name).toMatch(/XmlParseError|XmlValueError/);
          return;
        }
        const result = child(child(child(child(document, 'Envelope'), 'Body'), 'GetCheckInvoiceResponse'), 'GetCheckInvoiceResult');
        if (result === undefined) return;
        messagesOf(result);
        checksOf(result);
        payablesOf(result);
        importedCheckId(result);
      }),
      { numRuns: fuzzRuns(800) },
    );
  }, fuzzTimeout(800, 5));
});

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
