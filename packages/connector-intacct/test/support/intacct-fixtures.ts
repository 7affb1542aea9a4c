import {
  createConnectorRuntime,
  type ConnectorRuntime,
  type ExportItem,
  type Payment,
  type PaymentIssued,
  type RecordError,
  type RuntimeOptions,
  type SandboxSeed,
} from '@ledgerlink/core';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { intacctConnector, type IntacctConfigInput } from '../../src/index.js';
import {
  INTACCT_SANDBOX_CREDENTIALS,
  type IntacctSandbox,
  type IntacctSandboxOptions,
  startIntacctSandboxWith,
} from '../../src/sandbox/index.js';

/** Shared by this package's own tests: a sandbox, a config for it, payments that are valid in it, a runtime. */

export const credentials = INTACCT_SANDBOX_CREDENTIALS;

export function configFor(sandbox: IntacctSandbox, overrides: Partial<IntacctConfigInput> = {}): IntacctConfigInput {
  return {
    endpointUrl: sandbox.url,
    senderId: credentials.senderId,
    senderPassword: credentials.senderPassword,
    companyId: credentials.companyId,
    userId: credentials.userId,
    userPassword: credentials.userPassword,
    ...overrides,
  };
}

/** Payment `n`: vendor `V-n`, checking account `BA-n`, bill RECORDNO `7000+n` (number `INV-n`), by check. */
export function paymentFor(n: number, overrides: Partial<Payment> = {}): Payment {
  const amountCents = overrides.amountCents ?? 10_000 + n;
  return {
    id: `hub-pay-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'check',
    fundedOn: '2025-01-31',
    bankId: `BA-${n}`,
    checkNumber: String(20_000 + n),
    notes: `payment ${n}`,
    vendor: { id: `hub-vendor-${n}`, name: `Vendor ${n}`, erpId: `V-${n}` },
    invoice: { id: `hub-invoice-${n}`, number: `INV-${n}`, amountCents: 50_000, erpId: String(7000 + n) },
    project: { id: 'hub-project-1', number: 'P-1' },
    ...overrides,
  };
}

/** What makes payment valid in the sandbox: its vendor, its checking account, its bill (total = the invoice's). */
export function seedFor(payment: Payment): SandboxSeed {
  const vendorId = payment.vendor.erpId as string;
  return {
    vendors: [{ id: vendorId, name: payment.vendor.name }],
    bankAccounts: [{ id: payment.bankId }],
    bills: [{ id: payment.invoice.erpId as string, vendorId, number: payment.invoice.number, amountCents: payment.invoice.amountCents }],
  };
}

export function startSandbox(options: IntacctSandboxOptions = {}): Promise<IntacctSandbox> {
  return startIntacctSandboxWith(options);
}

export function runtimeFor(sandbox: IntacctSandbox, options: Partial<RuntimeOptions> & { config?: Partial<IntacctConfigInput> } = {}): ConnectorRuntime {
  const { config, ...rest } = options;
  return createConnectorRuntime(intacctConnector, {
    tenant: 'intacct-test',
    config: configFor(sandbox, config),
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 5 },
    ...rest,
  });
}

export function itemFor(payment: Payment, revision = 1): ExportItem {
  return { id: payment.id, idempotencyKey: `${payment.id}.r${revision}`, record: payment };
}

export async function importAll(runtime: ConnectorRuntime, cursor?: string): Promise<{ records: PaymentIssued[]; errors: RecordError[]; cursors: string[] }> {
  const records: PaymentIssued[] = [];
  const errors: RecordError[] = [];
  const cursors: string[] = [];
  for await (const page of runtime.importPayments(cursor === undefined ? {} : { cursor })) {
    records.push(...page.records);
    errors.push(...page.errors);
    cursors.push(page.cursor);
  }
  return { records, errors, cursors };
}

/** Requests the sandbox received whose body contains `marker` (e.g. `<create>`). */
export function requestsWith(sandbox: IntacctSandbox, marker: string): string[] {
  return sandbox.requestLog().filter((r) => r.body.includes(marker)).map((r) => r.body);
}

/** POSTs a raw document to the sandbox, as any XML client could. */
export async function post(url: string, body: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
  return { status: response.status, body: await response.text() };
}

const requestWriter = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: true,
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
});

/**
 * A request document signed in with login credentials, around `<function>` elements given as trees
 * (`{ '@_controlid': 'f1', readByQuery: { object: 'APPYMT' } }`), written by XMLBuilder as any XML client could.
 */
export function loginRequest(
  functions: Record<string, unknown>[],
  options: { transaction?: boolean; controlId?: string; uniqueId?: boolean; senderPassword?: string } = {},
): string {
  const tree = {
    request: {
      control: {
        senderid: credentials.senderId,
        password: options.senderPassword ?? credentials.senderPassword,
        controlid: options.controlId ?? 'raw-test',
        uniqueid: options.uniqueId ? 'true' : 'false',
        dtdversion: '3.0',
        includewhitespace: 'false',
      },
      operation: {
        '@_transaction': options.transaction ? 'true' : 'false',
        authentication: { login: { userid: credentials.userId, companyid: credentials.companyId, password: credentials.userPassword } },
        content: { function: functions },
      },
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>${requestWriter.build(tree) as string}`;
}

const answerParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['result', 'error', 'appymt', 'APPYMT'].includes(name),
});

/** A sandbox answer as a plain object (results and errors always arrays). */
export function parseAnswer(body: string): Record<string, unknown> {
  return answerParser.parse(body) as Record<string, unknown>;
}
