import { describeConnectorConformance } from '@ledgerlink/connector-testkit';
import { sage300Connector } from '../src/index.js';
import { SANDBOX_AGENT_TOKEN, startSage300Sandbox } from '../src/sandbox/index.js';

describeConnectorConformance(sage300Connector, {
  startSandbox: startSage300Sandbox,
  config: (sandbox) => ({ agentUrl: sandbox.url, agentToken: SANDBOX_AGENT_TOKEN }),
  invalidConfig: { config: (sandbox) => ({ agentUrl: sandbox.url }), field: 'agentToken' },
  badCredentials: (sandbox) => ({ agentUrl: sandbox.url, agentToken: 'not-the-agent-token-0000' }),
  // The kit's ids (V1, BANK1, 1001) fit Sage's widths: vendor up to 10 characters, invoice up to 15.
  fixtures: {},
  skip: {
    'special-characters':
      'the Sage 300 CRE export writes only Invoice Code 1 and Invoice Code 2 on an existing AP invoice (the seed table); ' +
      'neither notes nor the vendor name are written anywhere in Sage, so no text with special characters is stored',
  },
});
