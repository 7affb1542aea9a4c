import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProcoreSandbox, type ProcoreSandbox, type ProcoreSandboxOptions } from '../src/sandbox/index.js';

/** Helpers for the sandbox's own tests: plain `fetch` with the shapes of the docs, nothing from the client. */

export const COMPANY = 4264;
export const PROJECT = 501;
export const VENDOR = 601;
export const COMMITMENT = 701;
export const REQUISITION = 801;
export const PAYMENT = 901;

/** One company with a project, a synced vendor, a commitment, a synced requisition and a contract payment. */
export function startCompany(options: ProcoreSandboxOptions = {}): Promise<ProcoreSandbox> {
  return createProcoreSandbox({
    seed: {
      companies: [{ id: COMPANY, name: 'Sandbox Builders Inc.' }],
      projects: [{ id: PROJECT, companyId: COMPANY, projectNumber: 'P-100', name: 'Harbor View Tower', originId: 'JOB-100' }],
      vendors: [{ id: VENDOR, companyId: COMPANY, name: 'Summit Drywall Inc.', originCode: 'SUMMIT', originId: 'V-100' }],
      commitments: [{ id: COMMITMENT, projectId: PROJECT, vendorId: VENDOR, number: 'SC-1', originId: 'SC-ERP-1' }],
      requisitions: [{ id: REQUISITION, commitmentId: COMMITMENT, invoiceNumber: 'INV-0001', number: 4, totalCents: 1_250_000, invoiceDate: '2026-11-30', originId: 'BILL-1' }],
      contractPayments: [{ id: PAYMENT, requisitionId: REQUISITION, amountCents: 1_250_000, paymentMethod: 'check', bankId: 'GS-OPERATING-1', checkNumber: '10001', paymentNumber: 'PP-1' }],
    },
    ...options,
  });
}

/** An access token through the client credentials grant. */
export async function accessToken(sandbox: ProcoreSandbox): Promise<string> {
  const response = await fetch(sandbox.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sandbox.serviceAccount.clientId, client_secret: sandbox.serviceAccount.clientSecret }).toString(),
  });
  if (response.status !== 200) throw new Error(`token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export interface WireAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A REST call as a client makes it: bearer, `Procore-Company-Id`, JSON. */
export async function call(sandbox: ProcoreSandbox, token: string, method: string, path: string, body?: unknown, companyId: number = COMPANY): Promise<WireAnswer> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'procore-company-id': String(companyId), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** A `/_sandbox/` control call. */
export async function control(sandbox: ProcoreSandbox, method: string, path: string, body?: unknown): Promise<WireAnswer> {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A webhook receiver: answers each delivery with the next status of `script` (then `fallback`), recording it. */
export async function startReceiver(script: number[] = [], fallback = 200): Promise<{ url: string; received: Received[]; server: Server; close: () => Promise<void> }> {
  const received: Received[] = [];
  const queue = [...script];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ at: Date.now(), headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      response.writeHead(queue.shift() ?? fallback).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/procore/events`,
    received,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Registers a company-level hook with a bearer in `destination_headers` and the ERP Requests / create trigger. */
export async function subscribe(sandbox: ProcoreSandbox, token: string, url: string, bearer = 'company-secret-1'): Promise<number> {
  const hook = await call(sandbox, token, 'POST', '/rest/v1.0/webhooks/hooks', {
    company_id: COMPANY,
    hook: { api_version: 'v2', namespace: 'ledgerlink', destination_url: url, destination_headers: { Authorization: `Bearer ${bearer}` } },
  });
  if (hook.status !== 201) throw new Error(`hook: ${hook.status} ${JSON.stringify(hook.body)}`);
  const hookId = (hook.body as { id: number }).id;
  const trigger = await call(sandbox, token, 'POST', `/rest/v1.0/webhooks/hooks/${hookId}/triggers`, { company_id: COMPANY, api_version: 'v2', trigger: { resource_name: 'ERP Requests', event_type: 'create' } });
  if (trigger.status !== 201) throw new Error(`trigger: ${trigger.status} ${JSON.stringify(trigger.body)}`);
  return hookId;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
