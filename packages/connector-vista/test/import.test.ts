import type { ImportPage, PaymentIssued } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { VistaSandbox } from '../src/sandbox/index.js';
import { runtimeFor, seededSandbox } from './helpers.js';

let sandbox: VistaSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function add(box: VistaSandbox, n: number, checkNumber: string, final = true, method: 'ach' | 'check' = 'check'): string {
  return box.addPayment({ vendorId: `V${n}`, bankAccountId: `CM${n}`, billId: `90${n}`, amountCents: 2_550, date: '2025-06-0' + n, method, checkNumber, final });
}

async function readFrom(box: VistaSandbox, cursor?: string, pageSize = 1): Promise<ImportPage[]> {
  const runtime = runtimeFor(box, { pageSize });
  const pages: ImportPage[] = [];
  for await (const page of runtime.importPayments(cursor === undefined ? {} : { cursor })) pages.push(page);
  await runtime.close();
  return pages;
}

const ids = (pages: ImportPage[]): string[] => pages.flatMap((page) => page.records.map((record) => record.erpPaymentId));

describe('import from the cache', () => {
  it('reads through empty pages that carry a token, and maps every seed row back', async () => {
    sandbox = await seededSandbox({ timing: { emptyPagesFirst: 3 } });
    const id = add(sandbox, 1, '7001', true, 'ach');
    const pages = await readFrom(sandbox);
    expect(pages.slice(0, 3).map((page) => page.records.length)).toEqual([0, 0, 0]);
    expect(pages.slice(0, 3).every((page) => JSON.parse(page.cursor).token !== undefined)).toBe(true);
    const [record] = pages.flatMap((page) => page.records);
    expect(record).toEqual<PaymentIssued>({
      erpPaymentId: id,
      erpStatus: 'Posted',
      amountCents: 2_550,
      paidOn: '2025-06-01',
      method: 'ach',
      bankId: 'CM1',
      checkNumber: '7001',
      vendorErpId: 'V1',
      erpInvoiceId: '901',
    });
  });

  it('imports only Posted payments, and a cursor resumes where the last read stopped', async () => {
    sandbox = await seededSandbox({ timing: { emptyPagesFirst: 1 } });
    const first = add(sandbox, 1, '7101');
    add(sandbox, 2, '7102', false);
    const third = add(sandbox, 3, '7103');
    const pages = await readFrom(sandbox);
    expect(ids(pages)).toEqual([first, third]);
    expect(pages.every((page) => page.errors.length === 0)).toBe(true);

    // From the end: nothing new, then only what changed after it.
    const end = pages[pages.length - 1]?.cursor;
    expect(ids(await readFrom(sandbox, end))).toEqual([]);
    const fourth = add(sandbox, 1, '7104');
    expect(ids(await readFrom(sandbox, end))).toEqual([fourth]);

    // From the middle of a read (a continuation token): the rest, without repeats.
    const afterFirst = pages.findIndex((page) => page.records.length > 0);
    const middle = pages[afterFirst]?.cursor;
    expect(JSON.parse(middle ?? '{}').token).toBeDefined();
    expect(ids(await readFrom(sandbox, middle))).toEqual([third, fourth]);
  });

  it('a stale continuation token starts the read again from the last finished point', async () => {
    sandbox = await seededSandbox();
    const only = add(sandbox, 2, '7201');
    const stale = JSON.stringify({ token: 'bm90IGEgdG9rZW4=' });
    expect(ids(await readFrom(sandbox, stale))).toEqual([only]);
  });

  it('refuses a cursor it did not write, saying how to recover', async () => {
    sandbox = await seededSandbox();
    await expect(readFrom(sandbox, 'yesterday')).rejects.toThrow(/clear the import cursor/);
  });
});
