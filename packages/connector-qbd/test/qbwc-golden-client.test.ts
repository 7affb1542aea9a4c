import { createRequire } from 'node:module';
import { createConnectorRuntime, type ConnectorRuntime, type ExportItem, type Payment } from '@ledgerlink/core';
import { XMLParser } from 'fast-xml-parser';
import { createClientAsync, type Client } from 'soap';
import { afterEach, describe, expect, it } from 'vitest';
import { qbdConnector, type QbdConfig } from '../src/index.js';
import { freePort } from './support.js';

/**
 * The golden client: Intuit's Web Connector contract as shipped in the quickbooks-js package (`qbws.wsdl`),
 * driven by the `soap` package's client — neither written here. The test plays QuickBooks and the Web
 * Connector, answering each qbXML request message as QuickBooks would, with responses built from the shape
 * of Intuit's qbXML 13.0 sample (qbxmlops130: status attributes on each Rs, Ret elements in schema order).
 */
const WSDL = createRequire(import.meta.url).resolve('quickbooks-js/lib/qbws.wsdl');
const LOGIN = { username: 'golden-wc', password: 'golden-wc-password' };

/** BillPaymentCheckAdd's children in the order of qbxmlops120/130 (IsToBePrinted | RefNumber is one position). */
const ADD_ORDER = ['PayeeEntityRef', 'APAccountRef', 'TxnDate', 'BankAccountRef', 'IsToBePrinted|RefNumber', 'Memo', 'ExchangeRate', 'ExternalGUID', 'AppliedToTxnAdd'];

interface Node {
  name: string;
  attributes: Record<string, string>;
  children: Node[];
  text: string;
}

const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false });

/** A qbXML request message as QuickBooks reads it: its version and its requests, element order kept. */
function readRequestMessage(xml: string): { version: string | undefined; onError: string | undefined; requests: Node[] } {
  const version = /<\?qbxml version="([^"]+)"\?>/.exec(xml)?.[1];
  const toNode = (raw: Record<string, unknown>): Node => {
    const name = Object.keys(raw).find((key) => key !== ':@') as string;
    const content = (raw[name] as Record<string, unknown>[]) ?? [];
    const children = content.filter((part) => !('#text' in part)).map(toNode);
    const text = content.filter((part) => '#text' in part).map((part) => String(part['#text'])).join('');
    return { name, attributes: (raw[':@'] ?? {}) as Record<string, string>, children, text };
  };
  const roots = (ordered.parse(xml) as Record<string, unknown>[]).filter((raw) => 'QBXML' in raw).map(toNode);
  const messages = roots[0]?.children.find((node) => node.name === 'QBXMLMsgsRq');
  return { version, onError: messages?.attributes.onError, requests: messages?.children ?? [] };
}

const child = (node: Node, name: string) => node.children.find((candidate) => candidate.name === name);
const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function responseMessage(rs: string[]): string {
  return `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>${rs.join('')}</QBXMLMsgsRs></QBXML>`;
}

function noMatch(request: Node): string {
  return `<BillPaymentCheckQueryRs requestID="${escape(request.attributes.requestID ?? '')}" statusCode="1" statusSeverity="Info" statusMessage="A query request did not find a matching object in QuickBooks" />`;
}

/** What QuickBooks answers to an add it saved: the Ret's elements in qbxmlops130's order. */
function saved(request: Node, txnId: string): string {
  const add = child(request, 'BillPaymentCheckAdd') as Node;
  const line = child(add, 'AppliedToTxnAdd') as Node;
  const amount = child(line, 'PaymentAmount')?.text ?? '0.00';
  const refNumber = child(add, 'RefNumber');
  return (
    `<BillPaymentCheckAddRs requestID="${escape(request.attributes.requestID ?? '')}" statusCode="0" statusSeverity="Info" statusMessage="Status OK">` +
    `<BillPaymentCheckRet><TxnID>${txnId}</TxnID><TimeCreated>2025-03-14T10:00:00-05:00</TimeCreated><TimeModified>2025-03-14T10:00:00-05:00</TimeModified>` +
    `<EditSequence>1741964400</EditSequence><TxnNumber>12</TxnNumber>` +
    `<PayeeEntityRef><ListID>${escape(child(child(add, 'PayeeEntityRef') as Node, 'ListID')?.text ?? '')}</ListID><FullName>Vendor</FullName></PayeeEntityRef>` +
    `<TxnDate>${child(add, 'TxnDate')?.text ?? ''}</TxnDate>` +
    `<BankAccountRef><ListID>${escape(child(child(add, 'BankAccountRef') as Node, 'ListID')?.text ?? '')}</ListID><FullName>Checking</FullName></BankAccountRef>` +
    `<Amount>${amount}</Amount>${refNumber === undefined ? '' : `<RefNumber>${escape(refNumber.text)}</RefNumber>`}` +
    `<IsToBePrinted>${child(add, 'IsToBePrinted')?.text ?? 'false'}</IsToBePrinted><ExternalGUID>${child(add, 'ExternalGUID')?.text ?? ''}</ExternalGUID>` +
    `<AppliedToTxnRet><TxnID>${escape(child(line, 'TxnID')?.text ?? '')}</TxnID><TxnType>Bill</TxnType><Amount>${amount}</Amount></AppliedToTxnRet>` +
    '</BillPaymentCheckRet></BillPaymentCheckAddRs>'
  );
}

/** Checks an add against the schema's order and its IsToBePrinted | RefNumber choice, as QuickBooks' parser does. */
function schemaOrderOf(add: Node): string[] {
  const positions = add.children.map((element) => ADD_ORDER.findIndex((entry) => entry.split('|').includes(element.name)));
  expect(positions.every((position, index) => position >= 0 && (index === 0 || position > (positions[index - 1] ?? -1) || add.children[index]?.name === 'AppliedToTxnAdd'))).toBe(true);
  expect(add.children.filter((element) => element.name === 'IsToBePrinted' || element.name === 'RefNumber')).toHaveLength(1);
  return add.children.map((element) => element.name);
}

let runtimes: ConnectorRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.close()));
  runtimes = [];
});

function runtime(port: number, overrides: Partial<QbdConfig> = {}): ConnectorRuntime {
  const config: QbdConfig = {
    listen: { host: '127.0.0.1', port, path: '/qbwc' },
    ...LOGIN,
    companyFile: '',
    answerWaitMs: 20_000,
    checkWaitMs: 20_000,
    importWaitMs: 20_000,
    lostAfterMs: 300_000,
    importPageSize: 25,
    ...overrides,
  };
  const rt = createConnectorRuntime(qbdConnector, { tenant: 'golden', config });
  runtimes.push(rt);
  return rt;
}

function payment(n: number, checkNumber?: string): ExportItem {
  const record: Payment = {
    id: `golden-${n}`,
    status: 'funding_complete',
    amountCents: 10_050 * n,
    method: checkNumber === undefined ? 'ach' : 'check',
    fundedOn: '2025-03-14',
    bankId: '40000001-1741900100',
    ...(checkNumber === undefined ? {} : { checkNumber }),
    notes: `golden ${n} & co`,
    vendor: { id: `hv-${n}`, name: `Vendor ${n}`, erpId: `8000000${n}-1741900000` },
    invoice: { id: `hi-${n}`, number: `INV-${n}`, amountCents: 100_000, erpId: `200${n}-1741900200` },
    project: { id: 'p', number: 'P-1' },
  };
  return { id: record.id, idempotencyKey: `${record.id}.r1`, record };
}

/** The Web Connector's client, from Intuit's WSDL; waits until the connector's service answers. */
async function webConnector(port: number): Promise<Client> {
  const client = await createClientAsync(WSDL, { endpoint: `http://127.0.0.1:${port}/qbwc` });
  for (let i = 0; ; i++) {
    try {
      await client.serverVersionAsync({});
      return client;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function call<T>(client: Client, method: string, args: Record<string, unknown>): Promise<T> {
  const [result] = (await (client[`${method}Async`] as (input: unknown) => Promise<[Record<string, unknown>]>)(args)) as [Record<string, unknown>];
  return result[`${method}Result`] as T;
}

const sendRequestXml = (client: Client, ticket: string, major = 13) =>
  call<string | undefined>(client, 'sendRequestXML', { ticket, strHCPResponse: '', strCompanyFileName: 'C:\\QB\\golden.qbw', qbXMLCountry: 'US', qbXMLMajorVers: major, qbXMLMinorVers: 0 });
const receiveResponseXml = (client: Client, ticket: string, answer: { response?: string; hresult?: string; message?: string }) =>
  call<number | string>(client, 'receiveResponseXML', { ticket, response: answer.response ?? '', hresult: answer.hresult ?? '', message: answer.message ?? '' }).then(Number);
const authenticate = (client: Client, password = LOGIN.password) => call<{ string: string[] }>(client, 'authenticate', { strUserName: LOGIN.username, strPassword: password }).then((result) => result.string);

describe("Intuit's Web Connector contract (quickbooks-js qbws.wsdl) driven by the soap client", () => {
  it('runs a whole session: login, lookups then adds in one session, a parse error split per request, 100 only when the queue is empty', async () => {
    const port = await freePort();
    const rt = runtime(port);
    const pending = rt.exportPayments([payment(1, '30001'), payment(2, '30002'), payment(3)]);
    const wc = await webConnector(port);

    expect(await call<string>(wc, 'serverVersion', {})).toMatch(/^ledgerlink-qbd /);
    expect((await call<string | undefined>(wc, 'clientVersion', { strVersion: '2.3.0.215' })) ?? '').toBe('');
    const [refused, nvu] = await authenticate(wc, 'wrong password');
    expect(nvu).toBe('nvu');
    expect(await call<string>(wc, 'closeConnection', { ticket: refused })).toBe('OK');

    const [ticket = '', companyFile] = await authenticate(wc);
    expect(ticket).not.toBe('');
    // "" = use the company file open in QuickBooks.
    expect(companyFile ?? '').toBe('');

    // Round 1: the lookups (one shared query by RefNumber, one by payee and date for the ACH payment).
    const first = readRequestMessage((await sendRequestXml(wc, ticket)) ?? '');
    expect(first).toMatchObject({ version: '13.0', onError: 'continueOnError' });
    expect(first.requests.map((request) => request.name)).toEqual(['BillPaymentCheckQueryRq', 'BillPaymentCheckQueryRq']);
    expect(first.requests.flatMap((request) => request.children.filter((node) => node.name === 'RefNumber').map((node) => node.text))).toEqual(['30001', '30002']);
    expect(first.requests.some((request) => child(request, 'EntityFilter') !== undefined && child(request, 'TxnDateRangeFilter') !== undefined)).toBe(true);
    const afterLookups = await receiveResponseXml(wc, ticket, { response: responseMessage(first.requests.map(noMatch)) });
    expect(afterLookups).toBeGreaterThanOrEqual(0);
    expect(afterLookups).toBeLessThan(100);

    // Round 2: the three adds in one message, in schema order; the ACH one carries IsToBePrinted false.
    const second = readRequestMessage((await sendRequestXml(wc, ticket)) ?? '');
    expect(second.requests.map((request) => request.name)).toEqual(['BillPaymentCheckAddRq', 'BillPaymentCheckAddRq', 'BillPaymentCheckAddRq']);
    const adds = second.requests.map((request) => child(request, 'BillPaymentCheckAdd') as Node);
    expect(adds.map(schemaOrderOf)).toEqual([
      ['PayeeEntityRef', 'TxnDate', 'BankAccountRef', 'RefNumber', 'Memo', 'ExternalGUID', 'AppliedToTxnAdd'],
      ['PayeeEntityRef', 'TxnDate', 'BankAccountRef', 'RefNumber', 'Memo', 'ExternalGUID', 'AppliedToTxnAdd'],
      ['PayeeEntityRef', 'TxnDate', 'BankAccountRef', 'IsToBePrinted', 'Memo', 'ExternalGUID', 'AppliedToTxnAdd'],
    ]);
    expect(child(adds[2] as Node, 'IsToBePrinted')?.text).toBe('false');
    expect(adds.map((add) => child(child(add, 'AppliedToTxnAdd') as Node, 'PaymentAmount')?.text)).toEqual(['100.50', '201.00', '301.50']);
    // QuickBooks refuses the whole message: nothing of it is saved, every request of it fails.
    const afterParseError = await receiveResponseXml(wc, ticket, { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' });
    expect(afterParseError).toBeLessThan(100);

    // Rounds 3 to 5: each add again, alone; the third is refused by itself (a defect of that request only).
    const percents: number[] = [];
    const alone: string[] = [];
    for (let round = 0; round < 3; round++) {
      const message = readRequestMessage((await sendRequestXml(wc, ticket)) ?? '');
      expect(message.requests).toHaveLength(1);
      const request = message.requests[0] as Node;
      const add = child(request, 'BillPaymentCheckAdd') as Node;
      alone.push(child(add, 'RefNumber')?.text ?? 'ACH');
      percents.push(
        child(add, 'RefNumber') === undefined
          ? await receiveResponseXml(wc, ticket, { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' })
          : await receiveResponseXml(wc, ticket, { response: responseMessage([saved(request, `TXN-${round}`)]) }),
      );
    }
    expect(alone).toEqual(['30001', '30002', 'ACH']);
    expect(percents.slice(0, 2).every((percent) => percent < 100)).toBe(true);
    expect(percents[2]).toBe(100);
    expect(await call<string>(wc, 'closeConnection', { ticket })).toBe('OK');

    const outcomes = await pending;
    expect(outcomes[0]).toEqual({ kind: 'synced', erpId: 'TXN-0' });
    expect(outcomes[1]).toEqual({ kind: 'synced', erpId: 'TXN-1' });
    expect(outcomes[2]).toMatchObject({ kind: 'rejected', erp: { code: '0x80040400' } });
    // Nothing is left: the next login is told there is no work.
    expect((await authenticate(wc))[1]).toBe('none');
  });

  it('answers an old ticket (another login, a restart) so that the Web Connector ends the session, never an endless NoOp', async () => {
    const port = await freePort();
    const first = runtime(port);
    void first.exportPayments([payment(4, '40004')]);
    const wc = await webConnector(port);
    const [old = ''] = await authenticate(wc);
    const [current = ''] = await authenticate(wc);
    expect(current).not.toBe(old);

    // A second Web Connector logged in: the first session's calls are told it is over.
    expect((await sendRequestXml(wc, old)) ?? '').toBe('');
    const superseded = await call<string>(wc, 'getLastError', { ticket: old });
    expect(superseded).not.toBe('NoOp');
    expect(superseded).toMatch(/Another Web Connector session started/);
    expect(await receiveResponseXml(wc, old, { response: responseMessage([]) })).toBeLessThan(0);

    // The service restarts: the ticket it handed out means nothing to the new process.
    await first.close();
    const second = runtime(port);
    void second.exportPayments([payment(5, '50005')]);
    await webConnector(port);
    expect((await sendRequestXml(wc, current)) ?? '').toBe('');
    const restarted = await call<string>(wc, 'getLastError', { ticket: current });
    expect(restarted).not.toBe('NoOp');
    expect(restarted).toMatch(/does not know this Web Connector session/);
    expect(await receiveResponseXml(wc, current, { response: responseMessage([]) })).toBeLessThan(0);
    expect(await call<string>(wc, 'closeConnection', { ticket: current })).toBe('OK');

    // The Web Connector's next run logs in afresh and gets the work; QuickBooks 2013 (qbXML 12) gets 12.0.
    const [fresh = '', file] = await authenticate(wc);
    expect(file ?? '').toBe('');
    const message = readRequestMessage((await sendRequestXml(wc, fresh, 12)) ?? '');
    expect(message.version).toBe('12.0');
    expect(message.requests.flatMap((request) => request.children.map((node) => node.text))).toContain('50005');
  });

  it("serves the .qwc's AppSupport page (GET /support) and nothing else outside the service path", async () => {
    const port = await freePort();
    const rt = runtime(port, { checkWaitMs: 100 });
    await expect(rt.check()).rejects.toThrow(/did not call/);
    const support = await fetch(`http://127.0.0.1:${port}/support`);
    expect(support.status).toBe(200);
    expect(support.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await support.text()).toMatch(/<title>ledgerlink for QuickBooks Desktop<\/title>/);
    expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
  });
});
