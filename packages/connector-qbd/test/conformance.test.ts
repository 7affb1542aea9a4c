import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import { qbdConnector } from '../src/index.js';
import { startQbdSandbox } from '../src/sandbox/index.js';
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
  fixtures,
});
