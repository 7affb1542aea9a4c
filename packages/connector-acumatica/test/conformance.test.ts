import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import { acumaticaConnector } from '../src/index.js';
import { startAcumaticaSandbox, type AcumaticaSandbox } from '../src/sandbox/index.js';

const credentials = (sandbox: unknown) => (sandbox as AcumaticaSandbox).credentials;

describeConnectorConformance(acumaticaConnector, {
  startSandbox: startAcumaticaSandbox,
  config: (sandbox) => ({
    baseUrl: sandbox.url,
    username: credentials(sandbox).username,
    password: credentials(sandbox).password,
    tenant: credentials(sandbox).tenant,
    releasePollIntervalMs: 5,
  }),
  invalidConfig: {
    config: (sandbox) => ({ baseUrl: sandbox.url, username: credentials(sandbox).username, password: credentials(sandbox).password }),
    field: 'tenant',
  },
  badCredentials: (sandbox) => ({
    baseUrl: sandbox.url,
    username: credentials(sandbox).username,
    password: 'not-the-password',
    tenant: credentials(sandbox).tenant,
    releasePollIntervalMs: 5,
  }),
  fixtures: {
    vendorId: (n) => `V${String(n).padStart(6, '0')}`,
    bankAccountId: (n) => `102${String(n).padStart(2, '0')}CA`,
    billId: (n) => `AP${String(n).padStart(6, '0')}`,
  },
});
