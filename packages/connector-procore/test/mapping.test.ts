import { compileMapping, HubVendor, loadMappingFile, Payment, Requisition, stagedVendorRecord, type ErpVendor } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exactCents, procoreConnector } from '../src/index.js';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPayment, clientFor, COMMITMENT, COMPANY, context, PROJECT, startHub, VENDOR } from './support.js';

const C = String(COMPANY);

/** Compares wire values as Procore means them: ids as text, amounts as cents, dates by their day, absent and null alike. */
function normalise(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((item) => normalise(item, key));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => [k, normalise(v, k)] as const)
        .filter(([, v]) => v !== undefined),
    );
  }
  if (/amount|payment_due|retainage/.test(key) && typeof value === 'string') return exactCents(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return value.slice(0, 10);
  return value;
}

/** Keeps only the keys `shape` has, recursively: the wire carries more than the seed tables name. */
function pick(wire: unknown, shape: unknown): unknown {
  if (typeof shape !== 'object' || shape === null || typeof wire !== 'object' || wire === null) return wire;
  if (Array.isArray(shape) && Array.isArray(wire)) return wire.map((item, index) => pick(item, shape[index]));
  return Object.fromEntries(Object.keys(shape).map((key) => [key, pick((wire as Record<string, unknown>)[key], (shape as Record<string, unknown>)[key])]));
}

async function rest(hub: ProcoreSandbox, path: string): Promise<unknown> {
  const token = (await (await fetch(hub.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: hub.serviceAccount.clientId, client_secret: hub.serviceAccount.clientSecret }) })).json()) as { access_token: string };
  return (await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token.access_token}`, 'procore-company-id': C } })).json();
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
    const toWire = compileMapping(loadMappingFile(procoreConnector.mapping.path), 'payment', 'export');
    const { paymentId, requisitionId, requestId } = addPayment(hub, 321_07, { totalCents: 400_00, method: 'ach' });
    const client = clientFor(hub);
    const request = await client.erpRequest(C, String(requestId), context);
    const payment = Payment.parse(await client.contractPayment(request as NonNullable<typeof request>, context));
    const mapped = toWire(payment);
    expect(mapped.ok).toBe(true);
    const wire = {
      contract_payment: hub.contractPaymentPayload(paymentId),
      vendor: await rest(hub, `/rest/v1.0/companies/${C}/vendors/${VENDOR}`),
      requisition: await rest(hub, `/rest/v1.0/projects/${PROJECT}/requisitions/${requisitionId}`),
      project: await rest(hub, `/rest/v1.0/projects/${PROJECT}?company_id=${C}`),
    };
    const value = normalise(mapped.ok ? mapped.value : {});
    expect(value).toEqual(normalise(pick(wire, value)));
    expect((value as { requisition: { commitment_id: string } }).requisition.commitment_id).toBe(String(COMMITMENT));
  });

  it('reads an Invoice Payment (Payments Issued) back into the PaymentIssued that was written', async () => {
    const written = { erpPaymentId: 'acme-qbo:PAY-1', amountCents: 99_999_999_99, paidOn: '2025-05-07', method: 'ach' as const, checkNumber: '4712', erpStatus: 'Approved', invoiceNumber: 'INV-X', paymentNumber: 'P-1', notes: 'n & <m>', commitmentId: String(COMMITMENT) };
    await clientFor(hub).syncPaymentsIssued(C, [{ originId: 'acme-qbo:PAY-1', payment: written }], context);
    const fromWire = compileMapping(loadMappingFile(procoreConnector.mapping.path), 'payment', 'import');
    expect(fromWire(hub.paymentsIssued(COMPANY)[0])).toEqual({ ok: true, value: written });
  });

  it('names, for every canonical field of an exported requisition, the create_requisitions field (or hub object) it was read from', async () => {
    const toWire = compileMapping(loadMappingFile(procoreConnector.mapping.path), 'requisition', 'export');
    const requisitionId = hub.addRequisition({
      commitmentId: COMMITMENT,
      invoiceNumber: 'INV-M1',
      invoiceDate: '2026-11-30',
      totalCents: 150_001,
      lines: [
        { id: 91, description: 'Framing', amountCents: 100_000, retainageCents: 10_000, costCodeOriginId: '06-100', commitmentItemOriginId: 'CI-9', lineItemTypeOriginId: 'S' },
        { id: 92, description: 'Blocking', amountCents: 50_001, retainageCents: 0 },
      ],
    });
    const raised = hub.exportRequisitions([requisitionId]);
    const client = clientFor(hub);
    const request = await client.erpRequest(C, String(raised.request.id), context);
    const [candidate] = await client.requisitions(request as NonNullable<typeof request>, context);
    const mapped = toWire(Requisition.parse(candidate));
    expect(mapped.ok).toBe(true);
    const payload = (hub.erpRequest(raised.request.id)?.request_data.requisitions as unknown[])[0];
    const wire = {
      requisition: payload,
      vendor: await rest(hub, `/rest/v1.0/companies/${C}/vendors/${VENDOR}`),
      project: await rest(hub, `/rest/v1.0/projects/${PROJECT}?company_id=${C}`),
    };
    const value = normalise(mapped.ok ? mapped.value : {}) as { requisition: { line_items: unknown[] } };
    expect(value).toEqual(normalise(pick(wire, value)));
    expect(value.requisition.line_items).toHaveLength(2);
  });

  it('names, for every canonical field of an exported vendor, the create_vendor field it was read from', async () => {
    const toWire = compileMapping(loadMappingFile(procoreConnector.mapping.path), 'vendor', 'export');
    const vendorId = hub.addVendor({ companyId: COMPANY, name: 'Keystone Concrete LLC', originCode: 'KEYST', address: '1 Main St', city: 'Austin', stateCode: 'TX', zip: '78701', emailAddress: 'ap@keystone.test', businessPhone: '512-555-0100' });
    const raised = hub.exportVendor(vendorId);
    const client = clientFor(hub);
    const request = await client.erpRequest(C, String(raised.request.id), context);
    const mapped = toWire(HubVendor.parse(await client.vendor(request as NonNullable<typeof request>, context)));
    expect(mapped.ok).toBe(true);
    const value = normalise(mapped.ok ? mapped.value : {});
    expect(value).toEqual(normalise(pick({ vendor: hub.erpRequest(raised.request.id)?.request_data.vendor }, value)));
    expect(value).toMatchObject({ vendor: { name: 'Keystone Concrete LLC', city: 'Austin', is_active: true } });
  });

  it('reads a vendor Refresh Vendors staged back into the ErpVendor that was staged', async () => {
    const staged: ErpVendor = { erpVendorId: 'V-300', name: 'Bayside Electric', code: 'BAYEL', address: { street: '9 Pier Rd', city: 'Oakland', stateCode: 'CA', zip: '94607', countryCode: 'US' }, email: 'ap@bayside.test', phone: '510-555-0199', isActive: false, erpStatus: 'inactive' };
    const [result] = await clientFor(hub).syncStagedRecords(C, [stagedVendorRecord(staged)], context);
    expect(result).toMatchObject({ ok: true });
    const fromWire = compileMapping(loadMappingFile(procoreConnector.mapping.path), 'vendor', 'import');
    expect(fromWire(hub.stagedRecords(COMPANY)[0])).toEqual({ ok: true, value: staged });
  });
});
