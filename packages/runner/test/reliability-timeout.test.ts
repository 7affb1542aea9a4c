import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox, type QboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import type { Payment } from '@ledgerlink/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner } from '../src/daemon.js';
import { eventually, runnerFor, tempDir, untilState } from './support/runner-harness.js';

const env = { QBO_CLIENT_SECRET: QBO_SANDBOX_APP.clientSecret, QBO_REFRESH_TOKEN: QBO_SANDBOX_APP.refreshToken };
let sandbox: QboSandbox;

function tenant(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    erp: 'qbo',
    connection: {
      baseUrl: sandbox.url,
      tokenUrl: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
      realmId: QBO_SANDBOX_APP.realmId,
      clientId: QBO_SANDBOX_APP.clientId,
      clientSecret: '${env:QBO_CLIENT_SECRET}',
      refreshToken: '${env:QBO_REFRESH_TOKEN}',
    },
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    schedules: { import: { everyMinutes: 0 } },
    ...extra,
  };
}

/** A payment of a fresh bill, vendor and bank account that the sandbox knows. */
function payment(n: number): Payment {
  const ids = { vendor: String(900 + n), bank: String(90 + n), bill: String(9000 + n) };
  const amountCents = 456_00 + n;
  sandbox.seed({
    vendors: [{ id: ids.vendor, name: `Slow Vendor ${n}` }],
    bankAccounts: [{ id: ids.bank }],
    bills: [{ id: ids.bill, vendorId: ids.vendor, number: `SLOW-${n}`, amountCents }],
  });
  return {
    id: `slow-pay-${n}`,
    status: 'funding_complete',
    amountCents,
    method: 'check',
    fundedOn: '2026-11-30',
    bankId: ids.bank,
    checkNumber: String(70_000 + n),
    vendor: { id: `hub-v-${n}`, name: `Slow Vendor ${n}`, erpId: ids.vendor },
    invoice: { id: `hub-inv-${n}`, number: `SLOW-${n}`, amountCents, erpId: ids.bill },
    project: { id: 'hub-p-1', number: 'P-100' },
  };
}

const landedFor = (billId: string) => sandbox.payments().filter((landed) => landed.applications.some((application) => application.billId === billId));

describe('reliability: tenants[].timeoutMs reaches the tenant’s lane (one shared transport under all lanes)', () => {
  const cleanups: (() => void)[] = [];
  let runner: Runner | undefined;

  beforeAll(async () => {
    sandbox = await startQboSandbox();
  });
  afterAll(async () => {
    await runner?.stop();
    await sandbox.close();
    for (const cleanup of cleanups) cleanup();
  });

  it('a tenant with timeoutMs 300 times out against a 2 s ERP (outcome unknown, settled later); a tenant with the default waits and syncs', { timeout: 30_000 }, async () => {
    const { dir, cleanup } = tempDir('ll-rel-timeout-');
    cleanups.push(cleanup);
    const built = runnerFor(
      dir,
      {
        store: { sqlite: { path: 'ledger.db' } },
        tenants: [tenant('quick', { timeoutMs: 300 }), tenant('patient')],
        runner: { settleMs: 50, recoveryMs: 500 },
      },
      env,
    );
    runner = built.runner;
    await runner.start();

    sandbox.setFaults({ latencyMs: 2_000 });
    const quickPay = payment(1);
    const patientPay = payment(2);
    const quick = await runner.tenant('quick').exporter.intake(quickPay);
    const patient = await runner.tenant('patient').exporter.intake(patientPay);
    const quickId = quick.kind === 'ignored' ? '' : quick.item.id;
    const patientId = patient.kind === 'ignored' ? '' : patient.item.id;

    const firstQuick = await eventually('the quick tenant’s first attempt to end', async () => (await runner!.ledger.attempts(quickId)).find((attempt) => attempt.outcome !== undefined), 10_000);
    expect(firstQuick.outcome).toMatchObject({ kind: 'retryable', reason: 'timeout', committed: 'unknown' });
    expect(JSON.stringify(firstQuick.outcome)).toContain('within 300 ms');

    // The default (30 s) tenant waits the 2 s out: one attempt, synced, no timeout.
    const synced = await untilState(runner, patientId, 'synced', 15_000);
    const patientAttempts = await runner.ledger.attempts(patientId);
    expect(patientAttempts).toHaveLength(1);
    expect(patientAttempts[0]?.outcome).toMatchObject({ kind: 'synced' });
    expect(landedFor(patientPay.invoice.erpId as string)).toHaveLength(1);
    expect(synced.targetId).toBeDefined();
    expect(synced.targetId).toBe(landedFor(patientPay.invoice.erpId as string)[0]?.erpId);

    // The ERP committed the write it answered too late. Once it is quick again, the item is settled as that
    // write (same requestid, replayed): exactly one payment in the ERP, none lost.
    sandbox.setFaults({ latencyMs: 0 });
    const settled = await untilState(runner, quickId, 'synced', 15_000);
    const landed = landedFor(quickPay.invoice.erpId as string);
    expect(landed).toHaveLength(1);
    expect(settled.targetId).toBeDefined();
    expect(settled.targetId).toBe(landed[0]?.erpId);
  });
});
