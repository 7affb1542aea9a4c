import { compileMapping, loadMappingFile } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { procoreConnector } from '../src/index.js';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPaid, clientFor, COMPANY, context, startHub } from './support.js';

/** Compares wire values as Procore means them: ids as text, amounts as cents. */
function normalise(value: unknown, key = ''): unknown {
  if (value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => [k, normalise(v, k)] as const)
        .filter(([, v]) => v !== undefined),
    );
  }
  if (/amount/.test(key) && typeof value === 'string') {
    const [whole = '0', fraction = ''] = value.split('.');
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
  }
  return typeof value === 'number' ? String(value) : value;
}

describe('mapping.yaml: the hub side of the seed tables', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('names, for every canonical field of an exported payment, the Procore field the client read it from', async () => {
    const doc = loadMappingFile(procoreConnector.mapping.path);
    const toWire = compileMapping(doc, 'payment', 'export');
    const { paymentId } = addPaid(hub, 321_07, { invoiceCents: 400_00, method: 'ach' });
    const wire = hub.fundPayment(paymentId, '2025-05-02');
    const payment = await clientFor(hub).payment(String(COMPANY), String(paymentId), context);
    const mapped = toWire(payment);
    expect(mapped.ok).toBe(true);
    const { company_id: _c, created_at: _a, updated_at: _u, ...rest } = wire;
    const expected = normalise(rest) as Record<string, unknown>;
    delete (expected.invoice as Record<string, unknown>).commitment_id;
    expect(normalise(mapped.ok ? mapped.value : {}, '')).toEqual(expected);
  });

  it('reads a contract payment (Payments Issued) back into the PaymentIssued that was written', async () => {
    addPaid(hub, 99_999_999_99, { erpId: 'BILL-1' });
    const written = { erpPaymentId: 'll-origin-1', amountCents: 99_999_999_99, paidOn: '2025-05-07', method: 'ach' as const, checkNumber: '4712', erpStatus: 'Approved', invoiceNumber: 'INV-X', paymentNumber: 'P-1', notes: 'n & <m>' };
    await clientFor(hub).writePaymentIssued(String(COMPANY), { ...written, erpInvoiceId: 'BILL-1', projectNumber: 'P-100' }, 'll-origin-1', context);
    const fromWire = compileMapping(loadMappingFile(procoreConnector.mapping.path), 'payment', 'import');
    const read = fromWire(hub.paymentsIssued(COMPANY)[0]);
    expect(read).toEqual({ ok: true, value: { ...written, commitmentId: expect.any(String) as unknown as string } });
  });
});
