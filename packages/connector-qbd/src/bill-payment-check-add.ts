/**
 * `BillPaymentCheckAdd` in the order the qbXML schema enforces (QuickBooks refuses a message whose elements
 * are out of order): the mapped payload is read by name and written back in this order.
 */
const ADD_ORDER = ['PayeeEntityRef', 'APAccountRef', 'TxnDate', 'BankAccountRef', 'IsToBePrinted', 'RefNumber', 'Memo', 'ExchangeRate', 'ExternalGUID', 'AppliedToTxnAdd'] as const;
const APPLIED_ORDER = ['TxnID', 'PaymentAmount', 'TxnLineDetail', 'SetCredit', 'DiscountAmount', 'DiscountAccountRef', 'DiscountClassRef'] as const;
const REF_ORDER = ['ListID', 'FullName'] as const;
const REFS = new Set(['PayeeEntityRef', 'APAccountRef', 'BankAccountRef', 'DiscountAccountRef', 'DiscountClassRef']);

/** RefNumber's length limit in qbXML (longer is status 3070): the check number must fit. */
export const REF_NUMBER_MAX = 11;
/** Memo's length limit in qbXML. */
export const MEMO_MAX = 4095;

export type AddContent = Record<string, unknown>;

/** The payload is not something BillPaymentCheckAdd can carry: the mapping (or an override) is wrong. */
export class PayloadError extends Error {}

function ordered(source: Record<string, unknown>, order: readonly string[], where: string): Record<string, unknown> {
  const unknown = Object.keys(source).filter((key) => !order.includes(key));
  if (unknown.length > 0) throw new PayloadError(`${where} has no element ${unknown.map((key) => `"${key}"`).join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const key of order) {
    const value = source[key];
    if (value === undefined || value === null) continue;
    out[key] = REFS.has(key) ? ordered(asObject(value, `${where}/${key}`), REF_ORDER, `${where}/${key}`) : value;
  }
  return out;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PayloadError(`${where} must be an element with children`);
  return value as Record<string, unknown>;
}

/**
 * The add's content from the mapped payload plus the ExternalGUID, in schema order. The schema requires
 * exactly one of `IsToBePrinted` or `RefNumber` ("BEGIN OR: You may have IsToBePrinted OR RefNumber", qbXML
 * 12.0 to 16.0); without either QuickBooks fails the whole message. A payment with a check number carries it
 * as RefNumber; one without (ACH, a wire) is not a check waiting to be printed, so it carries
 * `IsToBePrinted false` and QuickBooks leaves No. empty.
 */
export function billPaymentCheckAdd(payload: Record<string, unknown>, externalGuid: string): AddContent {
  const lines = payload.AppliedToTxnAdd;
  if (!Array.isArray(lines) || lines.length === 0) throw new PayloadError('BillPaymentCheckAdd needs at least one AppliedToTxnAdd (the bill it pays)');
  const refNumber = typeof payload.RefNumber === 'string' && payload.RefNumber.trim() !== '' ? payload.RefNumber : undefined;
  const toBePrinted = payload.IsToBePrinted;
  if (refNumber !== undefined && toBePrinted !== undefined && toBePrinted !== null) {
    throw new PayloadError('BillPaymentCheckAdd takes IsToBePrinted or RefNumber, not both (the mapping sets both)');
  }
  const choice = refNumber !== undefined ? { RefNumber: refNumber, IsToBePrinted: undefined } : { RefNumber: undefined, IsToBePrinted: toBePrinted ?? 'false' };
  const content = ordered({ ...payload, ...choice, ExternalGUID: externalGuid, AppliedToTxnAdd: undefined }, ADD_ORDER, 'BillPaymentCheckAdd');
  content.AppliedToTxnAdd = lines.map((line, index) =>
    ordered(asObject(line, `AppliedToTxnAdd[${index}]`), APPLIED_ORDER, `BillPaymentCheckAdd/AppliedToTxnAdd[${index}]`),
  );
  return content;
}

/** The reference the payload gives for an element (`ListID` first, else `FullName`), or ''. */
export function refOf(payload: Record<string, unknown>, element: string): { by: 'ListID' | 'FullName'; value: string } | undefined {
  const ref = payload[element];
  if (ref === null || typeof ref !== 'object') return undefined;
  const { ListID, FullName } = ref as Record<string, unknown>;
  if (typeof ListID === 'string' && ListID !== '') return { by: 'ListID', value: ListID };
  if (typeof FullName === 'string' && FullName !== '') return { by: 'FullName', value: FullName };
  return undefined;
}
