import { afterEach, describe, expect, it } from 'vitest';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { accessToken, call, COMMITMENT, COMPANY, control, PAYMENT, PROJECT, REQUISITION, startCompany, VENDOR } from './sandbox-wire.js';

let sandbox: ProcoreSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const BASE = `/rest/v1.0/companies/${COMPANY}`;

async function closeOut(sandbox: ProcoreSandbox, token: string, detailId: number, status: string, messages?: string[]) {
  return call(sandbox, token, 'PATCH', `${BASE}/erp_request_details/${detailId}`, {
    erp_request_detail: { status, ...(messages === undefined ? {} : { messages: messages.map((message) => ({ message })) }) },
  });
}

describe('ERP Requests and Request Details', () => {
  it('funding a Procore Pay payment raises create_contract_payment with the payload of the events dictionary and a detail in progress', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const raised = sandbox.fundPayment(PAYMENT, { dateFunded: '2026-12-01T15:06:05Z' });
    const shown = await call(sandbox, token, 'GET', `${BASE}/erp_requests/${raised.request.id}`);
    expect(shown.status).toBe(200);
    const request = shown.body as Record<string, unknown>;
    expect(request).toMatchObject({ id: raised.request.id, company_id: COMPANY, request_name: 'create_contract_payment', integration_app_name: null });
    const data = request.request_data as Record<string, unknown>;
    expect(data.request_detail_id).toBe(raised.detail?.id);
    expect(data.company_id).toBe(COMPANY);
    expect(data.contract_payment).toEqual({
      id: PAYMENT,
      company_id: COMPANY,
      project_id: PROJECT,
      contract_id: COMMITMENT,
      requisition_id: REQUISITION,
      external_payment_id: `pp-${PAYMENT}`,
      invoice_number: 'INV-0001',
      invoice_date: '2026-11-30',
      status: 'paid',
      amount: '12500.0',
      date_payment_created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown,
      date_payment_initiated: expect.stringMatching(/Z$/) as unknown,
      date_payment_funded: '2026-12-01T15:06:05Z',
      date_payment_settled: null,
      retainage_released_payment_amount: '0.0',
      draw_request_number: 4,
      payment_method: 'check',
      payment_number: 'PP-1',
      vendor_id: VENDOR,
      bank_id: 'GS-OPERATING-1',
      check_number: '10001',
    });
    const detail = await call(sandbox, token, 'GET', `${BASE}/erp_request_details/${raised.detail?.id}`);
    expect(detail.body).toMatchObject({ id: raised.detail?.id, erp_request_id: raised.request.id, status: 'in_progress', messages: [] });
    expect(sandbox.contractPayment(PAYMENT)).toMatchObject({ status: 'in_progress', requestIds: [raised.request.id] });
    expect(() => sandbox?.fundPayment(PAYMENT)).toThrow(/already funded/);
  });

  it('answers 404 for an unknown request, and for a request of another company', async () => {
    sandbox = await startCompany();
    sandbox.addCompany({ id: 5000, name: 'Other Co' });
    const token = await accessToken(sandbox);
    expect((await call(sandbox, token, 'GET', `${BASE}/erp_requests/424242`)).status).toBe(404);
    const other = sandbox.syncPayments(5000);
    const answer = await call(sandbox, token, 'GET', `${BASE}/erp_requests/${other.request.id}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ errors: `ERP request ${other.request.id} not found in company ${COMPANY}` });
  });

  it('lists details by status, oldest first, in pages with Total, Per-Page and a Link to the next page', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const raised = Array.from({ length: 5 }, () => sandbox?.syncPayments(COMPANY) as { detail?: { id: number } });
    const ids = raised.map((r) => r.detail?.id as number);
    expect((await closeOut(sandbox, token, ids[1] as number, 'success')).status).toBe(200);

    const first = await call(sandbox, token, 'GET', `${BASE}/erp_request_details?filters[status]=in_progress&per_page=2&page=1`);
    expect(first.headers.get('total')).toBe('4');
    expect(first.headers.get('per-page')).toBe('2');
    expect(first.headers.get('link')).toContain('rel="next"');
    expect((first.body as { id: number }[]).map((d) => d.id)).toEqual([ids[0], ids[2]]);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] as string;
    const second = await call(sandbox, token, 'GET', next);
    expect((second.body as { id: number }[]).map((d) => d.id)).toEqual([ids[3], ids[4]]);
    expect(second.headers.get('link')).not.toContain('rel="next"');
    const done = await call(sandbox, token, 'GET', `${BASE}/erp_request_details?filters[status]=success`);
    expect((done.body as { id: number }[]).map((d) => d.id)).toEqual([ids[1]]);
    expect((await call(sandbox, token, 'GET', `${BASE}/erp_request_details?filters[status]=done`)).status).toBe(400);
  });

  it('a listing read page by page reflects a close-out made between pages, and pages through thousands quickly', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const ids = Array.from({ length: 3_000 }, () => (sandbox as ProcoreSandbox).syncPayments(COMPANY).detail?.id as number);
    const page = async (n: number) => (await call(sandbox as ProcoreSandbox, token, 'GET', `${BASE}/erp_request_details?filters[status]=in_progress&per_page=100&page=${n}`)).body as { id: number }[];
    expect((await page(1))[0]?.id).toBe(ids[0]);
    await closeOut(sandbox, token, ids[0] as number, 'success');
    expect((await page(1))[0]?.id).toBe(ids[1]);
    const started = Date.now();
    const seen: number[] = [];
    for (let n = 1; n <= 30; n++) seen.push(...(await page(n)).map((d) => d.id));
    expect(seen).toEqual(ids.slice(1));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a failed close-out is what the Failed to Export list shows, with its messages; success again is accepted', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const { detail } = sandbox.fundPayment(PAYMENT);
    const text = 'Check number 10001 is already used on bank GS-OPERATING-1: change the Check Number and export again.';
    const failed = await closeOut(sandbox, token, detail?.id as number, 'failed', [text]);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'failed', messages: [{ message: text }] });
    const tool = sandbox.erpTool(COMPANY);
    expect(tool.failedToExport.map((p) => [p.id, p.status, p.messages])).toEqual([[PAYMENT, 'failed', [{ message: text }]]]);

    const bad = await call(sandbox, token, 'PATCH', `${BASE}/erp_request_details/${detail?.id}`, { erp_request_detail: { status: 'done' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('status');
    const badMessages = await call(sandbox, token, 'PATCH', `${BASE}/erp_request_details/${detail?.id}`, { erp_request_detail: { status: 'failed', messages: ['plain'] } });
    expect(badMessages.status).toBe(422);

    expect((await closeOut(sandbox, token, detail?.id as number, 'success', [])).status).toBe(200);
    expect((await closeOut(sandbox, token, detail?.id as number, 'success')).status).toBe(200);
    expect(sandbox.requestDetail(detail?.id as number)?.status).toBe('success');
    expect(sandbox.erpTool(COMPANY).failedToExport).toEqual([]);
  });

  it('editing a failed payment and pressing Export raises a new request for the same contract payment with the edited fields', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const first = sandbox.fundPayment(PAYMENT);
    await closeOut(sandbox, token, first.detail?.id as number, 'failed', ['Check number 10001 is already used']);

    const again = await control(sandbox, 'POST', `/contract_payments/${PAYMENT}/export`, { checkNumber: '10452', bankId: 'GS-OPERATING-2' });
    expect(again.status).toBe(200);
    const raised = again.body as { request: { id: number; request_data: Record<string, unknown> }; detail: { id: number; status: string } };
    expect(raised.request.id).not.toBe(first.request.id);
    expect(raised.detail.id).not.toBe(first.detail?.id);
    expect(raised.detail.status).toBe('in_progress');
    const shown = (await call(sandbox, token, 'GET', `${BASE}/erp_requests/${raised.request.id}`)).body as { request_data: { contract_payment: Record<string, unknown>; request_detail_id: number } };
    expect(shown.request_data.request_detail_id).toBe(raised.detail.id);
    expect(shown.request_data.contract_payment).toMatchObject({ id: PAYMENT, check_number: '10452', bank_id: 'GS-OPERATING-2' });
    // The first request keeps what was asked then.
    const old = (await call(sandbox, token, 'GET', `${BASE}/erp_requests/${first.request.id}`)).body as { request_data: { contract_payment: Record<string, unknown> } };
    expect(old.request_data.contract_payment).toMatchObject({ check_number: '10001', bank_id: 'GS-OPERATING-1' });
    expect(sandbox.contractPayment(PAYMENT)).toMatchObject({ status: 'in_progress', requestIds: [first.request.id, raised.request.id], checkNumber: '10452', messages: [] });
    expect((await control(sandbox, 'POST', `/contract_payments/${PAYMENT}/export`, { checkNumber: '  ' })).status).toBe(422);
  });

  it('a synced payment is locked: no edit or export, and a second origin_id is refused until unlinked', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const { detail } = sandbox.fundPayment(PAYMENT);
    const sync = (originId: string | null) => call(sandbox as ProcoreSandbox, token, 'PATCH', `${BASE}/external_data/sync`, { updates: [{ item_type: 'contract_payment', item_id: PAYMENT, origin_id: originId }] });
    const linked = await sync('CHK-77');
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ entities: [{ item_type: 'contract_payment', item_id: PAYMENT, origin_id: 'CHK-77', origin_data: null }], errors: [] });
    await closeOut(sandbox, token, detail?.id as number, 'success');
    expect(sandbox.contractPayment(PAYMENT)).toMatchObject({ status: 'synced', originId: 'CHK-77' });

    const refused = await control(sandbox, 'POST', `/contract_payments/${PAYMENT}/export`, { checkNumber: '10452' });
    expect(refused.status).toBe(409);
    expect((refused.body as { error: string }).error).toContain('synced');
    expect(sandbox.contractPayment(PAYMENT).checkNumber).toBe('10001');

    expect((await sync('CHK-77')).status).toBe(200);
    const other = await sync('CHK-78');
    expect(other.status).toBe(422);
    expect((other.body as { errors: { message: string }[] }).errors[0]?.message).toContain('locked');
    expect(sandbox.externalData('contract_payment', PAYMENT)?.origin_id).toBe('CHK-77');
    expect((await sync(null)).status).toBe(200);
    expect(sandbox.contractPayment(PAYMENT).status).not.toBe('synced');
    expect((await sync('CHK-78')).status).toBe(200);
    expect(sandbox.externalData('contract_payment', PAYMENT)?.origin_id).toBe('CHK-78');
  });

  it('External Data sync refuses blank ids, unknown items and unknown item types, item by item', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const answer = await call(sandbox, token, 'PATCH', `${BASE}/external_data/sync`, {
      updates: [
        { item_type: 'contract_payment', item_id: PAYMENT, origin_id: '' },
        { item_type: 'contract_payment', item_id: 123456, origin_id: 'X' },
        { item_type: 'disbursement', item_id: PAYMENT, origin_id: 'X' },
        { item_type: 'vendor', item_id: VENDOR, origin_id: 'V-100', origin_data: '{"code":"SUMMIT"}' },
      ],
    });
    expect(answer.status).toBe(200);
    const body = answer.body as { entities: unknown[]; errors: { message: string }[] };
    expect(body.entities).toEqual([{ item_type: 'vendor', item_id: VENDOR, origin_id: 'V-100', origin_data: '{"code":"SUMMIT"}' }]);
    expect(body.errors.map((e) => e.message)).toEqual([
      'updates[0]: origin_id must be a non-blank string, or null to unlink; got ""',
      `updates[1]: contract_payment 123456 not found in company ${COMPANY}`,
      'updates[2]: item_type "disbursement" is not an External Data item type',
    ]);
    expect(sandbox.contractPayment(PAYMENT).status).toBe('not_synced');
  });

  it('Sync Payments, Refresh Vendors, a vendor export, a requisitions export and a reset raise their events', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const show = async (id: number) => (await call(sandbox as ProcoreSandbox, token, 'GET', `${BASE}/erp_requests/${id}`)).body as { request_name: string; request_data: Record<string, unknown> };

    const sync = (await control(sandbox, 'POST', `/companies/${COMPANY}/sync_payments`)).body as { request: { id: number }; detail: { id: number } };
    expect(await show(sync.request.id)).toMatchObject({ request_name: 'sync_contract_payments', request_data: { request_detail_id: sync.detail.id } });
    const vendors = (await control(sandbox, 'POST', `/companies/${COMPANY}/refresh_vendors`)).body as { request: { id: number }; detail: { id: number } };
    expect(await show(vendors.request.id)).toMatchObject({ request_name: 'sync_vendors', request_data: { request_detail_id: vendors.detail.id, company_id: COMPANY } });

    const newVendor = sandbox.addVendor({ companyId: COMPANY, name: 'Keystone Concrete LLC', originCode: 'KEYSTONE' });
    const vendorExport = (await control(sandbox, 'POST', `/vendors/${newVendor}/export`)).body as { request: { id: number } };
    expect(await show(vendorExport.request.id)).toMatchObject({ request_name: 'create_vendor', request_data: { vendor: { id: newVendor, name: 'Keystone Concrete LLC', origin_id: null, origin_code: 'KEYSTONE' } } });
    expect((await control(sandbox, 'POST', `/vendors/${VENDOR}/export`)).status).toBe(409);

    // A synced requisition is locked: it is not exported again.
    expect((await control(sandbox, 'POST', '/requisitions/export', { ids: [REQUISITION] })).status).toBe(409);
    const unsynced = sandbox.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: 'INV-0001', totalCents: 1_250_000 });
    const requisitions = (await control(sandbox, 'POST', '/requisitions/export', { ids: [unsynced] })).body as { request: { id: number }; detail?: unknown };
    expect(requisitions.detail).toBeUndefined();
    const batch = await show(requisitions.request.id);
    expect(batch.request_name).toBe('create_requisitions');
    expect((batch.request_data.requisitions as Record<string, unknown>[])[0]).toMatchObject({
      procore_requisition_id: unsynced, invoice_number: 'INV-0001', contract_id: COMMITMENT, contract_origin_id: 'SC-ERP-1', job_origin_id: 'JOB-100', formatted_payment_due: '$12,500.00',
    });

    const written = await call(sandbox, token, 'PATCH', `${BASE}/invoice_payments/sync`, { updates: [{ origin_id: 'ERP-PAY-1', amount: '10.00', date: '2026-12-01', payment_method: 'check', check_number: '555' }] });
    const issuedId = (written.body as { entities: { id: number }[] }).entities[0]?.id as number;
    const reset = (await control(sandbox, 'POST', `/invoice_payments/${issuedId}/reset`, {})).body as { request: { id: number }; detail?: unknown };
    expect(reset.detail).toBeUndefined();
    expect(await show(reset.request.id)).toEqual(expect.objectContaining({
      request_name: 'reset_payment',
      request_data: { payment_id: issuedId, payment_type: 'check', origin_id: 'ERP-PAY-1', origin_code: null, origin_data: null, reset_override: false },
    }));
  });

  it('a requisition synced by another party shows its origin_id; a second one is refused', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const unsynced = sandbox.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: 'INV-0002', totalCents: 4_000_012, taxCents: 12, markupCents: 300 });
    const before = await call(sandbox, token, 'GET', `/rest/v1.0/projects/${PROJECT}/requisitions/${unsynced}`);
    expect(before.body).toMatchObject({ id: unsynced, invoice_number: 'INV-0002', origin_id: null, total_amount: '40000.12', summary: { current_payment_due: '40000.12', tax_amount: '0.12', markup_amount: '3.0' } });
    expect((await control(sandbox, 'POST', `/requisitions/${unsynced}/synced`, { originId: 'BILL-2' })).status).toBe(200);
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/projects/${PROJECT}/requisitions/${unsynced}`)).body).toMatchObject({ origin_id: 'BILL-2' });
    expect((await control(sandbox, 'POST', `/requisitions/${unsynced}/synced`, { originId: 'BILL-3' })).status).toBe(422);
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/projects/9999/requisitions/${unsynced}`)).status).toBe(404);
  });

  it('reads the vendor and the project a payment hangs from', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    expect((await call(sandbox, token, 'GET', `${BASE}/vendors/${VENDOR}`)).body).toMatchObject({ id: VENDOR, name: 'Summit Drywall Inc.', origin_id: 'V-100', origin_code: 'SUMMIT' });
    expect((await call(sandbox, token, 'GET', `/rest/v1.0/projects/${PROJECT}?company_id=${COMPANY}`)).body).toMatchObject({ id: PROJECT, project_number: 'P-100', origin_id: 'JOB-100' });
    expect((await call(sandbox, token, 'GET', `${BASE}/vendors/1`)).status).toBe(404);
  });
});

describe('ERP connections and Staged Records', () => {
  it('creates one ERP connection with its metadata per company, and updates it', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const metadata = { settings: { labels: { name: 'ledgerlink', id_name: 'ledgerlink_id', short_name: 'LL' }, configurations: { features: {} }, entities: { vendors: { enabled: true } } } };
    const created = await call(sandbox, token, 'POST', `${BASE}/erp_connections`, { erp_connection: { name: 'ledgerlink (qbo)', metadata } });
    expect(created.status).toBe(201);
    const id = (created.body as { id: number }).id;
    expect((await call(sandbox, token, 'POST', `${BASE}/erp_connections`, { erp_connection: { name: 'again', metadata } })).status).toBe(422);
    expect((await call(sandbox, token, 'POST', `${BASE}/erp_connections`, { erp_connection: { name: 'x', metadata: { labels: {} } } })).status).toBe(422);
    const updated = await call(sandbox, token, 'PATCH', `${BASE}/erp_connections/${id}`, { erp_connection: { metadata: { settings: { ...metadata.settings, entities: { requisitions: { enabled: true } } } } } });
    expect(updated.status).toBe(200);
    expect((await call(sandbox, token, 'GET', `${BASE}/erp_connections`)).body).toEqual([
      expect.objectContaining({ id, company_id: COMPANY, name: 'ledgerlink (qbo)', metadata: { settings: expect.objectContaining({ entities: { requisitions: { enabled: true } } }) as unknown } }),
    ]);
  });

  it('stages records by origin_id (a repeat updates), requires a known project for project-level types, and hangs line items from a parent', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const path = `${BASE}/erp/staged_records`;
    const first = await call(sandbox, token, 'PATCH', `${path}/sync`, {
      staged_records: [
        { item_type: 'vendor', origin_id: 'V-200', origin_code: 'KEY', origin_data: '{}', status: 'staged', data: {} },
        { item_type: 'work_order_contract', origin_id: 'SC-9', status: 'staged', data: { project_origin_id: 'JOB-100' } },
        { item_type: 'line_item', origin_id: 'SC-9-1', parent_origin_id: 'SC-9', status: 'staged', data: {} },
        { item_type: 'sub_job', origin_id: 'SJ-1', status: 'staged', data: { project_origin_id: 'JOB-404' } },
      ],
    });
    expect(first.status).toBe(200);
    const body = first.body as { entities: { id: number; item_type: string; parent_id: number | null }[]; errors: { message: string }[] };
    expect(body.entities.map((e) => e.item_type)).toEqual(['vendor', 'work_order_contract', 'line_item']);
    expect(body.entities[2]?.parent_id).toBe(body.entities[1]?.id);
    expect(body.errors[0]?.message).toContain('project_origin_id "JOB-404" is neither a staged nor a synced project');

    const again = await call(sandbox, token, 'PATCH', `${path}/sync`, { staged_records: [{ item_type: 'vendor', origin_id: 'V-200', origin_code: 'KEY2', status: 'archived' }] });
    expect((again.body as { entities: { id: number }[] }).entities[0]?.id).toBe(body.entities[0]?.id);
    expect(sandbox.stagedRecords(COMPANY).filter((r) => r.item_type === 'vendor')).toEqual([expect.objectContaining({ origin_code: 'KEY2', status: 'archived' })]);
    const put = await call(sandbox, token, 'PUT', `${path}/${body.entities[0]?.id}`, { staged_record: { status: 'staged' } });
    expect(put.body).toMatchObject({ status: 'staged', origin_id: 'V-200' });
    const listed = await call(sandbox, token, 'GET', `${path}?filters[item_type]=line_item`);
    expect(listed.headers.get('total')).toBe('1');
    expect((await call(sandbox, token, 'POST', path, { staged_record: { item_type: 'invoice', origin_id: 'X' } })).status).toBe(422);
  });
});
