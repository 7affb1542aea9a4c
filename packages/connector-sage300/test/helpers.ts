import { Lane, type LoadItem, type Payment, type SandboxSeed, silentLogger } from '@ledgerlink/core';
import { createSage300Client } from '../src/client.js';
import { Sage300ConfigSchema } from '../src/config.js';
import { type Sage300Sandbox, startSage300Sandbox } from '../src/sandbox/index.js';

/** Two vendors, two banks, four open invoices: what the connector-specific tests work on. */
export const COMPANY: SandboxSeed = {
  vendors: [
    { id: 'ACME', name: 'Acme Drywall & Sons' },
    { id: 'BOLT', name: 'Bolt Electric' },
  ],
  bankAccounts: [
    { id: 'OPER', name: 'Operating account' },
    { id: 'PAYROLL', name: 'Payroll account' },
  ],
  bills: [
    { id: '4470', vendorId: 'ACME', number: 'Pay app 2', amountCents: 1_000_000 },
    { id: '4471', vendorId: 'ACME', number: 'Pay app 3', amountCents: 1_250_050 },
    { id: '9001', vendorId: 'BOLT', number: 'Rough-in', amountCents: 310_000 },
    { id: '2024/17', vendorId: 'BOLT', number: 'Trim-out', amountCents: 99 },
  ],
};

export async function startCompany(): Promise<Sage300Sandbox> {
  return startSage300Sandbox({ seed: COMPANY, busyRetryAfterSeconds: 0 });
}

/** Raw protocol calls, as curl would make them. */
export async function call(
  sandbox: Sage300Sandbox,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  options: { body?: unknown; token?: string | null; idempotencyKey?: string } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? sandbox.agentToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** The connector's client over a real lane, as the engine builds it. */
export function clientFor(sandbox: Sage300Sandbox, token: string = sandbox.agentToken) {
  const lane = new Lane({ key: 'test/sage300', rateLimit: { requests: 100, intervalMs: 1000, concurrency: 1 }, timeoutMs: 5_000 });
  const config = Sage300ConfigSchema.parse({ agentUrl: sandbox.url, agentToken: token });
  const client = createSage300Client({ config, http: lane.http, lane: lane.signals, logger: silentLogger, now: () => new Date() });
  const exporter = client.payments.exporter;
  if (exporter === undefined) throw new Error('the sage300 client offers no exporter');
  return {
    client,
    exporter,
    lane,
    close: async () => {
      await lane.close();
      await client.close();
    },
  };
}

export interface PayloadInput {
  vendor: string;
  invoice: string;
  check: string;
  bank?: string;
  amount?: string;
  code1?: string;
}

/** A load item as the engine hands it over: the mapped payload (mapping.yaml's targets) and its key. */
export function itemFor(input: PayloadInput, key = `pay-${input.vendor}-${input.invoice}.r1`): LoadItem {
  const payload: Record<string, unknown> = {
    vendor: input.vendor,
    invoice: input.invoice,
    invoiceCode1: input.code1 ?? 'PROCOREPAY',
    invoiceCode2: input.check,
    bank: input.bank ?? 'OPER',
    checkDate: '2025-03-14',
    ...(input.amount === undefined ? {} : { amount: input.amount }),
  };
  const id = key.split('.')[0] as string;
  return { id, idempotencyKey: key, record: paymentFor(id, input), payload };
}

/** The canonical payment behind a load item (the exporter reads the payload; the record is for the ledger). */
export function paymentFor(id: string, input: PayloadInput, amountCents = 1_000_000): Payment {
  return {
    id,
    status: 'funding_complete',
    amountCents,
    method: 'check',
    fundedOn: '2025-03-14',
    bankId: input.bank ?? 'OPER',
    checkNumber: input.check,
    vendor: { id: `hub-${input.vendor}`, name: `Vendor ${input.vendor}`, erpId: input.vendor },
    invoice: { id: `hub-${input.invoice}`, number: input.invoice, amountCents, erpId: input.invoice },
    project: { id: 'hub-project-1', number: 'P-100' },
  };
}

export const signal: AbortSignal = new AbortController().signal;
