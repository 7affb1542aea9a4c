import type { ExternalData } from './external-data.js';
import { isRecord, SandboxRefusal } from './http-io.js';
import { vendorPayload, type HubObjects, type Vendor } from './hub-objects.js';

/** Text fields an update may set: wire name → the vendor's field. Other directory fields are left alone. */
const TEXT_FIELDS = {
  abbreviated_name: 'abbreviatedName',
  origin_code: 'originCode',
  email_address: 'emailAddress',
  country_code: 'countryCode',
} as const;
/** Fields Procore keeps as blank strings rather than null. */
const BLANKABLE_FIELDS = { address: 'address', city: 'city', state_code: 'stateCode', zip: 'zip', business_phone: 'businessPhone' } as const;

/**
 * Company Vendors sync [I: PLATFORM-WIRE.md]: `sync_vendors` asks the integrator to "update any vendors in Procore
 * that have already been synced". An update names the vendor by the `origin_id` its External Data carries; an
 * `origin_id` no vendor of the company is linked to is refused (new ERP vendors are staged, not created here).
 */
export function syncVendors(objects: HubObjects, externalData: ExternalData, companyId: number, body: unknown, now: string): { entities: Record<string, unknown>[]; errors: { origin_id: unknown; message: string }[] } {
  if (!isRecord(body) || !Array.isArray(body.updates)) throw new SandboxRefusal(400, 'the body must be { "updates": [ { "origin_id": "…", "name": …, … } ] }');
  const answer = { entities: [] as Record<string, unknown>[], errors: [] as { origin_id: unknown; message: string }[] };
  for (const [index, update] of (body.updates as unknown[]).entries()) {
    const originId = isRecord(update) ? update.origin_id : undefined;
    try {
      const vendor = linkedVendor(objects, externalData, companyId, update, index);
      apply(vendor, update as Record<string, unknown>, `updates[${index}]`);
      vendor.updatedAt = now;
      vendor.syncUpdates += 1;
      answer.entities.push(vendorPayload(vendor, externalData.originId('vendor', vendor.id)));
    } catch (error) {
      if (!(error instanceof SandboxRefusal)) throw error;
      answer.errors.push({ origin_id: originId ?? null, message: error.message });
    }
  }
  return answer;
}

function linkedVendor(objects: HubObjects, externalData: ExternalData, companyId: number, update: unknown, index: number): Vendor {
  const where = `updates[${index}]`;
  if (!isRecord(update)) throw new SandboxRefusal(422, `${where} must be an object`);
  const originId = update.origin_id;
  if (typeof originId !== 'string' || originId.trim() === '') throw new SandboxRefusal(422, `${where}: origin_id must be a non-blank string`);
  const linked = externalData.itemsWithOrigin('vendor', originId).map((id) => objects.vendors.get(id)).filter((v): v is Vendor => v?.companyId === companyId);
  const vendor = linked[0];
  if (vendor === undefined) throw new SandboxRefusal(422, `${where}: no vendor of company ${companyId} is synced with origin_id ${JSON.stringify(originId)}`);
  return vendor;
}

/** Checks every field before changing any, so a refused update leaves the vendor as it was. */
function apply(vendor: Vendor, update: Record<string, unknown>, where: string): void {
  const changes: Partial<Vendor> = {};
  if ('name' in update) {
    if (typeof update.name !== 'string' || update.name.trim() === '') throw new SandboxRefusal(422, `${where}: name must be a non-blank string`);
    changes.name = update.name;
  }
  if ('is_active' in update) {
    if (typeof update.is_active !== 'boolean') throw new SandboxRefusal(422, `${where}: is_active must be true or false`);
    changes.isActive = update.is_active;
  }
  for (const [wire, field] of Object.entries(TEXT_FIELDS)) {
    if (!(wire in update)) continue;
    const value = update[wire];
    if (value !== null && typeof value !== 'string') throw new SandboxRefusal(422, `${where}: ${wire} must be a string or null`);
    (changes as Record<string, unknown>)[field] = value;
  }
  for (const [wire, field] of Object.entries(BLANKABLE_FIELDS)) {
    if (!(wire in update)) continue;
    const value = update[wire];
    if (value !== null && typeof value !== 'string') throw new SandboxRefusal(422, `${where}: ${wire} must be a string or null`);
    (changes as Record<string, unknown>)[field] = value ?? '';
  }
  if (typeof changes.countryCode === 'string' && !/^[A-Z]{2}$/.test(changes.countryCode)) throw new SandboxRefusal(422, `${where}: country_code must be two capital letters such as "US"`);
  Object.assign(vendor, changes);
}
