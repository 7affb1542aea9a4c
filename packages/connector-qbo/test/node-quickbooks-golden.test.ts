import type { ConnectorRuntime } from '@ledgerlink/core';
import nodeQuickBooks, { type QuickBooks as QuickBooksClient } from 'node-quickbooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonFault, readXmlFault } from '../src/qbo-fault.js';
import type { QboSandbox } from '../src/sandbox/index.js';
import { directClient, idsFor, loadItemFor, runtimeFor, seededPayment, signal, startSandbox } from './support.js';

/**
 * node-quickbooks, a client written by others from Intuit's API, driven against the sandbox over a socket: it
 * refreshes a token, creates, reads and queries bill payments and reads the sandbox's faults. The library builds
 * every API URL from the static `QuickBooks.V3_ENDPOINT_BASE_URL` when it is constructed (with the sandbox flag on,
 * unchanged), and refreshes at the static `QuickBooks.TOKEN_URL`: both are pointed at the loopback sandbox here
 * and put back afterwards. What it reads must be what our client reads and wrote.
 */

/** The CommonJS export is the constructor itself; its declarations type it as a named class. */
const QuickBooks = nodeQuickBooks as unknown as typeof QuickBooksClient;

type Callback<T> = (err: unknown, data?: T, res?: { status?: number; data?: unknown }) => void;

interface Answer<T> {
  err: unknown;
  data: T | undefined;
  status: number | undefined;
  body: unknown;
}

/** Calls a node-quickbooks method and keeps all three callback arguments (an error answer's body is in `res`). */
function call<T>(invoke: (callback: Callback<T>) => void): Promise<Answer<T>> {
  return new Promise((resolve) => {
    invoke((err, data, res) => resolve({ err, data: data ?? undefined, status: res?.status, body: res?.data }));
  });
}

interface BillPaymentRecord {
  Id: string;
  TotalAmt: number;
  DocNumber?: string;
  TxnDate?: string;
  VendorRef: { value: string };
  CheckPayment?: { BankAccountRef: { value: string } };
  Line: { Amount: number; LinkedTxn: { TxnId: string; TxnType: string }[] }[];
}

let sandbox: QboSandbox;
let runtime: ConnectorRuntime;
let qbo: QuickBooksClient;
const saved = { endpoint: QuickBooks.V3_ENDPOINT_BASE_URL, token: QuickBooks.TOKEN_URL };

beforeAll(async () => {
  sandbox = await startSandbox();
  runtime = runtimeFor(sandbox);
  QuickBooks.V3_ENDPOINT_BASE_URL = `${sandbox.url}/v3/company/`;
  QuickBooks.TOKEN_URL = sandbox.tokenUrl;
  const { clientId, clientSecret, realmId, refreshToken } = sandbox.app;
  qbo = new QuickBooks(clientId, clientSecret, '', false, realmId, true, false, '75', '2.0', refreshToken);
});
afterAll(async () => {
  QuickBooks.V3_ENDPOINT_BASE_URL = saved.endpoint;
  QuickBooks.TOKEN_URL = saved.token;
  await runtime.close();
  await sandbox.close();
});

describe('node-quickbooks against the QBO sandbox', () => {
  it('is pointed at the loopback sandbox, and refreshes its token there (rotated refresh token)', async () => {
    expect(qbo.endpoint).toBe(`${sandbox.url}/v3/company/`);
    const refreshed = await call<{ access_token: string; refresh_token: string }>((callback) => qbo.refreshAccessToken(callback as never));
    expect(refreshed.err).toBeNull();
    expect(qbo.token).toMatch(/\S/);
    expect(qbo.refreshToken).not.toBe(sandbox.app.refreshToken);
    expect(sandbox.tokenRequests()).toBeGreaterThanOrEqual(1);
  });

  it('creates a bill payment with a requestid; the same requestid replays the same payment, written once', async () => {
    const ids = idsFor(1);
    seededPayment(sandbox, 1);
    const body = () => ({
      VendorRef: { value: ids.vendorId },
      PayType: 'Check',
      CheckPayment: { BankAccountRef: { value: ids.bankAccountId }, PrintStatus: 'NotSet' },
      TotalAmt: 1234.5,
      TxnDate: '2025-05-02',
      DocNumber: 'NQB-1',
      Line: [{ Amount: 1234.5, LinkedTxn: [{ TxnId: ids.billId, TxnType: 'Bill' }] }],
      requestId: 'node-quickbooks-1',
    });
    const created = await call<BillPaymentRecord>((callback) => qbo.createBillPayment(body() as never, callback as never));
    expect(created.err).toBeNull();
    expect(created.data).toMatchObject({ TotalAmt: 1234.5, DocNumber: 'NQB-1', VendorRef: { value: ids.vendorId } });
    const again = await call<BillPaymentRecord>((callback) => qbo.createBillPayment(body() as never, callback as never));
    expect(again.data?.Id).toBe(created.data?.Id);
    expect(sandbox.payments().filter((payment) => payment.checkNumber === 'NQB-1')).toHaveLength(1);
  });

  it('reads back, by GET /billpayment/{id}, the payment our connector exported, with the amounts our client sent', async () => {
    const payment = seededPayment(sandbox, 2, { amountCents: 100_010 });
    const [outcome] = await directClient(sandbox).payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toMatchObject({ kind: 'synced' });
    const erpId = (outcome as { erpId: string }).erpId;
    const read = await call<BillPaymentRecord>((callback) => qbo.getBillPayment(erpId, callback as never));
    expect(read.err).toBeNull();
    expect(read.data).toMatchObject({
      Id: erpId,
      TotalAmt: 1000.1,
      DocNumber: payment.checkNumber,
      TxnDate: payment.fundedOn,
      VendorRef: { value: idsFor(2).vendorId },
      CheckPayment: { BankAccountRef: { value: idsFor(2).bankAccountId } },
      Line: [{ Amount: 1000.1, LinkedTxn: [{ TxnId: idsFor(2).billId, TxnType: 'Bill' }] }],
    });
  });

  it('queries bill payments (its own select … where … startposition … maxresults statement) and finds what the sandbox holds', async () => {
    const byNumber = await call<{ QueryResponse: { BillPayment?: BillPaymentRecord[] } }>((callback) =>
      qbo.findBillPayments({ DocNumber: 'NQB-1' }, callback as never),
    );
    expect(byNumber.err).toBeNull();
    expect(byNumber.data?.QueryResponse.BillPayment?.map((row) => row.DocNumber)).toEqual(['NQB-1']);
    const all = await call<{ QueryResponse: { BillPayment?: BillPaymentRecord[] } }>((callback) =>
      qbo.findBillPayments([{ field: 'TxnDate', value: '2025-05-02', operator: '=' }, { field: 'fetchAll', value: true }], callback as never),
    );
    expect(all.err).toBeNull();
    expect(all.data?.QueryResponse.BillPayment?.map((row) => row.Id).sort()).toEqual(sandbox.payments().map((payment) => payment.erpId).sort());
  });

  it("reads an unknown id's 610 Fault, and a create's 610 on VendorRef, as Intuit's Fault envelope that our client reads the same way", async () => {
    const unknown = await call<BillPaymentRecord>((callback) => qbo.getBillPayment('999999', callback as never));
    expect(unknown.status).toBe(400);
    const fault = (unknown.body as { Fault: { type: string; Error: { code: string; Message: string }[] } }).Fault;
    expect(fault).toMatchObject({ type: 'ValidationFault', Error: [{ code: '610', Message: 'Object Not Found' }] });
    expect(readJsonFault(JSON.stringify(unknown.body))?.errors[0]).toMatchObject({ code: '610', message: 'Object Not Found' });

    const refused = await call<BillPaymentRecord>((callback) =>
      qbo.createBillPayment(
        {
          VendorRef: { value: '404404' },
          PayType: 'Check',
          CheckPayment: { BankAccountRef: { value: idsFor(1).bankAccountId } },
          TotalAmt: 1,
          Line: [{ Amount: 1, LinkedTxn: [{ TxnId: idsFor(1).billId, TxnType: 'Bill' }] }],
        } as never,
        callback as never,
      ),
    );
    expect(refused.status).toBe(400);
    const error = (refused.body as { Fault: { Error: { code: string; element: string }[] } }).Fault.Error[0];
    expect(error).toMatchObject({ code: '610', element: 'VendorRef' });
    expect(readJsonFault(JSON.stringify(refused.body))?.errors[0]).toMatchObject({ code: '610', element: 'VendorRef' });
  });

  it('is refused what QuickBooks refuses: a TxnDate that does not exist, three decimals, a Ref No. over 21 characters', async () => {
    const ids = idsFor(1);
    const base = {
      VendorRef: { value: ids.vendorId },
      PayType: 'Check',
      CheckPayment: { BankAccountRef: { value: ids.bankAccountId } },
      TotalAmt: 1,
      Line: [{ Amount: 1, LinkedTxn: [{ TxnId: ids.billId, TxnType: 'Bill' }] }],
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, TxnDate: '2025-02-30' }, 'TxnDate'],
      [{ ...base, TotalAmt: 10.555, Line: [{ ...base.Line[0], Amount: 10.555 }] }, 'TotalAmt'],
      [{ ...base, DocNumber: 'R'.repeat(22) }, 'DocNumber'],
    ];
    for (const [body, element] of cases) {
      const refused = await call<BillPaymentRecord>((callback) => qbo.createBillPayment(body as never, callback as never));
      expect(refused.status, element).toBe(400);
      expect((refused.body as { Fault: { Error: { element?: string }[] } }).Fault.Error[0]?.element).toBe(element);
    }
  });

  it('reads the 401 of an expired token (lower-case fault) and the XML body of a 429', async () => {
    sandbox.expireAccessTokens();
    const expired = await call<BillPaymentRecord>((callback) => qbo.getBillPayment('1001', callback as never));
    expect(expired.status).toBe(401);
    expect((expired.body as { fault: { error: { code: string }[] } }).fault.error[0]?.code).toBe('3200');
    expect(readJsonFault(JSON.stringify(expired.body))?.errors[0]?.code).toBe('3200');

    await call((callback) => qbo.refreshAccessToken(callback as never));
    sandbox.setFaults({ throttleNext: 1 });
    const throttled = await call<BillPaymentRecord>((callback) => qbo.getBillPayment('1001', callback as never));
    expect(throttled.status).toBe(429);
    expect(typeof throttled.body).toBe('string');
    expect(readXmlFault(throttled.body as string)?.errors[0]).toMatchObject({ code: '3001' });
    const after = await call<BillPaymentRecord>((callback) => qbo.getBillPayment(sandbox.payments()[0]?.erpId ?? '', callback as never));
    expect(after.err).toBeNull();
  });
});
