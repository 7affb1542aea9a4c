import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import type { ErpSandbox } from '@ledgerlink/core';
import { qboConnector, type QboConfig } from '../src/index.js';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox } from '../src/sandbox/index.js';

function config(sandbox: ErpSandbox): QboConfig {
  return {
    baseUrl: sandbox.url,
    tokenUrl: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
    realmId: QBO_SANDBOX_APP.realmId,
    clientId: QBO_SANDBOX_APP.clientId,
    clientSecret: QBO_SANDBOX_APP.clientSecret,
    refreshToken: QBO_SANDBOX_APP.refreshToken,
    minorVersion: 75,
    importPageSize: 1000,
  };
}

describeConnectorConformance(qboConnector, {
  startSandbox: startQboSandbox,
  config,
  invalidConfig: {
    config: (sandbox) => {
      const { realmId: _realmId, ...rest } = config(sandbox);
      return rest;
    },
    field: 'realmId',
  },
  badCredentials: (sandbox) => ({ ...config(sandbox), clientSecret: 'not-the-client-secret' }),
  fixtures: {
    // QuickBooks ids are numbers written as strings.
    vendorId: (n) => String(50 + n),
    bankAccountId: (n) => String(300 + n),
    billId: (n) => String(7000 + n),
    // A bill line posts to an expense account of the sandbox company (its chart: 60, 61, 62).
    requisitionDefaults: () => ({ line: { costCodeOriginId: '60' } }),
  },
});
