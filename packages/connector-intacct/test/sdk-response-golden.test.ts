import sdk from '@intacct/intacct-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IntacctError, parseResponse } from '../src/intacct-response.js';
import { recordFields } from '../src/intacct-xml.js';
import type { IntacctSandbox, IntacctSandboxOptions } from '../src/sandbox/index.js';
import { loginRequest, paymentFor, post, seedFor, startSandbox } from './support/intacct-fixtures.js';

/**
 * Every kind of answer the sandbox gives, read by the official SDK's own response classes (`OnlineResponse`,
 * `Result`, `ErrorMessage`, `ResponseException`) and by our parser: both must read the same statuses, control
 * ids, records, paging attributes and errors. The sandbox is spoken to over a socket with hand-written requests.
 */

const { OnlineResponse } = sdk.Xml;
const { ResponseException } = sdk.Exceptions;

type SdkResult = InstanceType<typeof sdk.Xml.Response.Result>;

/** The SDK's ErrorMessage joins each error's parts with spaces: errorno first, then the texts. */
function sdkErrorFor(error: IntacctError): string {
  return [error.errorno, error.description, error.description2, error.correction].filter((part) => part !== undefined).join(' ');
}

function createFunction(controlId: string, fields: { vendor: string; bank: string; bill: string; amount: string; docNumber?: string }): Record<string, unknown> {
  return {
    '@_controlid': controlId,
    create: {
      APPYMT: {
        PAYMENTMETHOD: 'Printed Check',
        FINANCIALENTITY: fields.bank,
        VENDORID: fields.vendor,
        ...(fields.docNumber === undefined ? {} : { DOCNUMBER: fields.docNumber }),
        PAYMENTDATE: '01/31/2025',
        APPYMTDETAILS: { APPYMTDETAIL: [{ RECORDKEY: fields.bill, TRX_PAYMENTAMOUNT: fields.amount }] },
      },
    },
  };
}

/** Both readings of one successful operation, result by result. */
function bothRead(body: string): { ours: ReturnType<typeof parseResponse>; sdk: SdkResult[] } {
  const response = new OnlineResponse(body);
  return { ours: parseResponse(body), sdk: response.results };
}

function expectSameResults(body: string): SdkResult[] {
  const { ours, sdk: theirs } = bothRead(body);
  expect(ours.kind).toBe('operation');
  if (ours.kind !== 'operation') return theirs;
  expect(theirs.map((r) => [r.status, r.functionName, r.controlId])).toEqual(ours.results.map((r) => [r.status, r.functionName, r.controlId]));
  ours.results.forEach((result, index) => {
    const sdkResult = theirs[index] as SdkResult;
    if (result.status === 'success') {
      // Ours leaves an empty element out ("no value"); the SDK keeps it as ''.
      const sdkRecords = (sdkResult.data ?? []).map((record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')));
      expect(sdkRecords, `records of ${result.controlId}`).toEqual((result.data?.records ?? []).map(recordFields));
      if (result.data?.count !== undefined) expect(sdkResult.count).toBe(result.data.count);
      if (result.data?.totalCount !== undefined) expect(sdkResult.totalCount).toBe(result.data.totalCount);
      if (result.data?.numRemaining !== undefined) expect(sdkResult.numRemaining).toBe(result.data.numRemaining);
      if (result.data?.resultId !== undefined) expect(sdkResult.resultId).toBe(result.data.resultId);
    } else {
      expect(sdkResult.errors, `errors of ${result.controlId}`).toEqual(result.errors.map(sdkErrorFor));
    }
  });
  return theirs;
}

/** A refused request: the SDK throws ResponseException; ours reads a control or sign-in failure with the same errors. */
function expectSameRefusal(body: string, kind: 'control-failure' | 'authentication-failure', sdkMessage: string): IntacctError[] {
  const ours = parseResponse(body);
  expect(ours.kind).toBe(kind);
  let thrown: unknown;
  try {
    new OnlineResponse(body);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ResponseException);
  expect((thrown as Error).message).toContain(sdkMessage);
  const errors = ours.kind === 'operation' ? [] : ours.errors;
  expect((thrown as { errors: string[] }).errors).toEqual(errors.map(sdkErrorFor));
  return errors;
}

describe("the sandbox's answers, read by the SDK's response classes and by ours", () => {
  let sandbox: IntacctSandbox;
  const send = async (functions: Record<string, unknown>[], options: Parameters<typeof loginRequest>[1] = {}) => post(sandbox.url, loginRequest(functions, options));

  beforeAll(async () => {
    sandbox = await startSandbox();
    for (const n of [1, 2, 3]) sandbox.seed(seedFor(paymentFor(n)));
  });
  afterAll(() => sandbox.close());

  it('getAPISession: the session id and endpoint', async () => {
    const answer = await send([{ '@_controlid': 's1', getAPISession: '' }]);
    const [result] = expectSameResults(answer.body);
    expect(result?.data?.[0]).toMatchObject({ sessionid: expect.any(String), endpoint: sandbox.sessionEndpoint });
  });

  it('create APPYMT success: the RECORDNO', async () => {
    const answer = await send([createFunction('c1', { vendor: 'V-1', bank: 'BA-1', bill: '7001', amount: '10.00', docNumber: 'G-1' })], {
      uniqueId: true,
    });
    const [result] = expectSameResults(answer.body);
    expect(result?.data?.[0]?.RECORDNO).toMatch(/^\d+$/);
  });

  it('a business failure, a replayed function controlid, and a rolled-back transaction (aborted, XL03000009)', async () => {
    const failure = await send([createFunction('c2', { vendor: 'V-404', bank: 'BA-1', bill: '7001', amount: '1.00' })]);
    expect(expectSameResults(failure.body)[0]?.status).toBe('failure');
    const replay = await send([createFunction('c1', { vendor: 'V-1', bank: 'BA-1', bill: '7001', amount: '10.00', docNumber: 'G-1' })], {
      uniqueId: true,
    });
    expect(expectSameResults(replay.body)[0]?.errors?.[0]).toMatch(/^XL03000017 /);
    const rolledBack = await send(
      [
        createFunction('t1', { vendor: 'V-2', bank: 'BA-2', bill: '7002', amount: '1.00', docNumber: 'G-2' }),
        createFunction('t2', { vendor: 'V-3', bank: 'BA-404', bill: '7003', amount: '1.00' }),
      ],
      { transaction: true },
    );
    expect(expectSameResults(rolledBack.body).map((result) => result.status)).toEqual(['aborted', 'failure']);
  });

  it('query pages: records, count, totalcount, numremaining; readByQuery and readMore: resultId', async () => {
    await send([createFunction('c3', { vendor: 'V-2', bank: 'BA-2', bill: '7002', amount: '2.00', docNumber: 'G-3' })]);
    const page = await send([
      { '@_controlid': 'q1', query: { select: { field: ['RECORDNO', 'STATE', 'WHENCREATED'] }, object: 'APPYMT', pagesize: '1' } },
    ]);
    const [queried] = expectSameResults(page.body);
    expect(queried?.totalCount).toBeGreaterThanOrEqual(1);
    const first = await send([{ '@_controlid': 'r1', readByQuery: { object: 'APPYMTDETAIL', fields: '*', query: '', pagesize: '1' } }]);
    const [read] = expectSameResults(first.body);
    expect(read?.resultId).toMatch(/\S/);
    const more = await send([{ '@_controlid': 'm1', readMore: { resultId: read?.resultId } }]);
    expectSameResults(more.body);
  });

  it("a refused sign-in (HTTP 401, XMLGW_JPP0002, the SDK fixtures' shape): ResponseException with the same error", async () => {
    const answer = await post(
      sandbox.url,
      loginRequest([{ '@_controlid': 'x', getAPISession: '' }]).replace('<password>sandbox-user-password</password>', '<password>wrong</password>'),
    );
    expect(answer.status).toBe(401);
    const [error] = expectSameRefusal(answer.body, 'control-failure', 'Response control status failure');
    expect(error?.errorno).toBe('XMLGW_JPP0002');
  });

  it('a wrong sender password, a throttle (GW-0010) and an XML parse error: control failures', async () => {
    const sender = await send([{ '@_controlid': 'x', getAPISession: '' }], { senderPassword: 'nope' });
    expect(expectSameRefusal(sender.body, 'control-failure', 'Response control status failure')[0]?.errorno).toBe('XL03000006');
    sandbox.setFaults({ throttleNext: 1 });
    const throttled = await send([{ '@_controlid': 'x', getAPISession: '' }]);
    expect(throttled.status).toBe(429);
    expect(expectSameRefusal(throttled.body, 'control-failure', 'Response control status failure')[0]?.errorno).toBe('GW-0010');
    const broken = await post(sandbox.url, '<request><control>');
    expect(expectSameRefusal(broken.body, 'control-failure', 'Response control status failure')[0]?.errorno).toBe('XL03000003');
  });
});

describe('a sandbox that refuses sign-ins under operation/authentication (Intacct FAQ shape)', () => {
  let sandbox: IntacctSandbox;
  const options: IntacctSandboxOptions = { signInRefusal: 'operation' };
  beforeAll(async () => {
    sandbox = await startSandbox(options);
  });
  afterAll(() => sandbox.close());

  it('the SDK throws "Response authentication status failure" with the error ours reads', async () => {
    const answer = await post(
      sandbox.url,
      loginRequest([{ '@_controlid': 'x', getAPISession: '' }]).replace('<password>sandbox-user-password</password>', '<password>wrong</password>'),
    );
    expect(answer.status).toBe(200);
    expect(expectSameRefusal(answer.body, 'authentication-failure', 'Response authentication status failure')[0]?.errorno).toBe('XL03000006');
  });
});
