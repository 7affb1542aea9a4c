import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubVendor, isLedgerlinkError, Requisition, stagedVendorRecord, type ErpRequest, type ErpVendor } from '@ledgerlink/core';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { clientFor, collect, COMMITMENT, COMPANY, context, PROJECT, startHub, VENDOR } from './support.js';

const C = String(COMPANY);

async function fetched(hub: ProcoreSandbox, requestId: number): Promise<ErpRequest> {
  const request = await clientFor(hub).erpRequest(C, String(requestId), context);
  if (request === undefined) throw new Error(`no request ${requestId}`);
  return request;
}

describe('the client on the sandbox: requisitions (create_requisitions, reset_requisition)', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('maps a batch across projects to canonical requisitions: exact cents, retainage, origin ids, vendor and project from the hub', async () => {
    // A second project, synced as JOB-200, whose subcontract is synced too; the first project is not synced.
    hub.seed({
      projects: [{ id: 502, companyId: COMPANY, projectNumber: 'P-200', name: 'Bayside Lofts', originId: 'JOB-200' }],
      vendors: [{ id: 602, companyId: COMPANY, name: 'Apex Glazing', originCode: 'APEX' }],
      commitments: [{ id: 702, projectId: 502, vendorId: 602, number: 'SC-2', originId: 'SC-ERP-2' }],
    });
    const onFirst = hub.addRequisition({
      commitmentId: COMMITMENT,
      invoiceNumber: 'INV-77',
      invoiceDate: '2026-11-30',
      totalCents: 1_234_567,
      lines: [
        { id: 71, description: 'Drywall L2', amountCents: 1_000_001, retainageCents: 100_000, costCodeOriginId: '09-250', commitmentItemOriginId: 'CI-1', lineItemTypeOriginId: 'L' },
        { id: 72, description: 'Taping', amountCents: 234_566, retainageCents: 23_457, costCodeOriginId: '09-260' },
      ],
    });
    const onSecond = hub.addRequisition({ commitmentId: 702, invoiceNumber: 'GL-9', invoiceDate: '2026-12-01', totalCents: 10, lines: [{ id: 73, amountCents: 10, retainageCents: 1 }] });
    const raised = hub.exportRequisitions([onFirst, onSecond]);
    const client = clientFor(hub);
    const request = await fetched(hub, raised.request.id);
    expect(request.requestDetailId).toBeUndefined();

    const [first, second] = await client.requisitions(request, context);
    expect(Requisition.parse(first)).toEqual({
      id: String(onFirst),
      number: 'INV-77',
      billingDate: '2026-11-30',
      vendor: { id: String(VENDOR), name: 'Summit Drywall Inc.', code: 'SUMMIT', erpId: 'V-100' },
      project: { id: String(PROJECT), number: 'P-100', name: 'Harbor View Tower' },
      commitment: { id: String(COMMITMENT) },
      totalCents: 1_234_567,
      retainageCents: 123_457,
      lines: [
        { id: '71', description: 'Drywall L2', amountCents: 1_000_001, retainageCents: 100_000, costCodeOriginId: '09-250', commitmentItemOriginId: 'CI-1', costTypeOriginId: 'L' },
        { id: '72', description: 'Taping', amountCents: 234_566, retainageCents: 23_457, costCodeOriginId: '09-260' },
      ],
    });
    // The vendor is not linked yet: no erpId, which the runner's prerequisite check turns into a wait.
    expect(Requisition.parse(second)).toMatchObject({
      id: String(onSecond),
      vendor: { id: '602', name: 'Apex Glazing', code: 'APEX' },
      project: { id: '502', number: 'P-200', erpId: 'JOB-200' },
      commitment: { id: '702', erpId: 'SC-ERP-2' },
      totalCents: 10,
      retainageCents: 1,
    });
    expect((second as { vendor: Record<string, unknown> }).vendor).not.toHaveProperty('erpId');
  });

  it('the fallback finds a batch without a detail while a requisition of it is not synced; External Data syncs and locks it', async () => {
    const one = hub.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: 'A-1', totalCents: 100 });
    const two = hub.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: 'A-2', totalCents: 200 });
    const batch = hub.exportRequisitions([one, two]);
    const vendorExport = hub.exportVendor(hub.addVendor({ companyId: COMPANY, name: 'Open Vendor' }));
    const client = clientFor(hub);
    const names = async (): Promise<[string, string][]> => (await collect(client.openRequests(C, context))).items.map((r) => [r.id, r.requestName]);
    expect(await names()).toEqual([[String(vendorExport.request.id), 'create_vendor'], [String(batch.request.id), 'create_requisitions']]);

    await client.syncExternalData(C, [{ itemType: 'requisition', itemId: String(one), originId: 'BILL-A1' }], context);
    expect(await names()).toContainEqual([String(batch.request.id), 'create_requisitions']);
    await client.syncExternalData(C, [{ itemType: 'requisition', itemId: String(two), originId: 'BILL-A2', originData: 'APBILL 2' }], context);
    expect(await names()).toEqual([[String(vendorExport.request.id), 'create_vendor']]);
    expect(hub.requisition(two)).toMatchObject({ status: 'synced', originId: 'BILL-A2' });
    // A batch found closed is not read again: the next poll lists the requests but asks no External Data.
    hub.resetStats();
    await names();
    expect(hub.stats().byEndpoint['GET /rest/v1.0/companies/:id/external_data']).toBeUndefined();
    expect(hub.stats().byEndpoint['GET /rest/v1.0/companies/:id/erp_requests']).toBe(1);
    // Locked: another bill id for a synced requisition is refused by Procore, and the client says which.
    const refused = await client.syncExternalData(C, [{ itemType: 'requisition', itemId: String(two), originId: 'BILL-OTHER' }], context).catch((error: unknown) => error);
    expect(isLedgerlinkError(refused) && refused.message).toMatch(new RegExp(`requisition ${two}.*locked`));
  });

  it('reads a reset_requisition request', async () => {
    const requisition = hub.addRequisition({ commitmentId: COMMITMENT, invoiceNumber: 'R-1', totalCents: 100, originId: 'BILL-R1' });
    const raised = hub.resetRequisition(requisition, { resetOverride: true });
    const client = clientFor(hub);
    expect(client.requisitionReset(await fetched(hub, raised.request.id))).toEqual({ requisitionId: String(requisition), projectId: String(PROJECT), originId: 'BILL-R1', resetOverride: true });
  });
});

describe('the client on the sandbox: vendors (create_vendor, sync_vendors, link_vendor, unlink_vendor)', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub();
  });
  afterEach(async () => {
    await hub.close();
  });

  it('maps create_vendor to a canonical HubVendor; External Data and the close-out show it synced', async () => {
    const vendor = hub.addVendor({ companyId: COMPANY, name: 'Keystone Concrete LLC', abbreviatedName: 'KEYST', address: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', emailAddress: 'ap@keystone.test', businessPhone: '512-555-0100' });
    const bare = hub.addVendor({ companyId: COMPANY, name: 'Bare Vendor', isActive: false });
    const raised = hub.exportVendor(vendor);
    const client = clientFor(hub);
    const request = await fetched(hub, raised.request.id);
    expect(HubVendor.parse(await client.vendor(request, context))).toEqual({
      id: String(vendor), name: 'Keystone Concrete LLC', code: 'KEYST', email: 'ap@keystone.test', phone: '512-555-0100', isActive: true,
      address: { street: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', countryCode: 'US' },
    });
    // Blank directory fields (the docs' "" and null) are absent, not empty values.
    expect(HubVendor.parse(await client.vendor(await fetched(hub, hub.exportVendor(bare).request.id), context))).toEqual({ id: String(bare), name: 'Bare Vendor', isActive: false, address: { countryCode: 'US' } });

    await client.syncExternalData(C, [{ itemType: 'vendor', itemId: String(vendor), originId: 'V-KEYST', originData: 'KEYST' }], context);
    await client.closeOut(C, request.requestDetailId as string, { status: 'success', messages: [] }, context);
    expect(hub.vendor(vendor)).toMatchObject({ status: 'synced', originId: 'V-KEYST', lastDetailStatus: 'success' });
  });

  it('Refresh Vendors: stages ERP vendors idempotently by origin id, updates the linked ones, and says which are not linked', async () => {
    const refresh = hub.refreshVendors(COMPANY);
    const client = clientFor(hub);
    expect((await fetched(hub, refresh.request.id)).requestDetailId).toBe(String(refresh.detail?.id));
    const summit: ErpVendor = { erpVendorId: 'V-100', name: 'Summit Drywall Incorporated', code: 'SUMMIT', isActive: true, address: { city: 'Denver', stateCode: 'CO' }, email: 'ap@summit.test' };
    const newco: ErpVendor = { erpVendorId: 'V-200', name: 'NewCo Electric', code: 'NEWCO', isActive: true, erpStatus: 'active', phone: '775-555-0101' };

    const updates = await client.syncVendors(C, [{ originId: 'V-100', vendor: summit }, { originId: 'V-200', vendor: newco }, { originId: ' ', vendor: newco }], context);
    expect(updates).toEqual([
      { originId: 'V-100', ok: true, hubId: String(VENDOR) },
      { originId: 'V-200', ok: false, notLinked: true, message: `no vendor of company ${COMPANY} is synced with ERP vendor V-200` },
      { originId: ' ', ok: false, notLinked: false, message: 'a vendor update needs a non-blank origin_id (the ERP vendor id)' },
    ]);
    expect(hub.vendor(VENDOR)).toMatchObject({ name: 'Summit Drywall Incorporated', syncUpdates: 1 });

    const first = await client.syncStagedRecords(C, [stagedVendorRecord(newco), { itemType: 'vendor', originId: '', data: {} }], context);
    expect(first[0]).toMatchObject({ originId: 'V-200', ok: true, status: 'staged' });
    expect(first[1]).toEqual({ originId: '', ok: false, message: 'a staged record needs a non-blank origin_id (the ERP id)' });
    const again = await client.syncStagedRecords(C, [stagedVendorRecord({ ...newco, name: 'NewCo Electric Inc.' })], context);
    expect(again).toEqual([{ originId: 'V-200', ok: true, stagedId: (first[0] as { stagedId: string }).stagedId, status: 'staged' }]);
    expect(hub.stagedRecords(COMPANY)).toEqual([
      expect.objectContaining({ item_type: 'vendor', origin_id: 'V-200', origin_code: 'NEWCO', origin_data: 'active', status: 'staged', data: { name: 'NewCo Electric Inc.', is_active: true, abbreviated_name: 'NEWCO', business_phone: '775-555-0101' } }),
    ]);
    // The accountant imports it: the next refresh leaves it imported, and updates it as a linked vendor instead.
    const stagedId = (first[0] as { stagedId: string }).stagedId;
    const imported = hub.importStagedVendor(stagedId);
    const newcoHubId = String((imported.request.request_data.vendor as { id: number }).id);
    expect(await client.syncStagedRecords(C, [stagedVendorRecord(newco)], context)).toEqual([{ originId: 'V-200', ok: true, stagedId, status: 'imported' }]);
    expect(await client.syncVendors(C, [{ originId: 'V-200', vendor: newco }], context)).toEqual([{ originId: 'V-200', ok: true, hubId: newcoHubId }]);
    // A refused record is answered as refused, by origin id.
    const bad = await client.syncStagedRecords(C, [{ itemType: 'sub_job', originId: 'SJ-1', data: {} }], context);
    expect(bad).toEqual([{ originId: 'SJ-1', ok: false, message: expect.stringContaining('project_origin_id is required') }]);

    await client.closeOut(C, String(refresh.detail?.id), { status: 'success', messages: [] }, context);
    expect(hub.erpTool(COMPANY).lastVendorSync).toMatchObject({ status: 'success' });
  });

  it('reads link_vendor and unlink_vendor; refuses a request that is neither', async () => {
    const vendor = hub.addVendor({ companyId: COMPANY, name: 'Apex Glazing' });
    const link = hub.linkVendor(vendor, 'V-APEX');
    const unlink = hub.unlinkVendor(vendor);
    const client = clientFor(hub);
    expect(client.vendorLinks(await fetched(hub, link.request.id))).toEqual([{ vendorId: String(vendor), originId: 'V-APEX', linked: true }]);
    expect(client.vendorLinks(await fetched(hub, unlink.request.id))).toEqual([{ vendorId: String(vendor), originId: 'V-APEX', linked: false }]);
    const other = await fetched(hub, hub.refreshVendors(COMPANY).request.id);
    expect(() => client.vendorLinks(other)).toThrow(/is sync_vendors, not link_vendor/);
  });
});
