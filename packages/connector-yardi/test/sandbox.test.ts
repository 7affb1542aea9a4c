import { XMLBuilder } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_NAMESPACE, YARDI_SANDBOX_LOGIN, type YardiSandbox } from '../src/sandbox/index.js';
import { configFor, startSandbox } from './support.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@' });

/** A GetCheckInvoice request, built here (the client's envelope code is not used to test the sandbox). */
function checkInvoiceRequest(password = YARDI_SANDBOX_LOGIN.password): string {
  const login = YARDI_SANDBOX_LOGIN;
  const call = {
    '@xmlns': SANDBOX_NAMESPACE,
    UserName: login.userName,
    Password: password,
    ServerName: login.serverName,
    Database: login.database,
    Platform: 'SQL Server',
    InterfaceEntity: login.interfaceEntity,
    InterfaceLicense: login.interfaceLicense,
    CheckFromDate: '2025-01-01',
    CheckToDate: '2025-01-31',
  };
  const tree = { 'soap:Envelope': { '@xmlns:soap': 'http://schemas.xmlsoap.org/soap/envelope/', 'soap:Body': { GetCheckInvoice: call } } };
  return builder.build(tree) as string;
}

describe('the sandbox on its own', () => {
  let sandbox: YardiSandbox;
  let url: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
    url = configFor(sandbox).url;
  });
  afterAll(() => sandbox.close());

  const post = (body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${SANDBOX_NAMESPACE}/GetCheckInvoice"` }, body });

  it('answers a read with its result document', async () => {
    const response = await post(checkInvoiceRequest());
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<GetCheckInvoiceResult><Checks/></GetCheckInvoiceResult>');
  });

  it('answers a wrong login with a SOAP 1.1 Fault', async () => {
    const response = await post(checkInvoiceRequest('wrong'));
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).toContain('<faultcode>soap:Client</faultcode>');
    expect(text).toContain('Login failed');
  });

  it('throttles with 503, Retry-After and a Fault when asked', async () => {
    sandbox.resetStats();
    sandbox.setFaults({ throttleNext: 1 });
    const response = await post(checkInvoiceRequest());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).toContain('Server Too Busy');
    expect(sandbox.stats()).toMatchObject({ requests: 1, throttled: 1 });
  });

  it('enforceLimits throttles a third call in flight at once; latencyMs holds every answer', async () => {
    sandbox.resetStats();
    // Latency long enough that all three are in flight together even on a busy machine.
    sandbox.setFaults({ enforceLimits: true, latencyMs: 600 });
    try {
      const statuses = await Promise.all([1, 2, 3].map(() => post(checkInvoiceRequest()).then((response) => response.status)));
      expect(statuses.sort()).toEqual([200, 200, 503]);
      expect(sandbox.stats().maxConcurrent).toBe(3);
    } finally {
      sandbox.setFaults({ enforceLimits: false, latencyMs: 0 });
    }
  });

  it('serverErrorRate answers 500 with a server Fault', async () => {
    sandbox.setFaults({ serverErrorRate: 1 });
    try {
      const response = await post(checkInvoiceRequest());
      expect(response.status).toBe(500);
      expect(await response.text()).toContain('<faultcode>soap:Server</faultcode>');
    } finally {
      sandbox.setFaults({ serverErrorRate: 0 });
    }
  });
});
