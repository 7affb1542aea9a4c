import { describeConnectorConformance } from '../src/index.js';
import { exampleConnector } from './example/connector.js';
import { EXAMPLE_API_KEY, startExampleSandbox } from './example/sandbox/index.js';

// A connector's whole conformance test: one call.
describeConnectorConformance(exampleConnector, {
  startSandbox: startExampleSandbox,
  // A small page size, so the import check reads several pages.
  config: (sandbox) => ({ baseUrl: sandbox.url, apiKey: EXAMPLE_API_KEY, pageSize: 2 }),
  invalidConfig: { config: () => ({ baseUrl: 'not a url', apiKey: EXAMPLE_API_KEY }), field: 'baseUrl' },
  badCredentials: (sandbox) => ({ baseUrl: sandbox.url, apiKey: 'wrong-key', pageSize: 2 }),
  fixtures: {},
});
