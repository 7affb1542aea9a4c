/**
 * Exports subcontractor invoices (Procore requisitions) as AP bills: `PUT …/Bill` (insert only), then
 * `Bill/ReleaseBill` polled to its end, so that a check can pay the bill. Acumatica numbers the bill itself and
 * has no idempotency key, so a bill of unknown fate is found again by what makes it THIS requisition: Vendor +
 * Vendor Ref. (the invoice number), then its total and date compared; a bill that merely shares the number is
 * another invoice, and the export is refused with Acumatica's own words instead of being linked to it.
 */
import {
  ErrorCodes,
  HttpTransportError,
  Outcomes,
  type HttpResponse,
  type LoadItem,
  type Loader,
  type Logger,
  type Outcome,
  type Requisition,
} from '@ledgerlink/core';
import { erpAnswer, failureOutcome, fieldErrors, parseJson } from './acumatica-errors.js';
import { entityUrl, fieldText, fieldValue, isRecord, odataString, toWireJson, type WireEntity } from './acumatica-wire.js';
import type { AcumaticaConfig } from './config.js';
import { amountCents, dayOf, wireEntity } from './entity-payload.js';
import { soundId } from './erp-id.js';
import { releaseCheck } from './release.js';
import type { AcumaticaSession, SessionSend } from './session.js';
import { sessionLoader } from './session-loader.js';

type RequisitionItem = LoadItem<Record<string, unknown>, Requisition>;

/** Amount fields of the `Bill` entity and its `Details` rows. */
const DECIMAL_FIELDS = new Set(['Amount']);

/** What makes a bill this requisition's: the vendor's invoice number on that vendor, its total and its date. */
export interface BillKey {
  vendor: string;
  vendorRef: string;
  totalCents: number;
  date: string;
}

export interface BillExporterContext {
  config: AcumaticaConfig;
  session: AcumaticaSession;
  logger: Logger;
}

export function createBillExporter(context: BillExporterContext): Loader<Record<string, unknown>, Requisition> {
  return sessionLoader(context.session, {
    write: (send, item, signal) => exportBill(context, send, item, signal),
    find: (send, item, signal) => findBill(context, send, item, signal),
  });
}

/** The natural key of a requisition as this payload sends it; undefined when the payload lacks a part. */
export function billKey(item: RequisitionItem): BillKey | undefined {
  const vendor = fieldText(item.payload, 'Vendor');
  const vendorRef = fieldText(item.payload, 'VendorRef');
  const date = dayOf(fieldValue(item.payload, 'Date')) ?? item.record.billingDate;
  if (vendor === undefined || vendorRef === undefined) return undefined;
  return { vendor, vendorRef, totalCents: item.record.totalCents, date };
}

/** True when a bill found by Vendor + Vendor Ref. is this requisition's: a bill, same total, same date. */
export function isSameBill(found: unknown, key: BillKey): boolean {
  if (!isRecord(found)) return false;
  const type = fieldText(found, 'Type');
  if (type !== undefined && type !== 'Bill') return false;
  if (fieldText(found, 'Vendor') !== key.vendor || fieldText(found, 'VendorRef') !== key.vendorRef) return false;
  if (amountCents(fieldValue(found, 'Amount')) !== key.totalCents) return false;
  return dayOf(fieldValue(found, 'Date')) === key.date;
}

async function exportBill(context: BillExporterContext, send: SessionSend, item: RequisitionItem, signal: AbortSignal): Promise<Outcome> {
  let entity: WireEntity;
  try {
    entity = wireEntity(item.payload, DECIMAL_FIELDS);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return Outcomes.rejected(
      `requisition ${item.id} cannot be sent to Acumatica: ${error.message} (line amounts must be exact decimals); fix the mapping, then export again`,
      undefined,
      ErrorCodes.MAPPING_FAILED,
    );
  }
  let response: HttpResponse;
  try {
    response = await send({
      method: 'PUT',
      url: entityUrl(context.config, 'Bill', { $expand: 'Details' }),
      // Insert only: a PUT naming an existing bill's keys would otherwise change that bill.
      headers: { 'if-none-match': '*' },
      body: toWireJson(entity),
    });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return Outcomes.transport(`No answer from Acumatica to the new bill (${error.reason}): ${error.message}`, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: error.committed,
    });
  }
  if (response.status === 200 || response.status === 201) {
    const created = parseJson(response.body);
    const referenceNbr = soundId(fieldText(created, 'ReferenceNbr'));
    if (!isRecord(created) || referenceNbr === undefined) {
      return Outcomes.serverError('Acumatica saved the bill but its answer carries no usable ReferenceNbr; it is looked up before any retry.', {
        committed: 'unknown',
        erp: erpAnswer(response),
      });
    }
    return finishRelease(context, send, created, referenceNbr, { replayed: false, signal });
  }
  if (response.status === 422 || (response.status === 400 && fieldErrors(parseJson(response.body)).length > 0)) {
    const errors = fieldErrors(parseJson(response.body));
    // A refused Vendor Ref. may be this very requisition, committed by an attempt whose answer was lost.
    if (errors.some((error) => error.field === 'VendorRef' && error.collection === undefined)) {
      const found = await findBill(context, send, item, signal);
      if (found !== null) return found;
    }
    const decisive = errors.find((error) => error.field !== undefined) ?? errors[0];
    if (decisive === undefined) {
      const erp = erpAnswer(response);
      return Outcomes.rejected(`Acumatica refused the bill for requisition ${item.record.number} (HTTP ${response.status}): ${erp.message}`, erp);
    }
    return Outcomes.rejected(`Acumatica refused the bill for requisition ${item.record.number}: ${decisive.path}: ${decisive.message}`, {
      message: decisive.message,
      httpStatus: response.status,
      detail: decisive.path,
    });
  }
  if (response.status === 412) {
    const found = await findBill(context, send, item, signal);
    return found ?? Outcomes.rejected(`Acumatica says this bill exists already (HTTP 412) but no bill matches it: ${erpAnswer(response).message}`, erpAnswer(response));
  }
  return failureOutcome(response, 'creating the bill', response.status >= 500 ? 'unknown' : 'no', 'Bills and Adjustments (AP301000)');
}

async function findBill(context: BillExporterContext, send: SessionSend, item: RequisitionItem, signal: AbortSignal): Promise<Outcome | null> {
  const key = billKey(item);
  if (key === undefined) return null;
  const filter = `Vendor eq ${odataString(key.vendor)} and VendorRef eq ${odataString(key.vendorRef)}`;
  let response: HttpResponse;
  try {
    response = await send({ method: 'GET', url: entityUrl(context.config, 'Bill', { $filter: filter }) });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return Outcomes.transport(`No answer from Acumatica while looking up bill ${key.vendorRef}: ${error.message}`, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: 'unknown',
    });
  }
  if (response.status !== 200) return failureOutcome(response, `looking up bill ${key.vendorRef}`, 'unknown', 'Bills and Adjustments (AP301000)');
  const rows = parseJson(response.body);
  const found = (Array.isArray(rows) ? rows : []).find((row) => isSameBill(row, key));
  if (!isRecord(found)) return null;
  const referenceNbr = soundId(fieldText(found, 'ReferenceNbr'));
  if (referenceNbr === undefined) {
    return {
      kind: 'retryable',
      code: ErrorCodes.ERP_PROTOCOL,
      reason: 'server',
      committed: 'unknown',
      message: `Acumatica shows bill ${key.vendorRef} of vendor ${key.vendor} with the ReferenceNbr ${JSON.stringify(fieldValue(found, 'ReferenceNbr')) ?? 'nothing'}, which is not a reference number; ledgerlink looks again before any new posting.`,
    };
  }
  if (fieldText(found, 'Status') === 'Balanced' && fieldText(found, 'Hold') !== 'true') {
    return finishRelease(context, send, found, referenceNbr, { replayed: true, signal });
  }
  return Outcomes.synced(referenceNbr, { replayed: true });
}

/**
 * Releases a created bill so that a check can pay it. A refused release leaves a valid bill on balance: the
 * requisition is linked to it (posting another would bill twice) and an accountant releases it in Acumatica.
 */
async function finishRelease(
  context: BillExporterContext,
  send: SessionSend,
  bill: WireEntity,
  referenceNbr: string,
  options: { replayed: boolean; signal: AbortSignal },
): Promise<Outcome> {
  const key = { type: 'Bill', referenceNbr, ...(typeof bill.id === 'string' ? { id: bill.id } : {}) };
  const result = await releaseCheck(send, context.config, key, { signal: options.signal, action: 'Bill/ReleaseBill' });
  if (result.kind === 'released') return Outcomes.synced(referenceNbr, { replayed: options.replayed });
  if (result.kind === 'refused') {
    context.logger.warn(
      { referenceNbr, erp: erpAnswer(result.response) },
      `acumatica bill ${referenceNbr} was created but its release was refused; it stays on balance until released in Acumatica (Bills and Adjustments, AP301000)`,
    );
    return Outcomes.synced(referenceNbr, { replayed: options.replayed });
  }
  const message = `Bill ${referenceNbr} was created in Acumatica but its release did not finish (${result.reason}); the next attempt finds it and releases it.`;
  if (result.transport !== undefined) {
    return Outcomes.transport(message, { reason: result.transport.reason === 'timeout' ? 'timeout' : 'network', committed: 'unknown' });
  }
  return Outcomes.serverError(message, { committed: 'unknown' });
}
