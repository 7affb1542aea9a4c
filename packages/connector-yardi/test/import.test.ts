import { isLedgerlinkError, type ConnectorRuntime, type PaymentIssued } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRecords } from '../src/check-records.js';
import { decodeCursor } from '../src/index.js';
import type { YardiSandbox } from '../src/sandbox/index.js';
import { idsFor, recordingTransport, runtimeFor, seedFor, startSandbox, withRuntime } from './support.js';

async function readAll(runtime: ConnectorRuntime, cursor?: string): Promise<{ records: PaymentIssued[]; cursors: string[] }> {
  const records: PaymentIssued[] = [];
  const cursors: string[] = [];
  for await (const page of runtime.importPayments(cursor === undefined ? {} : { cursor })) {
    expect(page.errors).toEqual([]);
    records.push(...page.records);
    cursors.push(page.cursor);
  }
  return { records, cursors };
}

describe('import: posted checks over date windows', () => {
  let sandbox: YardiSandbox;
  const ids: Record<string, string> = {};
  const now = () => new Date('2025-04-15T12:00:00Z');

  beforeAll(async () => {
    sandbox = await startSandbox();
    sandbox.seed(seedFor(1, 10_000_000));
    const { payeeId, bankId, payableId } = idsFor(1);
    const add = (date: string, checkNumber: string, final = true) =>
      (ids[`${date}/${checkNumber}`] = sandbox.addPayment({ vendorId: payeeId, bankAccountId: bankId, billId: payableId, amountCents: 1_000, date, method: 'ach', checkNumber, final }));
    add('2025-01-01', '1');
    add('2025-01-30', '2'); // last day of the first 30-day window
    add('2025-01-31', '3'); // first day of the second
    add('2025-03-28', '4');
    add('2025-03-29', '5', false); // unposted
    add('2025-04-15', '6'); // today
    add('2025-04-16', '7'); // after today: not yet read
  });
  afterAll(() => sandbox.close());

  it('reads window after window up to today, each check once, posted only', async () => {
    const recording = recordingTransport();
    const { records, cursors } = await withRuntime(
      runtimeFor(sandbox, { importStartDate: '2025-01-01', importWindowDays: 30 }, { now, transport: recording.transport }),
      (runtime) => readAll(runtime),
    );
    expect(records.map((record) => record.checkNumber)).toEqual(['1', '2', '3', '4', '6']);
    expect(records.every((record) => record.method === 'ach' && record.erpStatus === 'Posted')).toBe(true);
    expect(cursors).toEqual(['2025-01-30', '2025-03-01', '2025-03-31', '2025-04-15'].map((through) => JSON.stringify({ through })));
    const windows = recording.exchanges.map((exchange) => /<CheckFromDate>([\d-]+)<\/CheckFromDate><CheckToDate>([\d-]+)</.exec(exchange.request.body ?? '')?.slice(1));
    // Yardi keeps no session: every call carries the login and the interface licence.
    for (const exchange of recording.exchanges) expect(exchange.request.body).toMatch(/<UserName>.+<Password>.+<InterfaceEntity>.+<InterfaceLicense>.+<\/InterfaceLicense>/);
    expect(windows).toEqual([
      ['2025-01-01', '2025-01-30'],
      ['2025-01-31', '2025-03-01'],
      ['2025-03-02', '2025-03-31'],
      ['2025-04-01', '2025-04-15'],
    ]);
  });

  it('resumes from a cursor, reading the lookback again', async () => {
    const { records } = await withRuntime(runtimeFor(sandbox, { importLookbackDays: 7 }, { now }), (runtime) =>
      readAll(runtime, JSON.stringify({ through: '2025-04-03' })),
    );
    // From 2025-03-28 (the cursor less 7 days, plus one): check 4 again, never check 1-3.
    expect(records.map((record) => record.checkNumber)).toEqual(['4', '6']);
  });

  it('a bare date is a cursor too; anything else is refused with what to do', async () => {
    expect(decodeCursor('2025-04-01')).toEqual({ through: '2025-04-01' });
    const runtime = runtimeFor(sandbox, {}, { now });
    let error: unknown;
    try {
      await withRuntime(runtime, (r) => readAll(r, 'page-2'));
    } catch (caught) {
      error = caught;
    }
    expect(isLedgerlinkError(error) && error.code).toBe('LL_CONNECTOR_CONFIG_INVALID');
    expect((error as Error).message).toContain('clear it to import from importStartDate');
  });

  it('a check paying several payables is one record per payable, each with its own key', () => {
    const records = importRecords({
      fields: { CheckId: '700010', CheckNumber: '55', AmountPaid: '30.00', Status: 'Posted' },
      details: [
        { PayableId: '1', InvoiceNumber: 'A', AmountPaid: '10.00' },
        { PayableId: '2', InvoiceNumber: 'B', AmountPaid: '20.00' },
      ],
    });
    expect(records).toEqual([
      { CheckId: '700010:1', CheckNumber: '55', AmountPaid: '10.00', Status: 'Posted', PayableId: '1', InvoiceNumber: 'A' },
      { CheckId: '700010:2', CheckNumber: '55', AmountPaid: '20.00', Status: 'Posted', PayableId: '2', InvoiceNumber: 'B' },
    ]);
  });
});

describe('import: a refused read is an error, never an empty page', () => {
  it("Yardi's error messages on GetCheckInvoice are thrown with its text", async () => {
    const sandbox = await startSandbox();
    try {
      // 2025-02-30 is no date: the sandbox refuses the window with an error message.
      const runtime = runtimeFor(sandbox, { importStartDate: '2025-02-30' }, { now: () => new Date('2025-03-10T00:00:00Z') });
      let error: unknown;
      try {
        await withRuntime(runtime, (r) => readAll(r));
      } catch (caught) {
        error = caught;
      }
      expect(isLedgerlinkError(error) && error.code).toBe('LL_ERP_REJECTED');
      expect((error as Error).message).toContain("CheckFromDate '2025-02-30' is not a valid date.");
    } finally {
      await sandbox.close();
    }
  });
});
