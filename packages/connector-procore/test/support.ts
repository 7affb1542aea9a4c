import { createFetchHttpClient, type HttpClient, type LaneSignals, type Logger } from '@ledgerlink/core';
import { createProcoreHubClient, ProcoreConfig, type ProcoreHubClient } from '../src/index.js';
import { startProcoreSandbox, type ProcoreSandbox, type ProcoreSandboxOptions } from '../src/sandbox/index.js';

export const COMPANY = 4264;
export const PROJECT = 501;
export const VENDOR = 601;
export const COMMITMENT = 701;

/** A small hub: one company, one project, one vendor linked to the ERP, one commitment. */
export function startHub(options: ProcoreSandboxOptions = {}): Promise<ProcoreSandbox> {
  return startProcoreSandbox({
    seed: {
      companies: [{ id: COMPANY, name: 'Sandbox Builders Inc.' }],
      projects: [{ id: PROJECT, companyId: COMPANY, number: 'P-100', name: 'Harbor View Tower' }],
      vendors: [{ id: VENDOR, companyId: COMPANY, name: 'Summit Drywall Inc.', code: 'SUMMIT', erpId: 'V-100' }],
      commitments: [{ id: COMMITMENT, projectId: PROJECT, vendorId: VENDOR, number: 'SC-1' }],
    },
    ...options,
  });
}

let nextInvoice = 8000;

/** Adds an invoice (synced unless `erpId` is null) and a payment of `amountCents` against it; returns the ids. */
export function addPaid(
  hub: ProcoreSandbox,
  amountCents: number,
  options: { erpId?: string | null; invoiceCents?: number; checkNumber?: string; method?: 'ach' | 'check' } = {},
): { invoiceId: number; paymentId: number } {
  const invoiceId = ++nextInvoice;
  hub.addInvoice({
    id: invoiceId,
    commitmentId: COMMITMENT,
    number: `INV-${invoiceId}`,
    amountCents: options.invoiceCents ?? amountCents,
    ...(options.erpId === null ? {} : { erpId: options.erpId ?? `BILL-${invoiceId}` }),
  });
  const paymentId = hub.addPayment({
    invoiceId,
    amountCents,
    method: options.method ?? 'check',
    bankId: 'GS-OPERATING-1',
    checkNumber: options.checkNumber ?? String(10_000 + invoiceId),
    paymentNumber: `PP-${invoiceId}`,
    notes: 'Progress payment & retainage <final>',
  });
  return { invoiceId, paymentId };
}

export function configFor(hub: ProcoreSandbox, overrides: Partial<ProcoreConfig> = {}): ProcoreConfig {
  return ProcoreConfig.parse({
    baseUrl: hub.url,
    loginUrl: hub.url,
    clientId: hub.app.clientId,
    clientSecret: hub.app.clientSecret,
    refreshToken: hub.issueRefreshToken(),
    companyIds: [String(COMPANY)],
    ...overrides,
  });
}

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

export function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof fieldsOrMessage === 'string') lines.push({ level, fields: {}, message: fieldsOrMessage });
      else lines.push({ level, fields: fieldsOrMessage, message: message ?? '' });
    };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** Lane signals that record every pause the client asked for. */
export function recordingLane(pauses: (number | undefined)[]): LaneSignals {
  return { throttled: (ms) => pauses.push(ms) };
}

/** The client on a plain transport (or the one given), so each answer is seen as the client handles it. */
export function clientFor(
  hub: ProcoreSandbox,
  options: { config?: Partial<ProcoreConfig>; logs?: LogLine[]; pauses?: (number | undefined)[]; http?: HttpClient; lane?: LaneSignals } = {},
): ProcoreHubClient {
  return createProcoreHubClient({
    config: configFor(hub, options.config),
    http: options.http ?? createFetchHttpClient({ timeoutMs: 10_000 }),
    lane: options.lane ?? recordingLane(options.pauses ?? []),
    logger: recordingLogger(options.logs ?? []),
    now: () => new Date(),
  });
}

export const context: { signal: AbortSignal } = { signal: new AbortController().signal };

export async function collect<T>(pages: AsyncIterable<{ records: T[]; cursor: string }>): Promise<{ records: T[]; cursors: string[] }> {
  const records: T[] = [];
  const cursors: string[] = [];
  for await (const page of pages) {
    records.push(...page.records);
    cursors.push(page.cursor);
  }
  return { records, cursors };
}
