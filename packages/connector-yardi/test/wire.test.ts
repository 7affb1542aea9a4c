import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCheckDocument } from '../src/index.js';
import { YardiSoap } from '../src/yardi-soap.js';
import { parseXml, XmlParseError } from '../src/yardi-xml.js';
import { SANDBOX_NAMESPACE, YARDI_SANDBOX_LOGIN, type YardiSandbox } from '../src/sandbox/index.js';
import { configFor, exportOne, recordingTransport, runtimeFor, seededPayment, startSandbox, withRuntime } from './support.js';

/** The test's own reading of an envelope: namespaces dropped, no entity processing beyond the standard five. */
const reader = new XMLParser({ removeNSPrefix: true, parseTagValue: false, trimValues: false, ignoreAttributes: false });

const SPECIAL = `Paid & settled <ok> "quoted" 'single' — Zürich 🚧`;

describe('the SOAP wire format', () => {
  let sandbox: YardiSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('ImportCheck_Login carries the login in the body and the check document as an escaped string', async () => {
    const recording = recordingTransport();
    const payment = seededPayment(sandbox, 1, { notes: SPECIAL });
    const outcome = await withRuntime(runtimeFor(sandbox, {}, { transport: recording.transport }), (runtime) => exportOne(runtime, payment));
    expect(outcome).toMatchObject({ kind: 'synced' });

    const [exchange] = recording.exchanges;
    const request = exchange?.request;
    expect(request?.method).toBe('POST');
    expect(request?.headers?.['content-type']).toBe('text/xml; charset=utf-8');
    expect(request?.headers?.['soapaction']).toBe(`"${SANDBOX_NAMESPACE}/ImportCheck_Login"`);
    const body = request?.body ?? '';
    // The document is text inside the SOAP body: escaped once for itself, once more as a string parameter.
    expect(body).toContain('<CheckDoc>&lt;YsiTran&gt;&lt;Checks&gt;&lt;Check&gt;&lt;PropertyId&gt;tower1&lt;/PropertyId&gt;');
    expect(body).not.toContain('<YsiTran>');
    expect(body).toContain(`<ImportCheck_Login xmlns="${SANDBOX_NAMESPACE}">`);
    expect(body).toContain('Paid &amp;amp; settled &amp;lt;ok&amp;gt;');

    const envelope = reader.parse(body) as { Envelope: { Body: { ImportCheck_Login: Record<string, string> } } };
    const call = envelope.Envelope.Body.ImportCheck_Login;
    expect(Object.keys(call).filter((key) => !key.startsWith('@_'))).toEqual([
      'UserName', 'Password', 'ServerName', 'Database', 'Platform', 'InterfaceEntity', 'InterfaceLicense', 'CheckDoc',
    ]);
    expect(call['InterfaceLicense']).toBe(YARDI_SANDBOX_LOGIN.interfaceLicense);
    const checkDoc = reader.parse(call['CheckDoc'] ?? '') as { YsiTran: { Checks: { Check: Record<string, unknown> } } };
    const check = checkDoc.YsiTran.Checks.Check;
    expect(Object.keys(check)).toEqual([
      'PropertyId', 'PayeeId', 'BankId', 'CheckNumber', 'PaymentDate', 'AmountPaid', 'PaymentMethod', 'PaymentNumber', 'Notes', 'Details',
    ]);
    expect(check['Details']).toEqual({ Detail: { PayableId: '80001', InvoiceNumber: 'INV-1', AmountPaid: '2500.01' } });
    // The sandbox stored the notes character for character.
    expect(sandbox.payments().at(-1)?.memo).toBe(SPECIAL);
  });

  it('the check document keeps its element order whatever order the mapping produced', () => {
    const xml = buildCheckDocument({ Notes: 'n', Details: [{ AmountPaid: '1.00', PayableId: '9' }], PayeeId: 'v1', CustomField: 'x', AmountPaid: '1.00' });
    expect(xml).toBe(
      '<YsiTran><Checks><Check><PayeeId>v1</PayeeId><AmountPaid>1.00</AmountPaid><Notes>n</Notes>' +
        '<CustomField>x</CustomField><Details><Detail><PayableId>9</PayableId><AmountPaid>1.00</AmountPaid></Detail></Details></Check></Checks></YsiTran>',
    );
  });

  it('a value XML cannot carry is refused before any call, naming the field', async () => {
    const payment = seededPayment(sandbox, 2, { notes: 'bell \u0007 character' });
    sandbox.resetStats();
    const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, payment));
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'LL_MAPPING_FAILED' });
    expect(outcome.kind === 'rejected' ? outcome.message : '').toContain('Notes');
    expect(sandbox.stats().requests).toBe(0);
  });

  it('the client refuses an answer that declares a DOCTYPE (no entity can be defined, none fetched)', () => {
    const hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Envelope><Body>&e;</Body></Envelope>';
    expect(() => parseXml(hostile)).toThrow(XmlParseError);
    // Without a DOCTYPE an undeclared entity stays text: nothing expands.
    expect(JSON.stringify(parseXml('<a>&e; &amp;lt;</a>'))).toContain('&e; &lt;');
  });

  it('the sandbox refuses a check document with a DTD, and stores nothing', async () => {
    const config = configFor(sandbox);
    const soap = new YardiSoap(config, recordingTransport().transport, { throttled: () => undefined }, () => new Date());
    const before = sandbox.payments().length;
    const result = await soap.call('ImportCheck_Login', [['CheckDoc', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><YsiTran>&e;</YsiTran>']]);
    expect(JSON.stringify(result)).toContain('DTD is prohibited');
    expect(sandbox.payments().length).toBe(before);
  });

  it('the sandbox refuses an envelope with a DTD with a SOAP Fault', async () => {
    const response = await fetch(configFor(sandbox).url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&e;</soap:Body></soap:Envelope>',
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('DTD is prohibited');
  });

  it('serves its WSDL at ?WSDL', async () => {
    const response = await fetch(`${configFor(sandbox).url}?WSDL`);
    const text = await response.text();
    expect(text).toContain('name="ImportCheck_Login"');
    expect(text).toContain(`soapAction="${SANDBOX_NAMESPACE}/GetCheckInvoice"`);
  });
});
