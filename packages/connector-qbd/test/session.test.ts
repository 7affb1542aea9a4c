import { createConnectorRuntime, parseMapping, type ExportItem, type Payment, type PaymentIssued } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { qbdConnector } from '../src/index.js';
import { startQbdSandbox, type QbdSandbox } from '../src/sandbox/index.js';
import { configFor, fixtures } from './support.js';

/**
 * The Web Connector runs on a schedule (the .qwc's RunEveryNSeconds, 60 s or more): whatever one session
 * leaves undone waits a whole interval. These sandboxes run no scheduled sessions (pollMs 0); each test runs
 * sessions by hand and counts them.
 */
let sandboxes: QbdSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  sandboxes = [];
});

async function manualSandbox(options: { qbxmlMajor?: number } = {}): Promise<QbdSandbox> {
  const sandbox = await startQbdSandbox({ pollMs: 0, processingMs: 5, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs Web Connector sessions until one had work (the connector may still be starting its service). */
async function runOneWorkingSession(sandbox: QbdSandbox): Promise<void> {
  for (let i = 0; i < 100 && sandbox.webConnector().worked === 0; i++) {
    await sandbox.runSession();
    if (sandbox.webConnector().worked === 0) await sleep(20);
  }
  expect(sandbox.webConnector().worked).toBe(1);
}

function payment(sandbox: QbdSandbox, n: number, checkNumber: string | undefined): Payment {
  sandbox.seed({
    vendors: [{ id: fixtures.vendorId(n), name: `Vendor ${n}` }],
    bankAccounts: [{ id: fixtures.bankAccountId(n) }],
    bills: [{ id: fixtures.billId(n), vendorId: fixtures.vendorId(n), number: `INV-${n}`, amountCents: 90_000 }],
  });
  return {
    id: `session-${n}`,
    status: 'funding_complete',
    amountCents: 10_050,
    method: checkNumber === undefined ? 'ach' : 'check',
    fundedOn: '2025-03-14',
    bankId: fixtures.bankAccountId(n),
    ...(checkNumber === undefined ? {} : { checkNumber }),
    vendor: { id: `hv-${n}`, name: `Vendor ${n}`, erpId: fixtures.vendorId(n) },
    invoice: { id: `hi-${n}`, number: `INV-${n}`, amountCents: 90_000, erpId: fixtures.billId(n) },
    project: { id: 'p', number: 'P-1' },
  };
}

const item = (p: Payment): ExportItem => ({ id: p.id, idempotencyKey: `${p.id}.r1`, record: p });

describe('one Web Connector session does all the work queued for it', () => {
  it('exports ACH and check payments (lookup, then add) in ONE session, the ACH one with IsToBePrinted false', async () => {
    const sandbox = await manualSandbox();
    const ach = payment(sandbox, 1, undefined);
    const check = payment(sandbox, 2, '20002');
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, { answerWaitMs: 15_000 }) });
    try {
      const pending = rt.exportPayments([item(ach), item(check)]);
      await runOneWorkingSession(sandbox);
      const outcomes = await pending;
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced']);
      const saved = sandbox.payments();
      expect(saved.find((p) => p.vendorId === fixtures.vendorId(1))?.fields).toMatchObject({ IsToBePrinted: 'false' });
      expect(saved.find((p) => p.vendorId === fixtures.vendorId(1))?.checkNumber).toBeUndefined();
      expect(saved.find((p) => p.vendorId === fixtures.vendorId(2))?.checkNumber).toBe('20002');
      expect(sandbox.webConnector()).toMatchObject({ worked: 1, noOps: 0 });
    } finally {
      await rt.close();
    }
  });

  it('one add QuickBooks cannot parse does not sink the others sharing its message: they go again alone, in the same session', async () => {
    const sandbox = await manualSandbox();
    // A customer keying vendors by name; one vendor's name is longer than the 209 characters FullName holds.
    const override = parseMapping(
      'version: 1\nentities:\n  payment:\n    export:\n      fields:\n        PayeeEntityRef.ListID: null\n        PayeeEntityRef.FullName: { from: vendor.name, required: true }\n',
      'by-name.yaml',
      { override: true },
    );
    const payments = [31, 32, 33, 34].map((n) => payment(sandbox, n, `3${n}00`));
    const long = 'L'.repeat(210);
    sandbox.seed({ vendors: [{ id: fixtures.vendorId(33), name: long }] });
    const named = payments.map((p, index) => (index === 2 ? { ...p, vendor: { ...p.vendor, name: long } } : p));
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, { answerWaitMs: 15_000 }), mappingOverride: override, retry: { maxAttempts: 1 } });
    try {
      const pending = rt.exportPayments(named.map(item));
      await runOneWorkingSession(sandbox);
      const outcomes = await pending;
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced', 'rejected', 'synced']);
      expect(outcomes[2]).toMatchObject({ erp: { code: '0x80040400' } });
      expect(sandbox.payments().map((p) => p.checkNumber).sort()).toEqual(['33100', '33200', '33400']);
    } finally {
      await rt.close();
    }
  });

  it('imports several pages in ONE session although the consumer is slow between pages', async () => {
    const sandbox = await manualSandbox();
    const ids: string[] = [];
    for (let n = 11; n <= 17; n++) {
      payment(sandbox, n, undefined);
      ids.push(sandbox.addPayment({ vendorId: fixtures.vendorId(n), bankAccountId: fixtures.bankAccountId(n), billId: fixtures.billId(n), amountCents: 1_000 + n, date: '2025-04-01', method: 'check', checkNumber: `${n}`, final: true }));
    }
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, { importPageSize: 2 }) });
    try {
      const records: PaymentIssued[] = [];
      const reading = (async () => {
        for await (const page of rt.importPayments()) {
          records.push(...page.records);
          await sleep(150);
        }
      })();
      await runOneWorkingSession(sandbox);
      await reading;
      expect(records.map((record) => record.erpPaymentId)).toEqual(ids);
      expect(sandbox.webConnector().worked).toBe(1);
    } finally {
      await rt.close();
    }
  });

  it('writes qbXML 12.0 for QuickBooks 2013 (every element used exists in 12.0)', async () => {
    const sandbox = await manualSandbox({ qbxmlMajor: 12 });
    const check = payment(sandbox, 21, '21021');
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, { answerWaitMs: 15_000 }) });
    try {
      const pending = rt.exportPayments([item(check)]);
      await runOneWorkingSession(sandbox);
      expect(await pending).toMatchObject([{ kind: 'synced' }]);
    } finally {
      await rt.close();
    }
  });

  it('a check() that gave up takes its CompanyQueryRq back: the next login finds no work', async () => {
    const sandbox = await manualSandbox();
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, { checkWaitMs: 200 }) });
    try {
      await expect(rt.check()).rejects.toMatchObject({ code: 'LL_ERP_TRANSPORT' });
      await sandbox.runSession();
      expect(sandbox.webConnector()).toMatchObject({ worked: 0, lastLog: 'no work' });
    } finally {
      await rt.close();
    }
  });
});
