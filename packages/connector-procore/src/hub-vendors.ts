import { ErrorCodes, LedgerlinkError, type ErpRequest, type VendorLink, type VendorUpdate, type VendorUpdateResult } from '@ledgerlink/core';
import { MAX_BULK, platformPaths } from './platform-paths.js';
import type { ProcoreApi } from './procore-api.js';
import { bulkAnswer } from './hub-writes.js';
import { isRecord, procoreId, property, text } from './procore-wire.js';
import { dropUndefined } from './requisitions.js';

/**
 * The canonical vendor candidate of a `create_vendor` request: `request_data.vendor` (erp_events_dictionary.md) in
 * the model's words. Blank directory fields (the docs' example has `""` and `null`) are absent, not empty values.
 * Unvalidated: the runner validates it and reports what is wrong through the close-out.
 */
export function readHubVendor(request: ErpRequest): Record<string, unknown> {
  const wire = request.data.vendor;
  if (!isRecord(wire)) throw invalid(request, 'vendor', `ERP request ${request.id} (${request.requestName}) carries no request_data.vendor object`);
  const address = dropUndefined({
    street: text(wire.address),
    city: text(wire.city),
    stateCode: text(wire.state_code),
    zip: text(wire.zip),
    countryCode: text(wire.country_code)?.toUpperCase(),
  });
  return dropUndefined({
    id: procoreId(wire.id),
    name: text(wire.name) ?? text(wire.company),
    code: text(wire.origin_code) ?? text(wire.abbreviated_name),
    address: Object.keys(address).length === 0 ? undefined : address,
    email: text(wire.email_address),
    phone: text(wire.business_phone) ?? text(wire.mobile_phone),
    // Procore's directory says `is_active`; a vendor without it is active. Anything but a boolean is left for
    // validation to refuse by name.
    isActive: wire.is_active === undefined || wire.is_active === null ? true : wire.is_active,
  });
}

const LINK_EVENTS: Readonly<Record<string, boolean>> = { link_vendor: true, link_all_vendors: true, unlink_vendor: false };

/**
 * Reads `link_vendor` / `unlink_vendor` (`request_data.vendor {id, origin_id}`) and `link_all_vendors`
 * (`request_data.vendors [...]`). A link without an ERP vendor id, or a vendor without a Procore id, is refused:
 * a blank id never becomes a link.
 */
export function readVendorLinks(request: ErpRequest): VendorLink[] {
  const linked = LINK_EVENTS[request.requestName];
  if (linked === undefined) throw invalid(request, 'request_name', `ERP request ${request.id} is ${request.requestName}, not link_vendor, link_all_vendors or unlink_vendor`);
  const many = request.data.vendors;
  const list: unknown[] = Array.isArray(many) ? many : request.data.vendor === undefined ? [] : [request.data.vendor];
  if (list.length === 0) throw invalid(request, 'vendor', `ERP request ${request.id} (${request.requestName}) names no vendor`);
  return list.map((wire, index) => {
    const where = Array.isArray(many) ? `vendors[${index}]` : 'vendor';
    const vendorId = procoreId(property(wire, 'id'));
    if (vendorId === undefined) throw invalid(request, `${where}.id`, `ERP request ${request.id} (${request.requestName}): ${where}.id ${JSON.stringify(property(wire, 'id')) ?? 'is missing'} is not a Procore id`);
    const originId = text(property(wire, 'origin_id'));
    if (linked && originId === undefined) {
      throw invalid(request, `${where}.origin_id`, `ERP request ${request.id} (${request.requestName}): vendor ${vendorId} is linked to no ERP vendor (blank origin_id)`);
    }
    return { vendorId, ...(originId === undefined ? {} : { originId }), linked };
  });
}

/**
 * Company Vendors sync for `sync_vendors`: hub vendors already linked to an ERP vendor are updated from it, by
 * `origin_id`. The company's vendors are listed first, so an update for an ERP vendor no hub vendor is linked to is
 * answered `notLinked` (to be staged instead) without being sent; a blank origin_id is never sent.
 */
export async function syncVendors(api: ProcoreApi, companyId: string, updates: VendorUpdate[], perPage: number): Promise<VendorUpdateResult[]> {
  const results = new Map<VendorUpdate, VendorUpdateResult>();
  const sendable = updates.filter((update) => {
    if (typeof update.originId === 'string' && update.originId.trim() !== '') return true;
    results.set(update, { originId: update.originId, ok: false, notLinked: false, message: 'a vendor update needs a non-blank origin_id (the ERP vendor id)' });
    return false;
  });
  const linked = sendable.length === 0 ? new Map<string, string>() : await linkedVendors(api, companyId, perPage);
  const toSend = sendable.filter((update) => {
    if (linked.has(update.originId.trim())) return true;
    results.set(update, { originId: update.originId, ok: false, notLinked: true, message: `no vendor of company ${companyId} is synced with ERP vendor ${update.originId}` });
    return false;
  });
  for (let start = 0; start < toSend.length; start += MAX_BULK) {
    const chunk = toSend.slice(start, start + MAX_BULK);
    const doing = `updating ${chunk.length} synced vendor${chunk.length === 1 ? '' : 's'} of company ${companyId}`;
    const body = await bulkAnswer(api, { method: 'PATCH', path: platformPaths.vendorsSync(companyId), companyId, body: { updates: chunk.map(toWire) }, doing });
    const done = new Map<string, VendorUpdateResult>();
    const errors = property(body, 'errors');
    for (const error of Array.isArray(errors) ? errors : []) {
      const originId = text(property(error, 'origin_id'));
      if (originId !== undefined) done.set(originId, { originId, ok: false, notLinked: false, message: text(property(error, 'message')) ?? 'refused by Procore' });
    }
    const entities = property(body, 'entities');
    for (const entity of Array.isArray(entities) ? entities : []) {
      const originId = text(property(entity, 'origin_id'));
      const hubId = procoreId(property(entity, 'id'));
      if (originId === undefined || done.has(originId)) continue;
      done.set(originId, hubId === undefined ? { originId, ok: false, notLinked: false, message: 'Procore answered without the vendor id' } : { originId, ok: true, hubId });
    }
    for (const update of chunk) {
      const result = done.get(update.originId.trim());
      results.set(update, result === undefined
        ? { originId: update.originId, ok: false, notLinked: false, message: `Procore answered nothing for ERP vendor ${update.originId}; it is sent again on the next Refresh Vendors` }
        : { ...result, originId: update.originId });
    }
  }
  return updates.map((update) => results.get(update) as VendorUpdateResult);
}

/** ERP vendor id → hub vendor id, for the company's vendors that carry an `origin_id`. */
async function linkedVendors(api: ProcoreApi, companyId: string, perPage: number): Promise<Map<string, string>> {
  const linked = new Map<string, string>();
  for await (const page of api.pages({ method: 'GET', path: platformPaths.vendors(companyId), companyId, doing: `listing the vendors of company ${companyId}` }, perPage)) {
    for (const row of page) {
      const id = procoreId(property(row, 'id'));
      const originId = text(property(row, 'origin_id'));
      if (id !== undefined && originId !== undefined) linked.set(originId, id);
    }
  }
  return linked;
}

/** Procore's vendor fields (the `create_vendor` payload's names) from the ERP's vendor; absent parts are not sent. */
function toWire(update: VendorUpdate): Record<string, unknown> {
  const { vendor } = update;
  return dropUndefined({
    origin_id: update.originId.trim(),
    name: vendor.name,
    origin_code: vendor.code,
    abbreviated_name: vendor.code,
    address: vendor.address?.street,
    city: vendor.address?.city,
    state_code: vendor.address?.stateCode,
    zip: vendor.address?.zip,
    country_code: vendor.address?.countryCode,
    email_address: vendor.email,
    business_phone: vendor.phone,
    is_active: vendor.isActive,
  });
}

function invalid(request: ErpRequest, field: string, message: string): LedgerlinkError {
  return new LedgerlinkError(ErrorCodes.RECORD_INVALID, message.includes(`ERP request ${request.id}`) ? message : `${message} (ERP request ${request.id})`, {
    disposition: 'rejected',
    details: { requestId: request.id, field },
  });
}
