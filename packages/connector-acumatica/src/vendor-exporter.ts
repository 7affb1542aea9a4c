/**
 * Exports hub vendors as Acumatica vendors: `PUT …/Vendor` (insert only). The Vendor ID is the hub vendor's
 * code when it has one (then `If-None-Match: *` turns a second insert into 412 and the lookup finds it by that
 * key), else Acumatica's auto-numbering gives one and a vendor of unknown fate is found by its exact name.
 */
import { ErrorCodes, HttpTransportError, Outcomes, type HubVendor, type HttpResponse, type LoadItem, type Loader, type Outcome } from '@ledgerlink/core';
import { erpAnswer, failureOutcome, fieldErrors, parseJson } from './acumatica-errors.js';
import { entityUrl, fieldText, isRecord, odataString, toWireJson, type WireEntity } from './acumatica-wire.js';
import type { AcumaticaConfig } from './config.js';
import { wireEntity } from './entity-payload.js';
import { soundId } from './erp-id.js';
import type { AcumaticaSession, SessionSend } from './session.js';
import { sessionLoader } from './session-loader.js';

type VendorItem = LoadItem<Record<string, unknown>, HubVendor>;

export function createVendorExporter(context: { config: AcumaticaConfig; session: AcumaticaSession }): Loader<Record<string, unknown>, HubVendor> {
  return sessionLoader(context.session, {
    write: (send, item) => exportVendor(context.config, send, item),
    find: (send, item) => findVendor(context.config, send, item),
  });
}

async function exportVendor(config: AcumaticaConfig, send: SessionSend, item: VendorItem): Promise<Outcome> {
  const entity: WireEntity = wireEntity(item.payload, new Set());
  let response: HttpResponse;
  try {
    response = await send({ method: 'PUT', url: entityUrl(config, 'Vendor'), headers: { 'if-none-match': '*' }, body: toWireJson(entity) });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return Outcomes.transport(`No answer from Acumatica to the new vendor (${error.reason}): ${error.message}`, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: error.committed,
    });
  }
  if (response.status === 200 || response.status === 201) {
    const vendorId = soundId(fieldText(parseJson(response.body), 'VendorID'));
    if (vendorId === undefined) {
      return Outcomes.serverError('Acumatica saved the vendor but its answer carries no usable VendorID; it is looked up before any retry.', {
        committed: 'unknown',
        erp: erpAnswer(response),
      });
    }
    return Outcomes.synced(vendorId);
  }
  if (response.status === 412) {
    const found = await findVendor(config, send, item);
    if (found !== null) return found;
    const code = fieldText(item.payload, 'VendorID') ?? '';
    return Outcomes.rejected(
      `Acumatica already has a vendor with Vendor ID "${code}" under another name: link the hub vendor to it, or give the hub vendor another code.`,
      erpAnswer(response),
    );
  }
  if (response.status === 422 || (response.status === 400 && fieldErrors(parseJson(response.body)).length > 0)) {
    const errors = fieldErrors(parseJson(response.body));
    const decisive = errors.find((error) => error.field !== undefined) ?? errors[0];
    const erp = decisive === undefined ? erpAnswer(response) : { message: decisive.message, httpStatus: response.status, detail: decisive.path };
    return Outcomes.rejected(`Acumatica refused vendor ${item.record.name}: ${decisive === undefined ? erp.message : `${decisive.path}: ${decisive.message}`}`, erp);
  }
  return failureOutcome(response, 'creating the vendor', response.status >= 500 ? 'unknown' : 'no', 'Vendors (AP303000)');
}

/** By the Vendor ID sent (with the same name), else by the exact name: one match is ours, several are refused. */
async function findVendor(config: AcumaticaConfig, send: SessionSend, item: VendorItem): Promise<Outcome | null> {
  const code = fieldText(item.payload, 'VendorID');
  const name = fieldText(item.payload, 'VendorName');
  if (name === undefined) return null;
  const filter = code === undefined ? `VendorName eq ${odataString(name)}` : `VendorID eq ${odataString(code)}`;
  let response: HttpResponse;
  try {
    response = await send({ method: 'GET', url: entityUrl(config, 'Vendor', { $filter: filter }) });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return Outcomes.transport(`No answer from Acumatica while looking up vendor ${name}: ${error.message}`, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: 'unknown',
    });
  }
  if (response.status !== 200) return failureOutcome(response, `looking up vendor ${name}`, 'unknown', 'Vendors (AP303000)');
  const rows = parseJson(response.body);
  const matches = (Array.isArray(rows) ? rows : []).filter(
    (row) => isRecord(row) && fieldText(row, 'VendorName') === name && (code === undefined || fieldText(row, 'VendorID') === code),
  );
  if (matches.length === 0) return null;
  if (matches.length > 1) {
    return Outcomes.rejected(
      `Acumatica has ${matches.length} vendors named "${name}": ledgerlink cannot tell which one is this hub vendor; link it to one of them.`,
      undefined,
      ErrorCodes.ERP_REJECTED,
    );
  }
  const vendorId = soundId(fieldText(matches[0], 'VendorID'));
  if (vendorId === undefined) {
    return {
      kind: 'retryable',
      code: ErrorCodes.ERP_PROTOCOL,
      reason: 'server',
      committed: 'unknown',
      message: `Acumatica shows vendor ${name} without a usable VendorID; ledgerlink looks again before any new posting.`,
    };
  }
  return Outcomes.synced(vendorId, { replayed: true });
}
