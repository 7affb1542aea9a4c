import { afterEach, describe, expect, it } from 'vitest';
import type { InvoicePaymentWire, ProcoreSandbox } from '../src/sandbox/index.js';
import { accessToken, call, COMMITMENT, COMPANY, PAYMENT, REQUISITION, startCompany } from './sandbox-wire.js';

let sandbox: ProcoreSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const SYNC = `/rest/v1.0/companies/${COMPANY}/invoice_payments/sync`;

interface SyncBody {
  entities: InvoicePaymentWire[];
  errors: { origin_id: unknown; message: string }[];
}

describe('Invoice Payments (payments issued)', () => {
  it('creates in bulk, and a repeated origin_id updates the same payment instead of making a second one', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const updates = Array.from({ length: 1_000 }, (_, n) => ({
      origin_id: `ERP-PAY-${n}`,
      requisition_id: REQUISITION,
      invoice_number: 'INV-0001',
      amount: `${100 + n}.05`,
      date: '2026-12-01',
      payment_method: n % 2 === 0 ? 'check' : 'ach',
      check_number: String(20_000 + n),
      status: 'paid',
    }));
    const first = await call(sandbox, token, 'PATCH', SYNC, { updates });
    expect(first.status).toBe(200);
    const created = (first.body as SyncBody).entities;
    expect(created).toHaveLength(1_000);
    expect((first.body as SyncBody).errors).toEqual([]);
    expect(created[7]).toMatchObject({ origin_id: 'ERP-PAY-7', amount: '107.05', commitment_id: COMMITMENT, requisition_id: REQUISITION, payment_method: 'ach', check_number: '20007' });

    const again = await call(sandbox, token, 'PATCH', SYNC, { updates: updates.map((u) => ({ ...u, amount: '1.10', notes: 'voided and reissued' })) });
    const updated = (again.body as SyncBody).entities;
    expect(updated.map((p) => p.id)).toEqual(created.map((p) => p.id));
    expect(updated[7]).toMatchObject({ amount: '1.1', notes: 'voided and reissued' });
    expect(sandbox.paymentsIssued(COMPANY)).toHaveLength(1_000);
    expect(sandbox.stats().byEndpoint['PATCH /rest/v1.0/companies/:id/invoice_payments/sync']).toBe(2);

    const listed = await call(sandbox, token, 'GET', `/rest/v1.0/companies/${COMPANY}/invoice_payments?per_page=100&page=10`);
    expect(listed.headers.get('total')).toBe('1000');
    expect((listed.body as unknown[]).length).toBe(100);
  });

  it('refuses each bad update on its own, naming the index and field: float amounts, blank ids, bad dates, unknown references', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const good = { origin_id: 'ERP-OK', amount: '10.00', date: '2026-12-01', payment_method: 'check' };
    const answer = await call(sandbox, token, 'PATCH', SYNC, {
      updates: [
        { ...good, amount: 10.5 },
        { ...good, origin_id: '  ' },
        { ...good, date: '2026-02-30' },
        { ...good, amount: '10.005' },
        { ...good, requisition_id: 123456 },
        { ...good, payment_method: 'cash' },
        good,
      ],
    });
    expect(answer.status).toBe(200);
    const body = answer.body as SyncBody;
    expect(body.entities.map((p) => p.origin_id)).toEqual(['ERP-OK']);
    expect(body.errors.map((e) => e.message)).toEqual([
      'updates[0]: amount must be a decimal string like "1250.00", got 10.5',
      'updates[1]: origin_id must be a non-blank string, got "  "',
      'updates[2]: date must be YYYY-MM-DD, got "2026-02-30"',
      'updates[3]: amount must be a decimal string like "1250.00", got "10.005"',
      `updates[4]: requisition_id 123456 is not a requisition of company ${COMPANY}`,
      'updates[5]: payment_method must be check or ach, got "cash"',
    ]);
    const none = await call(sandbox, token, 'PATCH', SYNC, { updates: [{ ...good, origin_id: '' }] });
    expect(none.status).toBe(422);
    expect((await call(sandbox, token, 'PATCH', SYNC, { payments: [] })).status).toBe(400);
  });

  it('unlinks a payment issued: it stays, without origin_id, and the origin_id is free again', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const written = await call(sandbox, token, 'PATCH', SYNC, { updates: [{ origin_id: 'ERP-9', amount: '5.00', date: '2026-12-01', payment_method: 'ach' }] });
    const id = (written.body as SyncBody).entities[0]?.id as number;
    const unlinked = await call(sandbox, token, 'PATCH', `/rest/v1.0/companies/${COMPANY}/invoice_payments/${id}/unlink`);
    expect(unlinked.status).toBe(200);
    expect(unlinked.body).toMatchObject({ id, origin_id: null });
    expect((await call(sandbox, token, 'PATCH', `/rest/v1.0/companies/${COMPANY}/invoice_payments/424242/unlink`)).status).toBe(404);
    const rewritten = await call(sandbox, token, 'PATCH', SYNC, { updates: [{ origin_id: 'ERP-9', amount: '5.00', date: '2026-12-01', payment_method: 'ach' }] });
    expect((rewritten.body as SyncBody).entities[0]?.id).not.toBe(id);
    expect(sandbox.paymentsIssued(COMPANY)).toHaveLength(2);
  });

  it('the ERP tool shows an export written back as a payment issued', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    sandbox.fundPayment(PAYMENT);
    await call(sandbox, token, 'PATCH', `/rest/v1.0/companies/${COMPANY}/external_data/sync`, { updates: [{ item_type: 'contract_payment', item_id: PAYMENT, origin_id: 'CHK-1' }] });
    await call(sandbox, token, 'PATCH', SYNC, { updates: [{ origin_id: 'ERP-OTHER', amount: '5.00', date: '2026-12-01', payment_method: 'ach' }] });
    expect(sandbox.erpTool(COMPANY).exportsWrittenBack).toEqual([]);
    await call(sandbox, token, 'PATCH', SYNC, { updates: [{ origin_id: 'CHK-1', amount: '12500.00', date: '2026-12-01', payment_method: 'check' }] });
    expect(sandbox.erpTool(COMPANY).exportsWrittenBack.map((p) => p.origin_id)).toEqual(['CHK-1']);
  });
});
