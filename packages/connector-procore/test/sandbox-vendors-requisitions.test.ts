import { afterEach, describe, expect, it } from 'vitest';
import type { ErpToolView, ProcoreSandbox } from '../src/sandbox/index.js';
import { accessToken, call, COMMITMENT, COMPANY, control, PROJECT, REQUISITION, startCompany, VENDOR } from './sandbox-wire.js';

let sandbox: ProcoreSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const BASE = `/rest/v1.0/companies/${COMPANY}`;
type Shown = { request_name: string; request_data: Record<string, unknown> };

async function show(s: ProcoreSandbox, token: string, id: number): Promise<Shown> {
  return (await call(s, token, 'GET', `${BASE}/erp_requests/${id}`)).body as Shown;
}

async function tool(s: ProcoreSandbox): Promise<ErpToolView> {
  return (await control(s, 'GET', `/companies/${COMPANY}/erp_tool`)).body as ErpToolView;
}

describe('requisitions in the ERP tool (create_requisitions, reset_requisition)', () => {
  it('exports a batch with its lines, retainage and origin ids as the events dictionary shows; External Data syncs and locks each', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const first = sandbox.addRequisition({
      commitmentId: COMMITMENT,
      invoiceNumber: '9348',
      totalCents: 100_000,
      invoiceDate: '2021-03-31',
      lines: [
        { id: 11, description: 'Forms equipment', amountCents: 50_000, retainageCents: 1_000, costCodeOriginId: 'CC-03', commitmentItemOriginId: 'CI-1', lineItemTypeOriginId: 'LIT-L' },
        { id: 12, description: 'Steel', amountCents: 50_000, retainageCents: 1_005, costCodeOriginId: 'CC-05', commitmentItemOriginId: 'CI-2', lineItemTypeOriginId: 'LIT-M' },
      ],
    });
    const second = sandbox.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: '9349', totalCents: 1 });

    const exported = (await control(sandbox, 'POST', '/requisitions/export', { ids: [first, second] })).body as { request: { id: number }; detail?: unknown };
    expect(exported.detail).toBeUndefined();
    const batch = await show(sandbox, token, exported.request.id);
    expect(batch.request_name).toBe('create_requisitions');
    expect(batch.request_data).not.toHaveProperty('request_detail_id');
    const [one, two] = batch.request_data.requisitions as Record<string, unknown>[];
    expect(one).toMatchObject({
      procore_requisition_id: first, billing_date: '2021-03-31', invoice_number: '9348', code: '9348', contract_id: COMMITMENT, contract_origin_id: 'SC-ERP-1',
      job_origin_id: 'JOB-100', formatted_payment_due: '$979.95',
    });
    expect(one?.line_items).toEqual([
      expect.objectContaining({ procore_requisition_item_id: 11, amount: '500.0', retainage_this_period: '10.0', cost_code_origin_id: 'CC-03', commitment_item_origin_id: 'CI-1', line_item_type_origin_id: 'LIT-L', description: 'Forms equipment' }),
      expect.objectContaining({ procore_requisition_item_id: 12, amount: '500.0', retainage_this_period: '10.05', cost_code_origin_id: 'CC-05', commitment_item_origin_id: 'CI-2', line_item_type_origin_id: 'LIT-M' }),
    ]);
    // Without lines, one line of the total and no retainage.
    expect(two?.line_items).toEqual([expect.objectContaining({ amount: '0.01', retainage_this_period: '0.0', cost_code_origin_id: null })]);

    expect((await tool(sandbox)).requisitions.find((r) => r.id === first)).toMatchObject({ status: 'in_progress', originId: null, requestIds: [exported.request.id] });
    const synced = await call(sandbox, token, 'PATCH', `${BASE}/external_data/sync`, { updates: [{ item_type: 'requisition', item_id: first, origin_id: 'BILL-9348' }] });
    expect(synced.status).toBe(200);
    expect(sandbox.requisition(first)).toMatchObject({ status: 'synced', originId: 'BILL-9348' });
    // Locked: another origin_id is refused, and the synced requisition is not exported again.
    const other = await call(sandbox, token, 'PATCH', `${BASE}/external_data/sync`, { updates: [{ item_type: 'requisition', item_id: first, origin_id: 'BILL-OTHER' }] });
    expect(other.status).toBe(422);
    expect((await control(sandbox, 'POST', '/requisitions/export', { ids: [first] })).status).toBe(409);
    expect((await control(sandbox, 'POST', '/requisitions/export', { ids: [second, second] })).status).toBe(422);
  });

  it('lists the company\'s projects (where a requisition is looked for) and the create_requisitions requests by name', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const projects = await call(sandbox, token, 'GET', `/rest/v1.0/projects?company_id=${COMPANY}`);
    expect(projects.body).toEqual([{ id: PROJECT, name: 'Harbor View Tower', project_number: 'P-100', origin_id: 'JOB-100', company: { id: COMPANY } }]);
    expect((await call(sandbox, token, 'GET', '/rest/v1.0/projects')).status).toBe(400);
    expect((await call(sandbox, token, 'GET', '/rest/v1.0/projects?company_id=99')).status).toBe(403);
    const requisition = sandbox.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: 'X-2', totalCents: 500 });
    const raised = sandbox.exportRequisitions([requisition]);
    sandbox.refreshVendors(COMPANY);
    const listed = await call(sandbox, token, 'GET', `${BASE}/erp_requests?filters[request_name]=create_requisitions`);
    expect((listed.body as { id: number; request_name: string }[]).map((r) => [r.id, r.request_name])).toEqual([[raised.request.id, 'create_requisitions']]);
  });

  it('refuses lines that do not add up to the total', async () => {
    sandbox = await startCompany();
    const answer = await control(sandbox, 'POST', '/seed', { requisitions: [{ commitmentId: COMMITMENT, invoiceNumber: 'X-1', totalCents: 100, lines: [{ amountCents: 60 }, { amountCents: 30 }] }] });
    expect(answer.status).toBe(422);
    expect((answer.body as { error: string }).error).toMatch(/the lines add up to 90 cents, not totalCents 100/);
  });

  it('a super user resets a synced requisition: unsynced, and reset_requisition names its old origin_id', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const reset = (await control(sandbox, 'POST', `/requisitions/${REQUISITION}/reset`, { resetOverride: true })).body as { request: { id: number }; detail?: unknown };
    expect(reset.detail).toBeUndefined();
    expect(await show(sandbox, token, reset.request.id)).toMatchObject({
      request_name: 'reset_requisition',
      request_data: { requisition_id: REQUISITION, project_id: PROJECT, requisition_origin_id: 'BILL-1', reset_override: true },
    });
    expect((await control(sandbox, 'GET', `/requisitions/${REQUISITION}`)).body).toMatchObject({ status: 'not_synced', originId: null, resets: 1 });
    expect((await control(sandbox, 'POST', `/requisitions/${REQUISITION}/reset`, {})).status).toBe(409);
  });
});

describe('vendors in the ERP tool (create_vendor, sync_vendors, link_vendor, unlink_vendor)', () => {
  it('exports a vendor with its directory fields and a detail; the close-out and External Data show in the ERP tool', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const vendor = sandbox.addVendor({ companyId: COMPANY, name: 'Keystone Concrete LLC', abbreviatedName: 'KEYST', address: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', emailAddress: 'ap@keystone.test', businessPhone: '512-555-0100' });
    const raised = (await control(sandbox, 'POST', `/vendors/${vendor}/export`)).body as { request: { id: number }; detail: { id: number } };
    expect(await show(sandbox, token, raised.request.id)).toMatchObject({
      request_name: 'create_vendor',
      request_data: {
        request_detail_id: raised.detail.id, company_id: COMPANY,
        vendor: { id: vendor, name: 'Keystone Concrete LLC', company: 'Keystone Concrete LLC', abbreviated_name: 'KEYST', address: '1 Main St', city: 'Austin', state_code: 'TX', zip: '78701', country_code: 'US', email_address: 'ap@keystone.test', business_phone: '512-555-0100', is_active: true, origin_id: null, synced_to_erp: false },
      },
    });
    expect(sandbox.vendor(vendor)).toMatchObject({ status: 'in_progress', requestIds: [raised.request.id] });
    await call(sandbox, token, 'PATCH', `${BASE}/erp_request_details/${raised.detail.id}`, { erp_request_detail: { status: 'failed', messages: [{ message: 'Vendor ID KEYST already exists in Sage Intacct' }] } });
    expect(sandbox.vendor(vendor)).toMatchObject({ status: 'failed', messages: [{ message: 'Vendor ID KEYST already exists in Sage Intacct' }], lastDetailStatus: 'failed' });

    const again = (await control(sandbox, 'POST', `/vendors/${vendor}/export`)).body as { request: { id: number }; detail: { id: number } };
    await call(sandbox, token, 'PATCH', `${BASE}/external_data/sync`, { updates: [{ item_type: 'vendor', item_id: vendor, origin_id: 'V-KEYST' }] });
    await call(sandbox, token, 'PATCH', `${BASE}/erp_request_details/${again.detail.id}`, { erp_request_detail: { status: 'success', messages: [] } });
    const row = (await tool(sandbox)).vendors.find((v) => v.id === vendor);
    expect(row).toMatchObject({ status: 'synced', originId: 'V-KEYST', messages: [], lastDetailStatus: 'success', requestIds: [raised.request.id, again.request.id] });
    expect((await call(sandbox, token, 'GET', `${BASE}/vendors/${vendor}`)).body).toMatchObject({ id: vendor, origin_id: 'V-KEYST', synced_to_erp: true });
  });

  it('Refresh Vendors: ERP vendors staged by origin_id (a repeat updates) and linked ones updated through Company Vendors sync', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const refresh = (await control(sandbox, 'POST', `/companies/${COMPANY}/refresh_vendors`)).body as { request: { id: number }; detail: { id: number } };

    const stage = (name: string) => call(sandbox as ProcoreSandbox, token, 'PATCH', `${BASE}/erp/staged_records/sync`, {
      staged_records: [{ item_type: 'vendor', origin_id: 'V-200', origin_code: 'NEWCO', origin_data: 'active', status: 'staged', data: { name, is_active: true, city: 'Reno' } }],
    });
    const staged = await stage('NewCo Electric');
    expect(staged.status).toBe(200);
    const again = await stage('NewCo Electric Inc.');
    const [firstRecord] = (staged.body as { entities: { id: number }[] }).entities;
    const [secondRecord] = (again.body as { entities: { id: number; data: { name: string } }[] }).entities;
    expect(secondRecord).toMatchObject({ id: firstRecord?.id, data: { name: 'NewCo Electric Inc.' } });

    const updated = await call(sandbox, token, 'PATCH', `${BASE}/vendors/sync`, {
      updates: [
        { origin_id: 'V-100', name: 'Summit Drywall Incorporated', city: 'Denver', is_active: false, email_address: 'ap@summit.test' },
        { origin_id: 'V-NOBODY', name: 'Ghost Vendor' },
        { origin_id: '  ', name: 'Blank' },
        { origin_id: 'V-100', country_code: 'usa' },
      ],
    });
    expect(updated.status).toBe(200);
    const answer = updated.body as { entities: Record<string, unknown>[]; errors: { origin_id: unknown; message: string }[] };
    expect(answer.entities).toEqual([expect.objectContaining({ id: VENDOR, name: 'Summit Drywall Incorporated', city: 'Denver', is_active: false, email_address: 'ap@summit.test', origin_id: 'V-100' })]);
    expect(answer.errors.map((e) => [e.origin_id, e.message])).toEqual([
      ['V-NOBODY', `updates[1]: no vendor of company ${COMPANY} is synced with origin_id "V-NOBODY"`],
      ['  ', 'updates[2]: origin_id must be a non-blank string'],
      ['V-100', 'updates[3]: country_code must be two capital letters such as "US"'],
    ]);
    const allRefused = await call(sandbox, token, 'PATCH', `${BASE}/vendors/sync`, { updates: [{ origin_id: 'V-NOBODY' }] });
    expect(allRefused.status).toBe(422);

    await call(sandbox, token, 'PATCH', `${BASE}/erp_request_details/${refresh.detail.id}`, { erp_request_detail: { status: 'success', messages: [{ message: '1 vendor staged, 1 updated' }] } });
    const view = await tool(sandbox);
    expect(view.stagedRecords).toEqual([expect.objectContaining({ item_type: 'vendor', origin_id: 'V-200', origin_code: 'NEWCO', status: 'staged' })]);
    expect(view.lastVendorSync).toMatchObject({ id: refresh.detail.id, status: 'success', messages: [{ message: '1 vendor staged, 1 updated' }] });
    expect(view.vendors.find((v) => v.id === VENDOR)).toMatchObject({ name: 'Summit Drywall Incorporated', syncUpdates: 1, status: 'synced' });
  });

  it('link and unlink a vendor: External Data written or cleared, then link_vendor / unlink_vendor without a detail', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const vendor = sandbox.addVendor({ companyId: COMPANY, name: 'Apex Glazing' });
    const link = (await control(sandbox, 'POST', `/vendors/${vendor}/link`, { originId: 'V-APEX' })).body as { request: { id: number }; detail?: unknown };
    expect(link.detail).toBeUndefined();
    expect(await show(sandbox, token, link.request.id)).toEqual(expect.objectContaining({ request_name: 'link_vendor', request_data: { vendor: { id: vendor, origin_id: 'V-APEX' }, company_id: COMPANY } }));
    expect(sandbox.externalData('vendor', vendor)?.origin_id).toBe('V-APEX');
    expect((await control(sandbox, 'POST', `/vendors/${vendor}/link`, { originId: 'V-OTHER' })).status).toBe(409);
    expect((await control(sandbox, 'POST', `/vendors/${vendor}/link`, { originId: ' ' })).status).toBe(422);

    const unlink = (await control(sandbox, 'POST', `/vendors/${vendor}/unlink`)).body as { request: { id: number } };
    expect(await show(sandbox, token, unlink.request.id)).toEqual(expect.objectContaining({ request_name: 'unlink_vendor', request_data: { vendor: { id: vendor, origin_id: 'V-APEX' }, company_id: COMPANY } }));
    expect(sandbox.vendor(vendor)).toMatchObject({
      status: 'not_synced',
      originId: null,
      links: [{ requestId: link.request.id, linked: true, originId: 'V-APEX' }, { requestId: unlink.request.id, linked: false, originId: 'V-APEX' }],
    });
    expect((await control(sandbox, 'POST', `/vendors/${vendor}/unlink`)).status).toBe(409);
  });
});

describe('Ready to Import: a staged vendor imported by the accountant', () => {
  it('becomes a synced Procore vendor, the record imported (and kept so by a later sync without status), then create_vendor_in_procore', async () => {
    sandbox = await startCompany();
    const token = await accessToken(sandbox);
    const stage = (status?: string) => call(sandbox as ProcoreSandbox, token, 'PATCH', `${BASE}/erp/staged_records/sync`, {
      staged_records: [{ item_type: 'vendor', origin_id: 'V-300', origin_code: 'BAYEL', ...(status === undefined ? {} : { status }), data: { name: 'Bayside Electric', city: 'Oakland', is_active: true } }],
    });
    const staged = (await stage()).body as { entities: { id: number; status: string }[] };
    const recordId = staged.entities[0]?.id as number;
    expect(staged.entities[0]?.status).toBe('staged');
    const imported = (await control(sandbox, 'POST', `/staged_records/${recordId}/import`)).body as { request: { id: number }; detail?: unknown };
    expect(imported.detail).toBeUndefined();
    const event = await show(sandbox, token, imported.request.id);
    expect(event.request_name).toBe('create_vendor_in_procore');
    const vendorId = (event.request_data.vendor as { id: number; origin_id: string }).id;
    expect(event.request_data).toEqual({ vendor: { id: vendorId, origin_id: 'V-300' }, company_id: COMPANY });
    expect(sandbox.vendor(vendorId)).toMatchObject({ name: 'Bayside Electric', status: 'synced', originId: 'V-300' });
    expect((await control(sandbox, 'POST', `/staged_records/${recordId}/import`)).status).toBe(409);

    // The next Refresh stages it again without a status: it stays imported; with one, the integrator decides.
    expect(((await stage()).body as { entities: { status: string }[] }).entities[0]?.status).toBe('imported');
    expect(((await stage('archived')).body as { entities: { status: string }[] }).entities[0]?.status).toBe('archived');
    // And Company Vendors sync now finds it by its origin_id.
    const updated = await call(sandbox, token, 'PATCH', `${BASE}/vendors/sync`, { updates: [{ origin_id: 'V-300', city: 'Berkeley' }] });
    expect((updated.body as { entities: { id: number; city: string }[] }).entities).toEqual([expect.objectContaining({ id: vendorId, city: 'Berkeley' })]);
  });
});
