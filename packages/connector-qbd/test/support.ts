import type { ErpSandbox } from '@ledgerlink/core';
import type { QbdConfig } from '../src/index.js';
import { QBD_SANDBOX_WEB_CONNECTOR } from '../src/sandbox/index.js';

/** The connection config that makes the connector listen where the sandbox's Web Connector polls. */
export function configFor(sandbox: ErpSandbox, overrides: Partial<QbdConfig> = {}): QbdConfig {
  const url = new URL(sandbox.url);
  return {
    listen: { host: url.hostname, port: Number(url.port), path: url.pathname },
    username: QBD_SANDBOX_WEB_CONNECTOR.username,
    password: QBD_SANDBOX_WEB_CONNECTOR.password,
    companyFile: '',
    // Generous: the sandbox polls every 50 ms, but the machine running the tests may be busy.
    answerWaitMs: 10_000,
    checkWaitMs: 10_000,
    importWaitMs: 10_000,
    lostAfterMs: 300_000,
    importPageSize: 25,
    ...overrides,
  };
}

/** QuickBooks ListIDs and TxnIDs look like `80000001-1741900000`. */
export const fixtures = {
  vendorId: (n: number) => `${(0x80000000 + n).toString(16).toUpperCase()}-1741900000`,
  bankAccountId: (n: number) => `${(0x40000000 + n).toString(16).toUpperCase()}-1741900100`,
  billId: (n: number) => `${(0x2000 + n).toString(16).toUpperCase()}-1741900200`,
};

/** A free loopback port, for a connector that serves its Web Connector endpoint without a sandbox (below the ephemeral range). */
export { freePort } from '@ledgerlink/connector-testkit';
