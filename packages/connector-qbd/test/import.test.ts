import { createConnectorRuntime, type ErpSandbox, type PaymentIssued } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qbdConnector } from '../src/index.js';
import { startQbdSandbox } from '../src/sandbox/index.js';
import { configFor, fixtures } from './support.js';

let sandbox: ErpSandbox;
beforeAll(async () => {
  sandbox = await startQbdSandbox();
});
afterAll(() => sandbox.close());

describe('import from QuickBooks Desktop', () => {
  it('pages with the iterator inside one Web Connector session, leaves checks to print out, and resumes from its cursor', async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 7; n++) {
      sandbox.seed({
        vendors: [{ id: fixtures.vendorId(n), name: `V${n}` }],
        bankAccounts: [{ id: fixtures.bankAccountId(n) }],
        bills: [{ id: fixtures.billId(n), vendorId: fixtures.vendorId(n), number: `INV-${n}`, amountCents: 100_000 }],
      });
      ids.push(
        sandbox.addPayment({
          vendorId: fixtures.vendorId(n),
          bankAccountId: fixtures.bankAccountId(n),
          billId: fixtures.billId(n),
          amountCents: 1_000 * n + 1,
          date: `2025-04-0${n}`,
          method: 'check',
          checkNumber: `00${n}`,
          final: n !== 7,
        }),
      );
    }
    const rt = createConnectorRuntime(qbdConnector, { tenant: 't', config: configFor(sandbox, { importPageSize: 3 }) });
    try {
      const records: PaymentIssued[] = [];
      const cursors: string[] = [];
      for await (const page of rt.importPayments()) {
        expect(page.errors).toEqual([]);
        records.push(...page.records);
        cursors.push(page.cursor);
      }
      expect(cursors).toHaveLength(3);
      expect(records.map((r) => r.erpPaymentId)).toEqual(ids.slice(0, 6));
      expect(records[1]).toEqual({
        erpPaymentId: ids[1],
        vendorErpId: fixtures.vendorId(2),
        erpInvoiceId: fixtures.billId(2),
        amountCents: 2_001,
        paidOn: '2025-04-02',
        method: 'check',
        bankId: fixtures.bankAccountId(2),
        checkNumber: '002',
        erpStatus: 'Posted',
      });

      // Resuming from the last cursor reads what changed at or after the newest TimeModified: here only the check
      // still to print, which stays out.
      const last = cursors.at(-1) as string;
      const again: PaymentIssued[] = [];
      for await (const page of rt.importPayments({ cursor: last })) again.push(...page.records);
      expect(again.map((r) => r.erpPaymentId)).toEqual([]);
      expect(JSON.parse(last)).toHaveProperty('modifiedFrom');
    } finally {
      await rt.close();
    }
  });
});
