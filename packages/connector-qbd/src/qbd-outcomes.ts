import { Outcomes, type ErpAnswer, type Outcome } from '@ledgerlink/core';
import type { QbxmlResponse } from './qbxml-wire.js';
import type { RequestAnswer } from './work-queue.js';

/** Status codes of the QuickBooks SDK this connector acts on (OSR status-code table). */
export const QbdStatus = {
  OK: '0',
  NO_MATCH: '1',
  NOT_FOUND_IN_QUERY: '500',
  STRING_TOO_LONG: '3070',
  OBJECT_NOT_FOUND: '3120',
  NAME_IN_USE: '3100',
  INVALID_REFERENCE: '3140',
  INVALID_VALUE: '3210',
} as const;

/**
 * "The list/record is in use / could not be saved / was modified by another user": QuickBooks' busy answers in
 * a multi-user company file. Nothing was saved; trying again once the other user is done succeeds.
 */
const BUSY = new Set(['3170', '3175', '3176', '3180']);

/** The parse-error HRESULT of the qbXML request processor: the message is malformed or out of schema order. */
const PARSE_ERROR_HRESULT = /^0x80040400$/i;

export function erpAnswerOf(response: QbxmlResponse): ErpAnswer {
  return { code: response.statusCode, message: response.statusMessage };
}

/** Whether a query's answer means "none" rather than an error. */
export function isEmptyQuery(response: QbxmlResponse): boolean {
  return response.statusCode === QbdStatus.NO_MATCH || response.statusCode === QbdStatus.NOT_FOUND_IN_QUERY;
}

export function isOk(response: QbxmlResponse): boolean {
  return response.statusCode === QbdStatus.OK || response.statusSeverity.toLowerCase() === 'info';
}

/** What the add or query's failure means for the record: the ERP's own code and text always kept. */
export function failureOutcome(response: QbxmlResponse, context: { bankRef: string; what: string }): Outcome {
  const erp = erpAnswerOf(response);
  const said = `QuickBooks said ${response.statusCode}: ${response.statusMessage}`;
  if (BUSY.has(response.statusCode)) {
    return Outcomes.throttled(`QuickBooks was busy (another user works in the company file) while ${context.what}; ${said}. ledgerlink tries again.`, { erp });
  }
  if (response.statusCode === QbdStatus.INVALID_REFERENCE && mentionsBank(response.statusMessage, context.bankRef)) {
    return Outcomes.needsEdit(
      ['bankId'],
      `QuickBooks has no bank account "${context.bankRef}" (${said}). Edit the Bank ID (or the bankAccounts lookup) and export again.`,
      erp,
    );
  }
  if (response.statusCode === QbdStatus.INVALID_REFERENCE) {
    return Outcomes.rejected(`QuickBooks does not know the vendor or a reference of this payment (${said}). Add or link the vendor in QuickBooks, then export again.`, erp);
  }
  if (response.statusCode === QbdStatus.OBJECT_NOT_FOUND) {
    return Outcomes.rejected(`QuickBooks cannot find the bill, or it is paid already or belongs to another vendor (${said}). Sync the invoice to QuickBooks first.`, erp);
  }
  if (response.statusCode === QbdStatus.INVALID_VALUE) {
    return Outcomes.rejected(`QuickBooks refused a value (${said}); an amount above the bill's open balance is the usual cause.`, erp);
  }
  return Outcomes.rejected(`QuickBooks refused it while ${context.what} (${said}).`, erp);
}

/**
 * What a failed BillAdd or VendorAdd means: busy is `throttled` (nothing saved), everything else QuickBooks
 * refuses is `rejected` with its own words — an unknown vendor, cost code item, account or job (3140), a name
 * already in use (3100), a value it will not take.
 */
export function addFailureOutcome(response: QbxmlResponse, what: string, hint: string): Outcome {
  const erp = erpAnswerOf(response);
  const said = `QuickBooks said ${response.statusCode}: ${response.statusMessage}`;
  if (BUSY.has(response.statusCode)) {
    return Outcomes.throttled(`QuickBooks was busy (another user works in the company file) while ${what}; ${said}. ledgerlink tries again.`, { erp });
  }
  if (response.statusCode === QbdStatus.INVALID_REFERENCE) {
    return Outcomes.rejected(`QuickBooks does not know a record this refers to while ${what} (${said}). ${hint}`, erp);
  }
  if (response.statusCode === QbdStatus.NAME_IN_USE) {
    return Outcomes.rejected(`QuickBooks already has that name while ${what} (${said}); names are unique across its name lists. Link the hub record to the existing one, or rename it, then export again.`, erp);
  }
  return Outcomes.rejected(`QuickBooks refused it while ${what} (${said}).`, erp);
}

function mentionsBank(message: string, bankRef: string): boolean {
  return (bankRef !== '' && message.includes(`"${bankRef}"`)) || /QuickBooks Account\b/.test(message);
}

/** Outcomes for answers that are not a `…Rs`: a failed message, a lost answer, a closed connector. */
export function transportOutcome(answer: Exclude<RequestAnswer, { kind: 'response' }>, what: string, mayHaveCommitted: boolean): Outcome {
  if (answer.kind === 'failed') {
    const erp = { code: answer.hresult, message: answer.message };
    if (PARSE_ERROR_HRESULT.test(answer.hresult)) {
      return Outcomes.rejected(`QuickBooks could not parse the request while ${what} (${answer.hresult}: ${answer.message}); this is a ledgerlink defect: report it.`, erp);
    }
    return Outcomes.serverError(`QuickBooks failed while ${what} (${answer.hresult}: ${answer.message}); ledgerlink tries again.`, {
      committed: mayHaveCommitted ? 'unknown' : 'no',
      erp,
    });
  }
  if (answer.kind === 'cancelled') {
    return Outcomes.transport(`stopped before the Web Connector took it (${answer.why}); nothing reached QuickBooks`, { committed: 'no' });
  }
  return Outcomes.transport(
    `the Web Connector took the request while ${what}, but its answer never came back (${answer.why})` +
      (mayHaveCommitted ? '; QuickBooks may have saved it, so the next attempt looks it up first' : ''),
    { committed: mayHaveCommitted ? 'unknown' : 'no' },
  );
}
