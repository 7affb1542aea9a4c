/**
 * Exports payments as AP checks: `PUT …/Check` (insert only), then `ReleaseCheck` polled to its end. Acumatica
 * has no idempotency key, so a check of unknown fate is found again by its natural key (Payment Ref + Vendor +
 * Cash Account, then amount and bills compared) and never posted a second time.
 */
import {
  ErrorCodes,
  HttpTransportError,
  Outcomes,
  type RetryableOutcome,
  type HttpResponse,
  type LoadItem,
  type Payment,
  type Loader,
  type Logger,
  type Outcome,
} from '@ledgerlink/core';
import { erpAnswer, failureOutcome, fieldErrors, parseJson, refusalOutcome } from './acumatica-errors.js';
import { entityUrl, fieldText, fieldValue, isRecord, odataString, toWireJson, type WireEntity } from './acumatica-wire.js';
import { checkEntity, isSameCheck, naturalKey } from './check-payload.js';
import { soundId } from './erp-id.js';
import type { AcumaticaConfig } from './config.js';
import { releaseCheck, type CheckKey } from './release.js';
import type { AcumaticaSession, SessionSend } from './session.js';
import { sessionLoader } from './session-loader.js';

/** Statuses of a check that exists but is not released yet, and that `ReleaseCheck` takes. */
const RELEASABLE = new Set(['Balanced', 'Printed', 'Pending Print']);

export interface ExporterContext {
  config: AcumaticaConfig;
  session: AcumaticaSession;
  logger: Logger;
}

export function createCheckExporter(context: ExporterContext): Loader {
  return sessionLoader<Payment>(context.session, {
    write: (send, item, signal) => exportCheck(context, send, item, signal),
    find: (send, item, signal) => findCheck(context, send, item, signal),
  });
}

async function exportCheck(context: ExporterContext, send: SessionSend, item: LoadItem, signal: AbortSignal): Promise<Outcome> {
  const { config } = context;
  let entity: WireEntity;
  try {
    entity = checkEntity(item.payload);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return Outcomes.rejected(
      `payment ${item.id} cannot be sent to Acumatica: ${error.message} (PaymentAmount and AmountPaid must be exact decimals); fix the mapping, then export again`,
      undefined,
      ErrorCodes.MAPPING_FAILED,
    );
  }
  let response: HttpResponse;
  try {
    response = await send({
      method: 'PUT',
      url: entityUrl(config, 'Check', { $expand: 'Details' }),
      // Insert only: a PUT that matched an existing check by its keys would otherwise update it.
      headers: { 'if-none-match': '*' },
      body: toWireJson(entity),
    });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return Outcomes.transport(`No answer from Acumatica to the new check (${error.reason}): ${error.message}`, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: error.committed,
    });
  }

  if (response.status === 200 || response.status === 201) {
    const created = parseJson(response.body);
    const referenceNbr = soundId(fieldText(created, 'ReferenceNbr'));
    if (!isRecord(created) || referenceNbr === undefined) {
      return Outcomes.serverError('Acumatica saved the check but its answer carries no ReferenceNbr; it is looked up before any retry.', {
        committed: 'unknown',
        erp: erpAnswer(response),
      });
    }
    return finishRelease(context, send, keyOf(created, referenceNbr), { replayed: false, signal });
  }

  const sent = { paymentRef: fieldText(entity, 'PaymentRef'), cashAccount: fieldText(entity, 'CashAccount') };
  if (response.status === 422 || (response.status === 400 && fieldErrors(parseJson(response.body)).length > 0)) {
    const outcome = refusalOutcome(response, sent);
    // A refused Payment Ref may be this very payment, committed by an attempt whose answer was lost.
    if (outcome.kind === 'needs-edit' && outcome.fields.includes('checkNumber')) {
      return (await findCheck(context, send, item, signal)) ?? outcome;
    }
    return outcome;
  }
  if (response.status === 412) {
    const found = await findCheck(context, send, item, signal);
    return found ?? Outcomes.rejected(`Acumatica says this check exists already (HTTP 412) but no check matches it: ${erpAnswer(response).message}`, erpAnswer(response));
  }
  return failureOutcome(response, 'creating the check', response.status >= 500 ? 'unknown' : 'no');
}

/**
 * Looks up a check by natural key and, when it is ours and still on balance (an earlier attempt created it
 * but did not get to release it), releases it.
 */
async function findCheck(context: ExporterContext, send: SessionSend, item: LoadItem, signal: AbortSignal): Promise<Outcome | null> {
  const key = naturalKey(item.payload);
  if (key === undefined) return null;
  const filter = [
    `PaymentRef eq ${odataString(key.paymentRef)}`,
    `Vendor eq ${odataString(key.vendor)}`,
    `CashAccount eq ${odataString(key.cashAccount)}`,
  ].join(' and ');
  let response: HttpResponse;
  try {
    response = await send({ method: 'GET', url: entityUrl(context.config, 'Check', { $filter: filter, $expand: 'Details,History' }) });
  } catch (error) {
    if (!(error instanceof HttpTransportError)) throw error;
    return Outcomes.transport(`No answer from Acumatica while looking up check ${key.paymentRef}: ${error.message}`, {
      reason: error.reason === 'timeout' ? 'timeout' : 'network',
      committed: 'unknown',
    });
  }
  if (response.status !== 200) return failureOutcome(response, `looking up check ${key.paymentRef}`, 'unknown');
  const rows = parseJson(response.body);
  const found = (Array.isArray(rows) ? rows : []).find((row) => isSameCheck(row, key));
  if (!isRecord(found)) return null;
  const referenceNbr = soundId(fieldText(found, 'ReferenceNbr'));
  if (referenceNbr === undefined) return unlinkable(found, key.paymentRef);
  const status = fieldText(found, 'Status') ?? '';
  const onHold = fieldText(found, 'Hold') === 'true';
  if (RELEASABLE.has(status) && !onHold) {
    return finishRelease(context, send, keyOf(found, referenceNbr), { replayed: true, signal });
  }
  return Outcomes.synced(referenceNbr, { replayed: true });
}

/**
 * Releases a created check. A release Acumatica refuses leaves a valid check on balance: the payment is
 * linked to it (synced, with a warning in the log) because posting another check would pay twice; an
 * accountant releases it in Acumatica once the cause is fixed. A release of unknown fate is retried, and
 * the retry finds the same check first.
 */
async function finishRelease(
  context: ExporterContext,
  send: SessionSend,
  check: CheckKey,
  options: { replayed: boolean; signal: AbortSignal },
): Promise<Outcome> {
  const result = await releaseCheck(send, context.config, check, { signal: options.signal });
  if (result.kind === 'released') return Outcomes.synced(check.referenceNbr, { replayed: options.replayed });
  if (result.kind === 'refused') {
    const erp = erpAnswer(result.response);
    context.logger.warn(
      { referenceNbr: check.referenceNbr, erp },
      `acumatica check ${check.referenceNbr} was created but its release was refused; it stays on balance until released in Acumatica (Checks and Payments, AP302000)`,
    );
    return Outcomes.synced(check.referenceNbr, { replayed: options.replayed });
  }
  const message = `Check ${check.referenceNbr} was created in Acumatica but its release did not finish (${result.reason}); the next attempt finds it and releases it.`;
  if (result.transport !== undefined) {
    return Outcomes.transport(message, { reason: result.transport.reason === 'timeout' ? 'timeout' : 'network', committed: 'unknown' });
  }
  if (result.response !== undefined && result.response.status !== 202) {
    const failure = failureOutcome(result.response, `releasing check ${check.referenceNbr}`, 'unknown');
    if (failure.kind === 'retryable') return { ...failure, message: `${message} ${failure.message}` };
  }
  return Outcomes.serverError(message, { committed: 'unknown' });
}

/**
 * A check that is ours but whose ReferenceNbr is blank or malformed: it exists, so it is not posted again, and
 * a blank id never settles the payment; the lookup is retried until Acumatica shows a usable number.
 */
function unlinkable(found: WireEntity, paymentRef: string): RetryableOutcome {
  const shown = JSON.stringify(fieldValue(found, 'ReferenceNbr')) ?? 'nothing';
  return {
    kind: 'retryable',
    code: ErrorCodes.ERP_PROTOCOL,
    reason: 'server',
    committed: 'unknown',
    message: `Acumatica shows check ${paymentRef} with the ReferenceNbr ${shown}, which is not a reference number; ledgerlink looks again before any new posting.`,
  };
}

function keyOf(record: WireEntity, referenceNbr: string): CheckKey {
  const key: CheckKey = { type: fieldText(record, 'Type') ?? 'Payment', referenceNbr };
  if (typeof record.id === 'string') key.id = record.id;
  return key;
}
