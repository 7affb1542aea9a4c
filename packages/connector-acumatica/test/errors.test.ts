/**
 * Acumatica's 422 answers carry an `error` on each offending field; the connector keeps that text verbatim,
 * names the field, and decides from the field whether an edit can fix it.
 */
import { ErrorCodes } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcumaticaSandbox } from '../src/sandbox/index.js';
import { BILLS, exportOnce, item, payment, runtimeFor, startSeeded, VENDOR } from './support.js';

let sandbox: AcumaticaSandbox;
beforeAll(async () => {
  sandbox = await startSeeded();
  sandbox.seed({ vendors: [{ id: 'V000999', name: 'Other Vendor' }], bills: [{ id: 'AP000999', vendorId: 'V000999', number: 'X-1', amountCents: 10_000 }] });
});
afterAll(() => sandbox.close());

describe('field-level 422 errors', () => {
  it("an unknown cash account: needs-edit ['bankId'], Acumatica's text verbatim, the field in detail", async () => {
    expect(await exportOnce(sandbox, payment({ bankId: '10999XX' }))).toMatchObject({
      kind: 'needs-edit',
      code: ErrorCodes.ERP_NEEDS_EDIT,
      fields: ['bankId'],
      erp: { message: "'Cash Account' cannot be found in the system.", httpStatus: 422, detail: 'CashAccount' },
    });
  });

  it("a Payment Ref already used on the cash account: needs-edit ['checkNumber']", async () => {
    const first = payment({ bill: BILLS[0] });
    expect(await exportOnce(sandbox, first)).toMatchObject({ kind: 'synced' });
    const outcome = await exportOnce(sandbox, payment({ bill: BILLS[1], checkNumber: first.checkNumber }));
    expect(outcome).toMatchObject({ kind: 'needs-edit', fields: ['checkNumber'], erp: { httpStatus: 422, detail: 'PaymentRef' } });
    expect(outcome.kind === 'needs-edit' ? outcome.erp?.message : '').toContain(first.checkNumber);
  });

  it('an unknown vendor: rejected, keeping "\'Vendor\' cannot be found in the system."', async () => {
    expect(await exportOnce(sandbox, payment({ vendor: { id: 'hub-x', name: 'X', erpId: 'V000404' } }))).toMatchObject({
      kind: 'rejected',
      code: ErrorCodes.ERP_REJECTED,
      erp: { message: "'Vendor' cannot be found in the system.", httpStatus: 422, detail: 'Vendor' },
    });
  });

  it('a bill that is not in Acumatica: rejected, naming the Details row', async () => {
    expect(await exportOnce(sandbox, payment({ bill: 'AP404404' }))).toMatchObject({
      kind: 'rejected',
      erp: { message: "'Reference Nbr.' cannot be found in the system.", httpStatus: 422, detail: 'Details[0].ReferenceNbr' },
    });
  });

  it("another vendor's bill: rejected the same way (Acumatica offers the check's vendor's bills only)", async () => {
    expect(await exportOnce(sandbox, payment({ bill: 'AP000999' }))).toMatchObject({
      kind: 'rejected',
      erp: { message: "'Reference Nbr.' cannot be found in the system.", detail: 'Details[0].ReferenceNbr' },
    });
  });

  it('partial payments reduce the balance; paying more than is left is rejected on Details AmountPaid', async () => {
    const bill = BILLS[2] as string;
    expect(await exportOnce(sandbox, payment({ bill, amountCents: 1_500_000 }))).toMatchObject({ kind: 'synced' });
    const outcome = await exportOnce(sandbox, payment({ bill, amountCents: 600_000 }));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      erp: { message: 'The amount paid cannot be greater than the balance of the document (5000.00).', detail: 'Details[0].AmountPaid' },
    });
    expect(await exportOnce(sandbox, payment({ bill, amountCents: 500_000 }))).toMatchObject({ kind: 'synced' });
  });
});

describe('throttling', () => {
  it('a 429 from the licence queue is retryable (throttled, nothing committed) with the answer kept', async () => {
    sandbox.setFaults({ throttleNext: 1 });
    const outcome = await exportOnce(sandbox, payment({ bill: BILLS[3] }), { retry: { maxAttempts: 1 } });
    expect(outcome).toMatchObject({ kind: 'retryable', reason: 'throttled', committed: 'no', erp: { httpStatus: 429 } });
    expect(sandbox.payments().filter((stored) => stored.vendorId === VENDOR && stored.applications[0]?.billId === BILLS[3])).toEqual([]);
  });

  it('with enforceLimits, a lane allowed above the licence meets 429s, pauses, retries, and every payment lands once', async () => {
    const bills = ['AP000301', 'AP000302', 'AP000303'];
    sandbox.seed({ bills: bills.map((id) => ({ id, vendorId: VENDOR, number: id, amountCents: 10_000 })) });
    sandbox.setFaults({ enforceLimits: true, latencyMs: 20 });
    sandbox.resetStats();
    try {
      const records = bills.map((bill) => payment({ bill, amountCents: 10_000 }));
      const runtime = runtimeFor(sandbox, {
        rateLimit: { concurrency: 3, requests: 100, allowAboveDeclared: true },
        retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 20 },
      });
      try {
        const outcomes = await runtime.exportPayments(records.map((record) => item(record)));
        expect(outcomes.map((outcome) => outcome.kind)).toEqual(['synced', 'synced', 'synced']);
      } finally {
        await runtime.close();
      }
      expect(sandbox.stats().throttled).toBeGreaterThan(0);
      for (const record of records) {
        expect(sandbox.payments().filter((stored) => stored.checkNumber === record.checkNumber)).toHaveLength(1);
      }
    } finally {
      sandbox.setFaults({ enforceLimits: false, latencyMs: 0 });
    }
  });
});
