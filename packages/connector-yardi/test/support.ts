import {
  createConnectorRuntime,
  createFetchHttpClient,
  type ConnectorRuntime,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type Outcome,
  type Payment,
  type RuntimeOptions,
  type SandboxSeed,
} from '@ledgerlink/core';
import { YardiConfig, yardiConnector, type YardiConfigInput } from '../src/index.js';
import { SANDBOX_SERVICE_PATH, startYardiSandbox, YARDI_SANDBOX_LOGIN, type YardiSandbox, type YardiSandboxOptions } from '../src/sandbox/index.js';

/** A valid connection to the sandbox, with overrides. */
export function configFor(sandbox: YardiSandbox, overrides: Partial<YardiConfigInput> = {}): YardiConfig {
  const login = YARDI_SANDBOX_LOGIN;
  return YardiConfig.parse({
    url: `${sandbox.url}${SANDBOX_SERVICE_PATH}`,
    userName: login.userName,
    password: login.password,
    serverName: login.serverName,
    database: login.database,
    interfaceEntity: login.interfaceEntity,
    interfaceLicense: login.interfaceLicense,
    ...overrides,
  });
}

/** The Yardi codes payment `n` uses: payee (vendor code), bank and payable. */
export function idsFor(n: number): { payeeId: string; bankId: string; payableId: string } {
  return { payeeId: `v${String(n).padStart(4, '0')}`, bankId: `op${n}`, payableId: String(80_000 + n) };
}

/** A payment that pays payable `n` of payee `n` from bank `n`, in full unless told otherwise. */
export function paymentFor(n: number, overrides: Partial<Payment> = {}): Payment {
  const ids = idsFor(n);
  const amountCents = overrides.amountCents ?? 250_000 + n;
  return {
    id: `pay-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'ach',
    fundedOn: '2025-05-02',
    paidOn: '2025-05-05',
    bankId: ids.bankId,
    checkNumber: String(4000 + n),
    paymentNumber: `PP-${n}`,
    notes: `Procore Pay payment ${n}`,
    vendor: { id: `hub-v-${n}`, name: `Vendor ${n}`, code: ids.payeeId, erpId: ids.payeeId },
    invoice: { id: `hub-i-${n}`, number: `INV-${n}`, amountCents, erpId: ids.payableId },
    project: { id: 'hub-p-1', number: 'tower1' },
    ...overrides,
  };
}

/** What makes payment `n` valid in the sandbox: its payee, bank and payable (total `payableCents`). */
export function seedFor(n: number, payableCents: number): SandboxSeed {
  const ids = idsFor(n);
  return {
    vendors: [{ id: ids.payeeId, name: `Vendor ${n}` }],
    bankAccounts: [{ id: ids.bankId, name: `Operating ${n}` }],
    bills: [{ id: ids.payableId, vendorId: ids.payeeId, number: `INV-${n}`, amountCents: payableCents, projectNumber: 'tower1' }],
  };
}

/** Seeds payment `n`'s records and returns the payment. */
export function seededPayment(sandbox: YardiSandbox, n: number, overrides: Partial<Payment> = {}, payableCents?: number): Payment {
  const payment = paymentFor(n, overrides);
  sandbox.seed(seedFor(n, payableCents ?? payment.invoice.amountCents));
  return payment;
}

export function startSandbox(options: YardiSandboxOptions = {}): Promise<YardiSandbox> {
  return startYardiSandbox(options);
}

/** Every request and answer through the lane's real transport, for wire-level checks. */
export interface Recording {
  transport: HttpClient;
  exchanges: { request: HttpRequest; response?: HttpResponse }[];
}

export function recordingTransport(): Recording {
  const real = createFetchHttpClient({ timeoutMs: 10_000 });
  const exchanges: Recording['exchanges'] = [];
  return {
    exchanges,
    transport: async (request) => {
      const exchange: Recording['exchanges'][number] = { request };
      exchanges.push(exchange);
      exchange.response = await real(request);
      return exchange.response;
    },
  };
}

/** The runtime as the runner builds it, with quick retries for tests. */
export function runtimeFor(sandbox: YardiSandbox, config: Partial<YardiConfigInput> = {}, options: Partial<RuntimeOptions> = {}): ConnectorRuntime {
  return createConnectorRuntime(yardiConnector, {
    tenant: 'yardi-test',
    config: configFor(sandbox, config),
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 4 },
    timeoutMs: 10_000,
    ...options,
  });
}

/** Exports one payment (revision 1 unless told) and closes the runtime. */
export async function exportOne(runtime: ConnectorRuntime, payment: Payment, revision = 1): Promise<Outcome> {
  const [outcome] = await runtime.exportPayments([{ id: payment.id, idempotencyKey: `${payment.id}.r${revision}`, record: payment }]);
  if (outcome === undefined) throw new Error('no outcome');
  return outcome;
}

/** Runs `work` with a runtime and always closes it. */
export async function withRuntime<T>(runtime: ConnectorRuntime, work: (runtime: ConnectorRuntime) => Promise<T>): Promise<T> {
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
