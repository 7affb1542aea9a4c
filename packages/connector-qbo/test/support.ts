import {
  createConnectorRuntime,
  type ClientContext,
  createFetchHttpClient,
  type ConnectorClient,
  type ConnectorRuntime,
  type LoadItem,
  type Logger,
  type Payment,
  type RuntimeOptions,
  type SandboxSeed,
} from '@ledgerlink/core';
import { qboConnector, QboConfig } from '../src/index.js';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox, type QboSandboxOptions } from '../src/sandbox/index.js';

/** A valid connection to the sandbox, with overrides. */
export function configFor(sandbox: QboSandbox, overrides: Partial<QboConfig> = {}): QboConfig {
  return QboConfig.parse({
    baseUrl: sandbox.url,
    tokenUrl: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
    realmId: QBO_SANDBOX_APP.realmId,
    clientId: QBO_SANDBOX_APP.clientId,
    clientSecret: QBO_SANDBOX_APP.clientSecret,
    refreshToken: QBO_SANDBOX_APP.refreshToken,
    ...overrides,
  });
}

/** The ids a numbered payment uses in the sandbox company. */
export function idsFor(n: number): { vendorId: string; bankAccountId: string; billId: string } {
  return { vendorId: String(500 + n), bankAccountId: String(35 + n), billId: String(9000 + n) };
}

/** A payment that pays bill `n` of vendor `n` from bank account `n`, in full unless told otherwise. */
export function paymentFor(n: number, overrides: Partial<Payment> = {}): Payment {
  const ids = idsFor(n);
  const amountCents = overrides.amountCents ?? 250_000 + n;
  return {
    id: `pay-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'ach',
    fundedOn: '2025-05-02',
    bankId: ids.bankAccountId,
    checkNumber: String(4000 + n),
    vendor: { id: `hub-v-${n}`, name: `Vendor ${n}`, erpId: ids.vendorId },
    invoice: { id: `hub-i-${n}`, number: `INV-${n}`, amountCents, erpId: ids.billId },
    project: { id: 'hub-p-1', number: 'P-1' },
    ...overrides,
  };
}

/** What makes payment `n` valid in the sandbox: its vendor, bank account and bill (total `billCents`). */
export function seedFor(n: number, billCents: number): SandboxSeed {
  const ids = idsFor(n);
  return {
    vendors: [{ id: ids.vendorId, name: `Vendor ${n}` }],
    bankAccounts: [{ id: ids.bankAccountId, name: `Operating ${n}` }],
    bills: [{ id: ids.billId, vendorId: ids.vendorId, number: `INV-${n}`, amountCents: billCents }],
  };
}

/** Seeds payment `n`'s company records and returns the payment. */
export function seededPayment(sandbox: QboSandbox, n: number, overrides: Partial<Payment> = {}): Payment {
  const payment = paymentFor(n, overrides);
  sandbox.seed(seedFor(n, payment.invoice.amountCents));
  return payment;
}

export function startSandbox(options: QboSandboxOptions = {}): Promise<QboSandbox> {
  return startQboSandbox(options);
}

/** The runtime as the runner builds it, with quick retries for tests. */
export function runtimeFor(sandbox: QboSandbox, config: Partial<QboConfig> = {}, options: Partial<RuntimeOptions> = {}): ConnectorRuntime {
  return createConnectorRuntime(qboConnector, {
    tenant: 'qbo-test',
    config: configFor(sandbox, config),
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 4 },
    ...options,
  });
}

/** Log lines a test can read back. */
export function recordingLogger(lines: { level: string; fields: Record<string, unknown>; message: string }[]): Logger {
  const at =
    (level: string) =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string): void => {
      if (typeof fieldsOrMessage === 'string') lines.push({ level, fields: {}, message: fieldsOrMessage });
      else lines.push({ level, fields: fieldsOrMessage, message: message ?? '' });
    };
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/**
 * The connector's client on a plain transport (no lane, no retries), to see each outcome as the client
 * returns it. Payloads come from the connector's own mapping through a runtime.
 */
export function directClient(sandbox: QboSandbox, config: Partial<QboConfig> = {}, logger?: Logger): ConnectorClient {
  return qboConnector.createClient(contextFor(sandbox, config, logger));
}

/** The client context the engine would give, on a plain fetch transport. */
export function contextFor(sandbox: QboSandbox, config: Partial<QboConfig> = {}, logger?: Logger): ClientContext<QboConfig> {
  return {
    config: configFor(sandbox, config),
    http: createFetchHttpClient({ timeoutMs: 5_000 }),
    lane: { throttled: () => {} },
    logger: logger ?? recordingLogger([]),
    now: () => new Date(),
  };
}

/** The load item the engine would hand the loader: the payment mapped by the connector's mapping.yaml. */
export function loadItemFor(runtime: ConnectorRuntime, payment: Payment, revision = 1): LoadItem {
  const mapped = runtime.mapPayment(payment, payment.id);
  if (!mapped.ok) throw new Error(`mapping failed: ${JSON.stringify(mapped.errors)}`);
  return { id: payment.id, idempotencyKey: `${payment.id}.r${revision}`, record: payment, payload: mapped.value };
}

export const signal: AbortSignal = new AbortController().signal;
