import { createServer } from 'node:net';
import type { ErpSandbox, SandboxBill, SandboxFaults, SandboxOptions, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import { CompanyFile } from './company-file.js';
import { QuickBooks } from './quickbooks.js';
import { WebConnector } from './web-connector.js';

/** The Web Connector login the sandbox uses: a test's connection config must expect exactly these. */
export const QBD_SANDBOX_WEB_CONNECTOR = { username: 'ledgerlink-sandbox', password: 'sandbox-wc-password', path: '/qbwc' } as const;

export interface QbdSandboxOptions extends SandboxOptions {
  /**
   * How often the simulated Web Connector runs a session (RunEveryNSeconds of a real .qwc), default 250 ms so a
   * test suite moves; a real .qwc says 60 s or more. 0: no scheduled sessions, only `runSession()`.
   */
  pollMs?: number;
  /** How long the Web Connector pauses after a `NoOp` before asking again, default 5 s as QBWC does. */
  noOpPauseMs?: number;
  /** How long the simulated QuickBooks takes per request, default 80 ms (the real one is slower still). */
  processingMs?: number;
  /** The company file path the Web Connector reports, default a Windows-style path. */
  companyFile?: string;
  /** The newest qbXML version the simulated QuickBooks speaks, default 13 (QuickBooks 2014+); 12 is QuickBooks 2013. */
  qbxmlMajor?: number;
}

/**
 * The service items the sandbox's company file starts with: a contractor's cost codes as QuickBooks keeps them
 * (Item List, type Service), for requisition lines' `ItemRef`. `(n) => QBD_SANDBOX_COST_CODE_ITEMS[n % length].id`
 * gives a test a cost code QuickBooks knows.
 */
export const QBD_SANDBOX_COST_CODE_ITEMS: readonly { id: string; name: string }[] = Object.freeze(
  ['01-100 General Conditions', '03-300 Cast-in-Place Concrete', '05-120 Structural Steel', '09-250 Gypsum Board', '26-050 Electrical'].map((name, index) => ({
    id: `${(0x90000001 + index).toString(16).toUpperCase()}-1741900300`,
    name,
  })),
);

/** The QuickBooks Desktop sandbox: an ERP sandbox whose Web Connector can also be run by hand. */
export interface QbdSandbox extends ErpSandbox {
  bills(): SandboxBill[];
  vendors(): SandboxVendor[];
  addVendor(input: SandboxVendorInput): string;
  /** Adds service items (cost codes, `ItemRef`) and customers or jobs (`CustomerRef`) to the company file. */
  seedLists(lists: { items?: { id: string; name: string }[]; customers?: { id: string; name: string }[] }): void;
  /** Runs one Web Connector session now (after any in progress), as "Update Selected" does. */
  runSession(): Promise<void>;
  /** Sessions the Web Connector has run so far (all, and those with work), NoOp pauses, and its last log line. */
  webConnector(): { sessions: number; worked: number; noOps: number; lastLog: string };
}

const NO_FAULTS: SandboxFaults = { latencyMs: 0, throttleNext: 0, serverErrorRate: 0, commitThenDrop: 0, enforceLimits: false };

/** Reserves a free loopback port: the connector listens there and the simulated Web Connector polls it. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the QuickBooks Desktop sandbox: an in-memory company file behind a simulated QuickBooks, and a
 * simulated Web Connector that polls `url` (where the connector under test listens: QuickBooks Desktop is the
 * client in this protocol). `url` is `http://127.0.0.1:<free port>/qbwc`. The throttle knob answers QuickBooks'
 * busy status (3180); `enforceLimits` has nothing to enforce (QuickBooks publishes no rate, and one Web
 * Connector works one message at a time).
 */
export async function startQbdSandbox(options: QbdSandboxOptions = {}): Promise<QbdSandbox> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort(host);
  const url = `http://${host}:${port}${QBD_SANDBOX_WEB_CONNECTOR.path}`;
  const faults: SandboxFaults = { ...NO_FAULTS, ...options.faults };
  const company = new CompanyFile();
  const seedLists = (lists: { items?: { id: string; name: string }[]; customers?: { id: string; name: string }[] }) => {
    for (const item of lists.items ?? []) company.items.set(item.id, { listId: item.id, name: item.name });
    for (const customer of lists.customers ?? []) company.customers.set(customer.id, { listId: customer.id, name: customer.name });
  };
  seedLists({ items: [...QBD_SANDBOX_COST_CODE_ITEMS] });
  if (options.seed !== undefined) company.seed(options.seed);
  const quickbooks = new QuickBooks(company, faults, options.processingMs ?? 80, options.qbxmlMajor ?? 13);
  const webConnector = new WebConnector(
    {
      url,
      username: QBD_SANDBOX_WEB_CONNECTOR.username,
      password: QBD_SANDBOX_WEB_CONNECTOR.password,
      companyFile: options.companyFile ?? 'C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Ledgerlink Sandbox.qbw',
      pollMs: options.pollMs ?? 250,
      noOpPauseMs: options.noOpPauseMs ?? 5_000,
    },
    quickbooks,
    faults,
  );
  webConnector.start();

  return {
    url,
    seed: (seed) => company.seed(seed),
    setFaults: (changes) => {
      Object.assign(faults, changes);
    },
    payments: () => company.payments(),
    addPayment: (input) => company.addPayment(input),
    bills: () => company.billList(),
    vendors: () => company.vendorList(),
    addVendor: (input) => company.addVendor(input),
    seedLists,
    stats: () => quickbooks.stats(),
    resetStats: () => quickbooks.resetStats(),
    close: () => webConnector.stop(),
    runSession: () => webConnector.runNow(),
    webConnector: () => ({ sessions: webConnector.sessions, worked: webConnector.worked, noOps: webConnector.noOps, lastLog: webConnector.lastLog }),
  };
}
