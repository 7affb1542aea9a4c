import { checkInvoiceResult, importResult, loginFault, payableImportResult, payablesResult, vendorImportResult, vendorsResult } from './answers.js';
import { validatePayable, type PayableInput } from './payable-rules.js';
import { validateVendor } from './vendor-rules.js';
import { isoDateOf } from './amounts.js';
import { element, elements, leaf, readDocument, type Tree } from './sandbox-xml.js';
import type { CheckInput, InterfaceMessage, Payable, Payee, VendorCompany } from './vendor-company.js';

/** The login the sandbox's Yardi database accepts. */
export interface SandboxLogin {
  userName: string;
  password: string;
  serverName: string;
  database: string;
  interfaceEntity: string;
  interfaceLicense: string;
}

/** What a service call may ask of the HTTP layer: drop the connection instead of answering. */
export interface CallState {
  dropAnswer: boolean;
}

export interface ServiceContext {
  company: VendorCompany;
  login: SandboxLogin;
  /** Write a `code` attribute on messages (off: text only, to test the client's text patterns). */
  messageCodes: () => boolean;
  /** Commit, then drop: consumed by a write that stored a check. */
  takeCommitThenDrop: () => boolean;
}

type Args = Record<string, unknown>;

function text(args: Args, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Yardi checks the login and the interface licence on every call; a refusal is a SOAP Fault. */
function assertLogin(args: Args, login: SandboxLogin): void {
  const matches =
    text(args, 'UserName') === login.userName &&
    text(args, 'Password') === login.password &&
    text(args, 'ServerName') === login.serverName &&
    text(args, 'Database') === login.database;
  if (!matches) {
    throw loginFault(`Login failed: invalid UserName or Password for database ${text(args, 'Database') ?? '(none)'}.`, 'LOGIN_FAILED');
  }
  const platform = text(args, 'Platform');
  if (platform !== 'SQL Server' && platform !== 'Oracle') throw loginFault(`Platform '${platform ?? ''}' is not valid (SQL Server or Oracle).`, 'LOGIN_FAILED');
  if (text(args, 'InterfaceEntity') !== login.interfaceEntity || text(args, 'InterfaceLicense') !== login.interfaceLicense) {
    throw loginFault(`Interface License is not valid for entity ${text(args, 'InterfaceEntity') ?? '(none)'} and interface Vendor Invoicing.`, 'LICENSE_INVALID');
  }
}

function fieldsOf(node: Tree, skip: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (typeof node === 'string') return out;
  for (const name of Object.keys(node)) if (!skip.includes(name) && !name.startsWith('attr:')) out[name] = leaf(node, name);
  return out;
}

/** Reads a CheckDoc: `YsiTran/Checks/Check`, each with its `Details/Detail` lines. */
function readChecks(checkDoc: string | undefined): { inputs: CheckInput[] } | { error: InterfaceMessage } {
  const read = readDocument(checkDoc ?? '');
  if (!read.ok) return { error: { type: 'Error', code: 'INVALID_DOCUMENT', text: `CheckDoc could not be read: ${read.reason}` } };
  const checks = elements(element(element(read.tree, 'YsiTran'), 'Checks'), 'Check');
  if (checks.length === 0) return { error: { type: 'Error', code: 'INVALID_DOCUMENT', text: 'CheckDoc holds no YsiTran/Checks/Check.' } };
  return {
    inputs: checks.map((check) => ({
      fields: fieldsOf(check, ['Details']),
      details: elements(element(check, 'Details'), 'Detail').map((detail) => fieldsOf(detail, [])),
    })),
  };
}

/** Reads a PayableDoc: `YsiTran/Payables/Payable`, each with its `Details/Detail` lines. */
function readPayables(payableDoc: string | undefined): { inputs: PayableInput[] } | { error: InterfaceMessage } {
  const read = readDocument(payableDoc ?? '');
  if (!read.ok) return { error: { type: 'Error', code: 'INVALID_DOCUMENT', text: `PayableDoc could not be read: ${read.reason}` } };
  const payables = elements(element(element(read.tree, 'YsiTran'), 'Payables'), 'Payable');
  if (payables.length === 0) return { error: { type: 'Error', code: 'INVALID_DOCUMENT', text: 'PayableDoc holds no YsiTran/Payables/Payable.' } };
  return {
    inputs: payables.map((payable) => ({
      fields: fieldsOf(payable, ['Details']),
      details: elements(element(payable, 'Details'), 'Detail').map((detail) => fieldsOf(detail, [])),
    })),
  };
}

/** An XML node result, as the soap server writes raw XML. */
const xmlResult = (name: string, xml: string) => ({ [`${name}Result`]: { $xml: xml } });

/**
 * The Vendor Invoicing operations, for the `soap` package's server: service → port → operation. Each gets the
 * parsed request element and the serverless request, whose `connection` carries this call's {@link CallState}.
 */
export function vendorInvoicingServices(context: ServiceContext) {
  const { company } = context;
  const operations = {
    ImportCheck_Login(args: Args, _callback: unknown, _headers: unknown, request: { connection?: CallState }) {
      assertLogin(args, context.login);
      const read = readChecks(text(args, 'CheckDoc'));
      if ('error' in read) return xmlResult('ImportCheck_Login', importResult([read.error], [], context.messageCodes()));
      const { messages, created } = company.importChecks(read.inputs);
      if (created.length > 0 && request.connection !== undefined && context.takeCommitThenDrop()) request.connection.dropAnswer = true;
      return xmlResult('ImportCheck_Login', importResult(messages, created, context.messageCodes()));
    },
    GetCheckInvoice(args: Args) {
      assertLogin(args, context.login);
      const from = text(args, 'CheckFromDate');
      const to = text(args, 'CheckToDate');
      const checkNumber = text(args, 'CheckNumber')?.trim() || undefined;
      const fromIso = from === undefined || from === '' ? undefined : isoDateOf(from);
      const toIso = to === undefined || to === '' ? undefined : isoDateOf(to);
      const problems: InterfaceMessage[] = [];
      if (fromIso === undefined && from !== undefined && from !== '') problems.push({ type: 'Error', code: 'INVALID_DATE', text: `CheckFromDate '${from}' is not a valid date.` });
      if (toIso === undefined && to !== undefined && to !== '') problems.push({ type: 'Error', code: 'INVALID_DATE', text: `CheckToDate '${to}' is not a valid date.` });
      if (checkNumber === undefined && (fromIso === undefined || toIso === undefined)) {
        problems.push({ type: 'Error', code: 'REQUIRED', text: 'CheckFromDate and CheckToDate are required unless CheckNumber is given.' });
      }
      if (problems.length > 0) return xmlResult('GetCheckInvoice', checkInvoiceResult([], problems, context.messageCodes()));
      const bankId = text(args, 'BankId')?.trim() || undefined;
      const propertyId = text(args, 'YardiPropertyId')?.trim() || undefined;
      const payeeId = text(args, 'VendorId')?.trim() || undefined;
      const checks = company.findChecks({
        ...(fromIso === undefined ? {} : { from: fromIso }),
        ...(toIso === undefined ? {} : { to: toIso }),
        ...(checkNumber === undefined ? {} : { checkNumber }),
        ...(bankId === undefined ? {} : { bankId }),
        ...(propertyId === undefined ? {} : { propertyId }),
        ...(payeeId === undefined ? {} : { payeeId }),
      });
      return xmlResult('GetCheckInvoice', checkInvoiceResult(checks));
    },
    ImportPayable_Login(args: Args, _callback: unknown, _headers: unknown, request: { connection?: CallState }) {
      assertLogin(args, context.login);
      const read = readPayables(text(args, 'PayableDoc'));
      if ('error' in read) return xmlResult('ImportPayable_Login', payableImportResult([read.error], [], context.messageCodes()));
      // All or nothing, as for checks: every payable of the document is checked before any is stored.
      const messages: InterfaceMessage[] = [];
      const planned: Omit<Payable, 'id' | 'paidCents'>[] = [];
      for (const input of read.inputs) {
        const result = validatePayable(input, company, planned);
        messages.push(...result.messages);
        if (result.payable !== undefined) planned.push(result.payable);
      }
      const created = messages.some((message) => message.type === 'Error') ? [] : planned.map((payable) => company.storePayable(payable));
      if (created.length > 0 && request.connection !== undefined && context.takeCommitThenDrop()) request.connection.dropAnswer = true;
      return xmlResult('ImportPayable_Login', payableImportResult(messages, created, context.messageCodes()));
    },
    ImportVendors_Login(args: Args, _callback: unknown, _headers: unknown, request: { connection?: CallState }) {
      assertLogin(args, context.login);
      const read = readDocument(text(args, 'XmlDoc') ?? '');
      const nodes = read.ok ? elements(element(element(read.tree, 'YsiTran'), 'Vendors'), 'Vendor') : [];
      if (nodes.length === 0) {
        const reason = read.ok ? 'XmlDoc holds no YsiTran/Vendors/Vendor.' : `XmlDoc could not be read: ${read.reason}`;
        return xmlResult('ImportVendors_Login', vendorImportResult([{ type: 'Error', code: 'INVALID_DOCUMENT', text: reason }], [], context.messageCodes()));
      }
      const messages: InterfaceMessage[] = [];
      const planned: Payee[] = [];
      for (const node of nodes) {
        const result = validateVendor(fieldsOf(node, []), company, planned);
        messages.push(...result.messages);
        if (result.payee !== undefined) planned.push(result.payee);
      }
      const created = messages.some((message) => message.type === 'Error') ? [] : planned;
      for (const payee of created) company.payees.set(payee.id, payee);
      if (created.length > 0 && request.connection !== undefined && context.takeCommitThenDrop()) request.connection.dropAnswer = true;
      return xmlResult('ImportVendors_Login', vendorImportResult(messages, created, context.messageCodes()));
    },
    GetVendors_Login(args: Args) {
      assertLogin(args, context.login);
      // Every vendor, whatever the property: the sandbox does not tie vendors to properties [U].
      return xmlResult('GetVendors_Login', vendorsResult([...company.payees.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))));
    },
    GetVendor_Login(args: Args) {
      assertLogin(args, context.login);
      const id = text(args, 'VendorId')?.trim() ?? '';
      if (id === '') return xmlResult('GetVendor_Login', vendorsResult([], [{ type: 'Error', code: 'REQUIRED', text: 'VendorId is required.' }], context.messageCodes()));
      const payee = company.payees.get(id);
      return xmlResult('GetVendor_Login', vendorsResult(payee === undefined ? [] : [payee]));
    },
    GetPayables2(args: Args) {
      assertLogin(args, context.login);
      const payableId = text(args, 'PayableId')?.trim() || undefined;
      const invoiceNumber = text(args, 'InvoiceNumber')?.trim() || undefined;
      const payeeId = text(args, 'VendorId')?.trim() || undefined;
      const propertyId = text(args, 'YardiPropertyId')?.trim() || undefined;
      // By id, the payable alone (the connector's usual read); else every payable, filtered.
      const byId = payableId === undefined ? undefined : company.payables.get(payableId);
      const candidates = payableId === undefined ? [...company.payables.values()] : byId === undefined ? [] : [byId];
      const payables = candidates.filter(
        (payable) =>
          (payableId === undefined || payable.id === payableId) &&
          (invoiceNumber === undefined || payable.invoiceNumber === invoiceNumber) &&
          (payeeId === undefined || payable.payeeId === payeeId) &&
          (propertyId === undefined || payable.propertyId === propertyId),
      );
      return xmlResult('GetPayables2', payablesResult(payables.map((payable) => ({ payable, checks: company.checksOfPayable(payable.id) }))));
    },
  };
  return { ItfVendorInvoicing: { ItfVendorInvoicingSoap: operations } };
}
