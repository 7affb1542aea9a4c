import { randomBytes } from 'node:crypto';
import { type Company, type Row, type RuleBreak, type SandboxRule, stateCode } from './company.js';
import { compareValues, filterRows, OBJECT_FIELDS, orderRows, parseCondition, QueryError } from './query.js';
import { attr, childNames, element, elements, leaf, readXml, textOf, type Tree, writeXml } from './sandbox-xml.js';

/**
 * The sandbox's XML gateway: one request document in, one response document out, as Intacct's gateway
 * answers (DTD 3.0). Control block first (XML, sender, unique control id), then the sign-in (session or
 * login), then each function with its own `<result>`; `transaction="true"` rolls all of them back on one
 * failure and answers the others `aborted` with XL03000009.
 */

/** Error numbers the sandbox answers with, by rule. Business-rule numbers are placeholders (Intacct's are not public). */
export interface SandboxErrorCodes extends Record<SandboxRule, string> {
  /** A function whose controlid already completed once, sent again with uniqueid=true. */
  controlIdUsed: string;
}

export const DEFAULT_SANDBOX_ERROR_CODES: SandboxErrorCodes = {
  duplicateDocNumber: 'BL01001973',
  unknownBankAccount: 'BL01001974',
  unknownVendor: 'BL01001975',
  unknownBill: 'BL01001976',
  billOfOtherVendor: 'BL01001977',
  amountAboveBalance: 'BL01001978',
  invalidField: 'BL01001979',
  duplicateBillNumber: 'BL01001980',
  unknownAccount: 'BL01001981',
  duplicateVendorId: 'BL01001982',
  controlIdUsed: 'XL03000017',
};

export interface SandboxCredentials {
  senderId: string;
  senderPassword: string;
  companyId: string;
  userId: string;
  userPassword: string;
}

interface Session {
  userId: string;
  companyId: string;
  locationId: string;
  expiresAt: number;
}

interface ErrorEntry {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

type FunctionResult =
  | { status: 'success'; data?: Record<string, unknown>; wrotePayment?: boolean }
  | { status: 'failure'; errors: ErrorEntry[] };

export interface GatewayAnswer {
  status: number;
  body: string;
  /** A payment was committed by this request (for commit-then-drop). */
  wrotePayment: boolean;
}

/**
 * How a refused sign-in (wrong user credentials, an expired or unknown session) is answered. `http-401` is the
 * shape of the SDK's own fixtures (RequestHandlerTest "400 level error with XML response"): HTTP 401 and a bare
 * control block with `XMLGW_JPP0002`. `operation` is the shape of Intacct's FAQ: HTTP 200, control success, the
 * failure under `operation/authentication`.
 */
export type SignInRefusal = 'http-401' | 'operation';

/** Intacct's "Sign-in information is incorrect" (SDK fixtures). */
export const SIGN_IN_REFUSED: ErrorEntryShape = {
  errorno: 'XMLGW_JPP0002',
  description: 'Sign-in information is incorrect. Please check your request.',
};

interface ErrorEntryShape {
  errorno: string;
  description: string;
}

export interface GatewayOptions {
  company: Company;
  signInRefusal: () => SignInRefusal;
  /**
   * What a filter on APPYMT `STATE` compares with: the display value (`Posted`) or the stored code (`C`). Reads
   * always answer the display value. Which one Intacct's filters use is not documented: tests run both.
   */
  stateFilter: () => 'display' | 'code';
  credentials: SandboxCredentials;
  codes: () => SandboxErrorCodes;
  /** The URL getAPISession names as the session's endpoint. */
  sessionEndpoint: () => string;
  sessionTimeoutMs: number;
  clock: () => Date;
}

const ROLLED_BACK: ErrorEntry = {
  errorno: 'XL03000009',
  description: '',
  description2: 'The entire transaction in this operation has been rolled back due to an error.',
  correction: '',
};

function entry(errorno: string, description2: string, correction = '', description = ''): ErrorEntry {
  return { errorno, description, description2, correction };
}

/**
 * An object element's fields as a flat row: leaves by name, nested groups (`DISPLAYCONTACT/MAILADDRESS/CITY`) as
 * dotted names (`DISPLAYCONTACT.MAILADDRESS.CITY`), as a query reads them back; empty values left out.
 */
function flatFields(node: Tree | undefined, skip: string[] = [], prefix = ''): Row {
  const row: Row = {};
  for (const field of childNames(node)) {
    if (skip.includes(field)) continue;
    const child = element(node, field);
    const nested = childNames(child);
    if (nested.length > 0) Object.assign(row, flatFields(child, [], `${prefix}${field}.`));
    else {
      const value = textOf(child);
      if (value !== undefined && value !== '') row[`${prefix}${field}`] = value;
    }
  }
  return row;
}

function errorMessage(errors: ErrorEntry[]): Record<string, unknown> {
  return { error: errors.map((e) => ({ errorno: e.errorno, description: e.description, description2: e.description2, correction: e.correction })) };
}

/** The request DTD's element order for the control block (as the SDK's ControlBlock writes it) and the operation. */
const CONTROL_ORDER = ['senderid', 'password', 'controlid', 'uniqueid', 'dtdversion', 'policyid', 'includewhitespace', 'debug'];
const OPERATION_ORDER = ['authentication', 'content'];

/** What is wrong with the order of a block's children (unknown or repeated elements too), or undefined. */
function outOfOrder(node: Tree | undefined, order: string[]): string | undefined {
  if (node === undefined) return undefined;
  let last = -1;
  for (const name of childNames(node)) {
    const at = order.indexOf(name);
    if (at < 0) return `element <${name}> is not allowed here.`;
    if (at < last || elements(node, name).length > 1) return `element <${name}> is out of order (expected ${order.join(', ')}).`;
    last = at;
  }
  return undefined;
}

export class SandboxGateway {
  readonly #options: GatewayOptions;
  readonly #sessions = new Map<string, Session>();
  /**
   * Function control ids that completed with uniqueid=true, per company. Intacct checks the `controlid` attribute
   * of each `<function>` (not the request's controlid) "to determine if the operation was previously executed and
   * completed": a function that failed or was rolled back does not burn its id.
   */
  readonly #completedFunctions = new Set<string>();
  readonly #resultSets = new Map<string, { object: string; rows: Row[]; fields: string[]; pageSize: number }>();

  constructor(options: GatewayOptions) {
    this.#options = options;
  }

  /** Ends every open session now (Intacct expires sessions; tests make it happen on demand). */
  expireSessions(): void {
    this.#sessions.clear();
  }

  /** The answer to one throttled request: HTTP 429, control failure GW-0010. */
  throttleAnswer(): GatewayAnswer {
    return {
      status: 429,
      wrotePayment: false,
      body: writeXml({
        response: {
          control: { status: 'failure', senderid: '', controlid: '', uniqueid: 'false', dtdversion: '3.0' },
          errormessage: errorMessage([
            entry('GW-0010', 'The request rate or concurrency limit of this company was exceeded.', 'Wait, then send the request again.', 'Rate limit exceeded'),
          ]),
        },
      }),
    };
  }

  handle(body: string): GatewayAnswer {
    const read = readXml(body);
    if (!read.ok) return this.#controlFailure(400, {}, [entry('XL03000003', `XML Parse error: ${read.reason}`, 'Send a well-formed request.')]);
    const request = element(read.tree, 'request');
    const control = element(request, 'control');
    if (request === undefined || control === undefined) {
      return this.#controlFailure(400, {}, [entry('XL03000003', 'XML Parse error: the document has no <request><control> block.')]);
    }
    const senderId = leaf(control, 'senderid') ?? '';
    const controlId = leaf(control, 'controlid') ?? '';
    // "When set to true, which is the default, a request cannot be repeated" (developer.intacct.com, requests).
    const uniqueId = (leaf(control, 'uniqueid') ?? 'true').trim() !== 'false';
    const echo = { senderid: senderId, controlid: controlId, uniqueid: uniqueId ? 'true' : 'false', dtdversion: leaf(control, 'dtdversion') ?? '' };
    const misordered = outOfOrder(control, CONTROL_ORDER) ?? outOfOrder(element(request, 'operation'), OPERATION_ORDER);
    if (misordered !== undefined) {
      return this.#controlFailure(400, echo, [entry('XL03000003', `XML Parse error: ${misordered}`, 'Write the elements in the order of the request DTD.')]);
    }
    if (leaf(control, 'dtdversion') !== '3.0') return this.#controlFailure(400, echo, [entry('XL03000003', 'XML Parse error: dtdversion must be 3.0.')]);
    if (controlId.length < 1 || controlId.length > 256) {
      return this.#controlFailure(400, echo, [entry('XL03000003', 'XML Parse error: controlid must be 1 to 256 characters.')]);
    }
    const { credentials } = this.#options;
    if (senderId !== credentials.senderId || leaf(control, 'password') !== credentials.senderPassword) {
      return this.#controlFailure(200, echo, [
        entry('XL03000006', 'Incorrect Intacct XML Partner ID or password.', 'Check the Web Services sender credentials.', 'Sender ID or password is incorrect'),
      ]);
    }
    const operation = element(request, 'operation');
    if (operation === undefined) return this.#controlFailure(400, echo, [entry('XL03000003', 'XML Parse error: the request has no <operation>.')]);
    const signIn = this.#authenticate(element(operation, 'authentication'));
    if ('errors' in signIn) {
      if (this.#options.signInRefusal() === 'http-401') {
        return {
          status: 401,
          wrotePayment: false,
          body: writeXml({
            response: {
              control: { status: 'failure' },
              errormessage: { error: [{ errorno: SIGN_IN_REFUSED.errorno, description: SIGN_IN_REFUSED.description }] },
            },
          }),
        };
      }
      return {
        status: 200,
        wrotePayment: false,
        body: writeXml({
          response: {
            control: { status: 'success', ...echo },
            operation: { authentication: { status: 'failure', userid: '', companyid: '', locationid: '' }, errormessage: errorMessage(signIn.errors) },
          },
        }),
      };
    }

    const functions = elements(element(operation, 'content'), 'function');
    const transaction = attr(operation, 'transaction') === 'true';
    const before = transaction ? this.#options.company.snapshot() : undefined;
    const companyId = signIn.session.companyId;
    const completedKey = (fn: Tree): string => `${companyId}\u0000${attr(fn, 'controlid') ?? ''}`;
    const results = functions.map((fn) => {
      const name = childNames(fn)[0] ?? '';
      if (uniqueId && this.#completedFunctions.has(completedKey(fn))) {
        return { fn, name, result: this.#alreadyCompleted(attr(fn, 'controlid') ?? '') };
      }
      return { fn, name, result: this.#run(fn, signIn) };
    });
    const failed = results.some((r) => r.result.status === 'failure');
    if (transaction && failed && before !== undefined) this.#options.company.restore(before);
    if (uniqueId && !(transaction && failed)) {
      for (const { fn, result } of results) if (result.status === 'success') this.#completedFunctions.add(completedKey(fn));
    }

    const resultElements = results.map(({ fn, name, result }) => {
      const head = { function: name, controlid: attr(fn, 'controlid') ?? '' };
      if (transaction && failed) {
        return result.status === 'failure'
          ? { status: 'failure', ...head, errormessage: errorMessage([...result.errors, ROLLED_BACK]) }
          : { status: 'aborted', ...head, errormessage: errorMessage([ROLLED_BACK]) };
      }
      if (result.status === 'failure') return { status: 'failure', ...head, errormessage: errorMessage(result.errors) };
      return { status: 'success', ...head, ...(result.data === undefined ? {} : { data: result.data }) };
    });
    const now = this.#options.clock();
    return {
      status: 200,
      wrotePayment: !(transaction && failed) && results.some((r) => r.result.status === 'success' && r.result.wrotePayment === true),
      body: writeXml({
        response: {
          control: { status: 'success', ...echo },
          operation: {
            authentication: {
              status: 'success',
              userid: signIn.session.userId,
              companyid: signIn.session.companyId,
              locationid: signIn.session.locationId,
              sessiontimestamp: now.toISOString(),
              sessiontimeout: new Date(signIn.session.expiresAt).toISOString(),
            },
            result: resultElements,
          },
        },
      }),
    };
  }

  /** A function sent again with uniqueid=true after it completed: refused, nothing runs. */
  #alreadyCompleted(functionControlId: string): FunctionResult {
    return {
      status: 'failure',
      errors: [
        entry(
          this.#options.codes().controlIdUsed,
          `The function '${functionControlId}' was already executed and completed; with uniqueid true it cannot be repeated.`,
          'Send a new function controlid to run the operation again.',
          'Duplicate function',
        ),
      ],
    };
  }

  #controlFailure(status: number, echo: Record<string, string>, errors: ErrorEntry[]): GatewayAnswer {
    return {
      status,
      wrotePayment: false,
      body: writeXml({ response: { control: { status: 'failure', ...echo }, errormessage: errorMessage(errors) } }),
    };
  }

  #authenticate(node: Tree | undefined): { session: Session; sessionId?: string } | { errors: ErrorEntry[] } {
    const now = this.#options.clock().getTime();
    const sessionId = leaf(node, 'sessionid');
    if (sessionId !== undefined) {
      const session = this.#sessions.get(sessionId);
      if (session === undefined || session.expiresAt <= now) {
        this.#sessions.delete(sessionId);
        return { errors: [entry('XL03000006', 'The session is invalid or has expired.', 'Sign in again with getAPISession.', 'Sign-in information is incorrect')] };
      }
      return { session, sessionId };
    }
    const login = element(node, 'login');
    const { credentials } = this.#options;
    if (login === undefined || leaf(login, 'companyid') !== credentials.companyId || leaf(login, 'userid') !== credentials.userId || leaf(login, 'password') !== credentials.userPassword) {
      return { errors: [entry('XL03000006', 'Sign-in information is incorrect. Please check your request.', 'Check the company ID, user ID and password.', 'Sign-in information is incorrect')] };
    }
    return {
      session: { userId: credentials.userId, companyId: credentials.companyId, locationId: leaf(login, 'locationid') ?? '', expiresAt: now + this.#options.sessionTimeoutMs },
    };
  }

  #run(fn: Tree, signIn: { session: Session; sessionId?: string }): FunctionResult {
    const name = childNames(fn)[0];
    const body = name === undefined ? undefined : element(fn, name);
    try {
      switch (name) {
        case 'getAPISession':
          return this.#getApiSession(body, signIn);
        case 'create':
          return this.#create(body);
        case 'query':
          return this.#query(body);
        case 'readByQuery':
          return this.#readByQuery(body);
        case 'readMore':
          return this.#readMore(body);
        default:
          return { status: 'failure', errors: [entry('XL03000003', `Unknown function '${name ?? ''}'.`)] };
      }
    } catch (error) {
      if (error instanceof QueryError) return { status: 'failure', errors: [entry(this.#options.codes().invalidField, error.message)] };
      throw error;
    }
  }

  #getApiSession(body: Tree | undefined, signIn: { session: Session; sessionId?: string }): FunctionResult {
    const locationId = leaf(body, 'locationid') ?? signIn.session.locationId;
    let sessionId = signIn.sessionId;
    if (sessionId === undefined || locationId !== signIn.session.locationId) {
      sessionId = randomBytes(18).toString('base64url');
      this.#sessions.set(sessionId, { ...signIn.session, locationId });
    }
    return { status: 'success', data: { api: { sessionid: sessionId, endpoint: this.#options.sessionEndpoint(), locationid: locationId } } };
  }

  #create(body: Tree | undefined): FunctionResult {
    const objects = childNames(body);
    if (objects.length !== 1 || elements(body, objects[0] as string).length !== 1) {
      return { status: 'failure', errors: [entry(this.#options.codes().invalidField, 'create takes exactly one object element.')] };
    }
    const objectName = objects[0] as string;
    switch (objectName) {
      case 'APPYMT':
        return this.#createPayment(element(body, 'APPYMT'));
      case 'APBILL':
        return this.#createBill(element(body, 'APBILL'));
      case 'VENDOR':
        return this.#createVendor(element(body, 'VENDOR'));
      default:
        return { status: 'failure', errors: [entry(this.#options.codes().invalidField, `Object definition ${objectName} not found`)] };
    }
  }

  #createPayment(node: Tree | undefined): FunctionResult {
    const header = flatFields(node, ['APPYMTDETAILS']);
    const details = elements(element(node, 'APPYMTDETAILS'), 'APPYMTDETAIL').map((detail) => flatFields(detail));
    const created = this.#options.company.createPayment(header, details);
    if ('rule' in created) return { status: 'failure', errors: [this.#ruleError(created, 'APPYMT')] };
    return { status: 'success', wrotePayment: true, data: { 'attr:listtype': 'objects', 'attr:count': '1', appymt: { RECORDNO: String(created.recordNo) } } };
  }

  /** `create APBILL` with its lines under `APBILLITEMS/APBILLITEM`; answers the new RECORDNO (and the bill number). */
  #createBill(node: Tree | undefined): FunctionResult {
    const header = flatFields(node, ['APBILLITEMS']);
    const items = elements(element(node, 'APBILLITEMS'), 'APBILLITEM').map((item) => flatFields(item));
    const created = this.#options.company.createBill(header, items);
    if ('rule' in created) return { status: 'failure', errors: [this.#ruleError(created, 'APBILL')] };
    return { status: 'success', wrotePayment: true, data: { 'attr:listtype': 'objects', 'attr:count': '1', apbill: { RECORDNO: String(created.recordNo) } } };
  }

  /** `create VENDOR`; answers RECORDNO and VENDORID (the ID given, or the company's numbering's). */
  #createVendor(node: Tree | undefined): FunctionResult {
    const created = this.#options.company.createVendor(flatFields(node));
    if ('rule' in created) return { status: 'failure', errors: [this.#ruleError(created, 'VENDOR')] };
    return {
      status: 'success',
      wrotePayment: true,
      data: { 'attr:listtype': 'objects', 'attr:count': '1', vendor: { RECORDNO: String(created.recordNo), VENDORID: created.vendorId } },
    };
  }

  #ruleError(broken: RuleBreak, object: string): ErrorEntry {
    return entry(this.#options.codes()[broken.rule], broken.description2, broken.correction ?? '', `Could not create ${object} record!`);
  }

  #table(object: string | undefined): { rows: Row[]; fields: string[] } {
    const name = (object ?? '').toUpperCase();
    const rows = this.#options.company.rows(name);
    const fields = OBJECT_FIELDS[name];
    if (rows === undefined || fields === undefined) throw new QueryError(`Object definition ${object ?? ''} not found`);
    return { rows, fields };
  }

  /** Filters rows as Intacct compares them (STATE by display value or by code), returning the rows as read. */
  #filtered(rows: Row[], filter: (view: Row[]) => Row[]): Row[] {
    if (this.#options.stateFilter() === 'display') return filter(rows);
    const byView = new Map<Row, Row>();
    const views = rows.map((row) => {
      const view = row.STATE === undefined ? row : { ...row, STATE: stateCode(row.STATE) };
      byView.set(view, row);
      return view;
    });
    return filter(views).map((view) => byView.get(view) as Row);
  }

  #select(row: Row, fields: string[]): Row {
    const out: Row = {};
    for (const field of fields) out[field] = row[field] ?? '';
    return out;
  }

  #query(body: Tree | undefined): FunctionResult {
    const object = leaf(body, 'object');
    const { rows, fields } = this.#table(object);
    const select = elements(element(body, 'select'), 'field').map((f) => textOf(f) ?? '');
    if (select.length === 0) throw new QueryError('The select element is required: returning all fields is not supported.');
    for (const field of select) if (!fields.includes(field)) throw new QueryError(`Unknown field '${field}' in select.`);
    const matched = orderRows(element(body, 'orderby'), this.#filtered(rows, (view) => filterRows(element(body, 'filter'), view, fields)), fields);
    const pageSize = Math.min(2000, Math.max(1, Number(leaf(body, 'pagesize') ?? '100') || 100));
    const offset = Math.max(0, Number(leaf(body, 'offset') ?? '0') || 0);
    const page = matched.slice(offset, offset + pageSize);
    const name = (object ?? '').toUpperCase();
    return {
      status: 'success',
      data: {
        'attr:listtype': name,
        'attr:count': String(page.length),
        'attr:totalcount': String(matched.length),
        'attr:offset': String(offset),
        'attr:numremaining': String(Math.max(0, matched.length - offset - page.length)),
        [name]: page.map((row) => this.#select(row, select)),
      },
    };
  }

  #readByQuery(body: Tree | undefined): FunctionResult {
    const object = leaf(body, 'object');
    const { rows, fields } = this.#table(object);
    const requested = (leaf(body, 'fields') ?? '*').trim();
    const selected = requested === '*' || requested === '' ? fields : requested.split(',').map((f) => f.trim().toUpperCase());
    for (const field of selected) if (!fields.includes(field)) throw new QueryError(`Unknown field '${field}' in fields.`);
    const predicate = parseCondition(leaf(body, 'query') ?? '', fields);
    const matched = this.#filtered(rows, (view) => view.filter(predicate)).sort((a, b) => compareValues(a.RECORDNO ?? '', b.RECORDNO ?? ''));
    const pageSize = Math.min(1000, Math.max(1, Number(leaf(body, 'pagesize') ?? '100') || 100));
    return this.#listPage((object ?? '').toLowerCase(), matched, selected, pageSize);
  }

  #readMore(body: Tree | undefined): FunctionResult {
    const resultId = leaf(body, 'resultId') ?? '';
    const set = this.#resultSets.get(resultId);
    if (set === undefined) throw new QueryError(`Result ID '${resultId}' is not valid or has no more rows.`);
    this.#resultSets.delete(resultId);
    return this.#listPage(set.object, set.rows, set.fields, set.pageSize);
  }

  #listPage(object: string, rows: Row[], fields: string[], pageSize: number): FunctionResult {
    const page = rows.slice(0, pageSize);
    const rest = rows.slice(pageSize);
    let resultId = '';
    if (rest.length > 0) {
      resultId = randomBytes(12).toString('hex');
      this.#resultSets.set(resultId, { object, rows: rest, fields, pageSize });
    }
    return {
      status: 'success',
      data: {
        'attr:listtype': object,
        'attr:count': String(page.length),
        'attr:totalcount': String(rows.length),
        'attr:numremaining': String(rest.length),
        'attr:resultId': resultId,
        [object]: page.map((row) => this.#select(row, fields)),
      },
    };
  }
}
