/**
 * The agent's vendor routes (README.md, "Vendors"): list in pages, read one, create one. Sage 300 CRE vendor ids
 * are assigned by the customer (up to 10 characters), so a new vendor arrives with its id.
 */
import { z } from 'zod';
import { type AgentAnswer, type ApCompany, type ApVendor, agentError, vendorJson } from './ap-company.js';

const Text = z.string().min(1).max(200);

export const CreateVendorBody = z.strictObject({
  vendor: Text,
  name: Text,
  status: z.enum(['Active', 'Inactive']).default('Active'),
  address: z.strictObject({ street: Text.optional(), city: Text.optional(), state: Text.optional(), zip: Text.optional() }).optional(),
  phone: Text.optional(),
  email: Text.optional(),
  taxId: Text.optional(),
});
export type CreateVendorBody = z.infer<typeof CreateVendorBody>;

const WIDTHS = { vendor: 10, name: 30, phone: 20, email: 60 } as const;

export function createVendor(company: ApCompany, body: CreateVendorBody): AgentAnswer {
  for (const field of ['vendor', 'name', 'phone', 'email'] as const) {
    const value = body[field];
    if (value !== undefined && value.length > WIDTHS[field]) {
      return agentError(422, 'FIELD_TOO_LONG', `${field} holds at most ${WIDTHS[field]} characters in Sage AP; "${value}" has ${value.length}.`, {
        field,
        maxLength: WIDTHS[field],
        length: value.length,
      });
    }
  }
  const existing = company.vendors.get(body.vendor);
  if (existing) {
    return agentError(409, 'VENDOR_EXISTS', `Vendor ${body.vendor} already exists in Sage AP (${existing.name}).`, { vendor: existing.id, name: existing.name });
  }
  const vendor: ApVendor = {
    id: body.vendor,
    name: body.name,
    status: body.status,
    createdByAgent: true,
    ...(body.address === undefined ? {} : { address: body.address }),
    ...(body.phone === undefined ? {} : { phone: body.phone }),
    ...(body.email === undefined ? {} : { email: body.email }),
    ...(body.taxId === undefined ? {} : { taxId: body.taxId }),
  };
  company.vendors.set(vendor.id, vendor);
  return { status: 201, body: { created: true, vendor: vendorJson(vendor) } };
}

export function readVendor(company: ApCompany, id: string): AgentAnswer {
  const vendor = company.vendors.get(id);
  return vendor ? { status: 200, body: vendorJson(vendor) } : agentError(404, 'VENDOR_NOT_FOUND', `Vendor ${id} does not exist in Sage AP.`, { vendor: id });
}

/** `GET /v1/ap/vendors?status=&limit=&cursor=`: ordered by vendor id; the cursor is the last id of the page. */
export function listVendors(company: ApCompany, query: URLSearchParams): AgentAnswer {
  const known = new Set(['status', 'limit', 'cursor']);
  const unknown = [...query.keys()].filter((key) => !known.has(key));
  if (unknown.length > 0) return agentError(400, 'BAD_REQUEST', `Unknown query parameter ${unknown.join(', ')}; use ${[...known].join(', ')}.`);
  const limitText = query.get('limit') ?? '100';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return agentError(400, 'BAD_REQUEST', `limit must be a whole number from 1 to 500, not "${limitText}".`);
  const cursorText = query.get('cursor');
  let after: string | undefined;
  if (cursorText !== null) {
    const decoded = /^[A-Za-z0-9_-]+$/.test(cursorText) ? Buffer.from(cursorText, 'base64url').toString('utf8') : '';
    if (!decoded.startsWith('v:')) return agentError(400, 'BAD_REQUEST', 'cursor is not one this agent gave out.');
    after = decoded.slice(2);
  }
  const status = query.get('status');
  const all = [...company.vendors.values()]
    .filter((vendor) => status === null || vendor.status === status)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((vendor) => after === undefined || vendor.id > after);
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  const next = all.length > limit && last ? Buffer.from(`v:${last.id}`, 'utf8').toString('base64url') : null;
  return { status: 200, body: { vendors: page.map(vendorJson), nextCursor: next } };
}
