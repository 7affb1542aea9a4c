import type { XmlNode } from './qbxml-tree.js';

/**
 * The element order of the qbXML 13.0 schema for the requests the sandbox knows, and which elements may
 * repeat. QuickBooks validates a message against the schema before it runs anything: one element out of place
 * fails the whole message with a parse error.
 */
interface Shape {
  /** Element names in schema order; names in one inner array are alternatives at that position. */
  order: (string | string[])[];
  repeat?: string[];
  required?: string[];
  children?: Record<string, Shape>;
}

const REF: Shape = { order: ['ListID', 'FullName'] };

const SHAPES: Record<string, Shape> = {
  CompanyQueryRq: { order: ['IncludeRetElement'], repeat: ['IncludeRetElement'] },
  BillPaymentCheckAddRq: {
    order: ['BillPaymentCheckAdd', 'IncludeRetElement'],
    repeat: ['IncludeRetElement'],
    required: ['BillPaymentCheckAdd'],
    children: {
      BillPaymentCheckAdd: {
        order: ['PayeeEntityRef', 'APAccountRef', 'TxnDate', 'BankAccountRef', ['IsToBePrinted', 'RefNumber'], 'Memo', 'ExchangeRate', 'ExternalGUID', 'AppliedToTxnAdd'],
        repeat: ['AppliedToTxnAdd'],
        required: ['PayeeEntityRef', 'BankAccountRef', 'AppliedToTxnAdd'],
        children: {
          PayeeEntityRef: REF,
          APAccountRef: REF,
          BankAccountRef: REF,
          AppliedToTxnAdd: {
            order: ['TxnID', 'PaymentAmount', 'TxnLineDetail', 'SetCredit', 'DiscountAmount', 'DiscountAccountRef', 'DiscountClassRef'],
            repeat: ['TxnLineDetail', 'SetCredit'],
            required: ['TxnID'],
            children: {
              DiscountAccountRef: REF,
              DiscountClassRef: REF,
              TxnLineDetail: { order: ['TxnLineID', 'Amount'] },
              SetCredit: { order: ['CreditTxnID', 'TxnLineID', 'AppliedAmount', 'Override'] },
            },
          },
        },
      },
    },
  },
  BillPaymentCheckQueryRq: {
    order: [
      'TxnID',
      'RefNumber',
      'RefNumberCaseSensitive',
      'MaxReturned',
      ['ModifiedDateRangeFilter', 'TxnDateRangeFilter'],
      'EntityFilter',
      'AccountFilter',
      ['RefNumberFilter', 'RefNumberRangeFilter'],
      'IncludeLineItems',
      'IncludeRetElement',
      'OwnerID',
    ],
    repeat: ['TxnID', 'RefNumber', 'RefNumberCaseSensitive', 'IncludeRetElement', 'OwnerID'],
    children: {
      ModifiedDateRangeFilter: { order: ['FromModifiedDate', 'ToModifiedDate'] },
      TxnDateRangeFilter: { order: [['FromTxnDate', 'DateMacro'], 'ToTxnDate'] },
      EntityFilter: { order: [['ListID', 'FullName', 'ListIDWithChildren', 'FullNameWithChildren']], repeat: ['ListID', 'FullName'] },
      AccountFilter: { order: [['ListID', 'FullName', 'ListIDWithChildren', 'FullNameWithChildren']], repeat: ['ListID', 'FullName'] },
      RefNumberFilter: { order: ['MatchCriterion', 'RefNumber'], required: ['MatchCriterion', 'RefNumber'] },
      RefNumberRangeFilter: { order: ['FromRefNumber', 'ToRefNumber'] },
    },
  },
};

/** Exclusive groups of the query: a list of TxnIDs, of RefNumbers, or the filters, never two of them. */
const QUERY_CHOICES = [['TxnID'], ['RefNumber'], ['RefNumberCaseSensitive'], ['MaxReturned', 'ModifiedDateRangeFilter', 'TxnDateRangeFilter', 'EntityFilter', 'AccountFilter', 'RefNumberFilter', 'RefNumberRangeFilter']];

export function knowsRequest(name: string): boolean {
  return SHAPES[name] !== undefined;
}

/** Null when the request fits the schema, else what is wrong (the sandbox's log; QuickBooks only says "parse error"). */
export function schemaProblem(request: XmlNode): string | null {
  const shape = SHAPES[request.name];
  if (shape === undefined) return `unknown request ${request.name}`;
  const problem = check(request, shape, request.name);
  if (problem !== null) return problem;
  if (request.name === 'BillPaymentCheckQueryRq') {
    const used = QUERY_CHOICES.filter((group) => request.children.some((node) => group.includes(node.name)));
    if (used.length > 1) return 'BillPaymentCheckQueryRq mixes TxnID, RefNumber and filter elements';
  }
  return null;
}

function check(node: XmlNode, shape: Shape, where: string): string | null {
  let position = -1;
  let previous = '';
  for (const element of node.children) {
    const index = shape.order.findIndex((entry) => (Array.isArray(entry) ? entry.includes(element.name) : entry === element.name));
    if (index === -1) return `${where}: element ${element.name} is not allowed here`;
    if (index < position) return `${where}: element ${element.name} comes after ${previous}, but the schema puts it before`;
    if (index === position && !(shape.repeat ?? []).includes(element.name)) return `${where}: element ${element.name} may not repeat or combine with ${previous}`;
    position = index;
    previous = element.name;
    const inner = shape.children?.[element.name];
    if (inner !== undefined) {
      const problem = check(element, inner, `${where}/${element.name}`);
      if (problem !== null) return problem;
    } else if (element.children.length > 0) {
      return `${where}/${element.name}: a value element has child elements`;
    }
  }
  for (const name of shape.required ?? []) {
    if (!node.children.some((element) => element.name === name)) return `${where}: the required element ${name} is missing`;
  }
  return null;
}
