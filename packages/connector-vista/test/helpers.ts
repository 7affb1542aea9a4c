import { createConnectorRuntime, type ConnectorRuntime, type ExportItem, type Outcome, type Payment } from '@ledgerlink/core';
import { vistaConnector, type VistaConfig } from '../src/index.js';
import { startVistaSandbox, VISTA_SANDBOX, type VistaSandbox, type VistaSandboxOptions } from '../src/sandbox/index.js';

export function configFor(sandbox: VistaSandbox, overrides: Partial<VistaConfig> = {}): VistaConfig {
  return {
    baseUrl: sandbox.url,
    subscriberUid: VISTA_SANDBOX.subscriberUid,
    applicationKey: VISTA_SANDBOX.applicationKey,
    module: 'ap',
    apiVersion: '1',
    paymentObject: 'paymenthistories',
    apCompany: VISTA_SANDBOX.apCompany,
    pageSize: 1000,
    ...overrides,
  };
}

/** A sandbox with vendor V`n`, CM account CM`n` and AP transaction 90`n` of 1,000.05 for n = 1..3. */
export async function seededSandbox(options: VistaSandboxOptions = {}): Promise<VistaSandbox> {
  const ids = [1, 2, 3];
  return startVistaSandbox({
    ...options,
    seed: {
      vendors: ids.map((n) => ({ id: `V${n}`, name: `Vendor ${n}` })),
      bankAccounts: ids.map((n) => ({ id: `CM${n}` })),
      bills: ids.map((n) => ({ id: `90${n}`, vendorId: `V${n}`, number: `INV-${n}`, amountCents: 100_005 })),
    },
  });
}

export function runtimeFor(sandbox: VistaSandbox, overrides: Partial<VistaConfig> = {}, maxAttempts = 5): ConnectorRuntime {
  return createConnectorRuntime(vistaConnector, {
    tenant: 'vista-test',
    config: configFor(sandbox, overrides),
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts },
  });
}

/** Payment `n` pays AP transaction 90`n` of vendor V`n` from CM`n`. */
export function paymentFor(n: number, changes: Partial<Payment> = {}): Payment {
  return {
    id: `pay-${n}`,
    status: 'funding_complete',
    amountCents: 100_005,
    method: 'check',
    fundedOn: '2025-05-06',
    paidOn: '2025-05-09',
    bankId: `CM${n}`,
    checkNumber: `${4400 + n}`,
    notes: `Procore payment ${n}`,
    vendor: { id: `hub-v${n}`, name: `Vendor ${n}`, erpId: `V${n}` },
    invoice: { id: `hub-i${n}`, number: `INV-${n}`, amountCents: 100_005, erpId: `90${n}` },
    project: { id: 'hub-p', number: 'P-1' },
    ...changes,
  };
}

export function itemFor(payment: Payment, revision = 1): ExportItem {
  return { id: payment.id, idempotencyKey: `${payment.id}.r${revision}`, record: payment };
}

/** Settles an `accepted` outcome through `find`, as the runner's settle loop does. */
export async function settle(runtime: ConnectorRuntime, item: ExportItem, outcome: Outcome, tries = 200): Promise<Outcome> {
  let current = outcome;
  for (let i = 0; current.kind === 'accepted' && i < tries; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    current = (await runtime.settle(item)) ?? current;
  }
  return current;
}
