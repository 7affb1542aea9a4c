import { createFetchHttpClient, type HttpClient, type LaneSignals, type Logger } from '@ledgerlink/core';
import { createProcoreHubClient, ProcoreConfig, type ProcoreHubClient } from '../src/index.js';
import { createProcoreSandbox, type ProcoreSandbox, type ProcoreSandboxOptions } from '../src/sandbox/index.js';

export const COMPANY = 4264;
export const PROJECT = 501;
export const VENDOR = 601;
export const COMMITMENT = 701;

/** A small Procore company: one project, one vendor linked to the ERP, one subcontract. */
export function startHub(options: ProcoreSandboxOptions = {}): Promise<ProcoreSandbox> {
  return createProcoreSandbox({
    seed: {
      companies: [{ id: COMPANY, name: 'Sandbox Builders Inc.' }],
      projects: [{ id: PROJECT, companyId: COMPANY, projectNumber: 'P-100', name: 'Harbor View Tower' }],
      vendors: [{ id: VENDOR, companyId: COMPANY, name: 'Summit Drywall Inc.', originCode: 'SUMMIT', originId: 'V-100' }],
      commitments: [{ id: COMMITMENT, projectId: PROJECT, vendorId: VENDOR, number: 'SC-1' }],
    },
    ...options,
  });
}

let nextInvoice = 8000;

/**
 * Adds a requisition (synced to the ERP unless `originId` is null) and a Procore Pay payment of `amountCents` against
 * it; funds it unless told not to. Returns the ids and, when funded, the ERP request raised.
 */
export function addPayment(
  hub: ProcoreSandbox,
  amountCents: number,
  options: { originId?: string | null; totalCents?: number; checkNumber?: string; method?: 'ach' | 'check'; fund?: boolean; dateFunded?: string } = {},
): { requisitionId: number; paymentId: number; requestId?: number; detailId?: number } {
  const invoice = ++nextInvoice;
  const requisitionId = hub.addRequisition({
    commitmentId: COMMITMENT,
    invoiceNumber: `INV-${invoice}`,
    totalCents: options.totalCents ?? amountCents,
    ...(options.originId === null ? {} : { originId: options.originId ?? `BILL-${invoice}` }),
  });
  const paymentId = hub.addContractPayment({
    requisitionId,
    amountCents,
    paymentMethod: options.method ?? 'check',
    bankId: 'GS-OPERATING-1',
    checkNumber: options.checkNumber ?? String(10_000 + invoice),
    paymentNumber: `PP-${invoice}`,
  });
  if (options.fund === false) return { requisitionId, paymentId };
  const raised = hub.fundPayment(paymentId, options.dateFunded === undefined ? undefined : { dateFunded: options.dateFunded });
  return { requisitionId, paymentId, requestId: raised.request.id, ...(raised.detail === undefined ? {} : { detailId: raised.detail.id }) };
}

export function configFor(hub: ProcoreSandbox, overrides: Partial<ProcoreConfig> = {}): ProcoreConfig {
  return ProcoreConfig.parse({
    apiBaseUrl: hub.url,
    tokenUrl: hub.tokenUrl,
    clientId: hub.serviceAccount.clientId,
    clientSecret: hub.serviceAccount.clientSecret,
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

/** Every page of an async iterable, flattened. */
export async function collect<T>(pages: AsyncIterable<T[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    items.push(...page);
    count++;
  }
  return { items, pages: count };
}
