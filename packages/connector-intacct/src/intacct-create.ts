import { ErrorCodes, LedgerlinkError, Outcomes, type Outcome } from '@ledgerlink/core';
import type { IntacctErrorCodes } from './config.js';
import { classifyErrors, erpAnswerOf, type ClassifiedError } from './intacct-errors.js';
import type { IntacctGateway } from './intacct-gateway.js';
import { failureOutcome, protocolOutcome } from './intacct-outcomes.js';
import type { IntacctFunction } from './intacct-request.js';
import type { IntacctError } from './intacct-response.js';
import { childText } from './intacct-xml.js';
import type { XmlNode } from './intacct-xml.js';

/**
 * What one `create` function came to: the record Intacct answered, a refusal (classified), a resend of a function
 * controlid that already completed (`uniqueid=true`: the caller looks the record up), or an outcome decided here
 * (throttle, server error, lost answer, an answer that cannot be read).
 */
export type CreateReply =
  | { kind: 'created'; record: XmlNode | undefined; recordNo: string | undefined }
  | { kind: 'refused'; errors: IntacctError[]; classified: ClassifiedError }
  | { kind: 'already-completed'; errors: IntacctError[]; classified: ClassifiedError }
  | { kind: 'outcome'; outcome: Outcome };

/** Sends one `create` with its own controlid and `uniqueid=true`, so Intacct itself refuses to run it twice. */
export async function createOnce(gateway: IntacctGateway, fn: IntacctFunction, codes: IntacctErrorCodes, doing: string): Promise<CreateReply> {
  try {
    const reply = await gateway.call([fn], { controlId: fn.controlId, uniqueId: true });
    if (reply.kind === 'control-failure') {
      const classified = classifyErrors(reply.errors, codes);
      if (classified.kind === 'controlIdAlreadyUsed') return { kind: 'already-completed', errors: reply.errors, classified };
      return { kind: 'outcome', outcome: failureOutcome(reply, doing) };
    }
    if (reply.kind !== 'results') return { kind: 'outcome', outcome: failureOutcome(reply, doing) };
    const result = reply.results.find((r) => r.controlId === fn.controlId) ?? reply.results[0];
    if (result === undefined) return { kind: 'outcome', outcome: protocolOutcome(`Intacct answered without a result while ${doing}; the record may have been created`) };
    if (result.status === 'success') {
      const record = result.data?.records[0];
      return { kind: 'created', record, recordNo: childText(record, 'RECORDNO') };
    }
    if (result.status === 'aborted') {
      return {
        kind: 'outcome',
        outcome: Outcomes.serverError(`Intacct rolled the request back while ${doing}; it will be retried`, { committed: 'no', erp: erpAnswerOf(result.errors, undefined) }),
      };
    }
    const classified = classifyErrors(result.errors, codes);
    if (classified.kind === 'controlIdAlreadyUsed') return { kind: 'already-completed', errors: result.errors, classified };
    if (classified.kind === 'throttled') {
      // GW-0010 in a function's own result: nothing ran; the lane pauses and the same attempt is sent again.
      return { kind: 'outcome', outcome: Outcomes.throttled(`Intacct throttled the request while ${doing}; it will be retried`, { erp: erpAnswerOf(result.errors, classified.primary) }) };
    }
    return { kind: 'refused', errors: result.errors, classified };
  } catch (error) {
    if (error instanceof Error && error.name === 'XmlValueError') {
      return { kind: 'outcome', outcome: Outcomes.rejected(`the record cannot be written as XML while ${doing}: ${error.message}; edit the record`, undefined, ErrorCodes.RECORD_INVALID) };
    }
    throw error;
  }
}

/**
 * A lookup that failed after a write whose outcome is unknown: retryable ones stay unknown (the write may have
 * happened), the others are the record's refusal.
 */
export function lookupFailed(error: unknown): Outcome {
  if (error instanceof LedgerlinkError) {
    return error.disposition === 'retryable'
      ? { ...Outcomes.serverError(error.message, { committed: 'unknown' }), code: error.code }
      : Outcomes.rejected(error.message, undefined, error.code);
  }
  throw error;
}

/** Intacct keys records by whole numbers: a blank or malformed RECORDNO settles nothing. */
export function isRecordNo(value: string | undefined): value is string {
  return value !== undefined && /^\d{1,20}$/.test(value);
}

/** A mapped field's text, or undefined. Money arrives as exact decimal strings from the mapping's `format: money`. */
export function textField(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}
