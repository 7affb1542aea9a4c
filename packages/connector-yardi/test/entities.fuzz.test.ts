/**
 * Fuzzed SOAP answers to the requisition (ImportPayable_Login, GetPayables2) and vendor (ImportVendors_Login,
 * GetVendor_Login, GetVendors_Login) calls: the real client over real sockets against a loopback server answering
 * with generated envelopes, Faults, broken XML and resets. Every call ends in a typed outcome or a LedgerlinkError
 * in bounded time; a bill is never settled on a blank PayableId or on another payable, a vendor never on another code.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFetchHttpClient, silentLogger, type ConnectorClient, type HubVendor, type LoadItem, type Requisition } from '@ledgerlink/core';
import { YardiConfig } from '../src/config.js';
import { yardiConnector } from '../src/index.js';
import { vendorsOf } from '../src/vendor-records.js';
import { child, parseXml } from '../src/yardi-xml.js';
import { checkFind, checkLoad, checkPages, delivery, fuzzRuns, fuzzTimeout, junkBody, oddMoney, retryAfter, startFuzzServer, statusOf, type FuzzAnswer, type FuzzServer } from '@ledgerlink/connector-testkit/fuzz';

// Every case goes over a real socket: on a loaded 2-core machine a few hundred cases take longer than the default
// 20 s, and a property cut off by its timeout keeps sending into the next test.
vi.setConfig({ testTimeout: 180_000 });

const REQUISITION: Requisition = {
  id: 'req-1',
  number: 'INV-9',
  billingDate: '2025-04-30',
  vendor: { id: 'hub-v', name: 'Acme', erpId: 'v0001' },
  project: { id: 'hub-p', number: 'P-1' },
  commitment: { id: 'hub-c' },
  totalCents: 250_001,
  retainageCents: 0,
  lines: [{ id: 'l1', description: 'a', amountCents: 250_001, retainageCents: 0 }],
};
const PAYABLE = { PayeeId: 'v0001', InvoiceNumber: 'INV-9', InvoiceDate: '2025-04-30', Amount: '2500.01', Details: [{ Amount: '2500.01' }] };
const HUB_VENDOR: HubVendor = { id: 'hub-v', name: 'Acme', code: 'v0001', isActive: true };
const VENDOR = { VendorId: 'v0001', Name: 'Acme', Inactive: 'false' };

function text(value: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(value) },
    { weight: 2, arbitrary: fc.constantFrom(' ', '', '\t', '&#32;', '&amp;', '&bogus;', '&#0;', '<![CDATA[ ]]>', '90001', ' 90001 ', 'v0002') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
}
const element = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 5, arbitrary: value.map((inner) => `<${name}>${inner}</${name}>`) }, { weight: 1, arbitrary: fc.constantFrom('', `<${name}/>`, `<${name}><x/></${name}>`) });
const money = fc.oneof({ weight: 3, arbitrary: fc.constant('2500.01') }, { weight: 1, arbitrary: oddMoney.map(String) });
const messages = fc
  .array(fc.tuple(fc.constantFrom('Error', 'Warning', ''), fc.constantFrom('', 'DUPLICATE_INVOICE', 'DUPLICATE_VENDOR', 'PAYEE_NOT_FOUND'), fc.constantFrom('Invoice number INV-9 already exists for payee v0001.', 'Vendor v0001 already exists.', 'x')), { maxLength: 2 })
  .map((list) => (list.length === 0 ? '' : `<Messages>${list.map(([type, code, said]) => `<Message messageType="${type}" code="${code}">${said}</Message>`).join('')}</Messages>`));
const payable = fc
  .tuple(element('PayableId', text('90001')), element('PayeeId', text('v0001')), element('InvoiceNumber', text('INV-9')), element('InvoiceDate', text('2025-04-30T00:00:00')), element('Amount', money))
  .map((parts) => `<Payable>${parts.join('')}</Payable>`);
const payables = fc.array(payable, { maxLength: 2 }).map((list) => `<Payables>${list.join('')}</Payables>`);
const vendor = fc
  .tuple(element('VendorId', text('v0001')), element('Name', text('Acme')), element('Inactive', text('false')))
  .map((parts) => `<Vendor>${parts.join('')}</Vendor>`);
const vendorList = fc.array(vendor, { maxLength: 3 }).map((list) => `<Vendors>${list.join('')}</Vendors>`);

function envelope(method: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    `<${method}Response xmlns="http://tempuri.org/YSI.Interfaces.WebServices/ItfVendorInvoicing"><${method}Result>${inner}</${method}Result></${method}Response>` +
    '</soap:Body></soap:Envelope>'
  );
}
const broken = fc.oneof(fc.constantFrom('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', '<soap:Envelope><soap:Body>', '<html>Server Too Busy</html>'), junkBody);
function answer(method: string, result: fc.Arbitrary<string>): fc.Arbitrary<FuzzAnswer> {
  return fc.record({
    status: statusOf([200, 500, 503]),
    headers: fc.record({ 'content-type': fc.constantFrom('text/xml; charset=utf-8', 'text/html'), 'retry-after': retryAfter }, { requiredKeys: [] }),
    body: fc.oneof({ weight: 6, arbitrary: result.map((inner) => envelope(method, inner)) }, { weight: 1, arbitrary: broken }),
    delivery,
  });
}
const script = fc.record({
  ImportPayable_Login: fc.array(answer('ImportPayable_Login', fc.tuple(messages, payables).map(([m, p]) => m + p)), { maxLength: 1 }),
  GetPayables2: fc.array(answer('GetPayables2', fc.tuple(messages, payables).map(([m, p]) => m + p)), { maxLength: 2 }),
  ImportVendors_Login: fc.array(answer('ImportVendors_Login', fc.tuple(messages, vendorList).map(([m, v]) => m + v)), { maxLength: 1 }),
  GetVendor_Login: fc.array(answer('GetVendor_Login', fc.tuple(messages, vendorList).map(([m, v]) => m + v)), { maxLength: 2 }),
  GetVendors_Login: fc.array(answer('GetVendors_Login', fc.tuple(messages, vendorList).map(([m, v]) => m + v)), { maxLength: 1 }),
});

let server: FuzzServer;
let client: ConnectorClient;
beforeAll(async () => {
  server = await startFuzzServer((request) => String(request.headers.soapaction ?? '').replace(/"/g, '').split('/').pop() ?? '');
  client = yardiConnector.createClient({
    config: YardiConfig.parse({ url: `${server.url}/webservices/ItfVendorInvoicing.asmx`, userName: 'u', password: 'p', serverName: 's', database: 'd', interfaceEntity: 'e', interfaceLicense: 'l' }),
    http: createFetchHttpClient({ timeoutMs: 500 }),
    lane: { throttled() {} },
    logger: silentLogger,
    now: () => new Date('2025-05-09T12:00:00Z'),
  });
});
afterAll(() => server.close());

const signal = new AbortController().signal;

describe('Yardi requisition and vendor client under fuzzed SOAP answers', () => {
  it('ends every payable and vendor export, lookup and vendor page in a typed outcome or a LedgerlinkError, never on a blank or foreign id', async () => {
    await fc.assert(
      fc.asyncProperty(script, fc.constantFrom(undefined, '', '{"next":0}', '{"next":-1}', 'x'), async (answers, cursor) => {
        const billItem: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: 'req-1.r1', record: REQUISITION, payload: PAYABLE };
        const vendorItem: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hub-v', idempotencyKey: 'hub-v.r1', record: HUB_VENDOR, payload: VENDOR };
        server.script(answers as Record<string, FuzzAnswer[]>);
        for (const outcome of [
          ...(await checkLoad('payable load', () => client.requisitions!.exporter!.load([billItem], { signal }), 1)),
          await checkFind('payable find', () => client.requisitions!.exporter!.find(billItem, { signal })),
        ]) {
          if (outcome?.kind === 'synced') expect(outcome.erpId).toMatch(/^\S(?:.*\S)?$/);
        }
        server.script(answers as Record<string, FuzzAnswer[]>);
        for (const outcome of [
          ...(await checkLoad('vendor load', () => client.vendors!.exporter!.load([vendorItem], { signal }), 1)),
          await checkFind('vendor find', () => client.vendors!.exporter!.find(vendorItem, { signal })),
        ]) {
          if (outcome?.kind === 'synced') expect(outcome.erpId).toBe('v0001');
        }
        server.script(answers as Record<string, FuzzAnswer[]>);
        await checkPages('vendor pages', client.vendors!.importer!.pages(cursor === undefined ? { signal } : { signal, cursor }));
      }),
      { numRuns: fuzzRuns(100) },
    );
  }, fuzzTimeout(100, 150));

  it('does not settle a requisition whose payable the lookup shows with a blank PayableId, or another amount', async () => {
    const item: LoadItem<Record<string, unknown>, Requisition> = { id: 'req-1', idempotencyKey: 'req-1.blank', record: REQUISITION, payload: PAYABLE };
    const shown = (id: string, amount: string) =>
      envelope('GetPayables2', `<Payables><Payable><PayableId>${id}</PayableId><PayeeId>v0001</PayeeId><InvoiceNumber>INV-9</InvoiceNumber><InvoiceDate>2025-04-30T00:00:00</InvoiceDate><Amount>${amount}</Amount></Payable></Payables>`);
    server.script({ GetPayables2: [{ status: 200, headers: {}, body: shown(' ', '2500.01'), delivery: 'normal' }] });
    expect(await client.requisitions!.exporter!.find(item, { signal })).toMatchObject({ kind: 'retryable', code: 'LL_ERP_PROTOCOL', committed: 'unknown' });
    server.script({ GetPayables2: [{ status: 200, headers: {}, body: shown('90001', '2500.02'), delivery: 'normal' }] });
    expect(await client.requisitions!.exporter!.find(item, { signal })).toBeNull();
    server.script({ GetPayables2: [{ status: 200, headers: {}, body: shown('90001', '2500.01'), delivery: 'normal' }] });
    expect(await client.requisitions!.exporter!.find(item, { signal })).toEqual({ kind: 'synced', erpId: '90001', replayed: true });
  });

  it('reads any vendor list with the pure reader without throwing an untyped error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(messages, vendorList).map((parts) => envelope('GetVendors_Login', parts.join(''))), broken), (body) => {
        let document;
        try {
          document = parseXml(body);
        } catch (error) {
          expect((error as Error).name).toMatch(/XmlParseError|XmlValueError/);
          return;
        }
        const result = child(child(child(child(document, 'Envelope'), 'Body'), 'GetVendors_LoginResponse'), 'GetVendors_LoginResult');
        if (result !== undefined) for (const record of vendorsOf(result)) expect(typeof record).toBe('object');
      }),
      { numRuns: fuzzRuns(800) },
    );
  });
});
