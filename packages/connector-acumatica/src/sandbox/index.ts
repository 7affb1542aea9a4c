/**
 * A local Acumatica: the contract-based REST API (`/entity/auth/login|logout`, `…/Check` GET/PUT,
 * `…/Check/ReleaseCheck` with its status polls, `…/Bill` GET/PUT with `…/Bill/ReleaseBill`, `…/Vendor` GET/PUT) over an in-memory company, written from the wire format in
 * erp-reference.md §4 independently of the connector's client.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ErpSandbox,
  SandboxBill,
  SandboxOptions,
  SandboxPayment,
  SandboxPaymentInput,
  SandboxSeed,
  SandboxStats,
  SandboxVendor,
  SandboxVendorInput,
  StartSandbox,
} from '@ledgerlink/core';
import type { PutOptions } from './check-put.js';
import { Company } from './company.js';
import { createHandler, type AcumaticaSandboxFaults, type SandboxLicence, type SandboxRequestRecord } from './server.js';
import { Sessions, type SandboxCredentials, type SessionCounts } from './sessions.js';

export type { AcumaticaSandboxFaults, SandboxLicence, SandboxRequestRecord } from './server.js';
export type { SandboxCredentials, SessionCounts } from './sessions.js';

export interface AcumaticaSandboxOptions extends SandboxOptions {
  faults?: Partial<AcumaticaSandboxFaults>;
  /** The API user and tenant that may sign in (default: `ledgerlink` / `sandbox-password` / tenant `Company`, branch `MAIN`). */
  credentials?: Partial<SandboxCredentials>;
  licence?: Partial<SandboxLicence>;
  /** The instance path of the site (default `/AcumaticaERP`, so that clients must keep a site path). */
  instancePath?: string;
  /** Endpoint versions served under `Default` (default `24.200.001`). */
  endpointVersions?: string[];
  /** Whether a Payment Ref. must be unique per cash account ([U]: default per cash account). */
  uniquePaymentRef?: PutOptions['uniquePaymentRef'];
  /** AP Preferences: "Raise an error on duplicate vendor reference number" (default on). */
  uniqueVendorRef?: boolean;
  /** Whether a vendor sent without a Vendor ID is auto-numbered (default on). */
  vendorAutoNumbering?: boolean;
  /** Cost codes set up (Cost Codes, PM209500); when given, a bill line's unknown cost code is refused. */
  costCodes?: string[];
  /** The company's clock, for `LastModifiedDateTime` (default: the real time). */
  now?: () => Date;
}

/** The sandbox's control panel, with Acumatica's own extras: sessions and licence. */
export interface AcumaticaSandbox extends ErpSandbox {
  readonly credentials: SandboxCredentials;
  readonly licence: SandboxLicence;
  setFaults(faults: Partial<AcumaticaSandboxFaults>): void;
  /** Seeded and exported AP bills (Bills and Adjustments). */
  bills(): SandboxBill[];
  /** Every vendor (Vendors). */
  vendors(): SandboxVendor[];
  /** A vendor entered in Acumatica directly; its Vendor ID is `code`, else the next auto-number. */
  addVendor(input: SandboxVendorInput): string;
  /** Sign-in sessions: how many are open, and how many sign-ins and sign-outs there were. */
  sessions(): SessionCounts;
  /** Ends every open session now (Acumatica's idle timeout): the next call with its cookie gets 401. */
  expireSessions(): void;
  /** Every request received (method, path and query, headers, body, answer status), oldest first. */
  requestLog(): SandboxRequestRecord[];
  /** Requests the licence's per-window cap delayed (with `enforceLimits`). */
  delayedRequests(): number;
}

export const DEFAULT_SANDBOX_CREDENTIALS: SandboxCredentials = {
  username: 'ledgerlink',
  password: 'sandbox-password',
  tenant: 'Company',
  branches: ['MAIN'],
};

const NO_FAULTS: AcumaticaSandboxFaults = {
  latencyMs: 0,
  throttleNext: 0,
  serverErrorRate: 0,
  commitThenDrop: 0,
  enforceLimits: false,
  releaseFailNext: 0,
  releasePolls: 1,
  faultsSpareLogin: false,
};

export const startAcumaticaSandbox = async (options: AcumaticaSandboxOptions = {}): Promise<AcumaticaSandbox> => {
  const credentials: SandboxCredentials = { ...DEFAULT_SANDBOX_CREDENTIALS, ...options.credentials };
  const licence: SandboxLicence = {
    maxApiUsers: 2,
    maxConcurrentRequests: 2,
    maxQueuedRequests: 0,
    maxRequestsPerWindow: 0,
    windowMs: 60_000,
    maxWaitMs: 600_000,
    ...options.licence,
  };
  const log: SandboxRequestRecord[] = [];
  const counters = { delayed: 0 };
  const faults: AcumaticaSandboxFaults = { ...NO_FAULTS, ...options.faults };
  const company = new Company(options.now ?? (() => new Date()));
  const sessions = new Sessions(credentials, () => licence.maxApiUsers);
  const stats: SandboxStats = { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] };
  const instancePath = (options.instancePath ?? '/AcumaticaERP').replace(/\/+$/, '');
  if (options.seed !== undefined) company.seed(options.seed);
  for (const code of options.costCodes ?? []) company.costCodes.add(code);

  const server = createServer(
    createHandler({
      company,
      sessions,
      licence,
      faults,
      stats,
      instancePath,
      endpointVersions: options.endpointVersions ?? ['24.200.001'],
      put: { uniquePaymentRef: options.uniquePaymentRef ?? 'cashAccount' },
      billRules: { uniqueVendorRef: options.uniqueVendorRef ?? true },
      vendorAutoNumbering: options.vendorAutoNumbering ?? true,
      log,
      counters,
    }),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}${instancePath}`,
    credentials,
    licence,
    seed: (seed: SandboxSeed) => company.seed(seed),
    setFaults: (next: Partial<AcumaticaSandboxFaults>) => Object.assign(faults, next),
    payments: (): SandboxPayment[] => company.payments(),
    addPayment: (input: SandboxPaymentInput) => company.addPayment(input),
    bills: (): SandboxBill[] => company.billList(),
    vendors: (): SandboxVendor[] => company.vendorList(),
    addVendor: (input: SandboxVendorInput) => company.addVendor(input),
    stats: (): SandboxStats => ({ ...stats, arrivals: [...stats.arrivals] }),
    resetStats: () => Object.assign(stats, { requests: 0, throttled: 0, maxConcurrent: 0, arrivals: [] }),
    sessions: () => sessions.snapshot(),
    expireSessions: () => sessions.expireAll(),
    requestLog: () => log.map((record) => ({ ...record, headers: { ...record.headers } })),
    delayedRequests: () => counters.delayed,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};

// The richer sandbox still is a StartSandbox: the conformance kit and the runner's demo take it as one.
startAcumaticaSandbox satisfies StartSandbox;
