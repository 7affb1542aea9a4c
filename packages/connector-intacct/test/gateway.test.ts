import { ErrorCodes, type Outcome } from '@ledgerlink/core';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { intacctConnector } from '../src/index.js';
import type { IntacctSandbox } from '../src/sandbox/index.js';
import { itemFor, paymentFor, requestsWith, runtimeFor, seedFor, startSandbox } from './support/intacct-fixtures.js';

/**
 * How the connector talks to the gateway, proven against the sandbox over a socket: the API session and the
 * endpoint it names, control ids with uniqueid for idempotency, GW-0010 as throttling, the default concurrency,
 * and the fault knobs (5xx, latency).
 */

const reader = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
const control = (body: string): Record<string, string> => (reader.parse(body) as { request: { control: Record<string, string> } }).request.control;

let sandbox: IntacctSandbox;
afterEach(() => sandbox.close());

async function exportOne(n: number, options: Parameters<typeof runtimeFor>[1] = {}, revision = 1): Promise<Outcome> {
  const payment = paymentFor(n);
  sandbox.seed(seedFor(payment));
  const runtime = runtimeFor(sandbox, options);
  try {
    const [outcome] = await runtime.exportPayments([itemFor(payment, revision)]);
    return outcome as Outcome;
  } finally {
    await runtime.close();
  }
}

describe('the API session', () => {
  it('signs in with getAPISession at the configured URL, then sends to the endpoint the session named', async () => {
    sandbox = await startSandbox();
    expect(await exportOne(1)).toMatchObject({ kind: 'synced' });
    const log = sandbox.requestLog();
    const signIn = log.filter((request) => request.body.includes('<getAPISession'));
    const creates = log.filter((request) => request.body.includes('<create>'));
    expect(signIn.map((request) => request.path)).toEqual([new URL(sandbox.url).pathname]);
    expect(creates.map((request) => request.path)).toEqual([new URL(sandbox.sessionEndpoint).pathname]);
    expect(creates[0]?.body).toContain('<sessionid>');
    expect(creates[0]?.body).not.toContain('<login>');
  });

  it('an expired session is refused; the connector signs in once more and the payment still lands once', async () => {
    sandbox = await startSandbox();
    const payment = paymentFor(2);
    const other = paymentFor(3);
    sandbox.seed(seedFor(payment));
    sandbox.seed(seedFor(other));
    const runtime = runtimeFor(sandbox);
    try {
      expect((await runtime.exportPayments([itemFor(payment)]))[0]).toMatchObject({ kind: 'synced' });
      sandbox.expireSessions();
      expect((await runtime.exportPayments([itemFor(other)]))[0]).toMatchObject({ kind: 'synced' });
    } finally {
      await runtime.close();
    }
    expect(requestsWith(sandbox, '<getAPISession')).toHaveLength(2);
    expect(sandbox.payments().filter((p) => p.vendorId === 'V-3')).toHaveLength(1);
  });

  it("a refused sign-in in the SDK fixtures' shape (HTTP 401, control-level XMLGW_JPP0002) is LL_ERP_AUTH naming the credential settings, for check() and for each export", async () => {
    sandbox = await startSandbox();
    const payment = paymentFor(8);
    sandbox.seed(seedFor(payment));
    const runtime = runtimeFor(sandbox, { config: { userPassword: 'Hunter2-user' }, retry: { maxAttempts: 1 } });
    try {
      const error = (await runtime.check().then(
        () => undefined,
        (thrown: unknown) => thrown,
      )) as { code?: string; message?: string };
      expect(error?.code).toBe(ErrorCodes.ERP_AUTH);
      expect(error?.message).toContain('XMLGW_JPP0002');
      for (const setting of ['companyId', 'userId', 'userPassword']) expect(error?.message).toContain(setting);
      expect(error?.message).not.toContain('Hunter2-user');
      const [outcome] = await runtime.exportPayments([itemFor(payment)]);
      expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_AUTH, erp: { code: 'XMLGW_JPP0002', httpStatus: 401 } });
      expect((outcome as { message: string }).message).toContain('userPassword');
      expect((outcome as { message: string }).message).not.toContain('support');
    } finally {
      await runtime.close();
    }
    expect(sandbox.requestLog().map((request) => request.status)).toContain(401);
  });

  it('a stale session answered with HTTP 401 / XMLGW_JPP0002 signs in again and the payment lands once', async () => {
    sandbox = await startSandbox({ signInRefusal: 'http-401' });
    const first = paymentFor(9);
    const second = paymentFor(10);
    sandbox.seed(seedFor(first));
    sandbox.seed(seedFor(second));
    const runtime = runtimeFor(sandbox);
    try {
      expect((await runtime.exportPayments([itemFor(first)]))[0]).toMatchObject({ kind: 'synced' });
      sandbox.expireSessions();
      expect((await runtime.exportPayments([itemFor(second)]))[0]).toMatchObject({ kind: 'synced' });
    } finally {
      await runtime.close();
    }
    const statuses = sandbox.requestLog().map((request) => request.status);
    expect(statuses).toContain(401);
    expect(requestsWith(sandbox, '<getAPISession')).toHaveLength(2);
    expect(sandbox.payments().filter((p) => p.vendorId === 'V-10')).toHaveLength(1);
  });

  it('a wrong sender password fails the connection check with LL_ERP_AUTH naming the sender, never the secret', async () => {
    sandbox = await startSandbox();
    const runtime = runtimeFor(sandbox, { config: { senderPassword: 'Hunter2-sender' } });
    try {
      const error = (await runtime.check().then(
        () => undefined,
        (thrown: unknown) => thrown,
      )) as { code?: string; message?: string; details?: { erp?: { code?: string } } };
      expect(error?.code).toBe(ErrorCodes.ERP_AUTH);
      expect(error?.message).toContain('senderPassword');
      expect(error?.message).not.toContain('Hunter2-sender');
      expect(error?.details?.erp?.code).toBe('XL03000006');
    } finally {
      await runtime.close();
    }
  });
});

describe('idempotency: controlid from the ledger key, uniqueid=true', () => {
  it('a create carries controlid ledgerlink-<key> and uniqueid true; sign-in and queries do not ask for uniqueness', async () => {
    sandbox = await startSandbox();
    expect(await exportOne(4)).toMatchObject({ kind: 'synced' });
    const [create] = requestsWith(sandbox, '<create>');
    expect(control(create as string)).toMatchObject({ controlid: 'ledgerlink-hub-pay-4.r1', uniqueid: 'true', dtdversion: '3.0' });
    expect(control(requestsWith(sandbox, '<getAPISession')[0] as string).uniqueid).toBe('false');
  });

  it('after commit-then-drop, the resend with the same control id is refused by Intacct and the payment is looked up, not posted again', async () => {
    sandbox = await startSandbox({ faults: { commitThenDrop: 1 } });
    const outcome = await exportOne(5);
    const [stored] = sandbox.payments();
    expect(outcome).toEqual({ kind: 'synced', erpId: stored?.erpId, replayed: true });
    expect(sandbox.payments()).toHaveLength(1);
    const creates = sandbox.requestLog().filter((request) => request.body.includes('<create>'));
    expect(creates.map((request) => request.status)).toEqual(['dropped', 200]);
    expect(creates.map((request) => control(request.body).controlid)).toEqual(['ledgerlink-hub-pay-5.r1', 'ledgerlink-hub-pay-5.r1']);
    // The lookup by natural key that settled it: vendor, checking account and check number.
    const lookup = requestsWith(sandbox, '<object>APPYMT</object>').find((body) => body.includes('<field>DOCNUMBER</field>'));
    expect(lookup).toContain('<value>20005</value>');
  });

  it('the resend after commit-then-drop is refused on its function controlid; a replay is recognised by what Intacct holds, not by an errorno or the words "control id"', async () => {
    sandbox = await startSandbox({ faults: { commitThenDrop: 1 }, errorCodes: { controlIdUsed: 'ZZ00000001' } });
    const outcome = await exportOne(51);
    const [stored] = sandbox.payments();
    expect(outcome).toEqual({ kind: 'synced', erpId: stored?.erpId, replayed: true });
    expect(sandbox.payments()).toHaveLength(1);
    const resend = sandbox.requestLog().filter((request) => request.body.includes('<create>'))[1];
    expect(resend?.status).toBe(200);
  });

  it('a create that failed does not burn its function controlid: once the cause is fixed, the same attempt goes through', async () => {
    sandbox = await startSandbox();
    const payment = paymentFor(52);
    sandbox.seed({ ...seedFor(payment), bankAccounts: [] });
    const runtime = runtimeFor(sandbox);
    try {
      expect((await runtime.exportPayments([itemFor(payment)]))[0]).toMatchObject({ kind: 'needs-edit', fields: ['bankId'] });
      sandbox.seed({ bankAccounts: [{ id: payment.bankId }] });
      expect((await runtime.exportPayments([itemFor(payment)]))[0]).toMatchObject({ kind: 'synced' });
    } finally {
      await runtime.close();
    }
    expect(sandbox.payments().filter((p) => p.vendorId === 'V-52')).toHaveLength(1);
  });

  it('a refusal that only looks like a business error (the bill already paid by the lost attempt) is settled as the replay it is', async () => {
    sandbox = await startSandbox({ faults: { commitThenDrop: 1 } });
    const payment = paymentFor(53, { amountCents: 50_000, checkNumber: undefined, method: 'ach' });
    sandbox.seed(seedFor(payment));
    // A resend under another function controlid (as after a lost ledger write): uniqueid cannot catch it, the
    // bill's balance refuses it, and the lookup by vendor, account, date, bill and amount finds the payment.
    const runtime = runtimeFor(sandbox, { retry: { maxAttempts: 1 } });
    try {
      expect((await runtime.exportPayments([itemFor(payment, 1)]))[0]).toMatchObject({ kind: 'retryable' });
      expect((await runtime.exportPayments([itemFor(payment, 2)]))[0]).toMatchObject({ kind: 'synced', replayed: true });
    } finally {
      await runtime.close();
    }
    expect(sandbox.payments().filter((p) => p.vendorId === 'V-53')).toHaveLength(1);
  });

  it('an edited record (revision 2) is a new request with a new control id', async () => {
    sandbox = await startSandbox();
    expect(await exportOne(6, {}, 2)).toMatchObject({ kind: 'synced' });
    expect(control(requestsWith(sandbox, '<create>')[0] as string).controlid).toBe('ledgerlink-hub-pay-6.r2');
  });
});

describe('throttling and limits', () => {
  it('GW-0010 is throttling even inside an HTTP 200: the lane pauses as a whole, then the export syncs once', async () => {
    sandbox = await startSandbox({ throttleHttpStatus: 200 });
    const payment = paymentFor(7);
    sandbox.seed(seedFor(payment));
    sandbox.setFaults({ throttleNext: 1 });
    const runtime = runtimeFor(sandbox);
    try {
      const [outcome] = await runtime.exportPayments([itemFor(payment)]);
      expect(outcome).toMatchObject({ kind: 'synced' });
      expect(runtime.laneStats().throttlePauses).toBeGreaterThanOrEqual(1);
    } finally {
      await runtime.close();
    }
    expect(sandbox.stats().throttled).toBe(1);
    expect(sandbox.requestLog()[0]?.status).toBe(200);
    expect(sandbox.payments()).toHaveLength(1);
  });

  it('the declared concurrency is 2, and a burst at the default limits is never throttled by a sandbox enforcing them', async () => {
    expect(intacctConnector.capabilities.rateLimit.concurrency).toBe(2);
    sandbox = await startSandbox({ faults: { enforceLimits: true, latencyMs: 20 } });
    const payments = [11, 12, 13, 14, 15, 16].map((n) => paymentFor(n));
    for (const payment of payments) sandbox.seed(seedFor(payment));
    const runtime = runtimeFor(sandbox);
    try {
      const outcomes = await runtime.exportPayments(payments.map((payment) => itemFor(payment)));
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(payments.map(() => 'synced'));
    } finally {
      await runtime.close();
    }
    expect(sandbox.stats().throttled).toBe(0);
    expect(sandbox.stats().maxConcurrent).toBeLessThanOrEqual(2);
  });

  it('a lane allowed above the limits meets GW-0010 from the enforcing sandbox, backs off, and every payment lands once', async () => {
    sandbox = await startSandbox({ faults: { enforceLimits: true, latencyMs: 150 } });
    const payments = [21, 22, 23].map((n) => paymentFor(n));
    for (const payment of payments) sandbox.seed(seedFor(payment));
    const runtime = runtimeFor(sandbox, {
      rateLimit: { concurrency: 3, allowAboveDeclared: true },
      retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 40 },
    });
    try {
      const outcomes = await runtime.exportPayments(payments.map((payment) => itemFor(payment)));
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(payments.map(() => 'synced'));
    } finally {
      await runtime.close();
    }
    expect(sandbox.stats().throttled).toBeGreaterThan(0);
    for (const payment of payments) expect(sandbox.payments().filter((p) => p.vendorId === payment.vendor.erpId)).toHaveLength(1);
  });
});

describe('fault knobs', () => {
  it('serverErrorRate: a 5xx is retryable with the outcome unknown, keeping the status; nothing was written', async () => {
    sandbox = await startSandbox({ faults: { serverErrorRate: 1 } });
    const outcome = await exportOne(31, { retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ kind: 'retryable', reason: 'server', committed: 'unknown', erp: { httpStatus: 503 } });
    expect(sandbox.payments()).toEqual([]);
  });

  it('latencyMs: an answer slower than the call timeout is a timeout, retryable, outcome unknown', async () => {
    sandbox = await startSandbox({ faults: { latencyMs: 1_000 } });
    const outcome = await exportOne(32, { timeoutMs: 150, retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ kind: 'retryable', reason: 'timeout', committed: 'unknown' });
  });
});

describe('business errors: result/status=failure with errormessage', () => {
  it("a rule refused under an errorno the connector does not know is still recognised by the field its text names, and Intacct's words are kept", async () => {
    sandbox = await startSandbox();
    sandbox.setErrorCodes({ duplicateDocNumber: 'BL99000001', unknownBankAccount: 'BL99000002' });
    expect(await exportOne(41)).toMatchObject({ kind: 'synced' });
    const again = paymentFor(42, { bankId: 'BA-41', checkNumber: '20041' });
    sandbox.seed(seedFor(again));
    const runtime = runtimeFor(sandbox);
    try {
      const [duplicate] = await runtime.exportPayments([itemFor(again)]);
      expect(duplicate).toMatchObject({
        kind: 'needs-edit',
        fields: ['checkNumber'],
        erp: { code: 'BL99000001', message: "Document number (DOCNUMBER) '20041' is already used on checking account 'BA-41'." },
      });
      const [unknownBank] = await runtime.exportPayments([itemFor(paymentFor(42, { bankId: 'BA-404' }), 2)]);
      expect(unknownBank).toMatchObject({ kind: 'needs-edit', fields: ['bankId'], erp: { code: 'BL99000002' } });
      expect((unknownBank as { erp?: { detail?: string } }).erp?.detail).toContain('correction: Use the ID of an existing checking account.');
    } finally {
      await runtime.close();
    }
  });
});
