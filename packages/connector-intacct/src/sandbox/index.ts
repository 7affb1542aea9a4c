import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ErpSandbox,
  SandboxFaults,
  SandboxOptions,
  SandboxPayment,
  SandboxPaymentInput,
  SandboxBill,
  SandboxSeed,
  SandboxVendor,
  SandboxVendorInput,
  SandboxStats,
  StartSandbox,
} from '@ledgerlink/core';
import { Company, usDate, usDateText, decimalOf } from './company.js';
export { INTACCT_SANDBOX_GL_ACCOUNTS } from './company.js';
import {
  DEFAULT_SANDBOX_ERROR_CODES,
  SandboxGateway,
  type SandboxCredentials,
  type SandboxErrorCodes,
  type SignInRefusal,
} from './gateway.js';

/**
 * A local Sage Intacct XML gateway for tests and the demo: a real HTTP server on 127.0.0.1 that speaks the
 * gateway's request/response documents (DTD 3.0), holds a company in memory and keeps its rules. It was
 * written from the wire format (erp-reference.md §1, §9) and shares no code with the connector's client.
 *
 * Login requests go to `url` (`/ia/xml/xmlgw.phtml`); `getAPISession` names another path on the same server as
 * the session's endpoint (`/session/ia/xml/xmlgw.phtml`), so a client that ignores the returned endpoint shows.
 */

/** The credentials the sandbox accepts unless told otherwise. */
export const INTACCT_SANDBOX_CREDENTIALS: SandboxCredentials = {
  senderId: 'ledgerlink-sandbox',
  senderPassword: 'sandbox-sender-password',
  companyId: 'LEDGERLINK-DEMO',
  userId: 'ws_ledgerlink',
  userPassword: 'sandbox-user-password',
};

/** What `enforceLimits` holds the client to: Intacct's base-tier concurrency and this project's rate. */
export const INTACCT_SANDBOX_LIMITS = { requests: 60, intervalMs: 1000, concurrency: 2 };

export interface IntacctSandboxOptions extends SandboxOptions {
  credentials?: Partial<SandboxCredentials>;
  /** Error numbers by rule (Intacct's business-rule numbers are not public: the defaults are placeholders). */
  errorCodes?: Partial<SandboxErrorCodes>;
  /**
   * The state a payment created through the API takes (unless its ACTION is Draft). Default `Submitted`: a
   * company with AP payment approvals, where an approver moves it to `Approved` in Intacct; `Posted` is a
   * company without them.
   */
  exportedPaymentState?: string;
  /**
   * How a refused sign-in or a stale session is answered: `http-401` (default; the SDK fixtures' HTTP 401 with
   * a control-level `XMLGW_JPP0002`) or `operation` (HTTP 200, failure under `operation/authentication`).
   */
  signInRefusal?: SignInRefusal;
  /** Whether a filter on APPYMT `STATE` compares display values (`Posted`, default) or codes (`C`). */
  stateFilter?: 'display' | 'code';
  /** How long a session lives without being expired on purpose (default one hour). */
  sessionTimeoutMs?: number;
  limits?: { requests: number; intervalMs: number; concurrency: number };
  /**
   * The HTTP status of a throttle answer (`GW-0010` in the control block). Intacct documents 429; whether every
   * gateway in front of it keeps that status is not, so a test can make it 200 and prove the client still reads
   * the GW-0010 inside.
   */
  throttleHttpStatus?: number;
  /** The company's clock (WHENMODIFIED, session times); default the real time. Tests fix it to make ties. */
  now?: () => Date;
}

export interface SandboxRequestRecord {
  path: string;
  body: string;
  status: number | 'dropped';
}

/** The Intacct sandbox's own controls, beyond the common ones. */
export interface IntacctSandbox extends ErpSandbox {
  /** The endpoint getAPISession returns. */
  readonly sessionEndpoint: string;
  /** Ends every session now: the next request with a session id is refused. */
  expireSessions(): void;
  /** Sets a payment's state as an Intacct user would (`Approved`, `Posted`, `Voided`...). */
  setPaymentState(erpId: string, state: string): void;
  setErrorCodes(codes: Partial<SandboxErrorCodes>): void;
  /** Every request received, with the answer's HTTP status. */
  requestLog(): SandboxRequestRecord[];
  /** A bill's open balance in cents. */
  billOpenCents(billId: string): number | undefined;
}

const LOGIN_PATH = '/ia/xml/xmlgw.phtml';
const SESSION_PATH = '/session/ia/xml/xmlgw.phtml';
const MAX_BODY_BYTES = 5 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startIntacctSandboxWith(options: IntacctSandboxOptions = {}): Promise<IntacctSandbox> {
  const limits = options.limits ?? INTACCT_SANDBOX_LIMITS;
  const credentials = { ...INTACCT_SANDBOX_CREDENTIALS, ...options.credentials };
  let codes: SandboxErrorCodes = { ...DEFAULT_SANDBOX_ERROR_CODES, ...options.errorCodes };
  const faults: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false, ...options.faults };
  const stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  const accepted: number[] = [];
  const log: SandboxRequestRecord[] = [];
  let inFlight = 0;
  let base = '';

  const clock = options.now ?? (() => new Date());
  const company = new Company(() => options.exportedPaymentState ?? 'Submitted', clock);
  const gateway = new SandboxGateway({
    company,
    credentials,
    codes: () => codes,
    sessionEndpoint: () => `${base}${SESSION_PATH}`,
    signInRefusal: () => options.signInRefusal ?? 'http-401',
    stateFilter: () => options.stateFilter ?? 'display',
    sessionTimeoutMs: options.sessionTimeoutMs ?? 3_600_000,
    clock,
  });

  function overLimits(now: number): boolean {
    if (inFlight > limits.concurrency) return true;
    while (accepted.length > 0 && (accepted[0] as number) <= now - limits.intervalMs) accepted.shift();
    return accepted.length >= limits.requests;
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrival = Date.now();
    stats.requests += 1;
    stats.arrivals.push(arrival);
    inFlight += 1;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
    let finished = false;
    const finish = (status: number, body: string, contentType = 'text/xml; charset=UTF-8'): void => {
      if (finished) return;
      finished = true;
      inFlight -= 1;
      response.writeHead(status, { 'content-type': contentType });
      response.end(body);
    };
    try {
      const path = (request.url ?? '').split('?')[0] ?? '';
      const body = await readBody(request);
      if (request.method !== 'POST') return finish(405, 'Method Not Allowed', 'text/plain');
      if (path !== LOGIN_PATH && path !== SESSION_PATH) return finish(404, 'Not Found', 'text/plain');
      const record: SandboxRequestRecord = { path, body: body ?? '', status: 0 };
      log.push(record);
      if (log.length > 1000) log.shift();
      if (body === undefined) {
        record.status = 413;
        return finish(413, 'Request Entity Too Large', 'text/plain');
      }

      const throttle = faults.throttleNext > 0 || (faults.enforceLimits && overLimits(arrival));
      if (faults.throttleNext > 0) faults.throttleNext -= 1;
      if (throttle) {
        stats.throttled += 1;
        const answer = gateway.throttleAnswer();
        const status = options.throttleHttpStatus ?? answer.status;
        record.status = status;
        return finish(status, answer.body);
      }
      accepted.push(arrival);
      if (faults.serverErrorRate > 0 && Math.random() < faults.serverErrorRate) {
        record.status = 503;
        return finish(503, '<html><body><h1>503 Service Unavailable</h1></body></html>', 'text/html');
      }
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      const answer = gateway.handle(body);
      if (answer.wrotePayment && faults.commitThenDrop > 0) {
        faults.commitThenDrop -= 1;
        record.status = 'dropped';
        finished = true;
        inFlight -= 1;
        request.socket.destroy();
        return;
      }
      record.status = answer.status;
      finish(answer.status, answer.body);
    } catch (error) {
      finish(500, `<html><body>Internal error: ${error instanceof Error ? error.name : 'unknown'}</body></html>`, 'text/html');
    }
  }

  const server = createServer((request, response) => {
    void serve(request, response);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  base = `http://${urlHost}:${port}`;

  const sandbox: IntacctSandbox = {
    url: `${base}${LOGIN_PATH}`,
    sessionEndpoint: `${base}${SESSION_PATH}`,
    seed(seed: SandboxSeed) {
      for (const vendor of seed.vendors ?? []) company.addVendor(vendor.id, vendor.name);
      for (const account of seed.bankAccounts ?? []) company.addAccount(account.id, account.name ?? account.id);
      for (const bill of seed.bills ?? []) {
        company.addBill(bill.id, {
          vendorId: bill.vendorId,
          number: bill.number,
          amountCents: bill.amountCents,
          ...(bill.projectNumber === undefined ? {} : { projectNumber: bill.projectNumber }),
        });
      }
    },
    setFaults(next: Partial<SandboxFaults>) {
      Object.assign(faults, next);
    },
    payments(): SandboxPayment[] {
      return company.paymentList().map((p) => {
        const date = usDate(p.fields.PAYMENTDATE ?? '');
        const payment: SandboxPayment = {
          erpId: String(p.recordNo),
          vendorId: p.fields.VENDORID ?? '',
          bankAccountId: p.fields.FINANCIALENTITY ?? '',
          amountCents: p.details.reduce((sum, d) => sum + d.amountCents, 0),
          date: date === undefined ? '' : date.toISOString().slice(0, 10),
          method: p.fields.PAYMENTMETHOD ?? '',
          status: p.fields.STATE ?? '',
          final: p.fields.STATE === 'Approved' || p.fields.STATE === 'Posted',
          applications: p.details.map((d) => ({ billId: String(d.billRecordNo), amountCents: d.amountCents })),
          fields: {
            ...p.fields,
            APPYMTDETAILS: { APPYMTDETAIL: p.details.map((d) => ({ RECORDKEY: String(d.billRecordNo), TRX_PAYMENTAMOUNT: decimalOf(d.amountCents) })) },
          },
        };
        if (p.fields.DOCNUMBER !== undefined) payment.checkNumber = p.fields.DOCNUMBER;
        if (p.fields.DESCRIPTION !== undefined) payment.memo = p.fields.DESCRIPTION;
        return payment;
      });
    },
    addPayment(input: SandboxPaymentInput): string {
      const created = company.createPayment(
        {
          PAYMENTMETHOD: input.method === 'ach' ? 'EFT' : 'Printed Check',
          FINANCIALENTITY: input.bankAccountId,
          VENDORID: input.vendorId,
          ...(input.checkNumber === undefined ? {} : { DOCNUMBER: input.checkNumber }),
          ...(input.notes === undefined ? {} : { DESCRIPTION: input.notes }),
          PAYMENTDATE: usDateText(input.date),
        },
        [{ RECORDKEY: input.billId, TRX_PAYMENTAMOUNT: decimalOf(input.amountCents) }],
      );
      if ('rule' in created) throw new Error(`the sandbox refused the payment: ${created.description2}`);
      // Made in Intacct by hand, in a company without payment approvals: posted at once.
      company.setState(created.recordNo, input.final ? 'Posted' : 'Draft');
      return String(created.recordNo);
    },
    bills(): SandboxBill[] {
      return company.billList().map((b) => {
        const date = usDate(b.fields?.WHENCREATED ?? '');
        return {
          erpId: String(b.recordNo),
          vendorId: b.vendorId,
          number: b.recordId,
          amountCents: b.totalCents,
          ...(b.retainedCents === undefined ? {} : { retainageCents: b.retainedCents }),
          ...(date === undefined ? {} : { date: date.toISOString().slice(0, 10) }),
          ...(b.projectNumber === undefined ? {} : { projectNumber: b.projectNumber }),
          lines: (b.lines ?? []).map((line) => ({
            amountCents: line.amountCents,
            ...(line.fields.ENTRYDESCRIPTION === undefined ? {} : { description: line.fields.ENTRYDESCRIPTION }),
            ...(line.fields.ACCOUNTNO === undefined ? {} : { costCode: line.fields.ACCOUNTNO }),
          })),
          created: b.created === true,
          fields: { ...b.fields, RECORDNO: String(b.recordNo), RECORDID: b.recordId, VENDORID: b.vendorId, APBILLITEMS: { APBILLITEM: (b.lines ?? []).map((line) => ({ ...line.fields })) } },
        };
      });
    },
    vendors(): SandboxVendor[] {
      return company.vendorList().map(({ id, name, record }) => ({
        erpId: id,
        name,
        code: id,
        active: record.status === 'active',
        created: record.created,
        fields: { ...record.fields, RECORDNO: String(record.recordNo), STATUS: record.status },
      }));
    },
    addVendor(input: SandboxVendorInput): string {
      // Intacct's vendor key is its VENDORID: the code when there is one, else the company's numbering.
      const created = company.createVendor({ NAME: input.name, STATUS: input.active ? 'active' : 'inactive', ...(input.code === undefined ? {} : { VENDORID: input.code }) });
      if ('rule' in created) throw new Error(`the sandbox refused the vendor: ${created.description2}`);
      const vendor = company.vendorList().find((v) => v.id === created.vendorId);
      if (vendor !== undefined) vendor.record.created = false;
      return created.vendorId;
    },
    stats(): SandboxStats {
      return { ...stats, arrivals: [...stats.arrivals] };
    },
    resetStats() {
      stats.requests = 0;
      stats.throttled = 0;
      stats.maxConcurrent = inFlight;
      stats.arrivals = [];
    },
    expireSessions() {
      gateway.expireSessions();
    },
    setPaymentState(erpId: string, state: string) {
      company.setState(Number(erpId), state);
    },
    setErrorCodes(next: Partial<SandboxErrorCodes>) {
      codes = { ...codes, ...next };
    },
    requestLog() {
      return log.map((r) => ({ ...r }));
    },
    billOpenCents(billId: string) {
      return company.billOpenCents(Number(billId));
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  if (options.seed !== undefined) sandbox.seed(options.seed);
  return sandbox;
}

/** Starts the Intacct sandbox (the common contract; see {@link startIntacctSandboxWith} for its own options). */
export const startIntacctSandbox: StartSandbox = (options) => startIntacctSandboxWith(options);

export { DEFAULT_SANDBOX_ERROR_CODES };
export type { SandboxCredentials, SandboxErrorCodes };
