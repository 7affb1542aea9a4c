import {
  ErrorCodes,
  type HubVendor,
  LedgerlinkError,
  type LoadContext,
  type LoadItem,
  type Loader,
  type Logger,
  type Outcome,
  Outcomes,
} from '@ledgerlink/core';
import type { IntacctErrorCodes } from './config.js';
import { createOnce, lookupFailed, textField } from './intacct-create.js';
import { erpAnswerOf } from './intacct-errors.js';
import type { IntacctGateway } from './intacct-gateway.js';
import { runQuery } from './intacct-query.js';
import { controlIdFor, type IntacctFunction } from './intacct-request.js';
import { childText } from './intacct-xml.js';

type VendorItem = LoadItem<Record<string, unknown>, HubVendor>;

/** Top-level VENDOR fields in the order the SDK's `VendorCreate` writes them (DISPLAYCONTACT after NAME). */
const VENDOR_ORDER = ['VENDORID', 'NAME', 'DISPLAYCONTACT', 'ONETIME', 'STATUS', 'HIDEDISPLAYCONTACT', 'VENDTYPE', 'PARENTID', 'GLGROUP', 'TAXID'];

/**
 * Intacct's vendor key is its VENDORID, the ID a payment's and a bill's VENDORID name: text of 1-20 characters with
 * no leading or trailing space. A blank or malformed one settles nothing.
 */
export function isVendorId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 20 && value.trim() === value && !/[\u0000-\u001f]/.test(value);
}

/** The mapped VENDOR as text leaves in element order; nested groups (DISPLAYCONTACT/MAILADDRESS) kept. */
export function readVendorPayload(payload: Record<string, unknown>): { ok: true; vendor: Record<string, unknown> } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const walk = (source: Record<string, unknown>, path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(source)) {
      if (value === undefined || value === null || value === '') continue;
      if (typeof value === 'object' && !Array.isArray(value)) out[name] = walk(value as Record<string, unknown>, `${path}${name}.`);
      else {
        const text = textField(value);
        if (text === undefined) problems.push(`${path}${name} must be text, got ${typeof value}`);
        else out[name] = text;
      }
    }
    return out;
  };
  const fields = walk(payload, '');
  if (typeof fields.NAME !== 'string') problems.push('NAME is required');
  const vendor: Record<string, unknown> = {};
  for (const name of VENDOR_ORDER) if (fields[name] !== undefined) vendor[name] = fields[name];
  for (const [name, value] of Object.entries(fields)) if (!VENDOR_ORDER.includes(name)) vendor[name] = value;
  return problems.length > 0 ? { ok: false, problems } : { ok: true, vendor };
}

/** `create` `VENDOR` with the fields in element order. */
export function createVendorFunction(controlId: string, vendor: Record<string, unknown>): IntacctFunction {
  return { controlId, body: { create: { VENDOR: vendor } } };
}

/** What the vendor loader needs: the shared gateway, the tenant's error-code table, a logger. */
export interface VendorLoaderOptions {
  gateway: IntacctGateway;
  errorCodes: IntacctErrorCodes;
  logger: Logger;
}

/**
 * Hub vendors as Intacct vendors: `create VENDOR` with the function controlid from the idempotency key and
 * `uniqueid=true`. The outcome's ERP id is the VENDORID (what bills and payments name), not the RECORDNO. `find`
 * looks the vendor up by the VENDORID sent (the hub's vendor code) and its name, or, without a code, by a name
 * exactly one Intacct vendor has.
 */
export function createVendorLoader(options: VendorLoaderOptions): Loader<Record<string, unknown>, HubVendor> {
  const { gateway, errorCodes, logger } = options;

  async function lookUp(vendor: Record<string, unknown>): Promise<string | null> {
    const vendorId = typeof vendor.VENDORID === 'string' ? vendor.VENDORID : undefined;
    const name = vendor.NAME as string;
    const page = await runQuery(
      gateway,
      {
        object: 'VENDOR',
        select: ['RECORDNO', 'VENDORID', 'NAME'],
        filter: vendorId === undefined ? { op: 'equalto', field: 'NAME', value: name } : { op: 'equalto', field: 'VENDORID', value: vendorId },
        orderBy: [{ field: 'RECORDNO' }],
        pageSize: 10,
      },
      'looking the vendor up',
    );
    const matches = page.records.filter((row) => isVendorId(row.VENDORID) && row.NAME === name && (vendorId === undefined || row.VENDORID === vendorId));
    // Two vendors of one name without a code to tell them apart: neither is settled on.
    return matches.length === 1 ? (matches[0]?.VENDORID as string) : null;
  }

  async function loadOne(item: VendorItem): Promise<Outcome> {
    const read = readVendorPayload(item.payload);
    if (!read.ok) {
      return Outcomes.rejected(`vendor ${item.record.id} cannot be sent to Intacct: ${read.problems.join('; ')}`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    const { vendor } = read;
    const controlId = controlIdFor(item.idempotencyKey);
    const reply = await createOnce(gateway, createVendorFunction(controlId, vendor), errorCodes, 'creating the vendor');
    if (reply.kind === 'outcome') return reply.outcome;
    try {
      if (reply.kind === 'created') {
        const vendorId = childText(reply.record, 'VENDORID') ?? (vendor.VENDORID as string | undefined);
        if (isVendorId(vendorId)) return Outcomes.synced(vendorId);
        const found = await lookUp(vendor);
        return found === null
          ? Outcomes.serverError('Intacct created the vendor but its answer named no well-formed VENDORID; it is looked up before any retry', { committed: 'unknown' })
          : Outcomes.synced(found, { replayed: true });
      }
      const found = await lookUp(vendor);
      if (found !== null) {
        logger.info({ item: item.id }, 'Intacct already holds this vendor; settled as a replay');
        return Outcomes.synced(found, { replayed: true });
      }
      const erp = erpAnswerOf(reply.errors, reply.classified.primary);
      if (reply.kind === 'refused' && reply.classified.kind === 'duplicateVendorId') {
        return Outcomes.rejected(
          `Intacct already has a vendor with ID ${String(vendor.VENDORID)} under another name: link the hub vendor to it, or give the hub vendor another code, and export again. Intacct said: ${erp.message}`,
          erp,
        );
      }
      return Outcomes.rejected(`Intacct refused vendor "${String(vendor.NAME)}": ${erp.message}`, erp);
    } catch (error) {
      return lookupFailed(error);
    }
  }

  return {
    async load(batch, _context: LoadContext) {
      const outcomes: Outcome[] = [];
      for (const item of batch) outcomes.push(await loadOne(item));
      return outcomes;
    },
    async find(item, _context: LoadContext) {
      const read = readVendorPayload(item.payload);
      if (!read.ok) throw new LedgerlinkError(ErrorCodes.MAPPING_FAILED, `vendor ${item.record.id} cannot be looked up in Intacct: ${read.problems.join('; ')}`);
      const found = await lookUp(read.vendor);
      return found === null ? null : Outcomes.synced(found, { replayed: true });
    },
  };
}
