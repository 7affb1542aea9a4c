import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetchHttpClient, type ConnectorClient, type HubVendor, LedgerlinkError, type LoadItem, type Outcome, type Requisition, silentLogger } from '@ledgerlink/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntacctConfig, intacctConnector } from '../src/index.js';
import { credentials } from './support/intacct-fixtures.js';

/**
 * Whatever the gateway answers to `create APBILL`, `create VENDOR` and the APBILL and VENDOR queries (well-formed,
 * truncated or not XML, under any status), the client never crashes, hangs or throws anything but a
 * LedgerlinkError; a blank or malformed RECORDNO never settles a requisition, a blank or malformed VENDORID never
 * settles a vendor nor reaches the vendor import.
 */

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 200);
const CALL_LIMIT_MS = 2_000;

let answer = { status: 200, body: '' };
let server: Server;
let base = '';

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const goodSession = (): string =>
  '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control><operation>' +
  '<authentication><status>success</status><userid>u</userid><companyid>c</companyid></authentication>' +
  `<result><status>success</status><function>getAPISession</function><controlid>s</controlid><data><api><sessionid>fuzz-session</sessionid><endpoint>${base}/session</endpoint></api></data></result>` +
  '</operation></response>';

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const signIn = Buffer.concat(chunks).toString('utf8').includes('<getAPISession');
      const current = signIn ? { status: 200, body: goodSession() } : answer;
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
    logger: silentLogger,
    now: () => new Date(),
  });
}

const word = fc.oneof(
  fc.constantFrom('', ' ', '1001', 'abc', '-1', '1e3', ' V1', 'SUB-1', 'PA-1', '10000.10', '10000.1', '04/30/2025', 'active', 'inactive', '03/04/2025 10:00:00', 'x'.repeat(21)),
  fc.string({ maxLength: 8 }),
);
const field = fc.constantFrom('RECORDNO', 'RECORDID', 'VENDORID', 'NAME', 'STATUS', 'WHENMODIFIED', 'WHENCREATED', 'TRX_TOTALENTERED', 'DISPLAYCONTACT.EMAIL1');
const record = fc
  .tuple(fc.constantFrom('apbill', 'APBILL', 'vendor', 'VENDOR'), fc.array(fc.tuple(field, word), { maxLength: 7 }))
  .map(([tag, fields]) => `<${tag}>${fields.map(([name, value]) => `<${name}>${escape(value)}</${name}>`).join('')}</${tag}>`);
const errorXml = fc
  .record({
    errorno: fc.oneof(fc.constantFrom('GW-0010', 'XL03000009', 'XL03000017', 'BL01001975', 'BL01001980', 'BL01001981', 'BL01001982', ''), fc.string({ maxLength: 6 })),
    description2: fc.oneof(fc.constantFrom('Bill number (RECORDID) already exists', 'Invalid ACCOUNTNO', 'Another Vendor with the given value(s) already exists', 'Invalid VENDORID'), fc.string({ maxLength: 12 })),
  })
  .map(({ errorno, description2 }) => `<error><errorno>${escape(errorno)}</errorno><description></description><description2>${escape(description2)}</description2></error>`);
const attrs = fc
  .array(fc.tuple(fc.constantFrom('count', 'totalcount', 'numremaining'), fc.oneof(fc.nat(5).map(String), word)), { maxLength: 3 })
  .map((pairs) => pairs.map(([name, value]) => ` ${name}="${escape(value).replace(/"/g, '&quot;')}"`).join(''));
const result = fc
  .record({
    status: fc.constantFrom('success', 'success', 'failure', 'aborted', ''),
    fn: fc.constantFrom('create', 'query'),
    data: fc.option(fc.tuple(attrs, fc.array(record, { maxLength: 4 })), { nil: undefined }),
    errors: fc.option(fc.array(errorXml, { maxLength: 2 }), { nil: undefined }),
  })
  .map(
    ({ status, fn, data, errors }) =>
      `<result><status>${status}</status><function>${fn}</function><controlid>c</controlid>` +
      `${data === undefined ? '' : `<data${data[0]}>${data[1].join('')}</data>`}${errors === undefined ? '' : `<errormessage>${errors.join('')}</errormessage>`}</result>`,
  );
const document = fc
  .record({ control: fc.constantFrom('success', 'success', 'failure'), results: fc.array(result, { maxLength: 2 }), cut: fc.nat(2000) })
  .map(({ control, results, cut }) => {
    const full =
      `<?xml version="1.0" encoding="UTF-8"?><response><control><status>${control}</status></control><operation>` +
      `<authentication><status>success</status><userid>u</userid><companyid>c</companyid></authentication>${results.join('')}</operation></response>`;
    return cut > 1500 ? full.slice(0, cut % full.length) : full;
  });
const generated = fc.record({
  status: fc.oneof(fc.constantFrom(200, 200, 200, 400, 429, 500), fc.integer({ min: 200, max: 599 })),
  body: fc.oneof(document, document, fc.string({ maxLength: 30 }), fc.constant('')),
});

const requisition: Requisition = {
  id: 'req-1',
  number: 'PA-1',
  billingDate: '2025-04-30',
  vendor: { id: 'hv-1', name: 'Sub', erpId: 'SUB-1' },
  project: { id: 'p-1', number: 'P-1' },
  commitment: { id: 'sc-1' },
  totalCents: 1_000_010,
  retainageCents: 0,
  lines: [{ id: 'l-1', description: '', amountCents: 1_000_010, retainageCents: 0, costCodeOriginId: '5000' }],
};
const billItem: LoadItem<Record<string, unknown>, Requisition> = {
  id: 'req-1',
  idempotencyKey: 'req-1.r1',
  record: requisition,
  payload: { WHENCREATED: '04/30/2025', VENDORID: 'SUB-1', RECORDID: 'PA-1', APBILLITEMS: { APBILLITEM: [{ ACCOUNTNO: '5000', TRX_AMOUNT: '10000.10' }] } },
};
const vendor: HubVendor = { id: 'hv-1', name: 'Ridge', isActive: true };
const vendorItem: LoadItem<Record<string, unknown>, HubVendor> = { id: 'hv-1', idempotencyKey: 'hv-1.r1', record: vendor, payload: { NAME: 'Ridge', DISPLAYCONTACT: { PRINTAS: 'Ridge' }, STATUS: 'active' } };
const signal = new AbortController().signal;
const VENDOR_ID = /^\S(.{0,18}\S)?$/;

async function typed(what: string, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in time`)), CALL_LIMIT_MS * 3);
  });
  try {
    await Promise.race([work(), limit]);
  } catch (error) {
    if (!(error instanceof LedgerlinkError)) throw new Error(`${what} threw an untyped ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

function settled(outcome: Outcome | null | undefined, id: RegExp): void {
  if (outcome?.kind === 'synced') expect(outcome.erpId, 'a synced record names a well-formed Intacct key').toMatch(id);
}

describe('Intacct bill and vendor answers, fuzzed', () => {
  it('bill load/find, vendor load/find/import: typed outcomes or LedgerlinkErrors only; a blank key never settles', async () => {
    const intacct = client();
    await fc.assert(
      fc.asyncProperty(generated, fc.constantFrom('bill-load', 'bill-find', 'vendor-load', 'vendor-find', 'vendor-import'), async (next, operation) => {
        answer = next;
        switch (operation) {
          case 'bill-load':
            return typed(operation, async () => settled((await intacct.requisitions!.exporter!.load([billItem], { signal }))[0], /^\d{1,20}$/));
          case 'bill-find':
            return typed(operation, async () => settled(await intacct.requisitions!.exporter!.find(billItem, { signal }), /^\d{1,20}$/));
          case 'vendor-load':
            return typed(operation, async () => settled((await intacct.vendors!.exporter!.load([vendorItem], { signal }))[0], VENDOR_ID));
          case 'vendor-find':
            return typed(operation, async () => settled(await intacct.vendors!.exporter!.find(vendorItem, { signal }), VENDOR_ID));
          case 'vendor-import':
            return typed(operation, async () => {
              let pages = 0;
              for await (const page of intacct.vendors!.importer!.pages({ signal })) {
                for (const row of page.records) expect(String(row['VENDORID'])).toMatch(VENDOR_ID);
                if (++pages >= 3) break;
              }
            });
        }
      }),
      {
        numRuns: RUNS,
        examples: [
          [{ status: 200, body: '<response><control><status>success</status></control><operation><authentication><status>success</status></authentication><result><status>success</status><function>create</function><controlid>c</controlid><data><vendor><RECORDNO>5</RECORDNO><VENDORID> </VENDORID></vendor></data></result></operation></response>' }, 'vendor-load'],
          [{ status: 200, body: '<response><control><status>success</status></control><operation><authentication><status>success</status></authentication><result><status>success</status><function>create</function><controlid>c</controlid><data><apbill><RECORDNO>1e3</RECORDNO></apbill></data></result></operation></response>' }, 'bill-load'],
        ],
      },
    );
  }, 120_000);
});
