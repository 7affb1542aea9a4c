/**
 * Reading Acumatica's answers: the non-entity error shape (`{message, exceptionMessage, exceptionType}`), the
 * 422 entity with field-level `error` properties, and what each means for a payment.
 */
import {
  ErrorCodes,
  Outcomes,
  parseRetryAfter,
  type EditableField,
  type ErpAnswer,
  type HttpResponse,
  type Outcome,
} from '@ledgerlink/core';
import { detailRows, isRecord } from './acumatica-wire.js';

/** The text Acumatica puts in a sign-in refusal when the licence's API user seats are all taken. */
export const LOGIN_LIMIT_TEXT = 'API Login Limit';

export function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** What the ERP said in a non-entity error answer, verbatim; the body itself (cut short) when it is not JSON. */
export function erpAnswer(response: HttpResponse): ErpAnswer {
  const parsed = parseJson(response.body);
  if (isRecord(parsed)) {
    const exceptionMessage = typeof parsed.exceptionMessage === 'string' ? parsed.exceptionMessage : undefined;
    const message = typeof parsed.message === 'string' ? parsed.message : undefined;
    const entityError = typeof parsed.error === 'string' ? parsed.error : undefined;
    const text = exceptionMessage ?? entityError ?? message;
    if (text !== undefined) {
      const answer: ErpAnswer = { message: text, httpStatus: response.status };
      if (typeof parsed.exceptionType === 'string') answer.detail = parsed.exceptionType;
      return answer;
    }
  }
  const text = response.body.trim().slice(0, 500);
  return { message: text === '' ? `HTTP ${response.status}` : text, httpStatus: response.status };
}

/** True when the answer is Acumatica's refusal for a full licence (signed-in API users). */
export function isLoginLimit(response: HttpResponse): boolean {
  return response.body.includes(LOGIN_LIMIT_TEXT);
}

export function retryAfterMs(response: HttpResponse): number | undefined {
  return parseRetryAfter(response.headers['retry-after']);
}

/** One field-level error of a 422 answer. */
export interface FieldError {
  /** Where it is: `CashAccount`, `Details[0].ReferenceNbr`, `Details[0]` (a row error) or `(entity)`. */
  path: string;
  /** The field's name (`CashAccount`, `ReferenceNbr`), or undefined for a row or entity error. */
  field?: string;
  /** The detail collection the field is in, when it is in one. */
  collection?: string;
  /** The ERP's message, verbatim. */
  message: string;
}

/** Every `error` property of an entity answer: fields first, then rows, then the entity's own. */
export function fieldErrors(entity: unknown): FieldError[] {
  if (!isRecord(entity)) return [];
  const errors: FieldError[] = [];
  const rowErrors: FieldError[] = [];
  for (const [name, wrapped] of Object.entries(entity)) {
    if (isRecord(wrapped) && typeof wrapped.error === 'string') errors.push({ path: name, field: name, message: wrapped.error });
    if (!Array.isArray(wrapped)) continue;
    detailRows(entity, name).forEach((row, index) => {
      for (const [rowField, rowWrapped] of Object.entries(row)) {
        if (isRecord(rowWrapped) && typeof rowWrapped.error === 'string') {
          errors.push({ path: `${name}[${index}].${rowField}`, field: rowField, collection: name, message: rowWrapped.error });
        }
      }
      if (typeof row.error === 'string') rowErrors.push({ path: `${name}[${index}]`, collection: name, message: row.error });
    });
  }
  errors.push(...rowErrors);
  if (typeof entity.error === 'string') errors.push({ path: '(entity)', message: entity.error });
  return errors;
}

/** Header fields a user can fix by editing the payment (seed 001): the cash account is the Bank ID. */
const EDITABLE: Record<string, EditableField> = { CashAccount: 'bankId', PaymentRef: 'checkNumber' };

/**
 * The outcome of a refused check (a 422, or a 400 carrying an entity). A refusal on the cash account or the
 * payment ref alone is fixed by editing the Bank ID or the check number; any other field error (vendor, bill,
 * amount) cannot be fixed that way and rejects. The ERP's message is kept verbatim, its field in `detail`.
 */
export function refusalOutcome(response: HttpResponse, sent: { paymentRef?: string; cashAccount?: string }): Outcome {
  const errors = fieldErrors(parseJson(response.body));
  const fieldLevel = errors.filter((error) => error.field !== undefined);
  const decisive = fieldLevel[0] ?? errors[0];
  if (decisive === undefined) {
    const erp = erpAnswer(response);
    return Outcomes.rejected(`Acumatica refused the check (HTTP ${response.status}): ${erp.message}`, erp);
  }
  const erpOf = (error: FieldError): ErpAnswer => ({ message: error.message, httpStatus: response.status, detail: error.path });

  const blocking = fieldLevel.find((error) => error.collection !== undefined || !Object.hasOwn(EDITABLE, error.field!));
  if (blocking !== undefined || fieldLevel.length === 0) {
    const error = blocking ?? decisive;
    return Outcomes.rejected(`Acumatica refused the check: ${error.path}: ${error.message}`, erpOf(error));
  }
  const fields = [...new Set(fieldLevel.map((error) => EDITABLE[error.field!]!))];
  const hints = fields.map((field) =>
    field === 'bankId'
      ? `the cash account "${sent.cashAccount ?? ''}" (Bank ID)`
      : `the payment ref "${sent.paymentRef ?? ''}" (check number)`,
  );
  return Outcomes.needsEdit(
    fields,
    `Acumatica refused ${hints.join(' and ')}: ${decisive.message} Edit ${fields.length > 1 ? 'them' : 'it'} and export again.`,
    erpOf(decisive),
  );
}

/**
 * An answer that is neither success nor a refusal of the record: throttling, server trouble, rights. `screen` is
 * the form whose rights a 403 asks for (checks by default; bills and vendors name theirs).
 */
export function failureOutcome(response: HttpResponse, what: string, committed: 'no' | 'unknown', screen = 'Checks and Payments (AP302000)'): Outcome {
  const erp = erpAnswer(response);
  if (response.status === 429 || isLoginLimit(response)) {
    const retryAfter = retryAfterMs(response);
    const outcome = Outcomes.throttled(`Acumatica throttled ${what} (licence limit): ${erp.message}`, {
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      erp,
    });
    return { ...outcome, committed };
  }
  if (response.status >= 500) {
    return Outcomes.serverError(`Acumatica failed on its side during ${what} (HTTP ${response.status}): ${erp.message}`, {
      committed,
      erp,
    });
  }
  if (response.status === 401) {
    return Outcomes.rejected(
      `Acumatica did not accept the session during ${what}: sign-in settings (username, password, tenant) need checking.`,
      erp,
      ErrorCodes.ERP_AUTH,
    );
  }
  if (response.status === 403) {
    return Outcomes.rejected(
      `The Acumatica API user may not ${what}: grant its role access to ${screen}. Acumatica said: ${erp.message}`,
      erp,
      ErrorCodes.ERP_AUTH,
    );
  }
  return Outcomes.rejected(`Acumatica refused ${what} (HTTP ${response.status}): ${erp.message}`, erp);
}
