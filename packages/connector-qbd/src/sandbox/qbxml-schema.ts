import type { XmlNode } from './qbxml-tree.js';

/**
 * What the qbXML schema says about the requests the sandbox knows: element order, repeats, required elements
 * and choices, and each value's type and length. QuickBooks validates a message against the schema before it
 * runs anything: one element out of place, a missing choice or a value of the wrong form fails the whole
 * message with a parse error (HRESULT 0x80040400), never a status on one request.
 *
 * Source: Intuit's qbXML SDK sample documents `qbxmlops120.xml` and `qbxmlops130.xml` (generated from the SDK's
 * schemas; mirrored in the public repository github.com/qbwc/qbxml, `schema/`): the payment requests, and BillAdd,
 * BillQuery, VendorAdd and VendorQuery (the elements a QuickBooks Desktop company file takes; the `not in QBD`
 * ones left out). The elements used here are the same in 12.0 and 13.0 (`ExternalGUID` on BillPaymentCheckAdd since 9.0, `Override` since 10.0,
 * `DiscountClassRef` since 11.0). Types: AMTTYPE, DATETYPE, GUIDTYPE, BOOLTYPE, INTTYPE, STRTYPE with the
 * "max length = N for QBD" notes of those documents.
 */
interface Shape {
  /** Element names in schema order; names in one inner array are alternatives at that position. */
  order: (string | string[])[];
  repeat?: string[];
  /** Required elements; an inner array is a choice of which exactly one must be present. */
  required?: (string | string[])[];
  children?: Record<string, Shape>;
  /** The value type of each leaf element (elements absent here are free text). */
  types?: Record<string, ValueType>;
}

/** A leaf's type: a qbXML simple type, or a string with its QuickBooks Desktop length limit. */
type ValueType = 'AMTTYPE' | 'DATETYPE' | 'DATETIMETYPE' | 'GUIDTYPE' | 'OWNERIDTYPE' | 'BOOLTYPE' | 'INTTYPE' | { max: number };

const REF = (max: number): Shape => ({ order: ['ListID', 'FullName'], types: { FullName: { max } } });
const LIST_FILTER: Shape = {
  order: [['ListID', 'FullName', 'ListIDWithChildren', 'FullNameWithChildren']],
  repeat: ['ListID', 'FullName'],
};

const ADDRESS: Shape = {
  order: ['Addr1', 'Addr2', 'Addr3', 'Addr4', 'Addr5', 'City', 'State', 'PostalCode', 'Country', 'Note'],
  types: {
    Addr1: { max: 41 }, Addr2: { max: 41 }, Addr3: { max: 41 }, Addr4: { max: 41 }, Addr5: { max: 41 },
    City: { max: 31 }, State: { max: 21 }, PostalCode: { max: 13 }, Country: { max: 31 }, Note: { max: 41 },
  },
};

const SHAPES: Record<string, Shape> = {
  CompanyQueryRq: { order: ['IncludeRetElement', 'OwnerID'], repeat: ['IncludeRetElement', 'OwnerID'], types: { IncludeRetElement: { max: 50 }, OwnerID: 'OWNERIDTYPE' } },
  BillPaymentCheckAddRq: {
    order: ['BillPaymentCheckAdd', 'IncludeRetElement'],
    repeat: ['IncludeRetElement'],
    required: ['BillPaymentCheckAdd'],
    types: { IncludeRetElement: { max: 50 } },
    children: {
      BillPaymentCheckAdd: {
        order: ['PayeeEntityRef', 'APAccountRef', 'TxnDate', 'BankAccountRef', ['IsToBePrinted', 'RefNumber'], 'Memo', 'ExchangeRate', 'ExternalGUID', 'AppliedToTxnAdd'],
        repeat: ['AppliedToTxnAdd'],
        // "BEGIN OR: You may have IsToBePrinted OR RefNumber": one of them, not optional.
        required: ['PayeeEntityRef', 'BankAccountRef', ['IsToBePrinted', 'RefNumber'], 'AppliedToTxnAdd'],
        types: { TxnDate: 'DATETYPE', IsToBePrinted: 'BOOLTYPE', RefNumber: { max: 11 }, Memo: { max: 4095 }, ExternalGUID: 'GUIDTYPE' },
        children: {
          PayeeEntityRef: REF(209),
          APAccountRef: REF(159),
          BankAccountRef: REF(159),
          AppliedToTxnAdd: {
            order: ['TxnID', 'PaymentAmount', 'TxnLineDetail', 'SetCredit', 'DiscountAmount', 'DiscountAccountRef', 'DiscountClassRef'],
            repeat: ['TxnLineDetail', 'SetCredit'],
            required: ['TxnID'],
            types: { PaymentAmount: 'AMTTYPE', DiscountAmount: 'AMTTYPE' },
            children: {
              DiscountAccountRef: REF(159),
              DiscountClassRef: REF(159),
              TxnLineDetail: { order: ['TxnLineID', 'Amount'], types: { Amount: 'AMTTYPE' } },
              SetCredit: { order: ['CreditTxnID', 'TxnLineID', 'AppliedAmount', 'Override'], types: { AppliedAmount: 'AMTTYPE', Override: 'BOOLTYPE' } },
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
      'CurrencyFilter',
      'IncludeLineItems',
      'IncludeRetElement',
      'OwnerID',
    ],
    repeat: ['TxnID', 'RefNumber', 'RefNumberCaseSensitive', 'IncludeRetElement', 'OwnerID'],
    types: { MaxReturned: 'INTTYPE', IncludeLineItems: 'BOOLTYPE', IncludeRetElement: { max: 50 }, OwnerID: 'OWNERIDTYPE' },
    children: {
      ModifiedDateRangeFilter: { order: ['FromModifiedDate', 'ToModifiedDate'], types: { FromModifiedDate: 'DATETIMETYPE', ToModifiedDate: 'DATETIMETYPE' } },
      TxnDateRangeFilter: { order: [['FromTxnDate', 'DateMacro'], 'ToTxnDate'], types: { FromTxnDate: 'DATETYPE', ToTxnDate: 'DATETYPE' } },
      EntityFilter: LIST_FILTER,
      AccountFilter: LIST_FILTER,
      CurrencyFilter: { order: [['ListID', 'FullName']], repeat: ['ListID', 'FullName'] },
      RefNumberFilter: { order: ['MatchCriterion', 'RefNumber'], required: ['MatchCriterion', 'RefNumber'] },
      RefNumberRangeFilter: { order: ['FromRefNumber', 'ToRefNumber'] },
    },
  },
  BillAddRq: {
    order: ['BillAdd', 'IncludeRetElement'],
    repeat: ['IncludeRetElement'],
    required: ['BillAdd'],
    types: { IncludeRetElement: { max: 50 } },
    children: {
      BillAdd: {
        // VendorAddress is v13.0 and not written by this connector (it speaks 12.0 to QuickBooks 2013).
        order: ['VendorRef', 'VendorAddress', 'APAccountRef', 'TxnDate', 'DueDate', 'RefNumber', 'TermsRef', 'Memo', 'ExchangeRate', 'ExternalGUID', 'LinkToTxnID', 'ExpenseLineAdd', ['ItemLineAdd', 'ItemGroupLineAdd']],
        repeat: ['LinkToTxnID', 'ExpenseLineAdd', 'ItemLineAdd', 'ItemGroupLineAdd'],
        required: ['VendorRef'],
        types: { TxnDate: 'DATETYPE', DueDate: 'DATETYPE', RefNumber: { max: 20 }, Memo: { max: 4095 }, ExternalGUID: 'GUIDTYPE' },
        children: {
          VendorRef: REF(41),
          VendorAddress: ADDRESS,
          APAccountRef: REF(159),
          TermsRef: REF(31),
          ExpenseLineAdd: {
            order: ['AccountRef', 'Amount', 'Memo', 'CustomerRef', 'ClassRef', 'BillableStatus', 'SalesRepRef'],
            types: { Amount: 'AMTTYPE', Memo: { max: 4095 }, BillableStatus: { max: 13 } },
            children: { AccountRef: REF(159), CustomerRef: REF(209), ClassRef: REF(159), SalesRepRef: REF(5) },
          },
          ItemLineAdd: {
            order: ['ItemRef', 'InventorySiteRef', 'InventorySiteLocationRef', ['SerialNumber', 'LotNumber'], 'Desc', 'Quantity', 'UnitOfMeasure', 'Cost', 'Amount', 'CustomerRef', 'ClassRef', 'BillableStatus', 'OverrideItemAccountRef', 'LinkToTxn', 'SalesRepRef'],
            types: { Desc: { max: 4095 }, Amount: 'AMTTYPE', UnitOfMeasure: { max: 31 }, BillableStatus: { max: 13 } },
            children: { ItemRef: REF(159), CustomerRef: REF(209), ClassRef: REF(159), OverrideItemAccountRef: REF(159), SalesRepRef: REF(5) },
          },
        },
      },
    },
  },
  BillQueryRq: {
    order: [
      'TxnID',
      'RefNumber',
      'RefNumberCaseSensitive',
      'MaxReturned',
      ['ModifiedDateRangeFilter', 'TxnDateRangeFilter'],
      'EntityFilter',
      'AccountFilter',
      ['RefNumberFilter', 'RefNumberRangeFilter'],
      'CurrencyFilter',
      'PaidStatus',
      'IncludeLineItems',
      'IncludeLinkedTxns',
      'IncludeRetElement',
      'OwnerID',
    ],
    repeat: ['TxnID', 'RefNumber', 'RefNumberCaseSensitive', 'IncludeRetElement', 'OwnerID'],
    types: { MaxReturned: 'INTTYPE', PaidStatus: { max: 11 }, IncludeLineItems: 'BOOLTYPE', IncludeLinkedTxns: 'BOOLTYPE', IncludeRetElement: { max: 50 }, OwnerID: 'OWNERIDTYPE' },
    children: {
      ModifiedDateRangeFilter: { order: ['FromModifiedDate', 'ToModifiedDate'], types: { FromModifiedDate: 'DATETIMETYPE', ToModifiedDate: 'DATETIMETYPE' } },
      TxnDateRangeFilter: { order: [['FromTxnDate', 'DateMacro'], 'ToTxnDate'], types: { FromTxnDate: 'DATETYPE', ToTxnDate: 'DATETYPE' } },
      EntityFilter: LIST_FILTER,
      AccountFilter: LIST_FILTER,
      CurrencyFilter: { order: [['ListID', 'FullName']], repeat: ['ListID', 'FullName'] },
      RefNumberFilter: { order: ['MatchCriterion', 'RefNumber'], required: ['MatchCriterion', 'RefNumber'] },
      RefNumberRangeFilter: { order: ['FromRefNumber', 'ToRefNumber'] },
    },
  },
  VendorAddRq: {
    order: ['VendorAdd', 'IncludeRetElement'],
    repeat: ['IncludeRetElement'],
    required: ['VendorAdd'],
    types: { IncludeRetElement: { max: 50 } },
    children: {
      VendorAdd: {
        order: [
          'Name', 'IsActive', 'ClassRef', 'CompanyName', 'Salutation', 'FirstName', 'MiddleName', 'LastName', 'JobTitle', 'VendorAddress', 'ShipAddress',
          'Phone', 'AltPhone', 'Fax', 'Email', 'Cc', 'Contact', 'AltContact', 'NameOnCheck', 'AccountNumber', 'Notes', 'VendorTypeRef', 'TermsRef',
          'CreditLimit', 'VendorTaxIdent', 'IsVendorEligibleFor1099', 'OpenBalance', 'OpenBalanceDate', 'ExternalGUID', 'CurrencyRef',
        ],
        required: ['Name'],
        types: {
          Name: { max: 41 }, IsActive: 'BOOLTYPE', CompanyName: { max: 41 }, Salutation: { max: 15 }, FirstName: { max: 25 }, MiddleName: { max: 5 }, LastName: { max: 25 },
          JobTitle: { max: 41 }, Phone: { max: 21 }, AltPhone: { max: 21 }, Fax: { max: 21 }, Email: { max: 1023 }, Cc: { max: 1023 }, Contact: { max: 41 },
          AltContact: { max: 41 }, NameOnCheck: { max: 41 }, AccountNumber: { max: 99 }, Notes: { max: 4095 }, CreditLimit: 'AMTTYPE', VendorTaxIdent: { max: 15 },
          IsVendorEligibleFor1099: 'BOOLTYPE', OpenBalance: 'AMTTYPE', OpenBalanceDate: 'DATETYPE', ExternalGUID: 'GUIDTYPE',
        },
        children: { ClassRef: REF(159), VendorAddress: ADDRESS, ShipAddress: ADDRESS, VendorTypeRef: REF(159), TermsRef: REF(31), CurrencyRef: REF(64) },
      },
    },
  },
  VendorQueryRq: {
    order: [
      'ListID',
      'FullName',
      'MaxReturned',
      'ActiveStatus',
      'FromModifiedDate',
      'ToModifiedDate',
      ['NameFilter', 'NameRangeFilter'],
      'TotalBalanceFilter',
      'CurrencyFilter',
      'ClassFilter',
      'IncludeRetElement',
      'OwnerID',
    ],
    repeat: ['ListID', 'FullName', 'IncludeRetElement', 'OwnerID'],
    types: { FullName: { max: 41 }, MaxReturned: 'INTTYPE', ActiveStatus: { max: 12 }, FromModifiedDate: 'DATETIMETYPE', ToModifiedDate: 'DATETIMETYPE', IncludeRetElement: { max: 50 }, OwnerID: 'OWNERIDTYPE' },
    children: {
      NameFilter: { order: ['MatchCriterion', 'Name'], required: ['MatchCriterion', 'Name'] },
      NameRangeFilter: { order: ['FromName', 'ToName'] },
      TotalBalanceFilter: { order: ['Operator', 'Amount'], required: ['Operator', 'Amount'], types: { Amount: 'AMTTYPE' } },
      CurrencyFilter: { order: [['ListID', 'FullName']], repeat: ['ListID', 'FullName'] },
      ClassFilter: LIST_FILTER,
    },
  },
};

const TXN_QUERY_CHOICES = [
  ['TxnID'],
  ['RefNumber'],
  ['RefNumberCaseSensitive'],
  ['MaxReturned', 'ModifiedDateRangeFilter', 'TxnDateRangeFilter', 'EntityFilter', 'AccountFilter', 'RefNumberFilter', 'RefNumberRangeFilter', 'CurrencyFilter', 'PaidStatus'],
];

/** Exclusive groups of each query: a list of ids, of names or numbers, or the filters, never two of them. */
const QUERY_CHOICES: Record<string, string[][]> = {
  BillPaymentCheckQueryRq: TXN_QUERY_CHOICES,
  BillQueryRq: TXN_QUERY_CHOICES,
  VendorQueryRq: [
    ['ListID'],
    ['FullName'],
    ['MaxReturned', 'ActiveStatus', 'FromModifiedDate', 'ToModifiedDate', 'NameFilter', 'NameRangeFilter', 'TotalBalanceFilter', 'CurrencyFilter', 'ClassFilter'],
  ],
};

/** Enumerations of the requests the sandbox knows (ENUMTYPE in the samples): any other value is a parse error. */
const ENUMS: Record<string, string[]> = {
  ActiveStatus: ['ActiveOnly', 'InactiveOnly', 'All'],
  PaidStatus: ['All', 'PaidOnly', 'NotPaidOnly'],
  MatchCriterion: ['StartsWith', 'Contains', 'EndsWith'],
  BillableStatus: ['Billable', 'NotBillable', 'HasBeenBilled'],
};

/** Request attributes the schema declares (`requestID` on all; the iterator pair and metaData on queries). */
const ATTRIBUTES: Record<string, string[]> = {
  CompanyQueryRq: ['requestID'],
  BillPaymentCheckAddRq: ['requestID'],
  BillPaymentCheckQueryRq: ['requestID', 'metaData', 'iterator', 'iteratorID'],
  BillAddRq: ['requestID'],
  BillQueryRq: ['requestID', 'metaData', 'iterator', 'iteratorID'],
  VendorAddRq: ['requestID'],
  VendorQueryRq: ['requestID', 'metaData', 'iterator', 'iteratorID'],
};

export function knowsRequest(name: string): boolean {
  return SHAPES[name] !== undefined;
}

/** Null when the request fits the schema, else what is wrong (the sandbox's log; QuickBooks only says "parse error"). */
export function schemaProblem(request: XmlNode): string | null {
  const shape = SHAPES[request.name];
  if (shape === undefined) return `unknown request ${request.name}`;
  const unknownAttribute = Object.keys(request.attributes).find((name) => !(ATTRIBUTES[request.name] ?? []).includes(name));
  if (unknownAttribute !== undefined) return `${request.name} has no attribute ${unknownAttribute}`;
  const { iterator } = request.attributes;
  if (iterator !== undefined && iterator !== 'Start' && iterator !== 'Continue' && iterator !== 'Stop') return `${request.name}: iterator "${iterator}" is not Start, Continue or Stop`;
  const problem = check(request, shape, request.name);
  if (problem !== null) return problem;
  const choices = QUERY_CHOICES[request.name];
  if (choices !== undefined) {
    const used = choices.filter((group) => request.children.some((node) => group.includes(node.name)));
    if (used.length > 1) return `${request.name} mixes id, name or number lists and filter elements`;
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
      continue;
    }
    if (element.children.length > 0) return `${where}/${element.name}: a value element has child elements`;
    const allowed = ENUMS[element.name];
    if (allowed !== undefined && !allowed.includes(element.text)) return `${where}/${element.name}: "${element.text}" is not one of ${allowed.join(', ')}`;
    const type = shape.types?.[element.name];
    const problem = type === undefined ? null : valueProblem(element.text, type);
    if (problem !== null) return `${where}/${element.name}: "${element.text}" ${problem}`;
  }
  for (const name of shape.required ?? []) {
    const choice = Array.isArray(name) ? name : [name];
    if (!node.children.some((element) => choice.includes(element.name))) {
      return `${where}: the required element ${choice.length > 1 ? `(one of ${choice.join(', ')})` : choice[0]} is missing`;
    }
  }
  return null;
}

const GUID = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/i;

/** Why a value is not of its type, or null. */
function valueProblem(value: string, type: ValueType): string | null {
  if (typeof type === 'object') return value.length > type.max ? `is longer than ${type.max} characters` : null;
  switch (type) {
    case 'AMTTYPE':
      // Two decimals, always: "10.5" and "10.555" are not amounts to QuickBooks.
      return /^-?\d{1,12}\.\d{2}$/.test(value) ? null : 'is not an amount with two decimals (e.g. 10.50)';
    case 'DATETYPE':
      return isCalendarDate(value) ? null : 'is not a date YYYY-MM-DD';
    case 'DATETIMETYPE': {
      const match = /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(value);
      return match !== null && isCalendarDate(match[1] ?? '') ? null : 'is not a date-time YYYY-MM-DDTHH:MM:SS[+hh:mm]';
    }
    case 'GUIDTYPE':
      return GUID.test(value) ? null : 'is not a GUID {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}';
    case 'OWNERIDTYPE':
      // OwnerID is a GUID, or 0 for the public data extensions.
      return value === '0' || GUID.test(value) ? null : 'is not 0 or a GUID';
    case 'BOOLTYPE':
      return value === 'true' || value === 'false' ? null : 'is not true or false';
    case 'INTTYPE':
      return /^\d{1,9}$/.test(value) && Number(value) >= 1 ? null : 'is not a whole number of at least 1';
  }
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
