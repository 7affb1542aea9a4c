/**
 * Sandbox host for the import benchmark (issue 15): the Procore ERP Platform sandbox and the QuickBooks Online sandbox
 * holding `count` bill payments made in QuickBooks, in a process of their own, so the benchmark's process holds the
 * runner alone and its memory is the runner's. Started by `import-bench.ts` with `fork`; driven over the IPC channel.
 *
 * argv[2]: JSON `{ count, companyId }`. Sends `{ type: 'ready', … }` once seeded, then answers `{ seq, op }` messages
 * (`progress`: Payments Issued written so far; `close`) with `{ seq, … }`.
 */
import 'reflect-metadata';
import { createProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { startQboSandbox } from '@ledgerlink/connector-qbo/sandbox';

/** What the host is asked to start. */
export interface ImportHostOptions {
  count: number;
  companyId: number;
}

/** Bill payments per bill: a bill's balance must cover the payments applied to it. */
const PAYMENTS_PER_BILL = 10_000;
const AMOUNT_CENTS = 12_345;

const send = (message: unknown): void => {
  process.send?.(message);
};

const options = JSON.parse(process.argv[2] ?? '{}') as ImportHostOptions;
const started = performance.now();
const hub = await createProcoreSandbox({ seed: { companies: [{ id: options.companyId, name: 'Import Builders Inc.' }] }, rateLimit: { limit: 1_000_000_000 } });
const bills = Math.ceil(options.count / PAYMENTS_PER_BILL);
const erp = await startQboSandbox({
  seed: {
    vendors: [{ id: '501', name: 'Subcontractor 501 LLC' }],
    bankAccounts: [{ id: '35', name: 'Operating' }],
    bills: Array.from({ length: bills }, (_, i) => ({ id: String(900_000 + i), vendorId: '501', number: `INV-${i}`, amountCents: PAYMENTS_PER_BILL * AMOUNT_CENTS })),
  },
});
for (let i = 0; i < options.count; i++) {
  erp.addPayment({
    vendorId: '501',
    bankAccountId: '35',
    billId: String(900_000 + Math.floor(i / PAYMENTS_PER_BILL)),
    amountCents: AMOUNT_CENTS,
    date: '2026-12-01',
    method: 'check',
    checkNumber: String(100_000 + i),
    final: true,
  });
}
console.log(`import host: ${options.count} QuickBooks bill payments seeded in ${((performance.now() - started) / 1000).toFixed(1)} s; hub ${hub.url}, qbo ${erp.url}`);
send({ type: 'ready', hub: { url: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: hub.serviceAccount.clientSecret }, erp: { url: erp.url } });

process.on('message', (raw) => {
  const request = raw as { seq: number; op: 'progress' | 'close' };
  if (request.op === 'progress') {
    const stats = hub.stats();
    send({ seq: request.seq, syncCalls: stats.byEndpoint['PATCH /rest/v1.0/companies/:id/invoice_payments/sync'] ?? 0, hubRequests: stats.requests, erpRequests: erp.stats().requests, rss: process.memoryUsage.rss() });
    return;
  }
  void Promise.all([hub.close(), erp.close()]).then(() => {
    send({ seq: request.seq });
    process.disconnect();
  });
});
