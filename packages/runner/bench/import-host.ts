/**
 * Sandbox host for the import benchmark (issue 15): ONE of the two sandboxes the import talks to, in a process of its
 * own, started by `import-bench.ts` with `fork` and driven over the IPC channel. Two hosts, not one: the QuickBooks
 * Online sandbox answering the import's pages and the Procore hub sandbox taking its Invoice Payments Sync calls each
 * get a core's worth of event loop, so at a million payments the benchmark measures the runner, not a sandbox queue.
 *
 * argv[2]: JSON `ImportHostOptions`. `kind: 'erp'` seeds `count` bill payments made in QuickBooks; `kind: 'hub'` holds
 * the Procore company they are written to. Sends `{ type: 'ready', … }` once seeded, then answers `{ seq, op }`
 * messages (`progress`: requests so far, for the hub the sync calls, and the host's CPU time; `close`) with `{ seq, … }`.
 */
import 'reflect-metadata';
import { createProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { startQboSandbox } from '@ledgerlink/connector-qbo/sandbox';

/** What a host is asked to start. */
export interface ImportHostOptions {
  kind: 'hub' | 'erp';
  count: number;
  companyId: number;
}

/** What a host sends once it listens. */
export interface ImportHostReady {
  type: 'ready';
  url: string;
  /** The hub only: its token endpoint and service account. */
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
}

/** The Invoice Payments Sync endpoint as the hub sandbox counts it. */
export const SYNC_ENDPOINT = 'PATCH /rest/v1.0/companies/:id/invoice_payments/sync';

/** Bill payments per bill: a bill's balance must cover the payments applied to it. */
const PAYMENTS_PER_BILL = 10_000;
const AMOUNT_CENTS = 12_345;

const send = (message: unknown): void => {
  process.send?.(message);
};

const options = JSON.parse(process.argv[2] ?? '{}') as ImportHostOptions;
const started = performance.now();
let progress: () => Record<string, unknown>;
let close: () => Promise<void>;

if (options.kind === 'hub') {
  const hub = await createProcoreSandbox({ seed: { companies: [{ id: options.companyId, name: 'Import Builders Inc.' }] }, rateLimit: { limit: 1_000_000_000 } });
  progress = () => {
    const stats = hub.stats();
    return { requests: stats.requests, syncCalls: stats.byEndpoint[SYNC_ENDPOINT] ?? 0 };
  };
  close = () => hub.close();
  send({ type: 'ready', url: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: hub.serviceAccount.clientSecret } satisfies ImportHostReady);
} else {
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
  console.log(`import host: ${options.count} QuickBooks bill payments seeded in ${((performance.now() - started) / 1000).toFixed(1)} s at ${erp.url}`);
  progress = () => ({ requests: erp.stats().requests });
  close = () => erp.close();
  send({ type: 'ready', url: erp.url } satisfies ImportHostReady);
}

process.on('message', (raw) => {
  const request = raw as { seq: number; op: 'progress' | 'close' };
  if (request.op === 'progress') {
    const cpu = process.cpuUsage();
    send({ seq: request.seq, ...progress(), rss: process.memoryUsage.rss(), cpuMs: (cpu.user + cpu.system) / 1000 });
    return;
  }
  void close().then(() => {
    send({ seq: request.seq });
    process.disconnect();
  });
});
