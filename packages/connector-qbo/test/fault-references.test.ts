import { ErrorCodes, type ConnectorClient, type ConnectorRuntime } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QboSandbox } from '../src/sandbox/index.js';
import { directClient, idsFor, loadItemFor, paymentFor, runtimeFor, seedFor, signal, startSandbox } from './support.js';

/**
 * QuickBooks often answers an unusable reference with its stock 610 text ("Check the fields with accounts,
 * customers, items, vendors or employees") and no element. The connector then asks which reference is missing:
 * only a wrong bank account is something the user can edit.
 */
let sandbox: QboSandbox;
let runtime: ConnectorRuntime;
let client: ConnectorClient;

beforeAll(async () => {
  sandbox = await startSandbox({ faultElements: false });
  runtime = runtimeFor(sandbox);
  client = directClient(sandbox);
});
afterAll(async () => {
  await runtime.close();
  await sandbox.close();
});

/** Seeds payment `n` without the named part. */
function seedWithout(n: number, part: 'vendors' | 'bankAccounts' | 'bills') {
  const payment = paymentFor(n);
  sandbox.seed({ ...seedFor(n, payment.invoice.amountCents), [part]: [] });
  return payment;
}

describe('610 without an element: the connector finds which reference is missing', () => {
  it('an unknown bank account needs an edit of the Bank ID, keeping 610 and its text', async () => {
    const payment = seedWithout(1, 'bankAccounts');
    sandbox.resetStats();
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['bankId'], erp: { code: '610', message: 'Object Not Found' } });
    expect(sandbox.queries().at(-1)).toBe(`select * from Account where Id = '${idsFor(1).bankAccountId}'`);
  });

  it('an unknown vendor is rejected, keeping 610 and its text', async () => {
    const payment = seedWithout(2, 'vendors');
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_REJECTED, erp: { code: '610' } });
    expect((outcome as { message: string }).message).toContain(`no active vendor ${idsFor(2).vendorId}`);
  });

  it('an unknown bill is rejected, keeping 610 and its text', async () => {
    const payment = seedWithout(3, 'bills');
    const [outcome] = await client.payments.exporter!.load([loadItemFor(runtime, payment)], { signal });
    expect(outcome).toMatchObject({ kind: 'rejected', code: ErrorCodes.ERP_REJECTED, erp: { code: '610' } });
    expect((outcome as { message: string }).message).toContain(`payment of bill ${idsFor(3).billId}`);
  });
});
