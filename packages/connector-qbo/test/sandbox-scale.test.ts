import type { ConnectorRuntime, PaymentIssued } from '@ledgerlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '../src/qbo-extractor.js';
import type { QboSandbox } from '../src/sandbox/index.js';
import { directClient, idsFor, loadItemFor, runtimeFor, seededPayment, signal, startSandbox } from './support.js';

/** Enough payments that a scan of every one per call (or a cursor listing them) shows, few enough for a test. */
const COUNT = 20_000;

let sandbox: QboSandbox | undefined;
let runtime: ConnectorRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  await sandbox?.close();
  runtime = undefined;
  sandbox = undefined;
});

/** COUNT check payments on one bill and bank account: the first three quarters in one second, then 1,000 a second. */
async function bigCompany(): Promise<{ sandbox: QboSandbox; clock: { time: number }; made: string[] }> {
  const clock = { time: Date.parse('2025-08-01T16:00:00Z') };
  const started = await startSandbox({ now: () => new Date(clock.time) });
  seededPayment(started, 1, { amountCents: 100 * COUNT + 1_000_000 });
  const made: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    if (i >= (COUNT * 3) / 4 && i % 1000 === 0) clock.time += 1_000;
    made.push(started.addPayment({ ...idsFor(1), amountCents: 100, date: '2025-08-01', method: 'check', checkNumber: `C${i}`, final: true }));
  }
  return { sandbox: started, clock, made };
}

describe(`the QuickBooks sandbox with ${COUNT} bill payments`, () => {
  it('an import reads every payment once, in order, with a cursor that stays small; a resumed one reads only the new', async () => {
    const company = await bigCompany();
    sandbox = company.sandbox;
    runtime = runtimeFor(sandbox);
    const ids: string[] = [];
    let cursor: string | undefined;
    let longest = 0;
    for await (const page of runtime.importPayments({})) {
      expect(page.errors).toEqual([]);
      ids.push(...page.records.map((record: PaymentIssued) => record.erpPaymentId));
      cursor = page.cursor;
      longest = Math.max(longest, cursor.length);
    }
    expect(ids).toEqual(company.made);
    // 100 remembered ids at most, however many payments share the last second.
    expect(longest).toBeLessThan(2_000);
    expect(decodeCursor(cursor)?.countAtLastUpdated).toBe(1000);

    const sameSecond = sandbox.addPayment({ ...idsFor(1), amountCents: 100, date: '2025-08-02', method: 'check', checkNumber: 'N1', final: true });
    company.clock.time += 1_000;
    const later = sandbox.addPayment({ ...idsFor(1), amountCents: 100, date: '2025-08-02', method: 'check', checkNumber: 'N2', final: true });
    const again: string[] = [];
    for await (const page of runtime.importPayments(cursor === undefined ? {} : { cursor })) again.push(...page.records.map((record: PaymentIssued) => record.erpPaymentId));
    expect(again).toEqual([sameSecond, later]);
  });

  it('a check number used by any of them on the same bank account is still refused (6140); an unused one is taken', async () => {
    const company = await bigCompany();
    sandbox = company.sandbox;
    runtime = runtimeFor(sandbox);
    const client = directClient(sandbox);
    const duplicate = seededPayment(sandbox, 2, { checkNumber: `C${COUNT - 7}`, bankId: idsFor(1).bankAccountId });
    const [refused] = await client.payments.exporter!.load([loadItemFor(runtime, duplicate)], { signal });
    expect(refused).toMatchObject({ kind: 'needs-edit', erp: { code: '6140' } });
    const fresh = seededPayment(sandbox, 3, { checkNumber: 'C-new', bankId: idsFor(1).bankAccountId });
    const [taken] = await client.payments.exporter!.load([loadItemFor(runtime, fresh)], { signal });
    expect(taken).toMatchObject({ kind: 'synced' });
    const erpId = (taken as { erpId: string }).erpId;
    expect(sandbox.payments().filter((payment) => payment.erpId === erpId)).toHaveLength(1);
    expect(await client.payments.exporter!.find(loadItemFor(runtime, fresh), { signal })).toMatchObject({ erpId, replayed: true });
  });
});
