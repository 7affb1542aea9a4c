/**
 * Sandbox host for the runner benchmark (issue 15): the Procore ERP Platform sandbox and one ERP sandbox in a process
 * of their own, so the benchmark's process holds the runner alone, as a customer runs it, and its CPU time is the
 * runner's. Started by `runner-bench.ts` with `fork`; driven over the IPC channel.
 *
 * argv[2]: JSON `{ kind: 'qbo' | 'intacct', count, companyId, enforce }`. Prints the sandboxes' URLs, then sends
 * `{ type: 'ready', … }` and answers `{ seq, op }` messages (`fund`, `resetStats`, `stats`, `close`) with `{ seq, … }`.
 */
import 'reflect-metadata';
import { startIntacctSandbox } from '@ledgerlink/connector-intacct/sandbox';
import { createProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { startQboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { platformSeed } from '../src/demo/platform-seed.js';

/** What the host is asked to start. */
export interface HostOptions {
  kind: 'qbo' | 'intacct';
  count: number;
  companyId: number;
  /** Intacct only: the sandbox enforces the published rate and concurrency limits. */
  enforce: boolean;
  /** Subcontractors the payments go round; absent: a vendor of its own per payment. */
  vendors?: number;
}

/** A request from the benchmark; every request is answered with the same `seq`. */
export type HostRequest =
  | { seq: number; op: 'fund'; ids: number[] }
  | { seq: number; op: 'resetStats' }
  | { seq: number; op: 'stats' }
  | { seq: number; op: 'close' };

const send = (message: unknown): void => {
  process.send?.(message);
};

const options = JSON.parse(process.argv[2] ?? '{}') as HostOptions;
const generated = platformSeed({ companyId: options.companyId, count: options.count, ...(options.vendors === undefined ? {} : { vendors: options.vendors }) });
const hub = await createProcoreSandbox({ seed: generated.hub, rateLimit: { limit: 10_000_000 }, webhooks: { concurrency: 16 } });
const erp =
  options.kind === 'qbo'
    ? await startQboSandbox({ seed: generated.erp })
    : await startIntacctSandbox({ seed: generated.erp, faults: { enforceLimits: options.enforce } });
console.log(`procore ERP platform sandbox ${hub.url}; ${options.kind} sandbox ${erp.url}`);
send({
  type: 'ready',
  hub: { url: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: hub.serviceAccount.clientSecret },
  erp: { url: erp.url },
  ids: generated.payments.map((payment) => payment.contractPaymentId),
});

process.on('message', (raw) => {
  const request = raw as HostRequest;
  switch (request.op) {
    case 'fund':
      for (const id of request.ids) hub.fundPayment(id);
      send({ seq: request.seq });
      return;
    case 'resetStats':
      hub.resetStats();
      erp.resetStats();
      send({ seq: request.seq });
      return;
    case 'stats':
      // The host's own CPU too, to show what moved out of the runner's process.
      send({ seq: request.seq, hub: hub.stats(), erp: erp.stats(), cpu: process.cpuUsage() });
      return;
    case 'close':
      void Promise.all([hub.close(), erp.close()]).then(() => {
        send({ seq: request.seq });
        process.disconnect();
      });
      return;
  }
});
