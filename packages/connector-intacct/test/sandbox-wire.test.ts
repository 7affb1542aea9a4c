import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { loginRequest, paymentFor, parseAnswer, post, seedFor, startSandbox } from './support/intacct-fixtures.js';

/**
 * The sandbox on its own, spoken to over a socket with hand-written request documents (no connector code):
 * it keeps the gateway's answer shapes and rules (erp-reference.md §1.4, §9), so the connector's tests against
 * it mean something.
 */

/** Walks a parsed answer by element names; undefined where a step is missing. */
function at(value: unknown, ...names: string[]): unknown {
  let current = value;
  for (const name of names) current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[name] : undefined;
  return current;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
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

async function send(sandbox: IntacctSandbox, functions: Record<string, unknown>[], options: Parameters<typeof loginRequest>[1] = {}) {
  const answer = await post(sandbox.url, loginRequest(functions, options));
  return { status: answer.status, answer: parseAnswer(answer.body) };
}

const results = (answer: unknown): unknown[] => list(at(answer, 'response', 'operation', 'result'));
const errorsOf = (block: unknown): unknown[] => list(at(block, 'errormessage', 'error'));
const controlErrors = (answer: unknown): unknown[] => list(at(answer, 'response', 'errormessage', 'error'));
const controlStatus = (answer: unknown): unknown => at(answer, 'response', 'control', 'status');

describe('Intacct sandbox, on the wire', () => {
  let sandbox: IntacctSandbox;
  const one = paymentFor(1);
  const two = paymentFor(2);

  beforeAll(async () => {
    sandbox = await startSandbox();
    sandbox.seed(seedFor(one));
    sandbox.seed(seedFor(two));
  });
  afterAll(() => sandbox.close());

  it('a function failure is result/status=failure with errormessage/error (errorno, description2), under HTTP 200', async () => {
    const { status, answer } = await send(sandbox, [createFunction('f1', { vendor: 'V-404', bank: 'BA-1', bill: '7001', amount: '1.00' })]);
    expect(status).toBe(200);
    expect(controlStatus(answer)).toBe('success');
    const [result] = results(answer);
    expect(result).toMatchObject({ status: 'failure', function: 'create', controlid: 'f1' });
    expect(errorsOf(result)[0]).toMatchObject({ errorno: 'BL01001975', description2: expect.stringContaining("VENDORID 'V-404'") });
  });

  it('transaction="true": one failing function rolls back the others, answered aborted with XL03000009', async () => {
    const before = sandbox.billOpenCents('7001');
    const { answer } = await send(
      sandbox,
      [
        createFunction('good', { vendor: 'V-1', bank: 'BA-1', bill: '7001', amount: '10.00', docNumber: 'T-1' }),
        createFunction('bad', { vendor: 'V-2', bank: 'BA-404', bill: '7002', amount: '10.00' }),
      ],
      { transaction: true },
    );
    const [good, bad] = results(answer);
    expect(at(good, 'status')).toBe('aborted');
    expect(errorsOf(good).map((error) => at(error, 'errorno'))).toEqual(['XL03000009']);
    expect(at(bad, 'status')).toBe('failure');
    expect(errorsOf(bad).map((error) => at(error, 'errorno'))).toEqual(['BL01001974', 'XL03000009']);
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'T-1')).toEqual([]);
    expect(sandbox.billOpenCents('7001')).toBe(before);
  });

  it('partial payments reduce the bill; paying more than is open is a failure naming the balance', async () => {
    const open = sandbox.billOpenCents('7002') as number;
    const partial = await send(sandbox, [createFunction('p1', { vendor: 'V-2', bank: 'BA-2', bill: '7002', amount: '100.00', docNumber: 'P-1' })]);
    expect(at(results(partial.answer)[0], 'status')).toBe('success');
    expect(sandbox.billOpenCents('7002')).toBe(open - 10_000);
    const over = await send(sandbox, [createFunction('p2', { vendor: 'V-2', bank: 'BA-2', bill: '7002', amount: '999999.00', docNumber: 'P-2' })]);
    const [result] = results(over.answer);
    expect(at(result, 'status')).toBe('failure');
    expect(at(errorsOf(result)[0], 'description2')).toContain('more than the open balance');
  });

  it('uniqueid=true: a function controlid that completed is refused in its result when sent again, whatever the request controlid', async () => {
    const fn = createFunction('u1', { vendor: 'V-1', bank: 'BA-1', bill: '7001', amount: '1.00', docNumber: 'U-1' });
    const first = await send(sandbox, [fn], { controlId: 'request-a', uniqueId: true });
    expect(at(results(first.answer)[0], 'status')).toBe('success');
    const again = await send(sandbox, [fn], { controlId: 'request-b', uniqueId: true });
    expect(controlStatus(again.answer)).toBe('success');
    const [refused] = results(again.answer);
    expect(refused).toMatchObject({ status: 'failure', function: 'create', controlid: 'u1' });
    expect(errorsOf(refused)[0]).toMatchObject({ errorno: 'XL03000017' });
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'U-1')).toHaveLength(1);
    // uniqueid=false runs it again (here: refused by the check number rule, which proves it ran).
    const unchecked = await send(sandbox, [fn], { controlId: 'request-b', uniqueId: false });
    expect(errorsOf(results(unchecked.answer)[0])[0]).toMatchObject({ errorno: 'BL01001973' });
  });

  it('uniqueid left out is true, as documented: a completed function sent again is refused', async () => {
    const fn = createFunction('u3', { vendor: 'V-2', bank: 'BA-2', bill: '7002', amount: '1.00', docNumber: 'U-3' });
    const withoutUniqueId = (controlId: string): string => loginRequest([fn], { controlId }).replace('<uniqueid>false</uniqueid>', '');
    expect(at(results(parseAnswer((await post(sandbox.url, withoutUniqueId('r-1'))).body))[0], 'status')).toBe('success');
    const again = results(parseAnswer((await post(sandbox.url, withoutUniqueId('r-2'))).body))[0];
    expect(errorsOf(again)[0]).toMatchObject({ errorno: 'XL03000017' });
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'U-3')).toHaveLength(1);
  });

  it('uniqueid=true: a function that failed does not burn its controlid, nor does a request controlid count', async () => {
    const bad = createFunction('u2', { vendor: 'V-1', bank: 'BA-404', bill: '7001', amount: '1.00', docNumber: 'U-2' });
    const failed = await send(sandbox, [bad], { controlId: 'same-request', uniqueId: true });
    expect(at(results(failed.answer)[0], 'status')).toBe('failure');
    const good = createFunction('u2', { vendor: 'V-1', bank: 'BA-1', bill: '7001', amount: '1.00', docNumber: 'U-2' });
    const retried = await send(sandbox, [good], { controlId: 'same-request', uniqueId: true });
    expect(at(results(retried.answer)[0], 'status')).toBe('success');
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'U-2')).toHaveLength(1);
  });

  it("a refused sign-in is HTTP 401 with a bare control block and XMLGW_JPP0002, the SDK fixtures' shape", async () => {
    const answer = await post(
      sandbox.url,
      loginRequest([{ '@_controlid': 'x', getAPISession: '' }]).replace('<password>sandbox-user-password</password>', '<password>wrong</password>'),
    );
    expect(answer.status).toBe(401);
    const parsed = parseAnswer(answer.body);
    expect(at(parsed, 'response', 'control')).toEqual({ status: 'failure' });
    expect(controlErrors(parsed)[0]).toEqual({ errorno: 'XMLGW_JPP0002', description: 'Sign-in information is incorrect. Please check your request.' });
  });

  it('a wrong sender password is a control failure XL03000006; a DOCTYPE is an XML parse error XL03000003', async () => {
    const wrong = await send(sandbox, [{ '@_controlid': 'x', getAPISession: '' }], { senderPassword: 'nope' });
    expect(controlStatus(wrong.answer)).toBe('failure');
    expect(at(controlErrors(wrong.answer)[0], 'errorno')).toBe('XL03000006');
    const doctype = await post(sandbox.url, '<?xml version="1.0"?><!DOCTYPE request [<!ENTITY x "y">]><request>&x;</request>');
    expect(at(controlErrors(parseAnswer(doctype.body))[0], 'errorno')).toBe('XL03000003');
  });

  it('throttle: HTTP 429 with GW-0010 in the control block', async () => {
    sandbox.setFaults({ throttleNext: 1 });
    const throttled = await send(sandbox, [{ '@_controlid': 'x', getAPISession: '' }]);
    expect(throttled.status).toBe(429);
    expect(controlStatus(throttled.answer)).toBe('failure');
    expect(at(controlErrors(throttled.answer)[0], 'errorno')).toBe('GW-0010');
  });

  it('getAPISession names the sandbox itself as the endpoint, on another path than the login URL', async () => {
    const { answer } = await send(sandbox, [{ '@_controlid': 's', getAPISession: '' }]);
    const endpoint = String(at(results(answer)[0], 'data', 'api', 'endpoint'));
    expect(endpoint).toBe(sandbox.sessionEndpoint);
    expect(new URL(endpoint).origin).toBe(new URL(sandbox.url).origin);
    expect(endpoint).not.toBe(sandbox.url);
    expect(String(at(results(answer)[0], 'data', 'api', 'sessionid')).length).toBeGreaterThan(10);
  });

  it('readByQuery pages with a resultId; readMore returns the rest', async () => {
    const firstPage = await send(sandbox, [{ '@_controlid': 'r', readByQuery: { object: 'APPYMT', fields: 'RECORDNO,STATE', query: "STATE = 'Submitted'", pagesize: '1' } }]);
    const data = at(results(firstPage.answer)[0], 'data');
    const total = Number(at(data, '@totalcount'));
    expect(total).toBeGreaterThanOrEqual(2);
    expect(Number(at(data, '@count'))).toBe(1);
    expect(Number(at(data, '@numremaining'))).toBe(total - 1);
    const rest = await send(sandbox, [{ '@_controlid': 'm', readMore: { resultId: at(data, '@resultId') } }]);
    expect(Number(at(results(rest.answer)[0], 'data', '@count'))).toBe(1);
    expect(Number(at(results(rest.answer)[0], 'data', '@numremaining'))).toBe(total - 2);
  });

  it('refuses what Intacct refuses: a DESCRIPTION over 1000 characters, a date that does not exist, an amount with three decimals', async () => {
    const base = createFunction('v', { vendor: 'V-1', bank: 'BA-1', bill: '7001', amount: '1.00' }) as { create: { APPYMT: Record<string, unknown> } };
    const variants: Record<string, unknown>[] = [
      { ...base.create.APPYMT, DESCRIPTION: 'x'.repeat(1001) },
      { ...base.create.APPYMT, PAYMENTDATE: '02/30/2025' },
      { ...base.create.APPYMT, APPYMTDETAILS: { APPYMTDETAIL: [{ RECORDKEY: '7001', TRX_PAYMENTAMOUNT: '1.005' }] } },
    ];
    for (const [index, appymt] of variants.entries()) {
      const { answer } = await send(sandbox, [{ '@_controlid': `v${index}`, create: { APPYMT: appymt } }]);
      expect(at(results(answer)[0], 'status'), JSON.stringify(appymt).slice(0, 80)).toBe('failure');
    }
  });

  it("refuses a control block out of the request DTD's order, or an operation with content before authentication (XL03000003)", async () => {
    const good = loginRequest([{ '@_controlid': 'o', getAPISession: '' }]);
    const swapped = good.replace(/<controlid>raw-test<\/controlid><uniqueid>false<\/uniqueid><dtdversion>3.0<\/dtdversion>/, '<dtdversion>3.0</dtdversion><uniqueid>false</uniqueid><controlid>raw-test</controlid>');
    expect(swapped).not.toBe(good);
    const answer = await post(sandbox.url, swapped);
    expect(at(controlErrors(parseAnswer(answer.body))[0], 'errorno')).toBe('XL03000003');
    const content = good.match(/<content>.*<\/content>/)?.[0] as string;
    const reversed = good.replace(content, '').replace('<authentication>', `${content}<authentication>`);
    expect(at(controlErrors(parseAnswer((await post(sandbox.url, reversed)).body))[0], 'errorno')).toBe('XL03000003');
    expect(at(results(parseAnswer((await post(sandbox.url, good)).body))[0], 'status')).toBe('success');
  });

  it('query refuses a missing select, as Intacct does ("returning all fields is not supported")', async () => {
    const { answer } = await send(sandbox, [{ '@_controlid': 'q', query: { object: 'APPYMT', select: '' } }]);
    const [result] = results(answer);
    expect(at(result, 'status')).toBe('failure');
    expect(at(errorsOf(result)[0], 'description2')).toContain('select');
  });
});
