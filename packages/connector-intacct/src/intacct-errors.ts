import type { ErpAnswer } from '@ledgerlink/core';
import type { IntacctErrorCodes } from './config.js';
import type { IntacctError } from './intacct-response.js';

/**
 * What an Intacct error means for a payment. The gateway's own codes are public (`GW-0010`, `XL03000006`...);
 * the business rules' `errorno` values are not, so each rule is recognised by a configurable code table first
 * and then by the field its text names (`DOCNUMBER`, `FINANCIALENTITY`, `VENDORID`, `RECORDKEY` or their labels).
 */
export type IntacctErrorKind =
  | 'throttled'
  | 'controlIdAlreadyUsed'
  | 'duplicateCheckNumber'
  | 'unknownBankAccount'
  | 'unknownBill'
  | 'unknownVendor'
  | 'duplicateBillNumber'
  | 'unknownAccount'
  | 'duplicateVendorId'
  | 'other';

/** Intacct's gateway rate limit (developer.intacct.com, error handling): arrives as HTTP 429. */
export const GATEWAY_THROTTLE_CODE = 'GW-0010';

/** "The entire transaction in this operation has been rolled back due to an error." (SDK OnlineClientTest). */
export const ROLLED_BACK_CODE = 'XL03000009';

const NOT_FOUND = /\b(invalid|not found|does not exist|doesn't exist|unknown|no such|not valid|cannot find|could not find)\b/i;
const TAKEN = /\b(already|duplicate|in use|exists)\b/i;

const BY_TEXT: { kind: Exclude<IntacctErrorKind, 'throttled' | 'other'>; field: RegExp; nature: RegExp }[] = [
  { kind: 'controlIdAlreadyUsed', field: /\bcontrol\s*id\b|\bcontrolid\b/i, nature: /\b(already|used|duplicate|unique)\b/i },
  { kind: 'duplicateCheckNumber', field: /\bDOCNUMBER\b|\b(document|check|cheque)\s*(number|no\.?|#)/i, nature: TAKEN },
  { kind: 'duplicateBillNumber', field: /\bRECORDID\b|\bbill\s*(number|no\.?|#)/i, nature: TAKEN },
  { kind: 'duplicateVendorId', field: /\bVENDORID\b|\bvendor\b/i, nature: TAKEN },
  { kind: 'unknownAccount', field: /\bACCOUNTNO\b|\bGL\s*account\b/i, nature: NOT_FOUND },
  { kind: 'unknownBankAccount', field: /\bFINANCIALENTITY\b|\b(bank|checking|financial)\s*(account|entity)\b/i, nature: NOT_FOUND },
  { kind: 'unknownBill', field: /\bRECORDKEY\b|\bbill\b|\bAPBILL\b/i, nature: NOT_FOUND },
  { kind: 'unknownVendor', field: /\bVENDORID\b|\bvendor\b/i, nature: NOT_FOUND },
];

function textOf(error: IntacctError): string {
  return [error.description, error.description2, error.correction].filter((part) => part !== undefined).join(' ');
}

export interface ClassifiedError {
  kind: IntacctErrorKind;
  /** The error that decided the kind (or the first one). */
  primary: IntacctError | undefined;
}

/** Classifies the errors of one failed block. */
export function classifyErrors(errors: IntacctError[], codes: IntacctErrorCodes): ClassifiedError {
  const throttle = errors.find((error) => error.errorno === GATEWAY_THROTTLE_CODE);
  if (throttle) return { kind: 'throttled', primary: throttle };
  const table: [Exclude<IntacctErrorKind, 'throttled' | 'other'>, string[]][] = [
    ['controlIdAlreadyUsed', codes.controlIdAlreadyUsed],
    ['duplicateCheckNumber', codes.duplicateCheckNumber],
    ['unknownBankAccount', codes.unknownBankAccount],
    ['unknownBill', codes.unknownBill],
    ['unknownVendor', codes.unknownVendor],
    ['duplicateBillNumber', codes.duplicateBillNumber],
    ['unknownAccount', codes.unknownAccount],
    ['duplicateVendorId', codes.duplicateVendorId],
  ];
  for (const [kind, list] of table) {
    const match = errors.find((error) => error.errorno !== undefined && list.includes(error.errorno));
    if (match) return { kind, primary: match };
  }
  for (const rule of BY_TEXT) {
    const match = errors.find((error) => {
      const text = textOf(error);
      return rule.field.test(text) && rule.nature.test(text);
    });
    if (match) return { kind: rule.kind, primary: match };
  }
  // A rolled-back transaction adds XL03000009 to the failing function's own error: the own error decides.
  const own = errors.filter((error) => error.errorno !== ROLLED_BACK_CODE);
  return { kind: 'other', primary: own.find((error) => error.description2 !== undefined) ?? own[0] ?? errors[0] };
}

/** What Intacct said, verbatim: the deciding error's number and text, the rest as detail. */
export function erpAnswerOf(errors: IntacctError[], primary: IntacctError | undefined, httpStatus?: number): ErpAnswer {
  const main = primary ?? errors[0];
  const message = main?.description2 ?? main?.description ?? 'Intacct gave no error text';
  const detail: string[] = [];
  if (main?.description !== undefined && main.description !== message) detail.push(`description: ${main.description}`);
  if (main?.correction !== undefined) detail.push(`correction: ${main.correction}`);
  for (const other of errors) {
    if (other === main) continue;
    detail.push(
      `also ${other.errorno ?? '(no errorno)'}: ${[other.description, other.description2, other.correction].filter((p) => p !== undefined).join(' | ')}`,
    );
  }
  const answer: ErpAnswer = { message };
  if (main?.errorno !== undefined) answer.code = main.errorno;
  if (httpStatus !== undefined) answer.httpStatus = httpStatus;
  if (detail.length > 0) answer.detail = detail.join('\n');
  return answer;
}
