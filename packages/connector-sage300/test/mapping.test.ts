import { createConnectorRuntime, type Payment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sage300Connector } from '../src/index.js';
import { type Sage300Sandbox, startSage300Sandbox } from '../src/sandbox/index.js';

/** A payment as the hub sends it: invoice 4471 of Sage vendor ACME, paid in full with check 10042. */
const PAYMENT: Payment = {
  id: 'pay-4471',
  status: 'funding_complete',
  amountCents: 1_250_050,
  method: 'check',
  fundedOn: '2025-03-14',
  paidOn: '2025-03-17',
  bankId: 'hub-bank-7',
  checkNumber: '10042',
  notes: 'Pay app 3',
  vendor: { id: 'hub-vendor-1', name: 'Acme Drywall & Sons', erpId: 'ACME' },
  invoice: { id: 'hub-invoice-3', number: 'PA-3 Acme', amountCents: 1_250_050, erpId: '4471' },
  project: { id: 'hub-project-1', number: 'P-100' },
};

describe('the Sage 300 CRE seed table, arriving in the sandbox', () => {
  let sandbox: Sage300Sandbox;
  let fields: Record<string, unknown>;

  beforeAll(async () => {
    sandbox = await startSage300Sandbox({
      seed: {
        vendors: [{ id: 'ACME', name: 'Acme Drywall & Sons' }],
        bankAccounts: [{ id: 'OPER', name: 'Operating account' }],
        bills: [
          { id: '4470', vendorId: 'ACME', number: 'Pay app 2', amountCents: 1_000_000 },
          { id: '4471', vendorId: 'ACME', number: 'Pay app 3', amountCents: 1_250_050 },
        ],
      },
    });
    const runtime = createConnectorRuntime(sage300Connector, {
      tenant: 'mapping-test',
      config: { agentUrl: sandbox.url, agentToken: sandbox.agentToken },
      // The customer's lookup from the hub's Bank ID to the Sage AP bank code.
      lookups: { bankCodes: { 'hub-bank-7': 'OPER' } },
    });
    try {
      const [outcome] = await runtime.exportPayments([{ id: PAYMENT.id, idempotencyKey: `${PAYMENT.id}.r1`, record: PAYMENT }]);
      expect(outcome).toEqual({ kind: 'synced', erpId: 'ACME/4471' });
    } finally {
      await runtime.close();
    }
    const landed = sandbox.payments();
    expect(landed).toHaveLength(1);
    fields = landed[0]?.fields ?? {};
  });
  afterAll(() => sandbox.close());

  // The seed table's rows (seeds/000, "Exports data from Procore to Sage 300 CRE").
  it('"PROCOREPAY" -> Invoice Code 1', () => {
    expect(fields.invoiceCode1).toBe('PROCOREPAY');
  });

  it('Check Number -> Invoice Code 2', () => {
    expect(fields.invoiceCode2).toBe(PAYMENT.checkNumber);
  });

  // What addresses the invoice the codes go on: Sage's key of an AP invoice is vendor + invoice number.
  it('Vendor (the vendor linked to Sage) -> the invoice\'s Vendor', () => {
    expect(fields.vendor).toBe(PAYMENT.vendor.erpId);
  });

  it('Invoice No. (the invoice synced to Sage) -> the invoice\'s Invoice number', () => {
    expect(fields.invoice).toBe(PAYMENT.invoice.erpId);
  });

  // What the agent keeps beside the codes for Sage's check run.
  it('Bank ID, through the customer\'s bankCodes lookup -> the AP bank the agent records', () => {
    expect(fields.bank).toBe('OPER');
  });

  it('Date Payment Funded -> the check date the agent records', () => {
    expect(fields.checkDate).toBe(PAYMENT.fundedOn);
  });

  it('leaves every other invoice alone', async () => {
    const other = sandbox.payments().filter((payment) => payment.erpId !== 'ACME/4471');
    expect(other).toEqual([]);
  });
});
