import type { ConnectorRuntime, PaymentIssued } from '@ledgerlink/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QboSandbox } from '../src/sandbox/index.js';
import { idsFor, runtimeFor, seededPayment, startSandbox } from './support.js';

let sandbox: QboSandbox | undefined;
let runtime: ConnectorRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  await sandbox?.close();
  runtime = undefined;
  sandbox = undefined;
});

/** A sandbox whose clock the test moves, with payments made in QuickBooks directly. */
async function companyWithClock(): Promise<{ sandbox: QboSandbox; clock: { time: number }; add: (n: number, final?: boolean) => string }> {
  const clock = { time: Date.parse('2025-08-01T16:00:00Z') };
  const started = await startSandbox({ now: () => new Date(clock.time) });
  const add = (n: number, final = true): string => {
    const payment = seededPayment(started, n);
    return started.addPayment({ ...idsFor(n), amountCents: payment.amountCents, date: '2025-08-01', method: 'check', checkNumber: `C${n}`, final });
  };
  return { sandbox: started, clock, add };
}

async function importFrom(from: ConnectorRuntime, cursor?: string): Promise<{ ids: string[]; pages: number; cursor: string | undefined }> {
  const ids: string[] = [];
  let pages = 0;
  let last = cursor;
  for await (const page of from.importPayments(cursor === undefined ? {} : { cursor })) {
    expect(page.errors).toEqual([]);
    ids.push(...page.records.map((record: PaymentIssued) => record.erpPaymentId));
    pages += 1;
    last = page.cursor;
  }
  return { ids, pages, cursor: last };
}

describe('import: bill payments by query, STARTPOSITION/MAXRESULTS paging', () => {
  it('reads page after page while a page is full, each payment once', async () => {
    const company = await companyWithClock();
    sandbox = company.sandbox;
    const made: string[] = [];
    for (let n = 1; n <= 5; n++) {
      made.push(company.add(n));
      company.clock.time += 1_000;
    }
    runtime = runtimeFor(sandbox, { importPageSize: 2 });
    const { ids, pages } = await importFrom(runtime);
    expect(ids).toEqual(made);
    expect(pages).toBeGreaterThan(1);
    expect(sandbox.queries()[0]).toBe('select * from BillPayment ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 2');
    expect(sandbox.queries()[1]).toBe(
      "select * from BillPayment where MetaData.LastUpdatedTime >= '2025-08-01T08:00:01-08:00' ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 2",
    );
  });

  it('payments that share one LastUpdatedTime across page boundaries are neither lost nor repeated', async () => {
    const company = await companyWithClock();
    sandbox = company.sandbox;
    const made = [1, 2, 3, 4, 5].map((n) => company.add(n));
    runtime = runtimeFor(sandbox, { importPageSize: 2 });
    const { ids } = await importFrom(runtime);
    expect(ids).toEqual(made);
  });

  it('resumes from its cursor: only what changed since comes back, including ties with the last time seen', async () => {
    const company = await companyWithClock();
    sandbox = company.sandbox;
    const before = [1, 2, 3].map((n) => company.add(n));
    runtime = runtimeFor(sandbox, { importPageSize: 2 });
    const first = await importFrom(runtime);
    expect(first.ids).toEqual(before);

    const sameSecond = company.add(4);
    company.clock.time += 5_000;
    const later = company.add(5);
    const second = await importFrom(runtime, first.cursor);
    expect(second.ids).toEqual([sameSecond, later]);

    const third = await importFrom(runtime, second.cursor);
    expect(third.ids).toEqual([]);
  });

  it('a check still queued to print is not a payment issued yet; it comes once printed (final)', async () => {
    const company = await companyWithClock();
    sandbox = company.sandbox;
    const issued = company.add(1, true);
    const queued = company.add(2, false);
    runtime = runtimeFor(sandbox);
    const { ids } = await importFrom(runtime);
    expect(ids).toEqual([issued]);
    expect(sandbox.payments().find((payment) => payment.erpId === queued)?.status).toBe('NeedToPrint');
  });

  it('accepts a bare timestamp as the cursor, so an operator can start from a time', async () => {
    const company = await companyWithClock();
    sandbox = company.sandbox;
    company.add(1);
    company.clock.time += 60_000;
    const recent = company.add(2);
    runtime = runtimeFor(sandbox);
    const { ids } = await importFrom(runtime, '2025-08-01T08:00:30-08:00');
    expect(ids).toEqual([recent]);
  });

  it('parses each query answer once (a page is up to a thousand payments: a second parse doubled its garbage)', async () => {
    const company = await companyWithClock();
    sandbox = company.sandbox;
    for (let n = 1; n <= 5; n++) company.add(n);
    runtime = runtimeFor(sandbox, { importPageSize: 2 });
    const queriesBefore = sandbox.queries().length;
    // JSON.parse itself, watched and called through: which texts it was given while the import read its pages.
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const { ids, pages } = await importFrom(runtime);
      expect(ids).toHaveLength(5);
      const queries = sandbox.queries().length - queriesBefore;
      expect(queries).toBeGreaterThanOrEqual(3);
      expect(pages).toBe(queries);
      const answersParsed = parse.mock.calls.filter(([text]) => typeof text === 'string' && text.includes('"QueryResponse"'));
      expect(answersParsed).toHaveLength(queries);
    } finally {
      parse.mockRestore();
    }
  });
});
