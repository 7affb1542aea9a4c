import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import { qbdConnector } from '../src/index.js';
import { QBD_SANDBOX_COST_CODE_ITEMS, startQbdSandbox } from '../src/sandbox/index.js';
import { configFor, fixtures } from './support.js';

describeConnectorConformance(qbdConnector, {
  startSandbox: startQbdSandbox,
  config: (sandbox) => configFor(sandbox),
  invalidConfig: {
    config: (sandbox) => {
      const { password: _password, ...rest } = configFor(sandbox);
      return rest;
    },
    field: 'password',
  },
  badCredentials: (sandbox) => configFor(sandbox, { password: 'not-the-web-connector-password' }),
  fixtures: {
    ...fixtures,
    // QuickBooks checks every line's item: the generated lines bill cost codes the sandbox's company file has.
    requisitionDefaults: (n) => ({ line: { costCodeOriginId: QBD_SANDBOX_COST_CODE_ITEMS[n % QBD_SANDBOX_COST_CODE_ITEMS.length]?.id as string } }),
  },
});
