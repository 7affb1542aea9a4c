import { describeConnectorConformance } from '../src/index.js';
import { EXAMPLE_API_KEY, startExampleSandbox } from './example/sandbox/index.js';
import { limitedExampleConnector } from './limited/connector.js';

// Import and partial payments are not declared: those checks run as refusal checks. Notes are not mapped:
// special-characters is not applicable, and the kit proves it (no memo reaches the sandbox).
describeConnectorConformance(limitedExampleConnector, {
  startSandbox: startExampleSandbox,
  config: (sandbox) => ({ baseUrl: sandbox.url, apiKey: EXAMPLE_API_KEY }),
  invalidConfig: { config: (sandbox) => ({ baseUrl: sandbox.url }), field: 'apiKey' },
  fixtures: {
    vendorId: (n) => `SUP-${String(n).padStart(4, '0')}`,
    bankAccountId: (n) => `CHK-${n}`,
    billId: (n) => `BILL-${n}`,
  },
  skip: { 'special-characters': 'this variant of the Example ERP keeps no memo on a payment' },
});
