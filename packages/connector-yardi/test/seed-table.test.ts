import type { PaymentIssued } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { YardiSandbox } from '../src/sandbox/index.js';
import { exportOne, runtimeFor, seededPayment, startSandbox, withRuntime } from './support.js';

/**
 * The acceptance reference: every row of the seed table "Procore <-> Yardi Voyager" arrives in the sandbox under
 * Yardi's name on export, and comes back into the canonical field on import.
 */
describe('seed table, Procore <-> Yardi Voyager', () => {
  let sandbox: YardiSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('export: all ten rows arrive in the check Yardi stores', async () => {
    const payment = seededPayment(sandbox, 1, { method: 'ach' });
    const outcome = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, payment));
    const [stored] = sandbox.payments();
    // One call, answered with the new check's id: no lookup was needed.
    expect(outcome).toEqual({ kind: 'synced', erpId: stored?.erpId });
    expect(sandbox.operations()).toEqual(['ImportCheck_Login']);
    expect(stored?.fields).toMatchObject({
      AmountPaid: '2500.01', //               Amount -> Amount Paid
      BankId: 'op1', //                       Bank ID -> Bank ID
      PaymentDate: '2025-05-05', //           Date Paid -> Payment Date (paidOn, not fundedOn 2025-05-02)
      PropertyId: 'tower1', //                Project Number -> Property ID
      CheckNumber: '4001', //                 Check Number -> Check Number
      PayeeId: 'v0001', //                    Vendor Code -> Payee ID
      InvoiceNumber: 'INV-1', //              Invoice Number -> Invoice Number
      Notes: 'Procore Pay payment 1', //      Notes -> Notes
      PaymentMethod: 'ACH', //                Payment Method -> Payment Method
      PaymentNumber: 'PP-1', //               Payment Number -> Payment Number
      PayableId: '80001', //                  the payable the check pays
    });
    expect(stored?.applications).toEqual([{ billId: '80001', amountCents: 250_001 }]);
  });

  it('import: all ten rows come back from the posted check', async () => {
    const payment = seededPayment(sandbox, 2, { method: 'check' });
    const exported = await withRuntime(runtimeFor(sandbox), (runtime) => exportOne(runtime, payment));
    const erpId = exported.kind === 'synced' ? exported.erpId : 'none';
    const records: PaymentIssued[] = [];
    await withRuntime(runtimeFor(sandbox), async (runtime) => {
      for await (const page of runtime.importPayments()) {
        expect(page.errors).toEqual([]);
        records.push(...page.records);
      }
    });
    expect(records.find((record) => record.erpPaymentId === erpId)).toEqual({
      erpPaymentId: erpId,
      amountCents: 250_002, //                Amount Paid -> Amount
      bankId: 'op2', //                       Bank ID -> Bank ID
      paidOn: '2025-05-05', //                Payment Date -> Date Paid
      projectNumber: 'tower1', //             Property ID -> Project Number
      checkNumber: '4002', //                 Check Number -> Check Number
      vendorErpId: 'v0002', //                Payee ID -> Vendor Code
      invoiceNumber: 'INV-2', //              Invoice Number -> Invoice Number
      notes: 'Procore Pay payment 2', //      Notes -> Notes
      method: 'check', //                     Payment Method -> Payment Method
      paymentNumber: 'PP-2', //               Payment Number -> Payment Number
      erpInvoiceId: '80002',
      erpStatus: 'Posted',
    });
  });
});
