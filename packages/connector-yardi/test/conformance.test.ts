import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import type { ErpSandbox } from '@ledgerlink/core';
import { yardiConnector, type YardiConfigInput } from '../src/index.js';
import { SANDBOX_SERVICE_PATH, startYardiSandbox, YARDI_SANDBOX_LOGIN } from '../src/sandbox/index.js';

const login = YARDI_SANDBOX_LOGIN;

function config(sandbox: ErpSandbox): YardiConfigInput {
  return {
    url: `${sandbox.url}${SANDBOX_SERVICE_PATH}`,
    userName: login.userName,
    password: login.password,
    serverName: login.serverName,
    database: login.database,
    interfaceEntity: login.interfaceEntity,
    interfaceLicense: login.interfaceLicense,
  };
}

// Yardi ids: vendor (payee) codes like v0001, bank codes, and payable ids (whole numbers).
const vendorCode = (n: number) => `v${String(n).padStart(4, '0')}`;

describeConnectorConformance(yardiConnector, {
  startSandbox: startYardiSandbox,
  config,
  invalidConfig: {
    config: (sandbox) => {
      const { interfaceLicense: _licence, ...rest } = config(sandbox);
      return rest;
    },
    field: 'interfaceLicense',
  },
  badCredentials: (sandbox) => ({ ...config(sandbox), password: 'not-the-password' }),
  fixtures: {
    vendorId: vendorCode,
    bankAccountId: (n) => `op${n}`,
    billId: (n) => String(50_000 + n),
    // Seed: Vendor Code -> Payee ID. The vendor's code in Yardi is its payee id.
    paymentDefaults: (n) => ({ vendor: { code: vendorCode(n) } }),
    // Seed: Date Paid -> Payment Date.
    exportDate: 'paidOn',
  },
});
