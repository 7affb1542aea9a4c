import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import type { ErpSandbox } from '@ledgerlink/core';
import { vistaConnector, type VistaConfig } from '../src/index.js';
import { startVistaSandbox, VISTA_SANDBOX } from '../src/sandbox/index.js';

function config(sandbox: ErpSandbox): VistaConfig {
  return {
    baseUrl: sandbox.url,
    subscriberUid: VISTA_SANDBOX.subscriberUid,
    applicationKey: VISTA_SANDBOX.applicationKey,
    module: 'ap',
    apiVersion: '1',
    paymentObject: 'paymenthistories',
    apCompany: VISTA_SANDBOX.apCompany,
    // Small pages, so the import reads several pages and their continuation tokens.
    pageSize: 2,
  };
}

describeConnectorConformance(vistaConnector, {
  startSandbox: () => startVistaSandbox(),
  config,
  invalidConfig: {
    config: (sandbox) => {
      const { subscriberUid: _subscriberUid, ...rest } = config(sandbox);
      return rest;
    },
    field: 'subscriberUid',
  },
  badCredentials: (sandbox) => ({ ...config(sandbox), applicationKey: 'not-the-application-key' }),
  fixtures: {
    vendorId: (n) => String(2000 + n),
    bankAccountId: (n) => `CM${n}`,
    billId: (n) => String(700 + n),
    // Vista's vendor number is the customer's pick (the hub's origin code); the API does not number vendors.
    vendorDefaults: (n) => ({ code: String(40_000 + n) }),
  },
});
