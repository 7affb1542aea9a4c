/**
 * What the Acumatica tests share: a sandbox with one vendor, cash account and open bills, the config that
 * points at it, canonical payments, and runtimes built by the real engine.
 */
import { createConnectorRuntime, type ConnectorRuntime, type ExportItem, type LogFn, type Logger, type Payment, type RuntimeOptions } from '@ledgerlink/core';
import { acumaticaConnector, type AcumaticaConfigInput } from '../src/index.js';
import { startAcumaticaSandbox, type AcumaticaSandbox, type AcumaticaSandboxOptions } from '../src/sandbox/index.js';

export const VENDOR = 'V000101';
export const CASH = '10200WF';
export const BILLS = ['AP000201', 'AP000202', 'AP000203', 'AP000204', 'AP000205', 'AP000206'];

export async function startSeeded(options: AcumaticaSandboxOptions = {}): Promise<AcumaticaSandbox> {
  return startAcumaticaSandbox({
    ...options,
    seed: {
      vendors: [{ id: VENDOR, name: 'Keller Concrete & Sons' }],
      bankAccounts: [{ id: CASH, name: 'Wells Fargo Operating' }],
      bills: BILLS.map((id, index) => ({ id, vendorId: VENDOR, number: `INV-${index + 1}`, amountCents: 2_000_000 })),
    },
  });
}

export function configFor(sandbox: AcumaticaSandbox, overrides: Partial<AcumaticaConfigInput> = {}): AcumaticaConfigInput {
  return {
    baseUrl: sandbox.url,
    username: sandbox.credentials.username,
    password: sandbox.credentials.password,
    tenant: sandbox.credentials.tenant,
    releasePollIntervalMs: 5,
    ...overrides,
  };
}

export function runtimeFor(sandbox: AcumaticaSandbox, options: Partial<RuntimeOptions> & { config?: Partial<AcumaticaConfigInput> } = {}): ConnectorRuntime {
  const { config, ...rest } = options;
  return createConnectorRuntime(acumaticaConnector, {
    tenant: 'acme',
    config: configFor(sandbox, config),
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
    ...rest,
  });
}

let counter = 0;

/** A payment of `amountCents` on bill `bill`, check number unique to this test run unless given. */
export function payment(overrides: Partial<Payment> & { bill?: string } = {}): Payment {
  counter += 1;
  const { bill = BILLS[0] as string, ...rest } = overrides;
  return {
    id: `pay-${counter}`,
    status: 'funding_complete',
    amountCents: 123_45,
    method: 'check',
    fundedOn: '2025-05-02',
    bankId: CASH,
    checkNumber: String(20_000 + counter),
    notes: `Procore Pay disbursement ${counter}`,
    vendor: { id: 'hub-v1', name: 'Keller Concrete & Sons', erpId: VENDOR },
    invoice: { id: `hub-inv-${counter}`, number: `INV-${counter}`, amountCents: 2_000_000, erpId: bill },
    project: { id: 'hub-p1', number: 'P-7' },
    ...rest,
  };
}

export function item(record: Payment, revision = 1, mayBeCommitted = false): ExportItem {
  return { id: record.id, idempotencyKey: `${record.id}.r${revision}`, record, ...(mayBeCommitted ? { mayBeCommitted } : {}) };
}

/** Exports one payment and returns its outcome, closing the runtime afterwards. */
export async function exportOnce(sandbox: AcumaticaSandbox, record: Payment, options: Parameters<typeof runtimeFor>[1] = {}) {
  const runtime = runtimeFor(sandbox, options);
  try {
    const [outcome] = await runtime.exportPayments([item(record)]);
    if (outcome === undefined) throw new Error('no outcome');
    return outcome;
  } finally {
    await runtime.close();
  }
}

/** Signs in to the sandbox outside the connector, holding one of the licence's seats until `release`. */
export async function holdSeat(sandbox: AcumaticaSandbox): Promise<{ release: () => Promise<void> }> {
  const { username, password, tenant } = sandbox.credentials;
  const login = await fetch(`${sandbox.url}/entity/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: username, password, tenant }),
  });
  if (login.status !== 204) throw new Error(`could not take a seat: HTTP ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return {
    release: async () => {
      await fetch(`${sandbox.url}/entity/auth/logout`, { method: 'POST', headers: { cookie } });
    },
  };
}

/** A logger that keeps what was logged, for assertions on warnings. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string): LogFn =>
    ((first: Record<string, unknown> | string, message?: string) => {
      if (typeof first === 'string') lines.push({ level, message: first, fields: {} });
      else lines.push({ level, message: message ?? '', fields: first });
    }) as LogFn;
  const logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger, lines };
  return logger;
}
